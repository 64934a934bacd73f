/* SPDX-License-Identifier: MIT */
/*
 * test_plistcheck.c - every bounds check of util/plistcheck.c at its edge:
 * the largest value that fits passes (or reaches a later check with
 * another message), one more is refused with the message of that check.
 * Binary layout from Apple's CFBinaryPList.c: "bplist00", the objects, the
 * offset table, a 32-byte trailer (6 unused bytes, offset size, reference
 * size, then big-endian u64 object count, top object, table offset).
 * Object markers: 0x08 false, 0x5N an ASCII string of N bytes, 0xaN an
 * array of N references, 0x1N an integer of 2^N bytes (an extended count
 * follows a marker whose low nibble is 0xf).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/testutil.h"
#include "util/plistcheck.h"

/* A binary plist: objects (their bytes, where each starts), 1-byte offsets and references. */
struct bpl {
	uint8_t b[256];
	size_t len, table;
};

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static size_t bpl_make(struct bpl *p, const uint8_t *objs, size_t olen, const uint8_t *starts,
		       unsigned nobj)
{
	uint8_t *t;

	memset(p, 0, sizeof(*p));
	memcpy(p->b, "bplist00", 8);
	memcpy(p->b + 8, objs, olen);
	p->table = 8 + olen;
	for (unsigned i = 0; i < nobj; i++)
		p->b[p->table + i] = (uint8_t)(8 + starts[i]);
	t = p->b + p->table + nobj;
	t[6] = 1;
	t[7] = 1;
	be64(t + 8, nobj);
	be64(t + 16, 0);
	be64(t + 24, p->table);
	p->len = p->table + nobj + 32;
	return p->len;
}

static uint8_t *trailer(struct bpl *p)
{
	return p->b + p->len - 32;
}

/* plist_check with depth and node limits; the message compared when refused. */
static void check(const void *buf, size_t len, unsigned depth, size_t nodes, const char *msg)
{
	char why[160] = "";
	int ret = plist_check(buf, len, depth, nodes, why, sizeof(why));

	if (!msg) {
		if (ret)
			fail_msg("refused: %s", why);
		return;
	}
	assert_int_equal(ret, -EINVAL);
	if (!strstr(why, msg))
		fail_msg("refused with \"%s\", expected \"%s\"", why, msg);
}

#define OUTSIDE "an object lies outside the file"

/* An array holding false: [false]. */
static size_t arr_false(struct bpl *p)
{
	static const uint8_t o[] = { 0xa1, 0x01, 0x08 }, s[] = { 0, 2 };

	return bpl_make(p, o, sizeof(o), s, 2);
}

static void test_length(void **state)
{
	static uint8_t b[64];

	(void)state;
	memcpy(b, "bplist00", 8);
	/* 8 + 1 + 32 is the least a header, an object and the trailer take. */
	check(b, 40, 4, 10, "shorter than its header and trailer");
	/* 41 bytes pass that check; a zeroed trailer is refused by the next. */
	check(b, 41, 4, 10, "bad offset or reference size");
}

static void test_trailer_sizes(void **state)
{
	struct bpl p;
	uint8_t *t;

	(void)state;
	arr_false(&p);
	check(p.b, p.len, 4, 10, NULL);
	t = trailer(&p);
	t[6] = 0;
	check(p.b, p.len, 4, 10, "bad offset or reference size");
	t[6] = 9;
	check(p.b, p.len, 4, 10, "bad offset or reference size");
	/* 8 is allowed: then the 2-entry table needs 16 bytes, and has 2. */
	t[6] = 8;
	check(p.b, p.len, 4, 10, "offset table outside the file");
	t[6] = 1;
	t[7] = 9;
	check(p.b, p.len, 4, 10, "bad offset or reference size");
	t[7] = 0;
	check(p.b, p.len, 4, 10, "bad offset or reference size");
	/* A reference size of 8 passes; the array's 8-byte reference outruns the table. */
	t[7] = 8;
	check(p.b, p.len, 4, 10, OUTSIDE);
}

static void test_trailer_counts(void **state)
{
	struct bpl p;
	uint8_t *t;

	(void)state;
	arr_false(&p);
	t = trailer(&p);
	be64(t + 8, 0);
	check(p.b, p.len, 4, 10, "bad object count or top object");
	/* As many objects as the file has bytes passes this check, not the table's. */
	be64(t + 8, p.len);
	check(p.b, p.len, 4, 10, "offset table outside the file");
	be64(t + 8, p.len + 1);
	check(p.b, p.len, 4, 10, "bad object count or top object");
	be64(t + 8, 2);
	be64(t + 16, 1);  /* the last object as the top: false */
	check(p.b, p.len, 4, 10, NULL);
	be64(t + 16, 2);
	check(p.b, p.len, 4, 10, "bad object count or top object");
}

static void test_trailer_table(void **state)
{
	struct bpl p;
	uint8_t *t;

	(void)state;
	arr_false(&p);
	t = trailer(&p);
	be64(t + 24, 7);
	check(p.b, p.len, 4, 10, "offset table outside the file");
	/* At 8 the table is inside; it then reads the header's bytes as offsets. */
	be64(t + 24, 8);
	check(p.b, p.len, 4, 10, OUTSIDE);
	be64(t + 24, p.len - 32 + 1);
	check(p.b, p.len, 4, 10, "offset table outside the file");
	/* One entry more than the bytes between the table and the trailer. */
	be64(t + 24, p.table + 1);
	check(p.b, p.len, 4, 10, "offset table outside the file");
	be64(t + 24, p.table);
	be64(t + 8, 3);
	check(p.b, p.len, 4, 10, "offset table outside the file");
}

static void test_object_offsets(void **state)
{
	struct bpl p;

	(void)state;
	arr_false(&p);
	p.b[p.table] = 7;   /* the top object inside the header */
	check(p.b, p.len, 4, 10, OUTSIDE);
	p.b[p.table] = 8;
	check(p.b, p.len, 4, 10, NULL);
	/* false as the last byte before the table; then at the table itself. */
	p.b[p.table + 1] = (uint8_t)(p.table - 1);
	check(p.b, p.len, 4, 10, NULL);
	p.b[p.table + 1] = (uint8_t)p.table;
	check(p.b, p.len, 4, 10, OUTSIDE);
}

static void test_ref_count(void **state)
{
	struct bpl p;

	(void)state;
	/* [x, y] as the last object: two reference bytes before the table. */
	{
		static const uint8_t o[] = { 0x08, 0xa2, 0x01, 0x01 }, s[] = { 1, 0 };

		bpl_make(&p, o, sizeof(o), s, 2);
	}
	check(p.b, p.len, 4, 10, NULL);
	p.b[9] = 0xa3;  /* three references, two bytes */
	check(p.b, p.len, 4, 10, OUTSIDE);
	/* A dictionary of one pair holds two references: fits. */
	p.b[9] = 0xd1;
	check(p.b, p.len, 4, 10, NULL);
	p.b[9] = 0xd2;
	check(p.b, p.len, 4, 10, OUTSIDE);
}

static void test_extended_count(void **state)
{
	struct bpl p;

	(void)state;
	{
		/* An array whose count 1 is an extended 1-byte integer: 0xaf 0x10 0x01 ref. */
		static const uint8_t o[] = { 0x08, 0xaf, 0x10, 0x01, 0x01 }, s[] = { 1, 0 };

		bpl_make(&p, o, sizeof(o), s, 2);
	}
	check(p.b, p.len, 4, 10, NULL);
	p.b[10] = 0x13;  /* an 8-byte count needs 8 bytes before the table: 2 are there */
	check(p.b, p.len, 4, 10, OUTSIDE);
	p.b[10] = 0x14;  /* a 16-byte integer is no count */
	check(p.b, p.len, 4, 10, OUTSIDE);
	p.b[10] = 0x11;  /* 2 bytes (0x0101 = 257), ending at the table: the refs do not fit */
	check(p.b, p.len, 4, 10, OUTSIDE);
	p.b[11] = 0x00;
	p.b[12] = 0x00;  /* count 0 in 2 bytes: it ends at the table's first byte */
	check(p.b, p.len, 4, 10, NULL);
}

static void test_strings(void **state)
{
	struct bpl p;

	(void)state;
	{
		static const uint8_t o[] = { 0x52, 'a', 'b' }, s[] = { 0 };

		bpl_make(&p, o, sizeof(o), s, 1);
	}
	check(p.b, p.len, 4, 10, NULL);
	p.b[8] = 0x53;  /* three bytes claimed, two before the table */
	check(p.b, p.len, 4, 10, OUTSIDE);
	p.b[8] = 0x61;  /* one UTF-16 unit: 2 bytes */
	check(p.b, p.len, 4, 10, NULL);
	p.b[8] = 0x62;
	check(p.b, p.len, 4, 10, OUTSIDE);
	p.b[8] = 0x52;
	p.b[10] = 0;
	check(p.b, p.len, 4, 10, "a string holding a NUL character");
	{
		/* Extended counts: 0x5f 0x10 N; N = 0 ends at the table. */
		static const uint8_t o[] = { 0x5f, 0x10, 0x00 }, s[] = { 0 };

		bpl_make(&p, o, sizeof(o), s, 1);
	}
	check(p.b, p.len, 4, 10, NULL);
	p.b[9] = 0x11;  /* a 2-byte count with one byte left: one past the table */
	check(p.b, p.len, 4, 10, OUTSIDE);
	p.b[9] = 0x14;
	check(p.b, p.len, 4, 10, OUTSIDE);
}

static void test_references(void **state)
{
	struct bpl p;

	(void)state;
	arr_false(&p);
	p.b[9] = 1;  /* the last object */
	check(p.b, p.len, 4, 10, NULL);
	p.b[9] = 2;  /* one past it */
	check(p.b, p.len, 4, 10, "a reference names no object");
}

/* A chain of n arrays, the last holding false: n containers deep. */
static size_t chain(struct bpl *p, unsigned n)
{
	uint8_t o[64], s[32];
	size_t l = 0;

	for (unsigned i = 0; i < n; i++) {
		s[i] = (uint8_t)l;
		o[l++] = 0xa1;
		o[l++] = (uint8_t)(i + 1);
	}
	s[n] = (uint8_t)l;
	o[l++] = 0x08;
	return bpl_make(p, o, l, s, n + 1);
}

/* Depth counts containers, in a binary plist as in XML: n deep passes max n. */
static void test_depth(void **state)
{
	struct bpl p;
	static const char xml3[] = "<plist><array><array><array><false/></array></array></array>"
				   "</plist>";

	(void)state;
	chain(&p, 3);
	check(p.b, p.len, 3, 10, NULL);
	check(p.b, p.len, 2, 10, "arrays or dictionaries nested too deep");
	/* [[[]]]: the third container is refused itself, not only for what it holds. */
	p.b[8 + 4] = 0xa0;
	check(p.b, p.len, 3, 10, NULL);
	check(p.b, p.len, 2, 10, "arrays or dictionaries nested too deep");
	check(xml3, sizeof(xml3) - 1, 3, 10, NULL);
	check(xml3, sizeof(xml3) - 1, 2, 10, "arrays or dictionaries nested too deep");
}

/* Nodes: binary counts the values once expanded; XML counts every opening tag. */
static void test_nodes(void **state)
{
	struct bpl p;
	static const char xml[] = "<?xml version=\"1.0\"?><!-- c --><plist><array><false/>"
				  "<true/></array></plist>";

	(void)state;
	{
		/* [x, x]: false referred to twice, 3 values once expanded. */
		static const uint8_t o[] = { 0xa2, 0x01, 0x01, 0x08 }, s[] = { 0, 3 };

		bpl_make(&p, o, sizeof(o), s, 2);
	}
	check(p.b, p.len, 4, 3, NULL);
	check(p.b, p.len, 4, 2, "more values than a user database holds once shared objects");
	check(xml, sizeof(xml) - 1, 4, 4, NULL);  /* plist, array, false, true */
	check(xml, sizeof(xml) - 1, 4, 3, "more values than a user database holds");
}

static void test_kinds(void **state)
{
	static const char bom[] = "\xef\xbb\xbf<plist/>";

	(void)state;
	check("bplist01", 8, 4, 10, "binary plist of an unknown version");
	check("bplis", 5, 4, 10, "neither a binary nor an XML property list");
	check(" \n", 2, 4, 10, "neither a binary nor an XML property list");
	check(bom, sizeof(bom) - 1, 4, 10, NULL);
	check(bom, 2, 4, 10, "neither a binary nor an XML property list");
	check("<a>\0", 4, 4, 10, "a NUL byte in an XML property list");
	check("<s>&#x0;</s>", 12, 4, 10, "a string holding a NUL character");
	check("<s>&#x;</s>", 11, 4, 10, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_trailer_sizes),
		cmocka_unit_test(test_trailer_counts),
		cmocka_unit_test(test_trailer_table),
		cmocka_unit_test(test_object_offsets),
		cmocka_unit_test(test_ref_count),
		cmocka_unit_test(test_extended_count),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
