/* SPDX-License-Identifier: MIT */
/*
 * test_locker.c - keybag/locker.c with crafted kb_locker_t fixtures: the
 * 16-byte-aligned layout of the real dumps (docs/apfs-format.md §2.3), and
 * every rejection: version, kl_nkeys, kl_nbytes, overrunning entries, keylen.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/testutil.h"
#include "util/bytes.h"
#include "util/err.h"
#include "keybag/internal.h"

/* A locker under construction in a 4096-byte buffer. */
struct fixture {
	uint8_t buf[4096];
	size_t end;  /* where the next entry goes */
	unsigned n;
};

static void fx_init(struct fixture *f)
{
	/* Padding and slack are garbage, as on real disks: readers must not care. */
	memset(f->buf, 0xee, sizeof(f->buf));
	st_le16(f->buf, 2);
	st_le16(f->buf + 2, 0);
	st_le32(f->buf + 4, 16);
	f->end = 16;
	f->n = 0;
}

static void fx_add(struct fixture *f, uint8_t uuid_byte, uint16_t tag, uint16_t keylen)
{
	uint8_t *e = f->buf + f->end;

	memset(e, uuid_byte, 16);
	st_le16(e + 16, tag);
	st_le16(e + 18, keylen);
	memset(e + 20, 0, 4);
	for (unsigned i = 0; i < keylen; i++)
		e[24 + i] = (uint8_t)(uuid_byte + i);
	f->end += (24u + keylen + 15) & ~15u;
	f->n++;
	st_le16(f->buf + 2, (uint16_t)f->n);
	st_le32(f->buf + 4, (uint32_t)f->end);
}

static int fx_parse(struct fixture *f, size_t len, struct kb_locker *l)
{
	return kb_locker_parse(f->buf, len, "test keybag", l);
}

/* apfs-fuse #35: keylens 0x10 and 0x7C give kl_nbytes 0xE0. */
static void test_real_layout(void **state)
{
	struct fixture f;
	struct kb_locker l;

	(void)state;
	fx_init(&f);
	fx_add(&f, 0x11, 3, 0x10);
	fx_add(&f, 0x11, 2, 0x7c);
	assert_int_equal(ld_le32(f.buf + 4), 0xe0);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), 0);
	assert_int_equal(l.nkeys, 2);
	assert_int_equal(l.ents[0].tag, 3);
	assert_int_equal(l.ents[0].keylen, 16);
	assert_int_equal(l.ents[0].off, 16);
	assert_ptr_equal(l.ents[0].data, f.buf + 40);
	assert_int_equal(l.ents[1].tag, 2);
	assert_int_equal(l.ents[1].off, 64);   /* 16 + (24+16 rounded to 48) */
	assert_int_equal(l.ents[1].index, 1);
	assert_ptr_equal(l.ents[1].data, f.buf + 88);
	assert_int_equal(l.ents[1].data[0], 0x11);
	kb_locker_release(&l);

	/* apfs-fuse #22: keylens 0x10 and 0x120 give 0x180. */
	fx_init(&f);
	fx_add(&f, 0x22, 3, 0x10);
	fx_add(&f, 0x22, 2, 0x120);
	assert_int_equal(ld_le32(f.buf + 4), 0x180);
	assert_int_equal(fx_parse(&f, 0x180, &l), 0);
	kb_locker_release(&l);
}

/* kl_nbytes may end right after the last entry's data (padding cut). */
static void test_last_padding_cut(void **state)
{
	struct fixture f;
	struct kb_locker l;

	(void)state;
	fx_init(&f);
	fx_add(&f, 1, 3, 16);
	fx_add(&f, 1, 4, 5);
	st_le32(f.buf + 4, 16 + 48 + 24 + 5);
	assert_int_equal(fx_parse(&f, 16 + 48 + 24 + 5, &l), 0);
	assert_int_equal(l.ents[1].keylen, 5);
	kb_locker_release(&l);
}

static void test_empty(void **state)
{
	struct fixture f;
	struct kb_locker l;

	(void)state;
	fx_init(&f);
	assert_int_equal(fx_parse(&f, 16, &l), 0);
	assert_int_equal(l.nkeys, 0);
	kb_locker_release(&l);
	assert_int_equal(fx_parse(&f, 15, &l), -APFS_ECORRUPT);
}

static void test_bad_version(void **state)
{
	struct fixture f;
	struct kb_locker l;

	(void)state;
	fx_init(&f);
	fx_add(&f, 1, 3, 16);
	st_le16(f.buf, 1);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
	st_le16(f.buf, 3);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
}

static void test_nkeys(void **state)
{
	struct fixture f;
	struct kb_locker l;

	(void)state;
	fx_init(&f);
	fx_add(&f, 1, 3, 16);
	st_le16(f.buf + 2, KB_MAX_ENTRIES + 1);
	st_le32(f.buf + 4, sizeof(f.buf));
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
	st_le16(f.buf + 2, 0xffff);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
	/* More keys than kl_nbytes holds. */
	fx_init(&f);
	fx_add(&f, 1, 3, 16);
	st_le16(f.buf + 2, 2);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
}

/* Exactly KB_MAX_ENTRIES entries are read; one more is refused for that reason. */
static void test_nkeys_limit(void **state)
{
	size_t len = 16 + (KB_MAX_ENTRIES + 1) * 32;
	uint8_t *b = calloc(1, len);
	struct kb_locker l;

	(void)state;
	assert_non_null(b);
	st_le16(b, 2);
	st_le32(b + 4, (uint32_t)len);  /* entries of keylen 0: 24 bytes, stride 32 */
	st_le16(b + 2, KB_MAX_ENTRIES);
	assert_int_equal(kb_locker_parse(b, len, "test keybag", &l), 0);
	assert_int_equal(l.nkeys, KB_MAX_ENTRIES);
	kb_locker_release(&l);
	st_le16(b + 2, KB_MAX_ENTRIES + 1);
	log_capture();
	assert_int_equal(kb_locker_parse(b, len, "test keybag", &l), -APFS_ECORRUPT);
	log_release();
	expect_log("kl_nkeys 1025 exceeds the limit of 1024");
	free(b);
}

static void test_nbytes(void **state)
{
	struct fixture f;
	struct kb_locker l;

	(void)state;
	fx_init(&f);
	fx_add(&f, 1, 3, 16);
	assert_int_equal(fx_parse(&f, 63, &l), -APFS_ECORRUPT);  /* nbytes 64 > buffer */
	st_le32(f.buf + 4, 15);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
	st_le32(f.buf + 4, 0xffffffff);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
}

static void test_entry_overruns(void **state)
{
	struct fixture f;
	struct kb_locker l;

	(void)state;
	fx_init(&f);
	fx_add(&f, 1, 3, 16);
	fx_add(&f, 1, 2, 124);
	/* Data of entry 1 ends at 16+48+24+124 = 212: one byte short. */
	st_le32(f.buf + 4, 211);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
	/* Header of entry 1 (at 64) cut. */
	st_le32(f.buf + 4, 64 + 23);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
	/* keylen close to 512 that reaches past kl_nbytes. */
	fx_init(&f);
	fx_add(&f, 1, 3, 16);
	st_le16(f.buf + 16 + 18, 500);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
}

static void test_keylen_limit(void **state)
{
	struct fixture f;
	struct kb_locker l;

	(void)state;
	fx_init(&f);
	fx_add(&f, 1, 2, 511);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), 0);
	kb_locker_release(&l);
	fx_init(&f);
	fx_add(&f, 1, 2, 512);
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
	fx_init(&f);
	fx_add(&f, 1, 2, 16);
	st_le16(f.buf + 16 + 18, 0xffff);
	st_le32(f.buf + 4, sizeof(f.buf));
	assert_int_equal(fx_parse(&f, sizeof(f.buf), &l), -APFS_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_layout),
		cmocka_unit_test(test_last_padding_cut),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_nkeys),
		cmocka_unit_test(test_nkeys_limit),
		cmocka_unit_test(test_nbytes),
		cmocka_unit_test(test_entry_overruns),
		cmocka_unit_test(test_keylen_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
