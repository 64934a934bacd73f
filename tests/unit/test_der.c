/* SPDX-License-Identifier: MIT */
/*
 * test_der.c - keybag/der.c: short and long (big-endian) lengths, lengths
 * past the end, forbidden forms, nesting bound, integers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"
#include "keybag/der.h"

static int next1(const uint8_t *p, size_t len, struct kb_der_tlv *t)
{
	struct kb_der d = kb_der_init(p, len);

	return kb_der_next(&d, t);
}

static void test_short_form(void **state)
{
	static const uint8_t b[] = { 0x80, 0x01, 0x07, 0x81, 0x00 };
	struct kb_der d = kb_der_init(b, sizeof(b));
	struct kb_der_tlv t;

	(void)state;
	assert_int_equal(kb_der_next(&d, &t), 1);
	assert_int_equal(t.tag, 0x80);
	assert_int_equal(t.len, 1);
	assert_ptr_equal(t.val, b + 2);
	assert_ptr_equal(t.raw, b);
	assert_int_equal(t.rawlen, 3);
	assert_int_equal(kb_der_next(&d, &t), 1);  /* zero-length element */
	assert_int_equal(t.tag, 0x81);
	assert_int_equal(t.len, 0);
	assert_int_equal(kb_der_next(&d, &t), 0);  /* end */
	assert_int_equal(kb_der_next(&d, &t), 0);
}

static void test_long_form_81(void **state)
{
	uint8_t b[3 + 0x90] = { 0x83, 0x81, 0x90 };
	struct kb_der_tlv t;

	(void)state;
	assert_int_equal(next1(b, sizeof(b), &t), 1);
	assert_int_equal(t.len, 0x90);
	assert_int_equal(t.rawlen, sizeof(b));
	assert_int_equal(next1(b, sizeof(b) - 1, &t), -APFS_ECORRUPT);
}

/* 0x82 01 04 is 260 big-endian (a little-endian reader would say 1025). */
static void test_long_form_82_big_endian(void **state)
{
	uint8_t b[4 + 260 + 8] = { 0x30, 0x82, 0x01, 0x04 };
	struct kb_der_tlv t;

	(void)state;
	assert_int_equal(next1(b, sizeof(b), &t), 1);
	assert_int_equal(t.len, 260);
	assert_ptr_equal(t.val, b + 4);
	assert_int_equal(t.rawlen, 264);
}

static void test_long_form_84(void **state)
{
	static const uint8_t ok[] = { 0x80, 0x84, 0, 0, 0, 2, 0xaa, 0xbb };
	static const uint8_t huge[] = { 0x80, 0x84, 0xff, 0xff, 0xff, 0xff, 0xaa };
	struct kb_der_tlv t;

	(void)state;
	assert_int_equal(next1(ok, sizeof(ok), &t), 1);
	assert_int_equal(t.len, 2);
	assert_int_equal(next1(huge, sizeof(huge), &t), -APFS_ECORRUPT);
}

static void test_bad_lengths(void **state)
{
	static const uint8_t past_end[] = { 0x80, 0x05, 0, 0, 0 };
	static const uint8_t lenbytes_cut[] = { 0x80, 0x82, 0x01 };
	static const uint8_t no_len[] = { 0x80 };
	static const uint8_t indefinite[] = { 0x30, 0x80, 0, 0 };
	static const uint8_t five_bytes[] = { 0x80, 0x85, 0, 0, 0, 0, 1, 0 };
	static const uint8_t high_tag[] = { 0x9f, 0x01, 0x00 };
	struct kb_der_tlv t;

	(void)state;
	assert_int_equal(next1(past_end, sizeof(past_end), &t), -APFS_ECORRUPT);
	assert_int_equal(next1(lenbytes_cut, sizeof(lenbytes_cut), &t), -APFS_ECORRUPT);
	assert_int_equal(next1(no_len, sizeof(no_len), &t), -APFS_ECORRUPT);
	assert_int_equal(next1(indefinite, sizeof(indefinite), &t), -APFS_ECORRUPT);
	assert_int_equal(next1(five_bytes, sizeof(five_bytes), &t), -APFS_ECORRUPT);
	assert_int_equal(next1(high_tag, sizeof(high_tag), &t), -APFS_ECORRUPT);
}

/* The child region's bounds are the element's, not the parent's. */
static void test_enter_bounds(void **state)
{
	static const uint8_t b[] = { 0x30, 0x03, 0x80, 0x01, 0x11, 0x81, 0x01, 0x22 };
	static const uint8_t overrun[] = { 0x30, 0x03, 0x80, 0x02, 0x11, 0x22 };
	struct kb_der d = kb_der_init(b, sizeof(b)), in;
	struct kb_der_tlv t, u;

	(void)state;
	assert_int_equal(kb_der_next(&d, &t), 1);
	assert_int_equal(kb_der_enter(&d, &t, &in), 0);
	assert_int_equal(kb_der_next(&in, &u), 1);
	assert_int_equal(u.val[0], 0x11);
	assert_int_equal(kb_der_next(&in, &u), 0);
	/* Primitive elements cannot be entered. */
	assert_int_equal(kb_der_next(&d, &t), 1);
	assert_int_equal(kb_der_enter(&d, &t, &in), -APFS_ECORRUPT);

	/* Inner length fits the buffer but not its SEQUENCE. */
	d = kb_der_init(overrun, sizeof(overrun));
	assert_int_equal(kb_der_next(&d, &t), 1);
	assert_int_equal(kb_der_enter(&d, &t, &in), 0);
	assert_int_equal(kb_der_next(&in, &u), -APFS_ECORRUPT);
}

static void test_depth_bound(void **state)
{
	uint8_t b[2 * 8];
	struct kb_der lv[9];
	struct kb_der_tlv t;
	unsigned depth = 0;
	int ret;

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		b[2 * i] = 0x30;
		b[2 * i + 1] = (uint8_t)(sizeof(b) - 2 * i - 2);
	}
	lv[0] = kb_der_init(b, sizeof(b));
	for (;;) {
		assert_int_equal(kb_der_next(&lv[depth], &t), 1);
		ret = kb_der_enter(&lv[depth], &t, &lv[depth + 1]);
		if (ret)
			break;
		depth++;
		assert_true(depth < 8);
	}
	assert_int_equal(ret, -APFS_ECORRUPT);
	assert_int_equal(depth, KB_DER_MAX_DEPTH);
}

static void test_uint(void **state)
{
	static const uint8_t one[] = { 0x84, 0x03, 0x02, 0xd6, 0xe2 };          /* 186082 */
	static const uint8_t lead0[] = { 0x84, 0x09, 0, 0xff, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t nine[] = { 0x84, 0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t empty[] = { 0x84, 0x00 };
	static const uint8_t big[] = { 0x84, 0x05, 0x01, 0, 0, 0, 0 };         /* 2^32 */
	struct kb_der_tlv t;
	uint64_t v;

	(void)state;
	assert_int_equal(next1(one, sizeof(one), &t), 1);
	assert_int_equal(kb_der_uint(&t, &v), 0);
	assert_int_equal(v, 186082);
	assert_int_equal(next1(lead0, sizeof(lead0), &t), 1);
	assert_int_equal(kb_der_uint(&t, &v), 0);
	assert_true(v == 0xff00000000000001ull);
	assert_int_equal(next1(big, sizeof(big), &t), 1);
	assert_int_equal(kb_der_uint(&t, &v), 0);
	assert_true(v == 1ull << 32);
	assert_int_equal(next1(nine, sizeof(nine), &t), 1);
	assert_int_equal(kb_der_uint(&t, &v), -APFS_ECORRUPT);
	assert_int_equal(next1(empty, sizeof(empty), &t), 1);
	assert_int_equal(kb_der_uint(&t, &v), -APFS_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_form),
		cmocka_unit_test(test_long_form_81),
		cmocka_unit_test(test_long_form_82_big_endian),
		cmocka_unit_test(test_long_form_84),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_enter_bounds),
		cmocka_unit_test(test_depth_bound),
		cmocka_unit_test(test_uint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
