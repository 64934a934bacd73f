/* SPDX-License-Identifier: MIT */
/*
 * fs_batch.c - the attributes of many inodes at once, read in the order of
 * their numbers.  An inode's records are keyed by its number, so a
 * directory's children taken in that order walk the fs tree's leaves
 * forward, each leaf read once for all the neighbours it holds (the
 * thread's cursor, btree_cursor.c), instead of in name-hash order, which
 * jumps between leaves at every entry.
 */
#include <stdlib.h>

#include "fs_int.h"

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

int apfs_fs_stat_each(struct apfs_fs *fs, size_t n, const uint64_t *ino, size_t stride,
		      apfs_stat_fn fn, void *ctx)
{
	struct by_ino *o = malloc((n ? n : 1) * sizeof(*o));
	struct apfs_stat st = { 0 };

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		o[i].ino = *(const uint64_t *)(const void *)((const char *)ino + i * stride);
		o[i].i = i;
	}
	qsort(o, n, sizeof(*o), ino_cmp);
	for (size_t k = 0; k < n; k++) {
		int err = apfs_fs_stat(fs, o[k].ino, &st);

		fn(ctx, o[k].i, &st, err);
	}
	free(o);
	return 0;
}

struct many {
	struct apfs_stat *st;
	int *err;
};

static void keep_whole(void *ctx, size_t i, const struct apfs_stat *st, int err)
{
	struct many *m = ctx;

	m->st[i] = *st;
	m->err[i] = err;
}

int apfs_fs_stat_many(struct apfs_fs *fs, size_t n, const uint64_t *ino, size_t stride,
		      struct apfs_stat *st, int *err)
{
	struct many m = { st, err };

	return apfs_fs_stat_each(fs, n, ino, stride, keep_whole, &m);
}
