/* SPDX-License-Identifier: MIT */
/*
 * test_udif_cap.c - image/udif.c udif_push's CHUNKS_MAX (2^24 chunks), at
 * its edge without 2^24 mish entries (640 MiB of them, a plist near
 * 1 GiB).  This file includes udif.c to call the static udif_push with a
 * table state just at the edge: nchunks == cap, as after that many pushes.
 * The array itself is left NULL, so realloc makes a fresh one of the new
 * size and only the pushed entry's page is touched (the 2^24-entry array
 * is 640 MiB of address space but one page of memory).
 *
 * The capacity doubles from 64, so it only takes powers of two: at 2^23
 * chunks it grows to 2^24 (accepted), at 2^24 it would grow to 2^25
 * (refused: the 2^24 + 1st chunk).  A check loosened by one is therefore
 * equivalent; the mutant (RG06) tightens it by one instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../image/udif.c"

#include "testutil.h"

/* Push one chunk onto a table that holds n of n; the result, the table freed. */
static int push_at(size_t n, size_t *cap_after)
{
	struct udif_priv p = { .path = "test.dmg", .nchunks = n, .cap = n };
	struct udif_chunk c = { .sector = 5, .nsect = 1, .type = 1 };
	int ret;

	log_capture();
	ret = udif_push(&p, &c);
	log_release();
	if (!ret) {
		assert_int_equal(p.nchunks, n + 1);
		assert_int_equal(p.chunks[n].sector, 5);
	}
	*cap_after = p.cap;
	free(p.chunks);
	return ret;
}

static void test_chunks_max_edge(void **state)
{
	size_t cap;

	(void)state;
	assert_int_equal(push_at(CHUNKS_MAX / 2, &cap), 0);
	assert_int_equal(cap, CHUNKS_MAX);
	assert_int_equal(push_at(CHUNKS_MAX, &cap), -APFS_ECORRUPT);
	expect_log("'test.dmg': UDIF has more than 16777216 chunks");
	assert_int_equal(cap, CHUNKS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_max_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
