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
 * the cursor that follows it: linear.  Up to a budget (dir_added_budget,
 * 4 MiB by default: 262,144 entries) the pairs are held in memory; a larger
 * directory's go to sorted runs of that many in a temporary file, merged
 * back as the inode order advances (dir_added_runs.c): still linear, one
 * more write and read of 16 bytes an entry, and memory that does not grow
 * with the directory (a real Mac's Data volume has directories of millions).
 * Every open iterator's pairs come out of one budget for the file system
 * (a walk nested in a huge directory's entries opens another), and are lent
 * from its block cache as a window of names is (cache_lend.c).
 *
 * The pairs are counted against the plan, which counted the same records:
 * memory is bounded by what the image holds, and an entry the inode order
 * hands out that no record names is damage, not a date of 0.
 */
#include <stdlib.h>

#include "apfs/fs_mem.h"
#include "fs_int.h"

#define SMALL 32
#define BUDGET (4u << 20)   /* bytes of pairs in memory, for all open iterators */
#define LEVEL_MIN (64u << 10) /* and for one, whatever the others hold */

struct dir_added_fill {
	struct dir_added *a;
	uint64_t entries, seen;
	int err;    /* of a run's write */
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

void dir_added_sort(struct dir_added_pair *v, size_t n)
{
	if (n > 1)
		radix(v, n, top_shift(v, n));
}

/*
 * Pairs one more iterator may hold for `entries` records: what the others
 * left of the budget (BUDGET, or APFSINSPECT_DIR_ADDED_MEMORY in bytes from
 * 1 KiB to 256 MiB), at least LEVEL_MIN (or that budget, when smaller).
 * Counted in fs->added_held in one step, so two threads opening at once do
 * not both take the whole.
 */
static size_t reserve(struct apfsi_fs *fs, uint64_t entries)
{
	const char *env = getenv("APFSINSPECT_DIR_ADDED_MEMORY");
	size_t total = BUDGET, least = LEVEL_MIN, held, give, cap;
	char *end;

	if (env && *env) {
		unsigned long long v = strtoull(env, &end, 10);

		if (!*end && v >= 1024 && v <= BUDGET * (size_t)64)
			total = (size_t)v, least = total < least ? total : least;
	}
	held = __atomic_load_n(&fs->added_held, __ATOMIC_RELAXED);
	do {
		give = held < total && total - held > least ? total - held : least;
		cap = give / sizeof(struct dir_added_pair);
		if (entries < cap)
			cap = (size_t)(entries ? entries : 1);
	} while (!__atomic_compare_exchange_n(&fs->added_held, &held,
					      held + cap * sizeof(struct dir_added_pair), false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return cap;
}

/* Lend from fs's cache what the iterator takes, already counted in fs->added_held. */
static void lend(struct dir_added *a, size_t bytes)
{
	apfs_fs_mem_lend(a->fs->fs, bytes);
	a->held += bytes;
}

/* Count against fs's budget and lend what the iterator takes more (release's inverse). */
static void claim(struct dir_added *a, size_t bytes)
{
	__atomic_add_fetch(&a->fs->added_held, bytes, __ATOMIC_RELAXED);
	lend(a, bytes);
}

/* Give back to fs's budget and its cache what the iterator no longer holds. */
static void release(struct dir_added *a, size_t bytes)
{
	if (!bytes)
		return;
	__atomic_sub_fetch(&a->fs->added_held, bytes, __ATOMIC_RELAXED);
	apfs_fs_mem_repay(a->fs->fs, bytes);
	a->held -= bytes;
}

/* The pairs in hand go to a run of the temporary file (memory is full). */
static int spill(struct dir_added_fill *f)
{
	struct dir_added *a = f->a;

	dir_added_sort(a->v, a->n);
	if ((f->err = dir_added_runs_add(&a->runs, a->v, a->n)))
		return 1;
	a->n = 0;
	return 0;
}

static int keep(const struct apfs_dirent *d, void *ctx)
{
	struct dir_added_fill *f = ctx;

	if (++f->seen > f->entries)
		return 1;  /* more records than the plan counted */
	if (f->a->n == f->a->cap && spill(f))
		return 1;
	f->a->v[f->a->n++] = (struct dir_added_pair){ d->ino, d->date_added };
	return 0;
}

/* The records read, the last pairs go to a run too, and the runs are read from their starts. */
static int finish_runs(struct dir_added_fill *f)
{
	struct dir_added *a = f->a;
	size_t used;

	if (spill(f))
		return f->err;
	free(a->v);
	a->v = NULL;
	/* Its buffers, or the file just written failing a read: no room here either way. */
	if (dir_added_runs_start(a->runs, a->held))
		return -ENOMEM;
	/*
	 * The runs take a few KiB each: the rest goes back for other
	 * directories (and more is counted where they take more).
	 */
	used = dir_added_runs_bytes(a->runs);
	if (used > a->held)
		claim(a, used - a->held);
	else
		release(a, a->held - used);
	return 0;
}

int dir_added_build(struct apfsi_fs *fs, uint64_t dir, uint64_t entries, struct dir_added *out)
{
	struct dir_added_fill f = { out, entries, 0, 0 };
	size_t cap;
	int ret;

	memset(out, 0, sizeof(*out));
	cap = reserve(fs, entries);
	out->fs = fs;
	lend(out, cap * sizeof(*out->v));
	if (!(out->v = malloc(cap * sizeof(*out->v)))) {
		dir_added_free(out);
		return -ENOMEM;
	}
	out->cap = cap;
	ret = apfs_fs_readdir(fs->fs, dir, 0, keep, &f);
	if (f.err)
		ret = f.err;
	else if (ret >= 0 && f.seen != entries)
		ret = -APFS_ECORRUPT;  /* the plan counted these very records */
	if (!ret && out->runs)
		ret = finish_runs(&f);
	if (ret) {
		dir_added_free(out);
		return ret < 0 ? ret : -APFS_ECORRUPT;
	}
	dir_added_sort(out->v, out->n);
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

	if (a->runs)
		return dir_added_runs_find(a->runs, ino, added);
	/* Entries come in rising order: the cursor's pair or the next, else a search. */
	if (i < a->n && a->v[i].ino != ino)
		i = i + 1 < a->n && a->v[i + 1].ino == ino ? i + 1 : lower_bound(a, ino);
	if (i >= a->n || a->v[i].ino != ino)
		return -APFS_ECORRUPT;
	*added = a->v[i].added;
	a->at = i;
	return 0;
}

bool dir_added_built(const struct dir_added *a)
{
	return a->v || a->runs;
}

void dir_added_free(struct dir_added *a)
{
	free(a->v);
	dir_added_runs_free(a->runs);
	if (a->fs)
		release(a, a->held);
	memset(a, 0, sizeof(*a));
}
