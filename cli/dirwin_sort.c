/* SPDX-License-Identifier: MIT */
/*
 * dirwin_sort.c - a window's entries sorted by inode in place (dirwin.h).
 *
 * Why not qsort(): glibc's is a merge sort with a scratch copy of the whole
 * array, as large as the window (a directory of 1,000,000 files: 2.7 MB on
 * top of the window's own, at the walk's peak).  This is a quicksort with
 * a median of three that recurses into the smaller side (log n stack) and
 * falls back to a heap sort past 2 log n levels, so an image whose inode
 * numbers are ordered against it still sorts in n log n.
 */
#include "dirwin.h"

#define SMALL 16

static inline int before(const struct dirwin_ent *a, const struct dirwin_ent *b)
{
	return a->ino != b->ino ? a->ino < b->ino : a->off < b->off;
}

static inline void swap(struct dirwin_ent *a, struct dirwin_ent *b)
{
	struct dirwin_ent t = *a;

	*a = *b;
	*b = t;
}

static void insertion(struct dirwin_ent *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct dirwin_ent t = e[i];
		size_t j = i;

		for (; j && before(&t, &e[j - 1]); j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
}

static void sift(struct dirwin_ent *e, size_t root, size_t n)
{
	for (size_t c; (c = 2 * root + 1) < n; root = c) {
		if (c + 1 < n && before(&e[c], &e[c + 1]))
			c++;
		if (!before(&e[root], &e[c]))
			return;
		swap(&e[root], &e[c]);
	}
}

static void heapsort_ents(struct dirwin_ent *e, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(e, i, n);
	for (size_t i = n; i-- > 1;) {
		swap(&e[0], &e[i]);
		sift(e, 0, i);
	}
}

/* Hoare partition around the median of first, middle and last; returns the split. */
static size_t partition(struct dirwin_ent *e, size_t n)
{
	size_t m = n / 2, i = 0, j = n - 1;

	if (before(&e[m], &e[0]))
		swap(&e[m], &e[0]);
	if (before(&e[n - 1], &e[0]))
		swap(&e[n - 1], &e[0]);
	if (before(&e[n - 1], &e[m]))
		swap(&e[n - 1], &e[m]);
	swap(&e[m], &e[0]);  /* the pivot at the front: the keys are unique */
	for (;;) {
		while (before(&e[++i], &e[0]))
			;
		while (before(&e[0], &e[j]))
			j--;
		if (i >= j)
			break;
		swap(&e[i], &e[j]);
	}
	swap(&e[0], &e[j]);
	return j;
}

static void sort_range(struct dirwin_ent *e, size_t n, unsigned depth)
{
	while (n > SMALL) {
		size_t p;

		if (!depth--) {
			heapsort_ents(e, n);
			return;
		}
		p = partition(e, n);
		/* e[p] is in place; the smaller side by recursion, the larger by the loop. */
		if (p < n - p - 1) {
			sort_range(e, p, depth);
			e += p + 1;
			n -= p + 1;
		} else {
			sort_range(e + p + 1, n - p - 1, depth);
			n = p;
		}
	}
	insertion(e, n);
}

void dirwin_sort(struct dirwin_ent *e, size_t n)
{
	unsigned depth = 0;

	for (size_t k = n; k > 1; k >>= 1)
		depth += 2;
	sort_range(e, n, depth);
}
