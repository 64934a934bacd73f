/* SPDX-License-Identifier: MIT */
/*
 * test_extent_cap.c - apfs/fs_read.c ext_push's FS_MAX_EXTENTS (2^22
 * extents of one data stream), at its edge without 4 million extent
 * records.  This file includes fs_read.c to call the static ext_push with
 * a stream state just at the edge: n == cap, as after that many pushes.
 * The array is left NULL, so realloc makes a fresh one of the new size
 * and only the pushed entry's page is touched (128 MiB of address space,
 * one page of memory); the growth is charged to the open-file budget
 * (64 MiB of its 128) and given back here.
 *
 * The capacity doubles from 16, so it takes only powers of two: at 2^21
 * extents it grows to 2^22 (accepted), at 2^22 it would grow to 2^23
 * (refused: the 2^22 + 1st extent).  A check loosened by one is therefore
 * equivalent; the mutant (RG07) tightens it by one instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../apfs/fs_read.c"

#include "testutil.h"

/* Push one extent onto a stream holding n of n; the result, the map freed. */
static int push_at(size_t n, size_t *cap_after)
{
	static struct apfs_container c;
	static struct apfs_volume v;
	struct apfs_fs fs = { .v = &v, .c = &c };
	struct fs_stream s = { .id = 42, .n = n, .cap = n };
	struct ld_ctx l = { .fs = &fs, .s = &s };
	struct fs_extent e = { .logical = 4096, .len = 4096, .phys = 9 };
	size_t used = apfs_budget_used();
	int ret;

	snprintf(c.label, sizeof(c.label), "test container");
	snprintf(v.name, sizeof(v.name), "Data");
	log_capture();
	ret = ext_push(&l, &e);
	log_release();
	if (!ret) {
		assert_int_equal(s.n, n + 1);
		assert_int_equal(s.ext[n].phys, 9);
		assert_int_equal(apfs_budget_used() - used, (s.cap - n) * sizeof(e));
		apfs_budget_give((s.cap - n) * sizeof(e));
	}
	*cap_after = s.cap;
	free(s.ext);
	return ret;
}

static void test_extents_max_edge(void **state)
{
	size_t cap;

	(void)state;
	assert_int_equal(push_at(FS_MAX_EXTENTS / 2, &cap), 0);
	assert_int_equal(cap, FS_MAX_EXTENTS);
	assert_int_equal(push_at(FS_MAX_EXTENTS, &cap), -APFS_ECORRUPT);
	expect_log("test container: volume 'Data': data stream 42: too many extents");
	assert_int_equal(cap, FS_MAX_EXTENTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extents_max_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
