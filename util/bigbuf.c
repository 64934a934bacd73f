/* SPDX-License-Identifier: MIT */
/*
 * bigbuf.c - large buffers on transparent huge pages.
 *
 * A page fault costs far more on a virtual machine than the copy it lets
 * through: measured on the 2-core VM behind BENCHMARKS.md, 13 µs per 4 KiB
 * page, so a fresh 2 MiB read buffer cost 3-6 ms on its first pread
 * against 0.05 ms for the copy after.  And the kernel populating a mapping
 * (MAP_POPULATE) does not spare the first user access its fault there.
 * One 2 MiB huge page, touched once from user space, costs one fault.
 * Where THP is off the buffer is still correct, just on small pages.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "util/bigbuf.h"

#define HUGE_SIZE ((size_t)2 << 20)
#define SMALL_PAGE 4096

static size_t round_up(size_t len)
{
	return (len + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
}

void *apfs_bigbuf_new(size_t len, bool prefault)
{
	size_t n = round_up(len), head;
	uint8_t *raw, *p;

	if (!len || n < len)
		return NULL;
	/* Map one huge page more, then trim to a 2 MiB aligned n bytes. */
	raw = mmap(NULL, n + HUGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	head = (HUGE_SIZE - (uintptr_t)raw % HUGE_SIZE) % HUGE_SIZE;
	p = raw + head;
	if (head)
		munmap(raw, head);
	munmap(p + n, HUGE_SIZE - head);
	(void)madvise(p, n, MADV_HUGEPAGE);  /* advice: refused is fine */
	if (prefault)
		for (size_t off = 0; off < n; off += SMALL_PAGE)
			((volatile uint8_t *)p)[off] = 0;
	return p;
}

void apfs_bigbuf_free(void *p, size_t len)
{
	if (p)
		munmap(p, round_up(len));
}
