/* SPDX-License-Identifier: MIT */
/*
 * test_decmpfs.c - apfs_decmpfs_chunk: each type's stored-raw marker
 * (docs/apfs-format.md §8.2), zlib data made by zlib itself (an independent
 * encoder), an LZVN end-of-stream-only stream, and refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "util/err.h"
#include "apfs/fs.h"

static void test_raw_markers(void **state)
{
	static const struct { uint32_t type; uint8_t marker; } m[] = {
		{ 3, 0xff }, { 4, 0x0f }, { 7, 0x06 }, { 8, 0x06 }, { 9, 0xcc }, { 10, 0xcc },
		{ 13, 0xff }, { 14, 0xff },
	};
	uint8_t in[6] = { 0, 'd', 'a', 't', 'a', '!' }, out[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		in[0] = m[i].marker;
		n = 0;
		assert_int_equal(apfs_decmpfs_chunk(m[i].type, in, sizeof(in), out, sizeof(out), &n), 0);
		assert_int_equal(n, 5);
		assert_memory_equal(out, "data!", 5);
	}
	assert_int_equal(apfs_decmpfs_chunk(1, in + 1, 5, out, sizeof(out), &n), 0);
	assert_memory_equal(out, "data!", 5);
}

/* A stored chunk fills exactly its room; one byte less is no room (-ENOSPC). */
static void test_raw_room_edge(void **state)
{
	uint8_t in[6] = { 0xff, 'd', 'a', 't', 'a', '!' }, out[16];
	size_t n = 0;

	(void)state;
	assert_int_equal(apfs_decmpfs_chunk(3, in, sizeof(in), out, 5, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(apfs_decmpfs_chunk(3, in, sizeof(in), out, 4, &n), -ENOSPC);
	assert_int_equal(apfs_decmpfs_chunk(1, in + 1, 5, out, 5, &n), 0);
	assert_int_equal(apfs_decmpfs_chunk(1, in + 1, 5, out, 4, &n), -ENOSPC);
}

static void test_zlib(void **state)
{
	uint8_t plain[5000], comp[6000], out[5000];
	uLongf clen = sizeof(comp);
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)("abcdefgh"[i % 8] + i / 1000);
	assert_int_equal(compress2(comp, &clen, plain, sizeof(plain), 9), Z_OK);
	assert_int_equal(apfs_decmpfs_chunk(4, comp, clen, out, sizeof(out), &n), 0);
	assert_int_equal(n, sizeof(plain));
	assert_memory_equal(out, plain, sizeof(plain));
	assert_int_equal(apfs_decmpfs_chunk(3, comp, clen, out, 100, &n), -ENOSPC);
	comp[clen / 2] ^= 0x55;
	assert_int_not_equal(apfs_decmpfs_chunk(3, comp, clen, out, sizeof(out), &n), 0);
}

static void test_refusals(void **state)
{
	uint8_t in[4] = { 0x12, 0x34, 0x56, 0x78 }, out[16];
	size_t n;

	(void)state;
	assert_int_equal(apfs_decmpfs_chunk(5, in, 4, out, sizeof(out), &n), -EOPNOTSUPP);
	assert_int_equal(apfs_decmpfs_chunk(8, in, 0, out, sizeof(out), &n), -APFS_ECORRUPT);
	assert_int_equal(apfs_decmpfs_chunk(13, in, 4, out, sizeof(out), &n), -APFS_ECORRUPT);
	in[0] = 0x06;
	assert_int_equal(apfs_decmpfs_chunk(7, in, 4, out, 2, &n), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_markers),
		cmocka_unit_test(test_raw_room_edge),
		cmocka_unit_test(test_zlib),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
