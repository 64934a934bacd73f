/* SPDX-License-Identifier: MIT */
/*
 * test_keybag_load.c - kb_load() on a small in-memory container: encrypted
 * and plaintext keybags, a two-block volume keybag (the XTS tweak must run
 * on across blocks), users in keybag order with hints, an unparsable
 * record, and the failures (no keybag, bad checksum, oversize prange,
 * unknown volume, bad prange entry).  The unlock at the end uses the
 * apfs-fuse #147 blobs, so its expected VEK is the published one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "apfs/apfs.h"
#include "cipher/xts.h"
#include "keybag/internal.h"

#define BS 4096
#define NBLOCKS 8

static uint8_t disk[BS * NBLOCKS];

static int mem_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	(void)dev;
	memcpy(buf, disk + off, len);
	return 0;
}

static const struct apfs_dev_ops mem_ops = { "memory", mem_read, NULL };
static struct apfs_dev dev = { .ops = &mem_ops, .size = sizeof(disk) };
static struct apfs_container ctr;

static const uint8_t nx_uuid[16] = { 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t vol_uuid[16] = { 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t user_uuid[16] = { 0x30, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t prk_uuid[16] = { 0xeb, 0xc6, 0xc0, 0x64, 0x00, 0x00, 0x11, 0xaa,
				      0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac };

#define VEK147_BLOB "304B" "A349" "800100" "8110" "33333333333333333333333333333333" \
	"82080000000001000000" "8328" "85BD643CC2A38C14568DFD4CD1F38F1720E106922CA32A8FE8D440F6" \
	"BC6827B138A7C7BFE4367C1B"
#define KEK147_BLOB "3062" "A360" "800100" "8110" "30010203040506070809" "0A0B0C0D0E0F" \
	"82080000000002000000" "8328" "5F40E757A4B8B3D39CE6DE06D34D89A40F00BE67BF6D9D2E0A2DB6EA" \
	"761E5F1019D8B07E286B4A7A" "840302D6E2" "8510" "30985112E6235BBAAF029BD9460EDBF3"


/* A keybag object being built over `count` blocks. */
struct bagw {
	uint8_t *p;
	size_t len, end;
	unsigned n;
};

static struct bagw bag_begin(uint64_t block, uint64_t count, uint32_t type)
{
	struct bagw b = { disk + block * BS, count * BS, 48, 0 };

	memset(b.p, 0, b.len);
	st_le32(b.p + 24, type);
	st_le64(b.p + 16, 1);          /* o_xid */
	st_le16(b.p + 32, 2);          /* kl_version */
	return b;
}

static void bag_add(struct bagw *b, const uint8_t uuid[16], uint16_t tag, const void *data,
		    uint16_t len)
{
	uint8_t *e = b->p + b->end;

	memcpy(e, uuid, 16);
	st_le16(e + 16, tag);
	st_le16(e + 18, len);
	memcpy(e + 24, data, len);
	b->end += (24u + len + 15) & ~15u;
	b->n++;
}

static void bag_add_hex(struct bagw *b, const uint8_t uuid[16], uint16_t tag, const char *hex)
{
	uint8_t buf[512];

	bag_add(b, uuid, tag, buf, (uint16_t)unhex(hex, buf, sizeof(buf)));
}

/* Finish: locker header, checksum over the whole prange, then encrypt. */
static void bag_end(struct bagw *b, uint64_t block, const uint8_t *key)
{
	struct apfs_xts *x;

	st_le16(b->p + 34, (uint16_t)b->n);
	st_le32(b->p + 36, (uint32_t)(b->end - 32));
	st_le64(b->p, apfs_fletcher64(b->p, b->len));
	if (!key)
		return;
	assert_int_equal(apfs_xts_new(key, key, &x), 0);
	assert_int_equal(apfs_xts_encrypt(x, b->p, b->len, block * (BS / 512)), 0);
	apfs_xts_free(x);
}

static void set_keylocker(uint64_t start, uint64_t count)
{
	ctr.nx.nx_keylocker.pr_start_paddr = put_le64(start);
	ctr.nx.nx_keylocker.pr_block_count = put_le64(count);
}

/* The length the container bag gives the volume's unlock-records prange (16). */
static uint16_t prange_len = 16;

/* Container bag at block 2; volume bag at block 4, vcount blocks. */
static void build(bool encrypt, uint64_t vcount)
{
	uint8_t prange[24] = { 0 };
	struct bagw b;

	memset(&ctr, 0, sizeof(ctr));
	ctr.dev = &dev;
	ctr.avail = sizeof(disk);
	ctr.block_size = BS;
	ctr.block_count = NBLOCKS;
	ctr.blocks_present = NBLOCKS;
	memcpy(ctr.nx.nx_uuid, nx_uuid, 16);
	snprintf(ctr.label, sizeof(ctr.label), "test container");
	set_keylocker(2, 1);

	b = bag_begin(2, 1, APFS_OBJECT_TYPE_CONTAINER_KEYBAG);
	bag_add_hex(&b, user_uuid, 2, VEK147_BLOB);          /* another volume's VEK */
	st_le64(prange, 4);
	st_le64(prange + 8, vcount);
	bag_add(&b, vol_uuid, 3, prange, prange_len);
	bag_add_hex(&b, vol_uuid, 2, VEK147_BLOB);
	bag_end(&b, 2, encrypt ? nx_uuid : NULL);

	b = bag_begin(4, vcount, APFS_OBJECT_TYPE_VOLUME_KEYBAG);
	bag_add_hex(&b, user_uuid, 3, KEK147_BLOB);
	bag_add(&b, user_uuid, 4, "my hint\0\0", 9);
	bag_add_hex(&b, prk_uuid, 3, "3003800100");         /* no [3]: unparsable */
	/* Two blocks: 8 ignored tag-5 fillers of stride 512 push the rest into block 2. */
	for (int i = 0; vcount > 1 && i < 8; i++)
		bag_add(&b, nx_uuid, 5, disk, 488);
	bag_add_hex(&b, vol_uuid, 3, KEK147_BLOB);
	bag_add_hex(&b, user_uuid, 3, KEK147_BLOB);          /* duplicate: listed once */
	bag_end(&b, 4, encrypt ? vol_uuid : NULL);
}

static void check_users(const struct kb_volume_keys *k, uint64_t vcount)
{
	assert_int_equal(k->nusers, 3);
	assert_memory_equal(k->users[0].uuid, user_uuid, 16);
	assert_int_equal(k->users[0].type, KB_USER_LOCAL_OD);
	assert_string_equal(k->users[0].hint, "my hint");
	assert_true(k->users[0].parsed);
	assert_int_equal(k->users[0].kek.iterations, 186082);
	assert_int_equal(k->users[0].entry_index, 0);
	assert_int_equal(k->users[0].keybag_block, 4);
	assert_int_equal(k->users[1].type, KB_USER_PERSONAL_RECOVERY);
	assert_false(k->users[1].parsed);
	assert_false(k->users[1].offline_unlockable);
	assert_true(k->users[1].why[0] != '\0');
	assert_null(k->users[1].hint);
	assert_int_equal(k->users[2].type, KB_USER_DISK);
	assert_int_equal(k->users[2].entry_index, vcount > 1 ? 11 : 3);
	assert_int_equal(k->users[2].keybag_block, vcount > 1 ? 5 : 4);
	assert_true(k->users[2].offline_unlockable);
}

static void test_encrypted(void **state)
{
	struct kb_volume_keys *k;
	uint8_t vek[32], want[32], cs[16];
	size_t veklen;

	(void)state;
	build(true, 1);
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), 0);
	assert_false(k->ckb_plaintext);
	assert_false(k->vkb_plaintext);
	assert_int_equal(k->ckb_block, 2);
	assert_int_equal(k->vkb_block, 4);
	assert_int_equal(k->vkb_count, 1);
	assert_true(k->have_vek);
	assert_int_equal(k->ckb_vek_index, 2);
	assert_int_equal(k->vek.hmac, -1);
	check_users(k, 1);
	assert_int_equal(kb_unlock_user(k, &k->users[0], "stellar", 7, vek, &veklen, cs), 0);
	unhex("3bca637f33ac7b5ecbd0388edbe8ae0552df388bb63aa2d4c1d8cdbfe7c38228", want, 32);
	assert_memory_equal(vek, want, 32);
	assert_int_equal(kb_unlock_user(k, &k->users[1], "stellar", 7, vek, &veklen, cs),
			 -EOPNOTSUPP);
	kb_free(k);
}

static void test_plaintext(void **state)
{
	struct kb_volume_keys *k;

	(void)state;
	build(false, 1);
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), 0);
	assert_true(k->ckb_plaintext);
	assert_true(k->vkb_plaintext);
	check_users(k, 1);
	kb_free(k);
}

static void test_two_blocks(void **state)
{
	struct kb_volume_keys *k;

	(void)state;
	build(true, 2);
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), 0);
	assert_int_equal(k->vkb_count, 2);
	check_users(k, 2);
	kb_free(k);
}

static void test_failures(void **state)
{
	struct kb_volume_keys *k = (void *)1;
	uint8_t other[16] = { 0x99 };

	(void)state;
	build(true, 1);
	assert_int_equal(kb_load(&ctr, other, &k), -ENOENT);
	assert_null(k);
	set_keylocker(0, 0);
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), -ENOENT);
	log_capture();
	set_keylocker(2, KB_MAX_BAG_BLOCKS + 1);
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), -APFS_ECORRUPT);
	expect_log("17 blocks; keybags of 1..16 blocks are supported");
	set_keylocker(0, 1);  /* block 0 is the superblock, never a keybag */
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), -APFS_ECORRUPT);
	expect_log("prange of 1 blocks lies outside the container");
	log_release();
	set_keylocker(NBLOCKS - 1, 2);
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), -APFS_ECORRUPT);
	set_keylocker(~0ull, 1);
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), -APFS_ECORRUPT);
	set_keylocker(2, 1);
	disk[2 * BS + 100] ^= 1;  /* damaged container bag */
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), -APFS_EBADCSUM);
	/* Truncated image: the volume bag's block is missing. */
	build(true, 1);
	ctr.blocks_present = 4;
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), -APFS_ETRUNC);
}

/* The unlock-records entry is a prange_t: 16 bytes exactly, not 15 or 17. */
static void test_prange_length(void **state)
{
	struct kb_volume_keys *k = NULL;

	(void)state;
	log_capture();
	for (uint16_t len = 15; len <= 17; len += 2) {
		char msg[80];

		prange_len = len;
		build(true, 1);
		assert_int_equal(kb_load(&ctr, vol_uuid, &k), -APFS_ECORRUPT);
		snprintf(msg, sizeof(msg), "unlock-records prange has %u bytes, not 16", len);
		expect_log(msg);
	}
	log_release();
	prange_len = 16;
	build(true, 1);
	assert_int_equal(kb_load(&ctr, vol_uuid, &k), 0);
	kb_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encrypted),
		cmocka_unit_test(test_plaintext),
		cmocka_unit_test(test_two_blocks),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_prange_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
