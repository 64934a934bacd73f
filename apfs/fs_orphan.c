/* SPDX-License-Identifier: MIT */
/*
 * fs_orphan.c - whether an inode is an orphan: a file deleted while still
 * open, kept until its last close with its entry moved into the private
 * directory (inode 3) as 0xINODE-dead (apfsck dir.c check_orphan_name).
 * Its link count is 0 and its parent_id stays its old directory's (apfsck
 * inode.c), so only that entry tells one from a file whose count is
 * damaged.  Asked only of a file of link count 0 (an orphan's, apfsck, and
 * no other file's), which a sound volume has few of.  An entry of another
 * name (apfsck: "wrong name") is looked for among the directory's first
 * ORPHAN_SCAN_MAX entries only, so that an image of many such files and a
 * large private directory cannot make each open a walk of it: past them, a
 * file is not taken for an orphan, and its gap is named as damage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fs_int.h"

#define ORPHAN_SCAN_MAX 256

struct orphan_find {
	uint64_t ino;
	unsigned seen;
	bool found;
};

static int names_ino(const struct apfs_dirent *d, void *ctx)
{
	struct orphan_find *f = ctx;

	f->found = d->ino == f->ino;
	return f->found || ++f->seen >= ORPHAN_SCAN_MAX;
}

bool fs_orphan(struct apfs_fs *fs, uint64_t ino)
{
	struct orphan_find f = { ino, 0, false };
	struct apfs_dirent *d = malloc(sizeof(*d));
	char name[32];

	if (!d)
		return false;
	/* the name macOS gives it first; else any entry there (a few on a Mac) */
	snprintf(name, sizeof(name), "0x%llx-dead", (unsigned long long)ino);
	if (!fs_vol_lookup_name(fs, APFS_PRIV_DIR_INO_NUM, name, d) && d->ino == ino)
		f.found = true;
	else
		(void)fs_vol_readdir(fs, APFS_PRIV_DIR_INO_NUM, 0, names_ino, &f);
	free(d);
	return f.found;
}
