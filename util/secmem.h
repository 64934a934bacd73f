/* SPDX-License-Identifier: MIT */
/*
 * secmem.h - keeping secrets out of core dumps, swap and other users' reach.
 *
 * apfs_harden_process() makes the process non-dumpable (no core file, no
 * /proc/PID/mem or ptrace for other users) and sets up a small arena for
 * key material that is excluded from core dumps (MADV_DONTDUMP) and locked
 * in RAM where RLIMIT_MEMLOCK allows.  apfs_secret_alloc() takes memory
 * from that arena, or from the ordinary heap when the arena is full or was
 * never set up; apfs_secret_free() wipes it either way.
 */
#ifndef APFS_SECMEM_H
#define APFS_SECMEM_H

#include <stddef.h>

/* Parts of the hardening a test may switch off, to show its checks can fail. */
enum {
	APFS_UNHARDEN_DUMPABLE = 1 << 0,  /* keep the process dumpable, RLIMIT_CORE as given */
	APFS_UNHARDEN_KEYS = 1 << 1,      /* key memory on the ordinary heap */
};

/* What apfs_harden_process() achieved (0 when it did everything). */
enum {
	APFS_HARDEN_DUMPABLE_FAILED = 1 << 0,
	APFS_HARDEN_NO_ARENA = 1 << 1,
};

/*
 * Call first thing in main(), before any secret is read: non-dumpable,
 * RLIMIT_CORE 0, the key arena.  Both hold across fork(); the arena's lock
 * does not (apfs_secret_relock()).  `skip` is 0 outside the tests.
 */
int apfs_harden_process(unsigned skip);

/*
 * For a library's first use of secrets: the key arena alone (the host
 * process stays dumpable), unless the program already called
 * apfs_harden_process, whose choice (arena or not) stands.
 */
void apfs_secret_arena_default(void);

/* Zeroed, 16-byte aligned memory for key material; NULL when out of memory. */
void *apfs_secret_alloc(size_t n);

/* Wipe all of it (OPENSSL_cleanse) and release; NULL is a no-op. */
void apfs_secret_free(void *p);

/*
 * Wipe n bytes of the stack below the caller: call it right after a function
 * that keeps key schedules or tweaks in stack slots it cannot wipe itself
 * without slowing down (the SIMD XTS engines spill registers there).
 */
void apfs_stack_wipe(size_t n);

/* Lock the live secret allocations again: a fork()ed child does not inherit locks. */
void apfs_secret_relock(void);

#endif
