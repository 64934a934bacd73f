/* SPDX-License-Identifier: MIT */
/*
 * secure.c - the library's key memory: the locked arena secrets are copied
 * into, set up on first need (apfsi_secure_init), and relocked in a forked
 * child (apfsi_secure_relock).
 */
#include <pthread.h>

#include "util/secmem.h"
#include "internal.h"

/*
 * The arena is set up unless the program already chose (the CLI's
 * harden.c).  Only the arena: a library does not make its host process
 * non-dumpable.
 */
static void secure_heap(void)
{
	apfs_secret_arena_default();
}

void apfsi_secure_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, secure_heap);
}

void apfsi_secure_relock(void)
{
	apfs_secret_relock();
}
