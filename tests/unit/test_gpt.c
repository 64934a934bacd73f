/* SPDX-License-Identifier: MIT */
/*
 * test_gpt.c - the bounds of image/gpt.c at their edges, on a GPT disk
 * built here in memory from the UEFI specification's layout (header at LBA
 * 1: "EFI PART", header size 92, CRC32s of the header and of the entry
 * array, the array's LBA, count and entry size; 128-byte entries: type
 * GUID, unique GUID, first and last LBA inclusive): the entry size
 * (128..4096, a multiple of 8), the entry count (1..4096), the array's LBA,
 * and a partition's LBAs against the disk.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "util/bytes.h"
#include "image/dev.h"
#include "image/gpt.h"
#include "testutil.h"

#define SS 512u
#define DISK (2u << 20)          /* 4096 sectors */
#define NSECT (DISK / SS)

static uint8_t disk[DISK];
static const uint8_t apfs_guid[16] = { 0xef, 0x57, 0x34, 0x7c, 0x00, 0x00, 0xaa, 0x11,
				       0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac };

static int mem_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	(void)dev;
	memcpy(buf, disk + off, len);
	return 0;
}

static const struct apfs_dev_ops mem_ops = { "memory", mem_read, NULL };

static uint8_t *entry(unsigned i, uint32_t esz)
{
	return disk + 2 * SS + (size_t)i * esz;
}

static void apfs_entry(unsigned i, uint32_t esz, uint64_t first, uint64_t last)
{
	memcpy(entry(i, esz), apfs_guid, 16);
	st_le64(entry(i, esz) + 32, first);
	st_le64(entry(i, esz) + 40, last);
}

/* The header at LBA 1 for num entries of esz bytes at lba, both CRCs right. */
static void header(uint32_t num, uint32_t esz, uint64_t lba)
{
	uint8_t *h = disk + SS;
	size_t tab = (size_t)num * esz;

	memset(h, 0, SS);
	memcpy(h, "EFI PART", 8);
	st_le32(h + 8, 0x10000);
	st_le32(h + 12, 92);
	st_le64(h + 24, 1);
	st_le64(h + 72, lba);
	st_le32(h + 80, num);
	st_le32(h + 84, esz);
	if (lba * SS + tab <= DISK)
		st_le32(h + 88, (uint32_t)crc32(0, disk + lba * SS, (uInt)tab));
	st_le32(h + 16, (uint32_t)crc32(0, h, 92));
}

/* A disk whose entry 1 is the one under test, entry 2 an APFS partition at 100..199. */
static void make(uint32_t num, uint32_t esz, uint64_t first, uint64_t last)
{
	memset(disk, 0, sizeof(disk));
	apfs_entry(0, esz, first, last);
	if (num > 1)
		apfs_entry(1, esz, 100, 199);
	header(num, esz, 2);
}

/* apfs_find_containers on the first `size` bytes of the disk. */
static int scan_size(uint64_t size, unsigned *n, const char *msg)
{
	struct apfs_dev *d = apfs_dev_new(&mem_ops, NULL, size, NULL, "disk");
	struct apfs_part *p = NULL;
	int ret;

	*n = 0;
	log_capture();
	ret = apfs_find_containers(d, &p, n);
	log_release();
	apfs_dev_close(d);
	free(p);
	if (msg)
		expect_log(msg);
	return ret;
}

/* apfs_find_containers: the partitions found (or the error), the last message kept. */
static int scan(unsigned *n, const char *msg)
{
	return scan_size(DISK, n, msg);
}

/*
 * A bare container (NXSB at byte 32 of block 0) of one 4096-byte block is
 * the smallest image taken; 4095 bytes cannot hold its first block.
 */
static void test_min_size(void **state)
{
	unsigned n;

	(void)state;
	memset(disk, 0, sizeof(disk));
	memcpy(disk + 32, "NXSB", 4);
	assert_int_equal(scan_size(4096, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(scan_size(4095, &n, "'disk' is too small to hold APFS (4095 bytes)"),
			 -APFS_ENOTAPFS);
}

static void test_entry_size(void **state)
{
	static const struct { uint32_t esz; bool ok; } cases[] = {
		{ 128, true }, { 120, false }, { 127, false }, { 136, true }, { 132, false },
		{ 4096, true }, { 4104, false },
	};
	unsigned n;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make(2, cases[i].esz, 300, 399);
		if (cases[i].ok) {
			assert_int_equal(scan(&n, NULL), 0);
			assert_int_equal(n, 2);
		} else {
			assert_int_equal(scan(&n, "implausible partition table"), -APFS_ECORRUPT);
		}
	}
}

static void test_entry_count(void **state)
{
	unsigned n;

	(void)state;
	make(1, 128, 300, 399);
	assert_int_equal(scan(&n, NULL), 0);
	assert_int_equal(n, 1);
	make(0, 128, 300, 399);
	assert_int_equal(scan(&n, "implausible partition table (0 entries"), -APFS_ECORRUPT);
	make(4096, 128, 300, 399);  /* 512 KiB of entries: 2 used */
	assert_int_equal(scan(&n, NULL), 0);
	assert_int_equal(n, 2);
	make(4097, 128, 300, 399);
	assert_int_equal(scan(&n, "implausible partition table (4097 entries"), -APFS_ECORRUPT);
}

/* The array may start at the disk's last LBA + 1 (then its read fails), not past it. */
static void test_array_lba(void **state)
{
	unsigned n;

	(void)state;
	make(2, 128, 300, 399);
	header(2, 128, NSECT);
	assert_int_equal(scan(&n, "GPT partition table at LBA 4096: lies past the end of the "
			      "image"), -APFS_ETRUNC);
	header(2, 128, NSECT + 1);
	assert_int_equal(scan(&n, "implausible partition table (2 entries of 128 bytes at LBA "
			      "4097)"), -APFS_ECORRUPT);
	/* The last entry of a 4-entry array ends at the disk's end. */
	memset(disk, 0, sizeof(disk));
	memcpy(disk + DISK - 128, apfs_guid, 16);
	st_le64(disk + DISK - 128 + 32, 100);
	st_le64(disk + DISK - 128 + 40, 199);
	header(4, 128, NSECT - 1);
	assert_int_equal(scan(&n, NULL), 0);
	assert_int_equal(n, 1);
}

/* A partition of one sector (last == first) is kept; last < first is skipped. */
/*
 * The header CRC covers header_size bytes, checked for 92..512 (the UEFI
 * minimum up to the 512 bytes read); outside that it cannot be computed
 * and the header is read unchecked.  A header of hsz bytes whose CRC is
 * right (good) or off by one bit: whether the mismatch warning comes.
 */
static bool hsz_warns(uint32_t hsz, bool good)
{
	uint8_t *h = disk + SS;
	unsigned n;

	make(1, 128, 100, 199);
	st_le32(h + 12, hsz);
	st_le32(h + 16, 0);
	memset(h + 92, 0x5a, SS - 92);  /* the rest of the sector: under the CRC from 93 bytes */
	st_le32(h + 16, (uint32_t)crc32(0, h, hsz <= SS ? hsz : SS) ^ (good ? 0 : 1));
	assert_int_equal(scan(&n, NULL), 0);
	assert_int_equal(n, 1);
	if (!log_last()[0])
		return false;
	expect_log("GPT header CRC32 mismatch (512-byte sectors); reading it anyway");
	return true;
}

static void test_header_size(void **state)
{
	(void)state;
	assert_false(hsz_warns(92, true));
	assert_true(hsz_warns(92, false));
	assert_false(hsz_warns(91, false));   /* below the minimum: not checked */
	assert_false(hsz_warns(512, true));
	assert_true(hsz_warns(512, false));
	assert_false(hsz_warns(513, false));  /* past the bytes read: not checked */
}

static void test_partition_lbas(void **state)
{
	const char *skip = "GPT entry 1: Apple_APFS partition LBA";
	unsigned n;

	(void)state;
	make(2, 128, 300, 300);
	assert_int_equal(scan(&n, NULL), 0);
	assert_int_equal(n, 2);
	make(2, 128, 300, 299);
	assert_int_equal(scan(&n, skip), 0);
	assert_int_equal(n, 1);
	/* Starting on the disk's last sector: inside.  On the sector after it: outside. */
	make(2, 128, NSECT - 1, NSECT + 99);
	assert_int_equal(scan(&n, NULL), 0);
	assert_int_equal(n, 2);
	make(2, 128, NSECT, NSECT + 99);
	assert_int_equal(scan(&n, "partition LBA 4096-4195 lies outside the image; skipped"), 0);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_min_size),
		cmocka_unit_test(test_entry_size),
		cmocka_unit_test(test_entry_count),
		cmocka_unit_test(test_array_lba),
		cmocka_unit_test(test_partition_lbas),
		cmocka_unit_test(test_header_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
