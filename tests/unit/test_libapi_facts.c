/* SPDX-License-Identifier: MIT */
/*
 * test_libapi_facts.c - what the public API tells of an image beyond its
 * files (include/apfsinspect.h): layers, partitions and checkpoints; a
 * volume's superblock and seal; its keybags, the users' key blobs and the
 * user databases that name them.  Against what testdata/README.md documents
 * of the generated scenarios (`basic`, `sealed`, `all-users`,
 * `key-variants`, `macos-boot`, `huge-iterations`) and a GPT laid out by util-linux sfdisk
 * with Apple's APFS partition type GUID; only the installed header is used.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apfsinspect.h"

#include "libtest.h"

static apfsi_image *open_img(const char *name)
{
	apfsi_image *img;

	assert_int_equal(apfsi_image_open(img_path(name), NULL, &img), APFSI_OK);
	return img;
}

static apfsi_volume *volume(apfsi_image *img, const char *sel)
{
	apfsi_volume *vol;

	assert_int_equal(apfsi_image_select_volume(img, sel, &vol), APFSI_OK);
	return vol;
}

static int setup(void **state)
{
	(void)state;
	if (scratch_setup("libfacts", "basic basic.img", "sealed sealed.img", "all-users users.img",
			  "key-variants kv.img", "macos-boot mb.img", "huge-iterations huge.img",
			  NULL))
		return -1;
	/* basic in the second entry of a GPT (512-byte sectors), type Apple_APFS. */
	return sh("cd '%s' && truncate -s 40M gpt.img && printf 'label: gpt\\n"
		  "start=2048, size=1024, type=0FC63DAF-8483-4772-8E79-3D69D8E47DE4\\n"
		  "start=4096, size=32768, type=7C3457EF-0000-11AA-AA11-00306543ECAC\\n' | "
		  "sfdisk -q gpt.img >/dev/null 2>&1 && "
		  "dd if=basic.img of=gpt.img bs=512 seek=4096 conv=notrunc status=none",
		  scratch_dir) ? -1 : 0;
}

/* A raw image: one layer, no GPT, one checkpoint in use (the one opened). */
static void test_layers_checkpoints(void **state)
{
	apfsi_image *img = open_img("basic.img");
	struct apfsi_image_info ii;
	struct apfsi_container_info ci;
	struct apfsi_layer_info l;
	struct apfsi_checkpoint_info cp;
	struct apfsi_stored_hash h;
	unsigned in_use = 0;

	(void)state;
	assert_int_equal(apfsi_image_info(img, &ii), APFSI_OK);
	assert_int_equal(ii.layers, 1);
	assert_int_equal(ii.sector_size, 0);
	assert_int_equal(apfsi_image_layer(img, 0, &l), APFSI_OK);
	assert_string_equal(l.kind, "raw");
	assert_int_equal(l.size, 16 << 20);
	assert_int_equal(l.stored_hashes, 0);
	assert_int_equal(apfsi_image_layer(img, 1, &l), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_image_layer_hash(img, 0, 0, &h), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_container_info(img, 0, &ci), APFSI_OK);
	assert_int_equal(ci.gpt_entry, 0);
	assert_null(ci.partition_type);
	assert_false(ci.fusion);
	assert_true(ci.checkpoints >= 1);
	for (unsigned i = 0; i < ci.checkpoints; i++) {
		assert_int_equal(apfsi_container_checkpoint(img, 0, i, &cp), APFSI_OK);
		if (cp.in_use) {
			in_use++;
			assert_true(cp.valid);
			assert_int_equal(cp.xid, ci.xid);
			assert_int_equal(cp.block, ci.superblock_block);
		}
	}
	assert_int_equal(in_use, 1);
	assert_int_equal(apfsi_container_checkpoint(img, 0, ci.checkpoints, &cp),
			 APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_container_checkpoint(img, 1, 0, &cp), APFSI_ERR_NOT_FOUND);
	apfsi_image_close(img);
}

static void test_gpt(void **state)
{
	apfsi_image *img = open_img("gpt.img");
	struct apfsi_image_info ii;
	struct apfsi_container_info ci;

	(void)state;
	assert_int_equal(apfsi_image_info(img, &ii), APFSI_OK);
	assert_int_equal(ii.sector_size, 512);
	assert_int_equal(apfsi_container_info(img, 0, &ci), APFSI_OK);
	assert_int_equal(ci.gpt_entry, 2);
	assert_int_equal(ci.offset, 4096 * 512);
	assert_non_null(ci.partition_type);
	assert_string_equal(ci.partition_type, "Apple_APFS");
	apfsi_image_close(img);
}

/* testdata/README.md `sealed`: incompatible features 0x21, role System, SHA-256 seal, relative index values. */
static void test_seal(void **state)
{
	apfsi_image *img = open_img("sealed.img");
	apfsi_volume *vol = volume(img, NULL);
	struct apfsi_volume_superblock sb;
	struct apfsi_seal_info s;
	struct apfsi_modified_by m;

	(void)state;
	assert_int_equal(apfsi_volume_superblock(vol, &sb), APFSI_OK);
	assert_int_equal(sb.incompatible_features, 0x21);
	assert_int_equal(sb.role, 1);
	assert_true(sb.alloc_blocks > 0);
	assert_int_equal(sb.block_size, 4096);
	assert_int_equal(apfsi_volume_seal(vol, &s), APFSI_OK);
	assert_string_equal(s.hash_name, "SHA-256");
	assert_int_equal(s.hash_len, 32);
	assert_true(s.intact);
	assert_int_equal(s.broken_xid, 0);
	assert_non_null(s.index_values);
	assert_string_equal(s.index_values, "relative");
	assert_int_equal(apfsi_volume_modified_by(vol, sb.modified_by, &m), APFSI_ERR_NOT_FOUND);
	apfsi_image_close(img);
	img = open_img("basic.img");
	assert_int_equal(apfsi_volume_seal(volume(img, NULL), &s), APFSI_ERR_NOT_FOUND);
	apfsi_image_close(img);
}

/* testdata/README.md `all-users`: eight 256-bit KEK blobs, metadata flags 0, PBKDF2 (1000 iterations by default). */
static void test_user_keys(void **state)
{
	apfsi_image *img = open_img("users.img");
	apfsi_volume *data = volume(img, "Data"), *plain = volume(img, "Plain");
	struct apfsi_key_blob b;
	struct apfsi_keybags kb;
	struct apfsi_user_info u;
	struct apfsi_name_db_info db;

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(apfsi_volume_user_key(data, i, &b), APFSI_OK);
		assert_true(b.has_kdf);
		assert_int_equal(b.iterations, 1000);
		assert_int_equal(b.salt_len, 16);
		assert_int_equal(b.flags & 0xff, 0);
		assert_string_equal(b.flags_text, "none");
		assert_int_equal(b.metadata_len, 8);
		assert_int_equal(b.wrapped_len, 40);
		assert_int_equal(apfsi_volume_user(data, i, &u), APFSI_OK);
		assert_int_equal(u.pbkdf2_iterations, b.iterations);
		assert_false(u.damaged);
		/* hashcat's modes: 18300 APFS ($fvde$2$), 16700 FileVault 2 ($fvde$1$). */
		if (u.hash_line) {
			assert_int_equal(u.hash_mode, 18300);
			assert_memory_equal(u.hash_line, "$fvde$2$", 8);
		}
	}
	assert_int_equal(apfsi_volume_user_key(data, 8, &b), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_volume_user_key(plain, 0, &b), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_volume_keybags(data, &kb), APFSI_OK);
	assert_true(kb.has_vek);
	assert_true(kb.container_block > 0 && kb.container_blocks > 0);
	assert_true(kb.volume_block > 0 && kb.volume_blocks > 0);
	assert_int_equal(apfsi_volume_vek_blob(data, &b), APFSI_OK);
	assert_int_equal(b.wrapped_len, 40);
	assert_false(b.has_kdf);
	/* No Preboot volume: no user database, so no names. */
	assert_int_equal(apfsi_volume_name_db(data, &db), APFSI_OK);
	assert_int_equal(db.sources, 0);
	assert_int_equal(apfsi_volume_user_names(data, 0, &(struct apfsi_user_names){ 0 }),
			 APFSI_ERR_NOT_FOUND);
	apfsi_image_close(img);
}

/* testdata/README.md `key-variants`, volume Legacy: flags 0x02, 0x10, hardware-bound 0x01, macOS 26 22-byte metadata. */
static void test_key_variants(void **state)
{
	apfsi_image *img = open_img("kv.img");
	apfsi_volume *vol = volume(img, "Legacy");
	struct apfsi_volume_info vi;
	struct apfsi_user_info u;
	struct apfsi_key_blob b;

	(void)state;
	assert_int_equal(apfsi_volume_user_key(vol, 0, &b), APFSI_OK);
	assert_int_equal(b.flags & 0xff, 0x02);
	assert_non_null(strstr(b.flags_text, "CoreStorage-128"));
	assert_int_equal(apfsi_volume_user(vol, 0, &u), APFSI_OK);
	assert_int_equal(u.hash_mode, 16700);
	assert_non_null(u.hash_line);
	assert_memory_equal(u.hash_line, "$fvde$1$", 8);
	assert_int_equal(apfsi_volume_user_key(vol, 1, &b), APFSI_OK);
	assert_int_equal(b.flags & 0xff, 0x10);
	assert_int_equal(apfsi_volume_user_key(vol, 2, &b), APFSI_OK);
	assert_int_equal(b.flags & 0xff, 0x01);
	assert_non_null(strstr(b.flags_text, "hardware-bound"));
	assert_int_equal(apfsi_volume_user_key(vol, 3, &b), APFSI_OK);
	assert_int_equal(b.metadata_len, 22);
	assert_memory_equal(b.metadata, "\x49\x00\x00\x00\x02\x00", 6);
	assert_non_null(strstr(b.flags_text, "SEP-identifier"));
	assert_int_equal(apfsi_volume_vek_blob(vol, &b), APFSI_OK);
	assert_int_equal(b.flags & 0xff, 0x02);
	assert_int_equal(apfsi_volume_info(vol, &vi), APFSI_OK);
	assert_memory_not_equal(b.uuid, vi.uuid, 16);
	apfsi_image_close(img);
}

/* testdata/README.md `macos-boot`: alice and bob named by Preboot's CryptoUserInfo.plist. */
static void test_names(void **state)
{
	apfsi_image *img = open_img("mb.img");
	apfsi_volume *vol = volume(img, "Data");
	struct apfsi_user_names n;
	struct apfsi_name_db_info db;
	const char *src;
	bool cui = false;

	(void)state;
	assert_int_equal(apfsi_volume_user_names(vol, 0, &n), APFSI_OK);
	assert_string_equal(n.short_name, "alice");
	assert_string_equal(n.full_name, "Alice Appleseed");
	assert_string_equal(n.hint, "alice hint");
	assert_true(n.picture);
	assert_int_equal(n.conflicts, 0);
	assert_true(n.sources >= 1);
	assert_int_equal(apfsi_volume_user_name_source(vol, 0, 0, &src), APFSI_OK);
	assert_non_null(strstr(src, "A4E450A2-3927-4B8B-9563-466A28663AE5"));
	assert_int_equal(apfsi_volume_user_name_source(vol, 0, n.sources, &src),
			 APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_volume_user_names(vol, 1, &n), APFSI_OK);
	assert_string_equal(n.short_name, "bob");
	assert_string_equal(n.full_name, "Bob Builder");
	assert_false(n.picture);
	/* The Personal Recovery User is no Open Directory user: no file names it. */
	assert_int_equal(apfsi_volume_user_names(vol, 2, &n), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_volume_name_db(vol, &db), APFSI_OK);
	assert_true(db.sources >= 1);
	for (unsigned i = 0; i < db.sources; i++) {
		assert_int_equal(apfsi_volume_name_db_source(vol, i, &src), APFSI_OK);
		cui |= strstr(src, "/var/db/CryptoUserInfo.plist") != NULL;
	}
	assert_true(cui);
	assert_int_equal(apfsi_volume_name_db_source(vol, db.sources, &src), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_volume_name_db_warning(vol, db.warnings, &src), APFSI_ERR_NOT_FOUND);
	apfsi_image_close(img);
}

/* testdata/README.md `huge-iterations`: a KEK blob asking for 2^32 PBKDF2 iterations. */
static void test_damaged(void **state)
{
	apfsi_image *img = open_img("huge.img");
	apfsi_volume *vol = volume(img, NULL);
	struct apfsi_user_info u;
	unsigned n, damaged = 0;

	(void)state;
	assert_int_equal(apfsi_volume_user_count(vol, &n), APFSI_OK);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(apfsi_volume_user(vol, i, &u), APFSI_OK);
		if (u.damaged) {
			damaged++;
			assert_true(u.parsed);
			assert_int_equal(u.pbkdf2_iterations, 1ull << 32);
			assert_true(u.pbkdf2_iterations > APFSI_MAX_PBKDF2_ITERATIONS);
		}
	}
	assert_int_equal(damaged, 1);
	apfsi_image_close(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers_checkpoints),
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_seal),
		cmocka_unit_test(test_user_keys),
		cmocka_unit_test(test_key_variants),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
