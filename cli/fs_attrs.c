/* SPDX-License-Identifier: MIT */
/*
 * fs_attrs.c - the attributes of a whole directory's entries, read in
 * inode order and kept compact (cmd_fs.h: struct fs_attr), for listings
 * printed in name order (ls -l, ls --json).
 *
 * Why the whole directory: names sorted by name, or taken in windows of a
 * few thousand, point at inodes spread over every leaf of the directory's
 * inodes; once those leaves outnumber what the block cache holds (hundreds
 * of thousands of files), each window reads most of them again.  Taken all
 * at once in inode order, each leaf is read once.  A sorted listing holds
 * every name of the directory anyway; this adds sizeof(struct fs_attr) and
 * 16 bytes of index an entry, freed before the next directory.
 */
#include <stdlib.h>

#include "cmd_fs.h"

static void attr_keep(struct fs_attr *a, const struct apfsi_stat *st, int err)
{
	*a = (struct fs_attr){ .err = err };
	if (err)
		return;
	a->size = st->size, a->allocated = st->allocated;
	a->crtime = st->crtime, a->mtime = st->mtime, a->ctime = st->ctime, a->atime = st->atime;
	a->uid = st->uid, a->gid = st->gid, a->nlink = st->nlink;
	a->bsd_flags = st->bsd_flags, a->compression = st->compression;
	a->mode = st->mode, a->flags = (uint32_t)st->flags;
}

/* apfsi_fs_stat_many's callback: entry i's attributes kept in the array arg. */
static void keep_one(size_t i, const struct apfsi_stat *st, int error, void *arg)
{
	attr_keep((struct fs_attr *)arg + i, st, cli_api_errno(error));
}

int fs_attrs_read(apfsi_fs *fs, const struct fs_names *nm, struct fs_attr **out)
{
	struct fs_attr *a = malloc((nm->n ? nm->n : 1) * sizeof(*a));
	const uint64_t *first = nm->n ? &nm->e[0].ino : NULL;  /* not read when n is 0 */
	int ret = a ? cli_api_errno(apfsi_fs_stat_many(fs, nm->n, first, sizeof(nm->e[0]), keep_one, a))
		  : -ENOMEM;

	*out = NULL;
	if (ret) {
		free(a);
		return ret;
	}
	*out = a;
	return 0;
}

void fs_attr_stat(const struct fs_attr *a, uint64_t ino, struct apfsi_stat *st)
{
	*st = (struct apfsi_stat){ .ino = ino };
	st->size = a->size, st->allocated = a->allocated;
	st->crtime = a->crtime, st->mtime = a->mtime, st->ctime = a->ctime, st->atime = a->atime;
	st->uid = a->uid, st->gid = a->gid, st->nlink = a->nlink;
	st->bsd_flags = a->bsd_flags, st->compression = a->compression;
	st->mode = a->mode, st->flags = a->flags;
}
