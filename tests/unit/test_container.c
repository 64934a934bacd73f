/*
 * test_container.c - container and volume opening on a real macOS-made
 * image (dfvfs-apfs.raw: NX xid 4, 1014 blocks, volume apfs_test at block
 * 107 per IMAGES.md / pstat) held in memory, and every error path reached
 * by mutating its superblocks (checksums resealed so the checks behind the
 * checksum are what is tested).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "memdev.h"
#include "testutil.h"

static struct memdev *img;
static unsigned nblocks;

static int load(void **state)
{
	const char *dir = getenv("IMAGES");
	char path[4096];
	FILE *f;

	(void)state;
	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s/dfvfs-apfs.raw", dir);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	nblocks = 1014;
	img = md_new(nblocks);
	if (fread(img->data, MD_BS, nblocks, f) != nblocks) {
		md_free(img);
		img = NULL;
	}
	fclose(f);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	if (img)
		md_free(img);
	return 0;
}

#define NEED_IMAGE()                                                                  \
	do {                                                                          \
		if (!img) {                                                           \
			printf("# IMAGES/dfvfs-apfs.raw not available\n");           \
			skip();                                                       \
		}                                                                     \
	} while (0)

/* A fresh copy, so each test mutates its own image. */
static struct memdev *copy_image(void)
{
	struct memdev *m = md_new(nblocks);

	memcpy(m->data, img->data, (size_t)nblocks * MD_BS);
	return m;
}

static int reopen(struct memdev *m, uint64_t xid, struct apfs_container **c)
{
	return apfs_container_open(&m->dev, 0, m->dev.size, xid, c);
}

/* The newest checkpoint superblock in the descriptor area (blocks 1..8). */
static uint8_t *newest_sb(struct memdev *m)
{
	uint8_t *best = NULL;

	for (unsigned b = 1; b <= 8; b++) {
		uint8_t *p = md_block(m, b);

		if (ld_le32(p + 32) == APFS_NX_MAGIC && (!best || ld_le64(p + 16) > ld_le64(best + 16)))
			best = p;
	}
	return best;
}

static void test_real_image_opens(void **state)
{
	struct apfs_container *c;
	struct apfs_volume *v;
	struct memdev *m;

	(void)state;
	NEED_IMAGE();
	m = copy_image();
	assert_int_equal(reopen(m, 0, &c), 0);
	assert_int_equal(c->xid, 4);
	assert_int_equal(c->block_count, 1014);
	assert_int_equal(apfs_volume_open(c, 0, &v), 0);
	assert_string_equal(v->name, "apfs_test");
	assert_int_equal(v->paddr, 107);
	assert_false(apfs_volume_encrypted(v));
	assert_true(apfs_volume_case_insensitive(v));
	apfs_volume_close(v);
	assert_int_equal(apfs_volume_open(c, 1, &v), -ENOENT);
	apfs_container_close(c);
	md_free(m);
}

/* The container's last block is read; block_count itself is outside, even for 0 blocks. */
static void test_read_blocks_edges(void **state)
{
	struct apfs_container *c;
	struct memdev *m;
	uint8_t *buf = malloc(2 * MD_BS);

	(void)state;
	NEED_IMAGE();
	m = copy_image();
	assert_non_null(buf);
	assert_int_equal(reopen(m, 0, &c), 0);
	assert_int_equal(apfs_read_blocks(c, 1013, 1, buf, "edge"), 0);
	assert_memory_equal(buf, md_block(m, 1013), MD_BS);
	log_capture();
	assert_int_equal(apfs_read_blocks(c, 1014, 0, buf, "edge"), -APFS_ECORRUPT);
	expect_log("edge at block 1014 (+0) lies outside the container (1014 blocks)");
	assert_int_equal(apfs_read_blocks(c, 1013, 2, buf, "edge"), -APFS_ECORRUPT);
	expect_log("edge at block 1013 (+2) lies outside the container (1014 blocks)");
	log_release();
	apfs_container_close(c);
	md_free(m);
	free(buf);
}

static void test_older_checkpoint(void **state)
{
	struct apfs_container *c;
	struct memdev *m;

	(void)state;
	NEED_IMAGE();
	m = copy_image();
	assert_int_equal(reopen(m, 3, &c), 0);
	assert_int_equal(c->xid, 3);
	apfs_container_close(c);
	assert_int_equal(reopen(m, 77, &c), -ENOENT);
	md_free(m);
}

static void test_newest_damaged_falls_back(void **state)
{
	struct apfs_container *c;
	struct memdev *m;

	(void)state;
	NEED_IMAGE();
	m = copy_image();
	newest_sb(m)[300] ^= 1;  /* bad checksum */
	assert_int_equal(reopen(m, 0, &c), 0);
	assert_int_equal(c->xid, 3);
	apfs_container_close(c);
	md_free(m);
}

static void mut_bs(uint8_t *b) { st_le32(b + 36, 1000); }
static void mut_bs_big(uint8_t *b) { st_le32(b + 36, 1u << 20); }
static void mut_count0(uint8_t *b) { st_le64(b + 40, 0); }
static void mut_count_huge(uint8_t *b) { st_le64(b + 40, ~0ull); }
static void mut_magic(uint8_t *b) { b[32] = 'X'; }

static void expect_block0(void (*fn)(uint8_t *), int err)
{
	struct apfs_container *c = NULL;
	struct memdev *m;

	m = copy_image();
	fn(md_block(m, 0));
	md_seal(md_block(m, 0));
	assert_int_equal(reopen(m, 0, &c), err);
	md_free(m);
}

static void test_block0_checks(void **state)
{
	(void)state;
	NEED_IMAGE();
	expect_block0(mut_bs, -APFS_ECORRUPT);
	expect_block0(mut_bs_big, -APFS_ECORRUPT);
	expect_block0(mut_count0, -APFS_ECORRUPT);
	expect_block0(mut_count_huge, -APFS_ECORRUPT);
	expect_block0(mut_magic, -APFS_ENOTAPFS);
}

/* A descriptor area pointing outside the container: block 0 is used. */
static void test_desc_area_out_of_range(void **state)
{
	struct apfs_container *c;
	struct memdev *m;

	(void)state;
	NEED_IMAGE();
	m = copy_image();
	st_le64(md_block(m, 0) + 112, 5000);
	md_seal(md_block(m, 0));
	assert_int_equal(reopen(m, 0, &c), 0);
	assert_int_equal(c->nx_paddr, 0);
	apfs_container_close(c);
	st_le32(md_block(m, 0) + 104, 0x7fffffff);  /* absurd block count */
	st_le64(md_block(m, 0) + 112, 1);
	md_seal(md_block(m, 0));
	assert_int_equal(reopen(m, 0, &c), 0);
	assert_int_equal(c->nx_paddr, 0);
	apfs_container_close(c);
	md_free(m);
}

/* Every superblock damaged: nothing valid to use. */
static void test_no_valid_superblock(void **state)
{
	struct apfs_container *c;
	struct memdev *m;

	(void)state;
	NEED_IMAGE();
	m = copy_image();
	for (unsigned b = 0; b <= 8; b++)
		md_block(m, b)[400] ^= 0x80;
	assert_int_equal(reopen(m, 0, &c), -APFS_EBADCSUM);
	md_free(m);
}

/*
 * The checkpoint's object map (nx_omap_oid, byte 160 of its superblock)
 * read at the container's last block (1013: a block, but no object map
 * there) and refused at 1014, outside the container; an image cut to 1010
 * blocks holds block 1009 and not 1010.
 */
static void omap_at(struct memdev *m, uint64_t oid, const char *msg)
{
	uint8_t *sb = newest_sb(m);
	struct apfs_container *c = NULL;

	st_le64(sb + 160, oid);
	md_seal(sb);
	log_capture();
	assert_int_equal(reopen(m, 4, &c), -APFS_ECORRUPT);
	log_release();
	expect_log(msg);
}

static void test_omap_block_edges(void **state)
{
	struct memdev *m;
	uint8_t *sb;

	(void)state;
	NEED_IMAGE();
	m = copy_image();
	sb = newest_sb(m);
	assert_int_equal(ld_le64(sb + 16), 4);
	/* The field is the one the image's own object map is named by. */
	assert_int_equal(ld_le32(md_block(m, ld_le64(sb + 160)) + 24) & APFS_OBJECT_TYPE_MASK,
			 APFS_OBJECT_TYPE_OMAP);
	omap_at(m, 1013, "checkpoint xid 4: its object map is damaged");
	omap_at(m, 1014, "checkpoint xid 4: its object map lies outside the container");
	m->dev.size = 1010ull * MD_BS;
	omap_at(m, 1009, "checkpoint xid 4: its object map is damaged");
	omap_at(m, 1010, "checkpoint xid 4: its object map lies in the missing part of the image");
	m->dev.size = (uint64_t)nblocks * MD_BS;
	md_free(m);
}

static void test_volume_checks(void **state)
{
	struct apfs_container *c;
	struct apfs_volume *v;
	struct memdev *m;
	uint8_t *sb;

	(void)state;
	NEED_IMAGE();
	m = copy_image();
	sb = md_block(m, 107);
	sb[32] = 'X';  /* APSB magic */
	md_seal(sb);
	assert_int_equal(reopen(m, 0, &c), 0);
	assert_int_equal(apfs_volume_open(c, 0, &v), -APFS_ECORRUPT);
	apfs_container_close(c);
	sb[32] = 'A';
	sb[100] ^= 1;  /* checksum */
	assert_int_equal(reopen(m, 0, &c), 0);
	assert_int_equal(apfs_volume_open(c, 0, &v), -APFS_EBADCSUM);
	apfs_container_close(c);
	md_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_image_opens),
		cmocka_unit_test(test_read_blocks_edges),
		cmocka_unit_test(test_omap_block_edges),
		cmocka_unit_test(test_older_checkpoint),
		cmocka_unit_test(test_newest_damaged_falls_back),
		cmocka_unit_test(test_block0_checks),
		cmocka_unit_test(test_desc_area_out_of_range),
		cmocka_unit_test(test_no_valid_superblock),
		cmocka_unit_test(test_volume_checks),
	};

	apfs_log_set_level(-1);
	return cmocka_run_group_tests(tests, load, unload);
}
