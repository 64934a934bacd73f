/* SPDX-License-Identifier: MIT */
/*
 * test_container_bounds.c - the bounds apfs/container.c puts on a container
 * superblock, each at its edge, on a container made here: block 0 is an
 * nx_superblock_t (docs/apfs-format.md §1.3: magic at 32, block size at 36,
 * block count at 40, checkpoint descriptor blocks and base at 104 and 112),
 * sealed with its Fletcher-64, every other block zeros.  The device is
 * virtual beyond block 0 (zeros), so a container of 65538 blocks costs
 * nothing but the reads.  Checked: the block size (a power of two in
 * 4096..65536, within the bytes available), the block count (1..2^63 /
 * block size), the container's offset in its image, and the checkpoint
 * descriptor area (1..65536 blocks inside the container), whose refusal is
 * a warning and a fall-back to block 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "memdev.h"
#include "testutil.h"

static uint8_t blk0[65536];

static int virt_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	(void)dev;
	memset(buf, 0, len);
	if (off < sizeof(blk0))
		memcpy(buf, blk0 + off, len < sizeof(blk0) - off ? len : sizeof(blk0) - off);
	return 0;
}

static const struct apfs_dev_ops virt_ops = { "virtual", virt_read, NULL };

static void nxsb(uint32_t bs, uint64_t count, uint32_t desc_blocks, uint64_t desc_base)
{
	memset(blk0, 0, sizeof(blk0));
	st_le64(blk0 + 8, 1);
	st_le64(blk0 + 16, 1);
	st_le32(blk0 + 24, APFS_OBJECT_TYPE_NX_SUPERBLOCK | APFS_OBJ_EPHEMERAL);
	st_le32(blk0 + 32, APFS_NX_MAGIC);
	st_le32(blk0 + 36, bs);
	st_le64(blk0 + 40, count);
	st_le32(blk0 + 104, desc_blocks);
	st_le64(blk0 + 112, desc_base);
	st_le64(blk0, apfs_fletcher64(blk0, bs <= sizeof(blk0) ? bs : 4096));
}

/* Open the container at offset in an image of size bytes; the last message kept. */
static int open_at(uint64_t size, uint64_t offset, const char *msg)
{
	struct apfs_dev *d = apfs_dev_new(&virt_ops, NULL, size, NULL, "virtual");
	struct apfs_container *c = NULL;
	int ret;

	log_capture();
	ret = apfs_container_open(d, offset, size, 0, &c);
	log_release();
	apfs_container_close(c);
	apfs_dev_close(d);
	if (msg) {
		expect_log(msg);
	} else if (log_last()[0]) {
		fail_msg("logged \"%s\"", log_last());
	}
	return ret;
}

static void test_block_size(void **state)
{
	(void)state;
	nxsb(4096, 8, 0, 0);
	assert_int_equal(open_at(8 * 4096, 0, "checkpoint descriptor area (0 blocks"), 0);
	nxsb(2048, 8, 1, 1);
	assert_int_equal(open_at(8 * 4096, 0, "block 0: unsupported block size 2048"),
			 -APFS_ECORRUPT);
	nxsb(65536, 2, 1, 1);
	assert_int_equal(open_at(2 * 65536, 0, NULL), 0);
	nxsb(131072, 2, 1, 1);
	assert_int_equal(open_at(2 * 131072, 0, "block 0: unsupported block size 131072"),
			 -APFS_ECORRUPT);
	nxsb(12288, 2, 1, 1);
	assert_int_equal(open_at(2 * 12288, 0, "block 0: unsupported block size 12288"),
			 -APFS_ECORRUPT);
	/* The image must hold block 0 whole. */
	nxsb(8192, 1, 0, 0);
	assert_int_equal(open_at(8192, 0, "checkpoint descriptor area (0 blocks"), 0);
	assert_int_equal(open_at(8191, 0, "block 0: unsupported block size 8192"),
			 -APFS_ECORRUPT);
}

static void test_block_count(void **state)
{
	const uint64_t most = UINT64_MAX / 4096 / 2;

	(void)state;
	nxsb(4096, 0, 1, 1);
	assert_int_equal(open_at(8 * 4096, 0, "implausible block count 0"), -APFS_ECORRUPT);
	/* The most blocks allowed: the image holds 8 of them. */
	nxsb(4096, most, 1, 1);
	assert_int_equal(open_at(8 * 4096, 0, "image is truncated: it holds 8 of the container's "
				 "2251799813685247 blocks"), 0);
	nxsb(4096, most + 1, 1, 1);
	assert_int_equal(open_at(8 * 4096, 0, "implausible block count 2251799813685248"),
			 -APFS_ECORRUPT);
}

/* A container may start on the image's last byte (then holds no superblock), not past it. */
static void test_offset(void **state)
{
	(void)state;
	nxsb(4096, 8, 1, 1);
	assert_int_equal(open_at(8 * 4096, 8 * 4096 - 1, "no APFS container superblock (NXSB) "
				 "at byte offset 32767"), -APFS_ENOTAPFS);
	assert_int_equal(open_at(8 * 4096, 8 * 4096, "offset 32768 lies past the end of the "
				 "image (32768 bytes)"), -APFS_ENOTAPFS);
}

/* The descriptor area: at most 65536 blocks, inside the container; else block 0 alone. */
static void test_descriptor_area(void **state)
{
	const char *warn = "implausible checkpoint descriptor area";

	(void)state;
	nxsb(4096, 65537, 65536, 1);
	assert_int_equal(open_at(65537ull * 4096, 0, NULL), 0);
	nxsb(4096, 65538, 65537, 1);
	assert_int_equal(open_at(65538ull * 4096, 0, warn), 0);
	/* Ending at the container's last block, and one past it. */
	nxsb(4096, 16, 8, 8);
	assert_int_equal(open_at(16 * 4096, 0, NULL), 0);
	nxsb(4096, 16, 9, 8);
	assert_int_equal(open_at(16 * 4096, 0, "implausible checkpoint descriptor area (9 blocks "
				 "at 8)"), 0);
	nxsb(4096, 16, 1, 15);
	assert_int_equal(open_at(16 * 4096, 0, NULL), 0);
	nxsb(4096, 16, 1, 16);
	assert_int_equal(open_at(16 * 4096, 0, "(1 blocks at 16)"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_size),
		cmocka_unit_test(test_block_count),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_descriptor_area),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
