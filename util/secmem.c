/* SPDX-License-Identifier: MIT */
/*
 * secmem.c - non-dumpable process and a locked, undumped arena for keys.
 *
 * The arena is OpenSSL's secure heap: an mmap()ed region with guard pages,
 * MADV_DONTDUMP, and mlock()ed when RLIMIT_MEMLOCK allows (else it is used
 * unlocked: CRYPTO_secure_malloc_init() then returns 2, still usable).  It
 * is small, so when it is full (a long --passphrase-file) secrets go to the
 * ordinary heap, still wiped on release; the non-dumpable process is what
 * keeps those out of core files.  Every allocation is kept on a list, so
 * that a fork()ed daemon can lock its pages again.
 */
#include <alloca.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/secmem.h"

/* Holds every live key of a run (a few KiB) with room to spare; the old
 * 64 KiB RLIMIT_MEMLOCK default still lets it be locked. */
#define ARENA_SIZE (64 * 1024)

/* In front of every allocation; 32 bytes keep the caller's part 16-aligned. */
struct secret_hdr {
	struct secret_hdr *prev, *next;
	size_t len;   /* bytes after the header */
	size_t pad;
};

static struct secret_hdr *live;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;

/* The program called apfs_harden_process: its choice of arena stands (apfs_secret_arena_default). */
static atomic_bool decided;

void apfs_secret_arena_default(void)
{
	if (!atomic_load(&decided))
		apfs_harden_process(APFS_UNHARDEN_DUMPABLE);
}

int apfs_harden_process(unsigned skip)
{
	const struct rlimit no_core = { 0, 0 };
	int ret = 0;

	atomic_store(&decided, true);

	if (!(skip & APFS_UNHARDEN_DUMPABLE) &&
	    (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) || setrlimit(RLIMIT_CORE, &no_core)))
		ret |= APFS_HARDEN_DUMPABLE_FAILED;
	if (!(skip & APFS_UNHARDEN_KEYS) && !CRYPTO_secure_malloc_initialized() &&
	    !CRYPTO_secure_malloc_init(ARENA_SIZE, 16))
		ret |= APFS_HARDEN_NO_ARENA;
	return ret;
}

static struct secret_hdr *take_memory(size_t total)
{
	struct secret_hdr *h = NULL;

	if (CRYPTO_secure_malloc_initialized())
		h = OPENSSL_secure_zalloc(total);
	if (!h) {
		h = aligned_alloc(16, (total + 15) & ~(size_t)15);
		if (h)
			memset(h, 0, total);
	}
	return h;
}

void *apfs_secret_alloc(size_t n)
{
	struct secret_hdr *h;

	if (n > SIZE_MAX - sizeof(*h) - 15)
		return NULL;
	h = take_memory(sizeof(*h) + n);
	if (!h)
		return NULL;
	h->len = n;
	pthread_mutex_lock(&live_lock);
	h->next = live;
	if (live)
		live->prev = h;
	live = h;
	pthread_mutex_unlock(&live_lock);
	return h + 1;
}

void apfs_secret_free(void *p)
{
	struct secret_hdr *h;

	if (!p)
		return;
	h = (struct secret_hdr *)p - 1;
	pthread_mutex_lock(&live_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		live = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&live_lock);
	if (CRYPTO_secure_allocated(h)) {
		OPENSSL_secure_clear_free(h, sizeof(*h) + h->len);
		return;
	}
	OPENSSL_cleanse(h, sizeof(*h) + h->len);
	free(h);
}

/* Not inlined: its frame must lie where the callee's frames were. */
__attribute__((noinline)) void apfs_stack_wipe(size_t n)
{
	uint8_t *p = alloca(n);

	OPENSSL_cleanse(p, n);
}

/* Only arena pages: locking heap pages would pin unrelated data for good. */
void apfs_secret_relock(void)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	pthread_mutex_lock(&live_lock);
	for (struct secret_hdr *h = live; h; h = h->next) {
		uintptr_t start = (uintptr_t)h & ~(page - 1);
		uintptr_t end = (uintptr_t)(h + 1) + h->len;

		/* The system call itself, as OpenSSL's arena does: AddressSanitizer
		 * turns mlock() into a no-op (for its shadow's sake, not ours). */
		if (CRYPTO_secure_allocated(h))
			(void)syscall(SYS_mlock, start, end - start);  /* refused: unlocked */
	}
	pthread_mutex_unlock(&live_lock);
}
