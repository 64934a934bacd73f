/* SPDX-License-Identifier: MIT */
/*
 * scen_scale.c - scenarios that exercise scale: many files (multi-level
 * B-trees in the fs tree and the omap) and large, sparse files (GiB of
 * holes that cost no writes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mk.h"

#define MANY_DIRS 100
#define MANY_PER_DIR 1000

static int many_dir(struct mk_vol *v, unsigned d)
{
	char name[32], body[32];
	uint64_t dir;
	int rc;

	snprintf(name, sizeof(name), "d%03u", d);
	rc = mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, name, &dir);
	for (unsigned f = 0; !rc && f < MANY_PER_DIR; f++) {
		unsigned n = d * MANY_PER_DIR + f;
		int len = snprintf(body, sizeof(body), "file %u\n", n);

		snprintf(name, sizeof(name), "f%05u.txt", n);
		/* One file per directory has content: 100,000 blocks would be slow to test. */
		rc = mk_fs_file(v, dir, name, body, f == 0 ? (uint64_t)len : 0, NULL);
	}
	return rc;
}

/* /case/{readme,README,ReadMe} and /deep/d1/.../d64/leaf.txt. */
static int variants(struct mk_vol *v)
{
	static const char *const names[] = { "readme", "README", "ReadMe" };
	uint64_t dir, p;
	char name[16];
	int rc = mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, "case", &dir);

	for (unsigned i = 0; !rc && i < 3; i++)
		rc = mk_fs_file(v, dir, names[i], names[i], strlen(names[i]), NULL);
	if (!rc)
		rc = mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, "deep", &p);
	for (unsigned i = 1; !rc && i <= 64; i++) {
		snprintf(name, sizeof(name), "d%u", i);
		rc = mk_fs_mkdir(v, p, name, &p);
	}
	return rc ? rc : mk_fs_file(v, p, "leaf.txt", "leaf\n", 5, NULL);
}

/* One case-sensitive volume `Many`: 100 x 1000 files plus variants. */
int mk_fill_many_files(struct mk_image *img)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Many", APFS_VOL_ROLE_NONE, false);

	for (unsigned d = 0; !rc && d < MANY_DIRS; d++)
		rc = many_dir(&v, d);
	if (!rc)
		rc = variants(&v);
	return rc ? rc : mk_vol_finish(&v);
}

#define BIG_DIR_ENTRIES 100000

/*
 * One case-insensitive volume `BigDir`: /big holds 100,000 empty files
 * `e000000.txt` ... `e099999.txt` (a hashed directory spanning many leaves
 * of the fs tree), except e042424.txt = "entry 42424\n".
 */
int mk_fill_big_dir(struct mk_image *img)
{
	struct mk_vol v;
	uint64_t dir;
	char name[32];
	int rc = mk_vol_init(&v, img, "BigDir", APFS_VOL_ROLE_NONE, true);

	if (!rc)
		rc = mk_fs_mkdir(&v, APFS_ROOT_DIR_INO_NUM, "big", &dir);
	for (unsigned i = 0; !rc && i < BIG_DIR_ENTRIES; i++) {
		snprintf(name, sizeof(name), "e%06u.txt", i);
		rc = mk_fs_file(&v, dir, name, "entry 42424\n", i == 42424 ? 12 : 0, NULL);
	}
	return rc ? rc : mk_vol_finish(&v);
}

/* A file of `size` bytes: block 0 all 'A', the last block all 'Z', a hole between. */
static int holey(struct mk_vol *v, const char *name, uint64_t size)
{
	uint32_t bs = v->img->bs;
	uint8_t *a = malloc(bs), *z = malloc(bs);
	uint64_t ino;
	int rc = a && z ? mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, name, NULL, 0, &ino) : -ENOMEM;

	if (!rc) {
		memset(a, 'A', bs);
		memset(z, 'Z', bs);
		rc = mk_fs_extent(v, ino, 0, a, bs, false);
	}
	if (!rc)
		rc = mk_fs_extent(v, ino, bs, NULL, size - 2 * bs, true);
	if (!rc)
		rc = mk_fs_extent(v, ino, size - bs, z, bs, false);
	if (!rc)
		rc = mk_fs_stream_done(v, ino);
	if (!rc) {
		v->inodes[ino].has_stream = true;
		v->inodes[ino].size = size;
		v->inodes[ino].alloced = size;
		v->inodes[ino].internal_flags |= APFS_INODE_IS_SPARSE;
	}
	free(a);
	free(z);
	return rc;
}

/* Volume `Huge`: /big-tail.bin, a 5 GiB hole then one block of 'T' (offsets past 2^32). */
int mk_fill_huge_file(struct mk_image *img)
{
	uint64_t hole = 5ull << 30, ino;
	uint8_t *t = malloc(img->bs);
	struct mk_vol v;
	int rc = t ? mk_vol_init(&v, img, "Huge", APFS_VOL_ROLE_NONE, true) : -ENOMEM;

	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "big-tail.bin", NULL, 0, &ino);
	if (!rc) {
		memset(t, 'T', img->bs);
		rc = mk_fs_extent(&v, ino, 0, NULL, hole, true);
	}
	if (!rc)
		rc = mk_fs_extent(&v, ino, hole, t, img->bs, false);
	if (!rc)
		rc = mk_fs_stream_done(&v, ino);
	if (!rc) {
		v.inodes[ino].has_stream = true;
		v.inodes[ino].size = hole + img->bs;
		v.inodes[ino].alloced = hole + img->bs;
		v.inodes[ino].internal_flags |= APFS_INODE_IS_SPARSE;
	}
	free(t);
	return rc ? rc : mk_vol_finish(&v);
}

/* Volume `Large`: /sparse-1g.bin, /holey.bin (64 MiB), /data-8m.bin (8 extents). */
int mk_fill_large(struct mk_image *img)
{
	uint64_t dlen = 8ull << 20;
	uint8_t *d = malloc(dlen);
	struct mk_vol v;
	int rc = d ? mk_vol_init(&v, img, "Large", APFS_VOL_ROLE_NONE, true) : -ENOMEM;

	if (!rc)
		rc = mk_fs_sparse(&v, APFS_ROOT_DIR_INO_NUM, "sparse-1g.bin", 1ull << 30, NULL);
	if (!rc)
		rc = holey(&v, "holey.bin", 64ull << 20);
	if (!rc) {
		mk_rng_bytes(&img->rng, d, dlen);
		v.max_extent_blocks = dlen / img->bs / 8;
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "data-8m.bin", d, dlen, NULL);
	}
	free(d);
	return rc ? rc : mk_vol_finish(&v);
}

/*
 * Volume `Snap` with snapshot `before` (xid 2): /a.txt "version 1\n",
 * /keep.txt, /gone.txt; then at xid 3: /a.txt "version 2\n", /keep.txt,
 * /new.txt (inode 19; 18 was gone.txt's).
 */
int mk_fill_snapshot(struct mk_image *img)
{
	static struct mk_snap s;
	struct mk_vol old, v;
	uint8_t uuid[16];
	int rc = mk_vol_init(&old, img, "Snap", APFS_VOL_ROLE_NONE, true);

	if (!rc)
		rc = mk_fs_file(&old, APFS_ROOT_DIR_INO_NUM, "a.txt", "version 1\n", 10, NULL);
	if (!rc)
		rc = mk_fs_file(&old, APFS_ROOT_DIR_INO_NUM, "keep.txt", "kept\n", 5, NULL);
	if (!rc)
		rc = mk_fs_file(&old, APFS_ROOT_DIR_INO_NUM, "gone.txt", "deleted later\n", 14,
				NULL);
	memcpy(uuid, old.uuid, 16);
	if (!rc)
		rc = mk_vol_snapshot(&old, "before", &s);
	img->xid++;
	if (!rc)
		rc = mk_vol_init(&v, img, "Snap", APFS_VOL_ROLE_NONE, true);
	if (rc)
		return rc;
	memcpy(v.uuid, uuid, 16);
	v.snap = &s;
	rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "a.txt", "version 2\n", 10, NULL);
	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "keep.txt", "kept\n", 5, NULL);
	/* 18 was gone.txt's, 19 the snapshot's own number. */
	v.next_ino = s.inum + 1;
	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "new.txt", "added\n", 6, NULL);
	return mk_vol_finish_snapped(&v, rc);
}
