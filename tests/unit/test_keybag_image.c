/* SPDX-License-Identifier: MIT */
/*
 * test_keybag_image.c - kb_load() and the unlock chain on the real macOS 26
 * image encrypted.img (password hunter2hunter2).  Every expected value is
 * from ../shared/images/IMAGES.md, not from our own output.  Skips when
 * $IMAGES/encrypted.img is absent.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include <openssl/crypto.h>

#include "apfs/apfs.h"
#include "keybag/keybag.h"

struct img {
	struct apfs_dev *dev;
	struct apfs_container *c;
	struct apfs_volume *v;
	struct kb_volume_keys *k;
};


static char path[4096];

static int setup(void **state)
{
	struct img *m = calloc(1, sizeof(*m));

	*state = m;
	if (!m || apfs_dev_open(path, &m->dev))
		return -1;
	if (apfs_container_open(m->dev, 0, m->dev->size, 0, &m->c) ||
	    apfs_volume_open(m->c, 0, &m->v) || kb_load(m->c, m->v->uuid, &m->k))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct img *m = *state;

	if (!m)
		return 0;
	kb_free(m->k);
	apfs_volume_close(m->v);
	apfs_container_close(m->c);
	if (m->dev)
		apfs_dev_close(m->dev);
	free(m);
	return 0;
}

static void test_keybag_locations(void **state)
{
	struct img *m = *state;
	struct kb_volume_keys *k = m->k;
	uint8_t meta[8];

	assert_int_equal(k->ckb_block, 172);
	assert_int_equal(k->ckb_count, 1);
	assert_false(k->ckb_plaintext);
	assert_int_equal(k->vkb_block, 170);
	assert_int_equal(k->vkb_count, 1);
	assert_false(k->vkb_plaintext);
	/* Container bag: tag 2 VEK of 124 bytes, VEK flags 0000000001005709. */
	assert_true(k->have_vek);
	assert_int_equal(k->vek.meta_len, 8);
	unhex("0000000001005709", meta, 8);
	assert_memory_equal(k->vek.meta, meta, 8);
	assert_int_equal(k->vek.wrapped_len, 40);
	assert_int_equal(k->vek.extra_tags, 0);
}

static void test_user(void **state)
{
	struct img *m = *state;
	struct kb_user *u;
	uint8_t id[16], meta[8], salt[16];

	assert_int_equal(m->k->nusers, 1);
	u = &m->k->users[0];
	assert_int_equal(apfs_uuid_parse("1BEC6FD3-1871-4697-BF1F-20C2620146D8", id), 0);
	assert_memory_equal(u->uuid, id, 16);
	assert_int_equal(u->type, KB_USER_DISK);
	assert_string_equal(kb_type_name(u->type), "Disk User");
	assert_true(u->parsed);
	assert_null(u->hint);
	assert_int_equal(u->keybag_block, 170);
	assert_int_equal(u->entry_index, 0);
	assert_int_equal(u->kek.meta_len, 8);
	unhex("0000000002005709", meta, 8);
	assert_memory_equal(u->kek.meta, meta, 8);
	assert_int_equal(u->kek.flags & 0xff, 0x00);
	assert_true(u->kek.has_kdf);
	assert_int_equal(u->kek.iterations, 100000);
	assert_int_equal(u->kek.salt_len, 16);
	unhex("173bef77ee988613d49e3fe8151a5426", salt, 16);
	assert_memory_equal(u->kek.salt, salt, 16);
	assert_int_equal(u->kek.wrapped_len, 40);
	assert_false(u->hw_bound);
	assert_true(u->offline_unlockable);
}

static void test_unlock(void **state)
{
	struct img *m = *state;
	const struct kb_user *u = &m->k->users[0];
	uint8_t vek[32], cs[16];
	size_t veklen = 0;
	int ret;

	assert_int_equal(kb_unlock_user(m->k, u, "wrong-password", 14, vek, &veklen, cs),
			 -EKEYREJECTED);
	assert_int_equal(kb_unlock_user(m->k, u, "hunter2hunter2", 14, vek, &veklen, cs), 0);
	assert_int_equal(veklen, 32);
	ret = apfs_volume_set_key(m->v, vek, veklen, cs);
	OPENSSL_cleanse(vek, sizeof(vek));
	assert_int_equal(ret, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keybag_locations),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_unlock),
	};
	const char *dir = getenv("IMAGES");

	/*
	 * cmocka 1.1.5 prints skips as "not ok ... # SKIP", which tests/run.sh
	 * counts as failures, so a missing image is reported in plain TAP.
	 */
	snprintf(path, sizeof(path), "%s/encrypted.img", dir ? dir : "");
	if (!dir || access(path, R_OK)) {
		printf("1..1\nok 1 # SKIP $IMAGES/encrypted.img not available\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
