/* SPDX-License-Identifier: MIT */
/*
 * test_group_ino.c - inode numbers of a volume group's merged root
 * (apfs/fs_group.c grp_num): real disks number the System volume's own
 * objects from SYSTEM_OBJ_ID_MARK | 16 and the Data volume's below the mark,
 * both using 2 (root) and 3 (private-dir) (docs macos-boot.md §2).  Numbers
 * inside each volume's half stay as they are; the rest get a tag above the
 * 60-bit object ids; no two objects share a number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apfs/fs_group.h"

#define MARK 0x0FFFFFFF00000000ull

static void test_halves_keep_their_numbers(void **state)
{
	(void)state;
	assert_true(grp_num(G_SYS, 2) == 2);                 /* the Mac's root */
	assert_true(grp_num(G_SYS, MARK | 16) == (MARK | 16));
	assert_true(grp_num(G_SYS, MARK | 0x2a) == (MARK | 0x2a));
	assert_true(grp_num(G_DATA, 16) == 16);
	assert_true(grp_num(G_DATA, MARK - 1) == MARK - 1);
}

static void test_shared_numbers_tagged(void **state)
{
	(void)state;
	assert_true(grp_num(G_DATA, 2) == (1ull << 60) + 2);  /* /System/Volumes/Data */
	assert_true(grp_num(G_DATA, 3) == (1ull << 60) + 3);
	assert_true(grp_num(G_SYS, 3) == (2ull << 60) + 3);
	/* rule breakers: a System object below the mark, a Data object above it */
	assert_true(grp_num(G_SYS, 16) == (2ull << 60) + 16);
	assert_true(grp_num(G_DATA, MARK | 16) == ((1ull << 60) | MARK | 16));
}

/* Every (volume, number) pair from both sides of each boundary maps to its own number. */
static void test_no_collisions(void **state)
{
	static const uint64_t raw[] = {
		1, 2, 3, 4, 15, 16, 17, 1000, MARK - 1, MARK, MARK | 1, MARK | 2, MARK | 3,
		MARK | 15, MARK | 16, MARK | 17, (1ull << 60) - 1,
	};
	const size_t n = sizeof(raw) / sizeof(raw[0]);
	uint64_t seen[2 * sizeof(raw) / sizeof(raw[0])];
	size_t k = 0;

	(void)state;
	for (int vol = G_SYS; vol <= G_DATA; vol++)
		for (size_t i = 0; i < n; i++) {
			uint64_t m = grp_num(vol, raw[i]);

			if (vol == G_DATA && raw[i] == 1)
				continue;  /* no inode 1 on disk: never asked for */
			for (size_t j = 0; j < k; j++)
				assert_true(seen[j] != m);
			seen[k++] = m;
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halves_keep_their_numbers),
		cmocka_unit_test(test_shared_numbers_tagged),
		cmocka_unit_test(test_no_collisions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
