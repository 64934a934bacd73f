/* SPDX-License-Identifier: MIT */
/* secure.c - the library's key memory in a forked child (apfsi_secure_relock). */
#include "util/secmem.h"
#include "internal.h"

void apfsi_secure_relock(void)
{
	apfs_secret_relock();
}
