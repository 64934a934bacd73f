/* SPDX-License-Identifier: MIT */
/*
 * bridge.c - the handles' internal forms, for the commands of cli/ that
 * still read through apfs/ directly while they move onto the public API
 * (lib/internal.h says which and what they wait for).  Not exported.
 */
#include <stdlib.h>

#include "internal.h"
#include "users.h"

struct apfs_fs *apfsi_fs_internal(apfsi_fs *fs)
{
	return fs ? fs->fs : NULL;
}
