/* SPDX-License-Identifier: MIT */
/*
 * test_dirwin_sort.c - cli/dirwin_sort.c, the in-place sort of a directory
 * window by (inode, name offset), against libc's qsort as the reference on
 * the orders that break quicksorts: random, sorted, reversed, all one
 * inode (hard links: the offsets decide), few distinct inodes, organ pipe,
 * sawtooth, and every size from 0 to 40 (the insertion sort's edge).  An
 * image chooses its inode numbers, so the heap sort fallback is reached
 * too: a depth limit of 0 sorts by heap sort alone.  Includes the file (a
 * cli/ source is not in the library).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../cli/dirwin_sort.c"

static int ref_cmp(const void *a, const void *b)
{
	const struct dirwin_ent *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

enum shape { RANDOM, SORTED, REVERSED, ONE_INO, FEW, PIPE, SAW, SHAPES };

static void make(struct dirwin_ent *e, size_t n, enum shape s)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t ino = next();

		switch (s) {
		case SORTED: ino = i; break;
		case REVERSED: ino = n - i; break;
		case ONE_INO: ino = 42; break;
		case FEW: ino = ino % 5; break;
		case PIPE: ino = i < n / 2 ? i : n - i; break;
		case SAW: ino = i % 17; break;
		default: break;
		}
		/* offsets unique, as in a window, and not in order */
		e[i] = (struct dirwin_ent){ ino, (uint32_t)((i * 7919) % (n + 1)) & 0xfffffff, 4 };
	}
}

/* Sorted by sort() equals the reference, type carried with its entry. */
static void check(size_t n, enum shape s, void (*sort)(struct dirwin_ent *, size_t))
{
	struct dirwin_ent *a = calloc(n + 1, sizeof(*a)), *b = calloc(n + 1, sizeof(*b));

	assert_non_null(a);
	assert_non_null(b);
	make(a, n, s);
	for (size_t i = 0; i < n; i++)
		a[i].type = (uint32_t)(a[i].off % 15);
	memcpy(b, a, n * sizeof(*a));
	sort(a, n);
	qsort(b, n, sizeof(*b), ref_cmp);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].ino, b[i].ino);
		assert_int_equal(a[i].off, b[i].off);
		assert_int_equal(a[i].type, b[i].type);
	}
	free(a);
	free(b);
}

static void heap_only(struct dirwin_ent *e, size_t n)
{
	sort_range(e, n, 0);
}

static void test_sizes(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 40; n++)
		for (int s = 0; s < SHAPES; s++)
			check(n, (enum shape)s, dirwin_sort);
}

static void test_large(void **state)
{
	(void)state;
	for (int s = 0; s < SHAPES; s++) {
		check(100000, (enum shape)s, dirwin_sort);
		check(1001, (enum shape)s, dirwin_sort);
	}
}

static void test_heap_fallback(void **state)
{
	(void)state;
	for (int s = 0; s < SHAPES; s++) {
		check(5000, (enum shape)s, heap_only);
		check(17, (enum shape)s, heap_only);
	}
}

static void test_entry_is_12_bytes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct dirwin_ent), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_heap_fallback),
		cmocka_unit_test(test_entry_is_12_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
