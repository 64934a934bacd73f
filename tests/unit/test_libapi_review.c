/* SPDX-License-Identifier: MIT */
/*
 * test_libapi_review.c - promises of include/apfsinspect.h that a review
 * found broken, each on a generated scenario (testdata/README.md):
 * `big-dir` (100,000 names in /big) with the last leaf of /big's directory
 * records damaged: the entries handed out after the failure are never
 * another inode's attributes; an unlock refused for a bad argument still
 * says in *res that no user fitted; `basic` (not encrypted) takes no volume
 * key.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apfsinspect.h"
#include "apfs/raw.h"
#include "util/bytes.h"

#include "libtest.h"

#define BS 4096u
#define NODE_HDR 56u  /* obj_phys_t + btree_node_phys_t up to btn_data */

static int setup(void **state)
{
	(void)state;
	return scratch_setup("libapirev", "big-dir big.img", "basic basic.img", NULL);
}

/*
 * The hash of the first key of an fs-tree leaf if that key is a directory
 * record of parent (btree_node_phys_t, j_drec_hashed_key_t), else -1.
 */
static long first_drec_hash(const uint8_t *b, uint64_t parent)
{
	uint32_t toc_off = ld_le16(b + 40), toc_len = ld_le16(b + 42);
	const uint8_t *key;
	uint64_t id;

	if ((ld_le32(b + 24) & 0xffff) != APFS_OBJECT_TYPE_BTREE_NODE ||
	    ld_le32(b + 28) != APFS_OBJECT_TYPE_FSTREE || !(ld_le16(b + 32) & APFS_BTNODE_LEAF) ||
	    !ld_le32(b + 36) || NODE_HDR + toc_off + toc_len + 16 > BS)
		return -1;
	key = b + NODE_HDR + toc_off + toc_len + ld_le16(b + NODE_HDR + toc_off);
	if (key + 12 > b + BS)
		return -1;
	id = ld_le64(key);
	if ((id & 0x0fffffffffffffffull) != parent || (id >> 60) != APFS_TYPE_DIR_REC)
		return -1;
	return (long)(ld_le32(key + 8) >> 10);
}

/* The block of /big's last leaf of directory records (the largest first hash). */
static uint64_t last_drec_leaf(const char *path, uint64_t parent)
{
	FILE *f = fopen(path, "rb");
	uint8_t b[BS];
	uint64_t best = 0;
	long best_hash = -1;

	assert_non_null(f);
	for (uint64_t blk = 0; fread(b, 1, BS, f) == BS; blk++) {
		long h = first_drec_hash(b, parent);

		if (h > best_hash)
			best_hash = h, best = blk;
	}
	fclose(f);
	assert_true(best_hash >= 0);
	return best;
}

static uint64_t big_ino(void)
{
	struct apfsi_stat st;
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_fs *fs;

	assert_int_equal(apfsi_image_open(img_path("big.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, NULL, &vol), APFSI_OK);
	assert_int_equal(apfsi_fs_open(vol, NULL, 0, &fs), APFSI_OK);
	assert_int_equal(apfsi_fs_stat_path(fs, "/big", &st), APFSI_OK);
	apfsi_fs_close(fs);
	apfsi_image_close(img);
	return st.ino;
}

/*
 * A damaged leaf deep in /big (its checksum broken): the batch it falls in
 * hands out the entries of the other leaves, then apfsi_dir_next says
 * APFSI_ERR_INCOMPLETE (a batch failed part way before, APFSI_ERR_CORRUPT);
 * what it hands out carries its own inode's stat, never one left from the
 * batch before; asking again says so again, handing out nothing.
 */
static void test_dir_after_failure(void **state)
{
	const struct apfsi_dirent *e;
	uint64_t ino = big_ino(), leaf = last_drec_leaf(img_path("big.img"), ino);
	unsigned before = 0, wrong = 0, again = 0;
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_fs *fs;
	apfsi_dir *d;
	int ret;

	(void)state;
	assert_int_equal(sh("cd '%s' && cp big.img bad.img && printf '\\377\\377' | dd of=bad.img "
			    "bs=1 seek=%llu conv=notrunc status=none", scratch_dir,
			    (unsigned long long)(leaf * BS + 200)), 0);
	assert_int_equal(apfsi_image_open(img_path("bad.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, NULL, &vol), APFSI_OK);
	assert_int_equal(apfsi_fs_open(vol, NULL, 0, &fs), APFSI_OK);
	assert_int_equal(apfsi_dir_open(fs, ino, APFSI_DIR_STAT, &d), APFSI_OK);
	while ((ret = apfsi_dir_next(d, &e)) == APFSI_OK && e)
		before++;
	assert_int_equal(ret, APFSI_ERR_INCOMPLETE);
	assert_true(before >= 256);  /* past the first batch */
	assert_true(before < 100000);
	for (int i = 0; i < 3; i++) {
		ret = apfsi_dir_next(d, &e);
		if (ret == APFSI_OK && e) {
			again++;
			wrong += e->st && e->st->ino != e->ino;
		}
	}
	assert_int_equal(wrong, 0);
	assert_int_equal(again, 0);
	assert_int_equal(ret, APFSI_ERR_INCOMPLETE);
	apfsi_dir_close(d);
	apfsi_fs_close(fs);
	apfsi_image_close(img);
}

/* A bad argument: the result still says that no user fitted (user -1, nothing tried). */
static void test_unlock_result_on_invalid(void **state)
{
	struct apfsi_unlock_result res;

	(void)state;
	memset(&res, 0x5a, sizeof(res));
	assert_int_equal(apfsi_volume_unlock(NULL, APFSI_CRED_PASSWORD, "x", 1, NULL, &res),
			 APFSI_ERR_INVALID);
	assert_int_equal(res.user, -1);
	assert_int_equal(res.tried, 0);
	assert_int_equal(res.reserved[0], 0);
	memset(&res, 0x5a, sizeof(res));
	assert_int_equal(apfsi_volume_unlock_candidates(NULL, NULL, NULL, 0, NULL, &res),
			 APFSI_ERR_INVALID);
	assert_int_equal(res.user, -1);
	assert_int_equal(res.tried, 0);
}

/*
 * `basic` is not encrypted: any 32 bytes given as its volume key used to
 * "unlock" it (the root node is not encrypted, so nothing disproved them),
 * and apfsi_volume_key then handed those bytes back as the volume's key.
 */
static void test_volume_key_unencrypted(void **state)
{
	struct apfsi_unlock_result res;
	struct apfsi_volume_info vi;
	uint8_t key[32] = { 1, 2, 3 }, out[32];
	size_t len = 99;
	apfsi_image *img;
	apfsi_volume *vol;

	(void)state;
	assert_int_equal(apfsi_image_open(img_path("basic.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, NULL, &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_info(vol, &vi), APFSI_OK);
	assert_false(vi.encrypted);
	assert_int_equal(apfsi_volume_unlock(vol, APFSI_CRED_VOLUME_KEY, key, sizeof(key), NULL,
					     &res), APFSI_ERR_NOT_FOUND);
	assert_non_null(strstr(apfsi_last_message(), "not encrypted"));
	assert_int_equal(res.user, -1);
	assert_int_equal(apfsi_volume_key(vol, out, &len), APFSI_ERR_LOCKED);
	assert_int_equal(len, 0);
	apfsi_image_close(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_after_failure),
		cmocka_unit_test(test_unlock_result_on_invalid),
		cmocka_unit_test(test_volume_key_unencrypted),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
