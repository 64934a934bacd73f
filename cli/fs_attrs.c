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

struct by_ino {
	uint64_t ino;
	size_t i;
};

static int ino_cmp(const void *a, const void *b)
{
	const struct by_ino *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void attr_keep(struct fs_attr *a, const struct apfs_stat *st, int err)
{
	*a = (struct fs_attr){ .err = err };
	if (err)
		return;
	a->size = st->size, a->alloced = st->alloced;
	a->crtime = st->crtime, a->mtime = st->mtime, a->ctime = st->ctime, a->atime = st->atime;
	a->uid = st->uid, a->gid = st->gid, a->nlink = st->nlink;
	a->bsd_flags = st->bsd_flags, a->compression = st->compression;
	a->mode = st->mode, a->firmlink = st->firmlink;
}

int fs_attrs_read(struct apfs_fs *fs, const struct fs_names *nm, struct fs_attr **out)
{
	struct by_ino *o = malloc((nm->n ? nm->n : 1) * sizeof(*o));
	struct fs_attr *a = malloc((nm->n ? nm->n : 1) * sizeof(*a));
	struct apfs_stat st;

	*out = NULL;
	if (!o || !a) {
		free(o);
		free(a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nm->n; i++)
		o[i] = (struct by_ino){ nm->e[i].ino, i };
	qsort(o, nm->n, sizeof(*o), ino_cmp);
	for (size_t k = 0; k < nm->n; k++) {
		int err = apfs_fs_stat(fs, o[k].ino, &st);

		attr_keep(&a[o[k].i], &st, err);
	}
	free(o);
	*out = a;
	return 0;
}

void fs_attr_stat(const struct fs_attr *a, uint64_t ino, struct apfs_stat *st)
{
	*st = (struct apfs_stat){ .ino = ino };
	st->size = a->size, st->alloced = a->alloced;
	st->crtime = a->crtime, st->mtime = a->mtime, st->ctime = a->ctime, st->atime = a->atime;
	st->uid = a->uid, st->gid = a->gid, st->nlink = a->nlink;
	st->bsd_flags = a->bsd_flags, st->compression = a->compression;
	st->mode = a->mode, st->firmlink = a->firmlink;
}
