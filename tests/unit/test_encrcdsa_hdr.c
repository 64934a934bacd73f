/* SPDX-License-Identifier: MIT */
/*
 * test_encrcdsa_hdr.c - every bound of the encrcdsa version 2 header and of
 * its password key entry (image/encrcdsa_hdr.c) at its edge: the largest
 * (or smallest) value allowed is read, one past it is refused with the
 * message of that check.  Layout from docs/containers.md §3: magic, u32
 * version at 8, key_bits at 0x18, block_size at 0x34, u64 data length at
 * 0x38, data offset at 0x40, the number of key pointers at 0x48, then
 * 20-byte pointers (u32 type, u64 offset, u64 length); a key entry has
 * iterations at 8, salt length at 12, IV length at 48, blob length at 100,
 * the blob at 104.  All big-endian.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/bytes.h"
#include "image/dev.h"
#include "image/encrcdsa.h"
#include "testutil.h"

#define ENTRY_AT 0x600u
#define FILE_LEN (ENTRY_AT + ENCR_KEYDATA_FIXED + 64)

static uint8_t img[FILE_LEN];

static int mem_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	memcpy(buf, (const uint8_t *)dev->priv + off, len);
	return 0;
}

static const struct apfs_dev_ops mem_ops = { "memory", mem_read, NULL };

/* A header with one pointer to an entry of a 40-byte blob at ENTRY_AT. */
static void make(void)
{
	uint8_t *e = img + ENTRY_AT;

	memset(img, 0, sizeof(img));
	memcpy(img, ENCR_MAGIC, 8);
	st_be32(img + 8, 2);
	st_be32(img + 0x18, 128);
	st_be32(img + 0x34, 4096);
	st_be64(img + 0x38, 8192);
	st_be64(img + 0x40, 4096);
	st_be32(img + 0x48, 1);
	st_be32(img + 0x4c, ENCR_KEY_PASSWORD);
	st_be64(img + 0x50, ENTRY_AT);
	st_be64(img + 0x58, ENCR_KEYDATA_FIXED + 40);
	st_be32(e + 8, 1000);
	st_be32(e + 12, 20);
	st_be32(e + 48, 8);
	st_be32(e + 100, 40);
}

/* Read the header of the first len bytes; msg: the refusal expected, NULL: read. */
static void header(size_t len, const char *msg)
{
	struct apfs_dev *d = apfs_dev_new(&mem_ops, img, len, NULL, "t.dmg");
	struct encr_header h;
	int ret;

	log_capture();
	ret = encr_read_header(d, "t.dmg", &h);
	log_release();
	apfs_dev_close(d);
	if (!msg) {
		if (ret)
			fail_msg("refused: %s", log_last());
		return;
	}
	assert_int_equal(ret, -APFS_ECORRUPT);
	expect_log(msg);
}

static void entry(size_t len, const char *msg)
{
	struct apfs_dev *d = apfs_dev_new(&mem_ops, img, len, NULL, "t.dmg");
	struct encr_header h;
	struct encr_pwentry e;
	int ret;

	log_capture();
	ret = encr_read_header(d, "t.dmg", &h);
	if (!ret)
		ret = encr_read_pwentry(d, "t.dmg", &h, 0, &e);
	log_release();
	apfs_dev_close(d);
	if (!msg) {
		if (ret)
			fail_msg("refused: %s", log_last());
		return;
	}
	assert_int_equal(ret, -APFS_ECORRUPT);
	expect_log(msg);
}

static void test_header_length(void **state)
{
	(void)state;
	make();
	header(ENCR_HDR_FIXED + ENCR_KEYPTR, NULL);
	header(ENCR_HDR_FIXED + ENCR_KEYPTR - 1, "the key pointers run past the end of the "
	       "header's file, whose size is (95)");
	header(ENCR_HDR_FIXED - 1, "header is cut short: 75 of 76 bytes");
}

static void test_key_bits(void **state)
{
	(void)state;
	make();
	header(FILE_LEN, NULL);
	st_be32(img + 0x18, 256);
	header(FILE_LEN, NULL);
	st_be32(img + 0x18, 192);
	header(FILE_LEN, "key_bits at 0x18 is neither 128 nor 256 (192)");
}

static void test_block_size(void **state)
{
	static const struct { uint32_t bs; bool ok; } cases[] = {
		{ 512, true }, { 496, false }, { 511, false }, { 528, true }, { 520, false },
		{ 1u << 20, true }, { (1u << 20) + 16, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make();
		st_be32(img + 0x34, cases[i].bs);
		header(FILE_LEN, cases[i].ok ? NULL : "block_size at 0x34 is not a multiple of 16 "
		       "in 512..1048576");
	}
}

static void test_key_count(void **state)
{
	(void)state;
	make();
	st_be32(img + 0x48, 0);
	header(FILE_LEN, "number of key entries at 0x48 is not in 1..64 (0)");
	/* 64 pointers fit in the image's first 1356 bytes. */
	st_be32(img + 0x48, 64);
	header(FILE_LEN, NULL);
	st_be32(img + 0x48, 65);
	header(FILE_LEN, "number of key entries at 0x48 is not in 1..64 (65)");
}

/* The data length may span 2^32 - 1 chunks of block_size, not 2^32. */
static void test_data_length(void **state)
{
	(void)state;
	make();
	st_be32(img + 0x34, 512);
	st_be64(img + 0x38, 0xffffffffull * 512);
	header(FILE_LEN, NULL);
	st_be64(img + 0x38, 0xffffffffull * 512 + 1);
	header(FILE_LEN, "encrypted data length at 0x38 is beyond 2^32 chunks");
}

static void test_entry_fields(void **state)
{
	uint8_t *e = img + ENTRY_AT;
	const char *iter = "PBKDF2 iteration count is 0 or over 10,000,000";

	(void)state;
	make();
	entry(FILE_LEN, NULL);
	st_be32(e + 8, ENCR_ITER_MAX);
	entry(FILE_LEN, NULL);
	st_be32(e + 8, ENCR_ITER_MAX + 1);
	entry(FILE_LEN, iter);
	st_be32(e + 8, 0);
	entry(FILE_LEN, iter);
	make();
	st_be32(e + 12, 32);
	entry(FILE_LEN, NULL);
	st_be32(e + 12, 33);
	entry(FILE_LEN, "salt length is not in 1..32 (33)");
	st_be32(e + 12, 0);
	entry(FILE_LEN, "salt length is not in 1..32 (0)");
	make();
	st_be32(e + 48, 32);
	entry(FILE_LEN, NULL);
	st_be32(e + 48, 33);
	entry(FILE_LEN, "IV length is not in 8..32 (33)");
	st_be32(e + 48, 7);
	entry(FILE_LEN, "IV length is not in 8..32 (7)");
}

static void test_entry_blob(void **state)
{
	uint8_t *e = img + ENTRY_AT;
	const char *len = "wrapped key blob length is not a multiple of 8 in 8..512";

	(void)state;
	make();
	st_be32(e + 100, 0);
	entry(FILE_LEN, len);
	st_be32(e + 100, 44);
	entry(FILE_LEN, len);
	st_be32(e + 100, 8);
	entry(FILE_LEN, NULL);
	/* 512 passes this check; then it runs past the pointer's 144 bytes. */
	st_be32(e + 100, ENCR_BLOB_MAX);
	entry(FILE_LEN, "wrapped key blob runs past the entry or the file; blob length (512)");
	st_be32(e + 100, ENCR_BLOB_MAX + 8);
	entry(FILE_LEN, len);
	/* The blob fills the pointer's length exactly; 8 more bytes do not fit it. */
	st_be32(e + 100, 40);
	entry(FILE_LEN, NULL);
	st_be32(e + 100, 48);
	entry(FILE_LEN, "wrapped key blob runs past the entry or the file; blob length (48)");
	/* The pointer's length allows 64 bytes: the file ends after them, not before. */
	st_be64(img + 0x58, ENCR_KEYDATA_FIXED + 64);
	st_be32(e + 100, 64);
	entry(FILE_LEN, NULL);
	entry(FILE_LEN - 1, "wrapped key blob runs past the entry or the file; blob length (64)");
}

static void test_entry_pointer(void **state)
{
	const char *out = "pointer (offset, length) lies outside the header's file or is too short";

	(void)state;
	make();
	st_be64(img + 0x58, ENCR_KEYDATA_FIXED - 1);
	entry(FILE_LEN, out);
	/* An entry ending at the file's end passes the pointer check (its blob then does
	 * not fit the pointer's 104 bytes); one byte further it is outside the file. */
	make();
	st_be64(img + 0x58, ENCR_KEYDATA_FIXED);
	st_be64(img + 0x50, FILE_LEN - ENCR_KEYDATA_FIXED);
	memmove(img + FILE_LEN - ENCR_KEYDATA_FIXED, img + ENTRY_AT, ENCR_KEYDATA_FIXED);
	entry(FILE_LEN, "wrapped key blob runs past the entry or the file; blob length (40)");
	st_be64(img + 0x50, FILE_LEN - ENCR_KEYDATA_FIXED + 1);
	entry(FILE_LEN, out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_length),
		cmocka_unit_test(test_key_bits),
		cmocka_unit_test(test_block_size),
		cmocka_unit_test(test_key_count),
		cmocka_unit_test(test_data_length),
		cmocka_unit_test(test_entry_fields),
		cmocka_unit_test(test_entry_blob),
		cmocka_unit_test(test_entry_pointer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
