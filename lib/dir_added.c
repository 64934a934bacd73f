/* SPDX-License-Identifier: MIT */
/*
 * dir_added.c - APFSI_DIR_ADDED: the dates added of a directory read in
 * inode order (APFSI_DIR_INODE_ORDER).
 *
 * Why: a date added lives only in the directory's record of the entry,
 * which is in name-hash order, while the inode order reads the children's
 * inode records.  A walk that needs both with memory bounded by a window
 * of names reads each window's inodes across the whole range of the
 * directory's inodes: quadratic in a directory of millions (timeline's CPU
 * an entry at 3,000,000 names was 1.46 x that at 100,000).  Here the
 * directory's records are read once into (inode, date added) pairs, sorted
 * by inode, and each entry the inode order hands out finds its date with
 * the cursor that follows it: linear, at 16 bytes an entry of the one
 * directory being read (the memory goal is per largest directory, as for a
 * sorted listing).
 *
 * The pairs are counted against the plan, which counted the same records:
 * memory is bounded by what the image holds, and an entry the inode order
 * hands out that no record names is damage, not a date of 0.
 */
#include <stdlib.h>

#include "fs_int.h"

#define SMALL 32

struct dir_added_fill {
	struct dir_added *a;
	bool over;  /* more records than the plan counted */
};

static void insertion(struct dir_added_pair *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct dir_added_pair t = v[i];
		size_t j = i;

		for (; j && t.ino < v[j - 1].ino; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

static inline unsigned digit(const struct dir_added_pair *p, unsigned shift)
{
	return (unsigned)(p->ino >> shift) & 255;
}

/* Moves each pair into its digit's bucket in place (American flag sort's cycles). */
static void scatter(struct dir_added_pair *v, const size_t *end, size_t *next, unsigned shift)
{
	for (unsigned b = 0; b < 256; b++)
		while (next[b] < end[b]) {
			struct dir_added_pair t = v[next[b]], u;
			unsigned d = digit(&t, shift);

			while (d != b) {
				u = v[next[d]];
				v[next[d]++] = t;
				t = u;
				d = digit(&t, shift);
			}
			v[next[b]++] = t;
		}
}

/*
 * In place, by inode, a byte of it a level from the highest: n x (levels)
 * steps however the image ordered its numbers (no quicksort worst case),
 * and no scratch copy of the array (glibc's qsort makes one).
 */
static void radix(struct dir_added_pair *v, size_t n, unsigned shift)
{
	size_t count[256] = { 0 }, next[256], end[256], at = 0;

	if (n <= SMALL) {
		insertion(v, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		count[digit(&v[i], shift)]++;
	for (unsigned b = 0; b < 256; b++) {
		next[b] = at;
		at += count[b];
		end[b] = at;
	}
	scatter(v, end, next, shift);
	for (unsigned b = 0; b < 256 && shift; b++)
		radix(v + end[b] - count[b], count[b], shift - 8);
}

/* The lowest byte position from which the numbers differ. */
static unsigned top_shift(const struct dir_added_pair *v, size_t n)
{
	uint64_t diff = 0;
	unsigned shift = 0;

	for (size_t i = 1; i < n; i++)
		diff |= v[i].ino ^ v[0].ino;
	while (shift < 56 && diff >> (shift + 8))
		shift += 8;
	return shift;
}

static int keep(const struct apfs_dirent *d, void *ctx)
{
	struct dir_added_fill *f = ctx;

	if (f->a->n == f->a->cap) {
		f->over = true;
		return 1;
	}
	f->a->v[f->a->n++] = (struct dir_added_pair){ d->ino, d->date_added };
	return 0;
}

int dir_added_build(struct apfsi_fs *fs, uint64_t dir, uint64_t entries, struct dir_added *out)
{
	struct dir_added_fill f = { out, false };
	int ret;

	memset(out, 0, sizeof(*out));
	if (entries > SIZE_MAX / sizeof(*out->v) ||
	    !(out->v = malloc((size_t)(entries ? entries : 1) * sizeof(*out->v))))
		return -ENOMEM;
	out->cap = (size_t)entries;
	ret = apfs_fs_readdir(fs->fs, dir, 0, keep, &f);
	if (!ret && (f.over || out->n != out->cap))
		ret = -APFS_ECORRUPT;  /* the plan counted these very records */
	if (ret) {
		dir_added_free(out);
		return ret < 0 ? ret : -APFS_ECORRUPT;
	}
	if (out->n > 1)
		radix(out->v, out->n, top_shift(out->v, out->n));
	return 0;
}

/* The first pair at or after ino (binary search): a seek moved the reader. */
static size_t lower_bound(const struct dir_added *a, uint64_t ino)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int dir_added_find(struct dir_added *a, uint64_t ino, uint64_t *added)
{
	size_t i = a->at;

	/* Entries come in rising order: the cursor's pair or the next, else a search. */
	if (i < a->n && a->v[i].ino != ino)
		i = i + 1 < a->n && a->v[i + 1].ino == ino ? i + 1 : lower_bound(a, ino);
	if (i >= a->n || a->v[i].ino != ino)
		return -APFS_ECORRUPT;
	*added = a->v[i].added;
	a->at = i;
	return 0;
}

void dir_added_free(struct dir_added *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}
