/* SPDX-License-Identifier: MIT */
/*
 * test_records.c - the parsers of one file-system record's bytes
 * (directory records, extended attributes, an inode's extended fields),
 * every length check at its edge: the largest value that fits is read, one
 * more is refused by that check with its own message.  Layouts from Apple's
 * reference as docs/apfs-format.md §1 summarises them: j_drec_key_t (an
 * 8-byte header, u16 name_len, the name with its NUL; hashed volumes: u32
 * name_len_and_hash), j_drec_val_t (18 bytes), j_xattr_val_t (u16 flags,
 * u16 xdata_len, the data), xf_blob_t (u16 count, u16 used, 4-byte
 * headers, data padded to 8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/testutil.h"
#include "util/bytes.h"
#include "apfs/fs_int.h"

static struct apfs_container cont = { .label = "test" };
static struct apfs_volume vol = { .c = &cont, .name = "Vol" };
static struct apfs_fs fs = { .v = &vol, .c = &cont };

/* An unhashed drec key for a name of nl bytes (the NUL counted) into k. */
static size_t drec_key(uint8_t *k, const char *name, size_t nl)
{
	st_le64(k, 2 | (uint64_t)APFS_TYPE_DIR_REC << 60);
	st_le16(k + 8, (uint16_t)nl);
	memcpy(k + 10, name, nl);
	return 10 + nl;
}

static int drec(const uint8_t *k, size_t kl, size_t vl, const char *msg)
{
	uint8_t v[32] = { 0 };
	struct drec d;
	int ret;

	st_le64(v, 77);
	log_capture();
	ret = fs_drec_parse(&fs, k, kl, v, vl, &d);
	log_release();
	if (msg)
		expect_log(msg);
	else
		assert_int_equal(d.ino, 77);
	return ret;
}

static void test_drec_edges(void **state)
{
	uint8_t k[1100];
	size_t kl = drec_key(k, "a", 2);

	(void)state;
	fs.hashed = false;
	assert_int_equal(drec(k, kl, 18, NULL), 0);
	assert_int_equal(drec(k, kl, 17, "directory record too short"), -APFS_ECORRUPT);
	assert_int_equal(drec(k, 9, 18, "directory record too short"), -APFS_ECORRUPT);
	/* The name's NUL is part of name_len and must be there. */
	kl = drec_key(k, "ab", 2);
	assert_int_equal(drec(k, kl, 18, "name length disagrees with the key"), -APFS_ECORRUPT);
	kl = drec_key(k, "a", 2);
	assert_int_equal(drec(k, kl + 1, 18, "name length disagrees with the key"),
			 -APFS_ECORRUPT);
	st_le16(k + 8, 0);
	assert_int_equal(drec(k, 10, 18, "name length disagrees with the key"), -APFS_ECORRUPT);
	/* APFS_NAME_MAX bytes (the NUL counted) is the most a name may take. */
	memset(k + 10, 'n', sizeof(k) - 10);
	k[10 + APFS_NAME_MAX - 1] = '\0';
	st_le16(k + 8, APFS_NAME_MAX);
	assert_int_equal(drec(k, 10 + APFS_NAME_MAX, 18, NULL), 0);
	k[10 + APFS_NAME_MAX - 1] = 'n';
	k[10 + APFS_NAME_MAX] = '\0';
	st_le16(k + 8, APFS_NAME_MAX + 1);
	assert_int_equal(drec(k, 10 + APFS_NAME_MAX + 1, 18, "name longer than APFS allows"),
			 -APFS_ECORRUPT);
}

static void test_drec_hashed(void **state)
{
	uint8_t k[16];

	(void)state;
	fs.hashed = true;
	st_le64(k, 2 | (uint64_t)APFS_TYPE_DIR_REC << 60);
	st_le32(k + 8, 0xabcd00u << 2 | 2);  /* hash in the top 22 bits, length 2 */
	memcpy(k + 12, "a", 2);
	assert_int_equal(drec(k, 14, 18, NULL), 0);
	assert_int_equal(drec(k, 11, 18, "directory record too short"), -APFS_ECORRUPT);
	k[13] = 'x';
	assert_int_equal(drec(k, 14, 18, "name length disagrees with the key"), -APFS_ECORRUPT);
	fs.hashed = false;
}

static int xattr(const uint8_t *v, size_t vl, const char *msg)
{
	struct fs_xattr x;
	int ret;

	log_capture();
	ret = fs_xattr_parse(&fs, 16, v, vl, &x);
	log_release();
	if (msg)
		expect_log(msg);
	else
		fs_xattr_free(&x);
	return ret;
}

static void test_xattr_edges(void **state)
{
	uint8_t v[64] = { 0 };
	const size_t ds = sizeof(struct apfs_j_xattr_dstream);

	(void)state;
	assert_int_equal(xattr(v, 4, NULL), 0);
	assert_int_equal(xattr(v, 3, "value too short"), -APFS_ECORRUPT);
	st_le16(v + 2, 20);  /* embedded data of 20 bytes */
	assert_int_equal(xattr(v, 24, NULL), 0);
	assert_int_equal(xattr(v, 23, "data length beyond the record"), -APFS_ECORRUPT);
	st_le16(v, APFS_XATTR_DATA_STREAM);
	st_le16(v + 2, (uint16_t)ds);
	assert_int_equal(xattr(v, 4 + ds, NULL), 0);
	st_le16(v + 2, (uint16_t)(ds - 1));
	assert_int_equal(xattr(v, 4 + ds, "short data-stream reference"), -APFS_ECORRUPT);
}

/* An xf_blob_t of one field of type t and len bytes (data from src). */
static size_t xblob(uint8_t *b, uint8_t t, const void *src, uint16_t len)
{
	uint16_t padded = (uint16_t)((len + 7u) & ~7u);

	memset(b, 0, 8 + padded);
	st_le16(b, 1);
	st_le16(b + 2, padded);
	b[4] = t;
	st_le16(b + 6, len);
	memcpy(b + 8, src, len);
	return 8 + padded;
}

static int xfields(const uint8_t *b, size_t len, const char *msg, struct fs_inode *in)
{
	int ret;

	memset(in, 0, sizeof(*in));
	in->ino = 16;
	log_capture();
	ret = fs_inode_xfields(&fs, in, b, len);
	log_release();
	if (msg)
		expect_log(msg);
	return ret;
}

static void test_xfield_edges(void **state)
{
	static uint8_t b[2048], name[APFS_NAME_MAX + 1];
	uint8_t dstream[sizeof(struct apfs_j_dstream)] = { 1 };
	struct fs_inode in;
	size_t n;

	(void)state;
	n = xblob(b, APFS_INO_EXT_TYPE_DSTREAM, dstream, sizeof(dstream));
	assert_int_equal(xfields(b, n, NULL, &in), 0);
	assert_true(in.has_dstream);
	n = xblob(b, APFS_INO_EXT_TYPE_DSTREAM, dstream, sizeof(dstream) - 1);
	assert_int_equal(xfields(b, n, "short data-stream field", &in), -APFS_ECORRUPT);
	/* A name field fills fs_inode.name at most, NUL included. */
	memset(name, 'n', sizeof(name));
	name[APFS_NAME_MAX - 1] = '\0';
	n = xblob(b, APFS_INO_EXT_TYPE_NAME, name, APFS_NAME_MAX);
	assert_int_equal(xfields(b, n, NULL, &in), 0);
	assert_int_equal(strlen(in.name), APFS_NAME_MAX - 1);
	name[APFS_NAME_MAX - 1] = 'n';
	name[APFS_NAME_MAX] = '\0';
	n = xblob(b, APFS_INO_EXT_TYPE_NAME, name, APFS_NAME_MAX + 1);
	assert_int_equal(xfields(b, n, "name field not NUL-terminated", &in), -APFS_ECORRUPT);
	n = xblob(b, APFS_INO_EXT_TYPE_NAME, "abc", 3);
	assert_int_equal(xfields(b, n, "name field not NUL-terminated", &in), -APFS_ECORRUPT);
	/* The blob's own lengths: the data it claims must be in the record. */
	n = xblob(b, APFS_INO_EXT_TYPE_NAME, "ab", 3);
	assert_int_equal(xfields(b, n - 1, "extended fields overrun the record", &in),
			 -APFS_ECORRUPT);
	assert_int_equal(xfields(b, 3, "truncated extended-field blob", &in), -APFS_ECORRUPT);
	st_le16(b + 6, 9);  /* the field claims 9 bytes of the 8 used */
	assert_int_equal(xfields(b, n, "extended field outside its blob", &in), -APFS_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drec_edges),
		cmocka_unit_test(test_drec_hashed),
		cmocka_unit_test(test_xattr_edges),
		cmocka_unit_test(test_xfield_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
