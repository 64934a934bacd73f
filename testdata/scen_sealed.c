/* SPDX-License-Identifier: MIT */
/*
 * scen_sealed.c - the `sealed` scenario: one sealed System volume as macOS
 * 11+ makes it (hashed headerless fs tree, file extents in the fext tree,
 * an integrity_meta object).  /many has enough entries for the fs tree to
 * have index levels, whose 40-byte values carry the children's hashes;
 * /big.bin is split into several extents so the fext tree has a stream
 * with more than one record.  Every file's data has its hashes
 * (mk_file_info), the compressed files' over their decompressed bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mk.h"

#define SEALED_FILES 3000
#define SEALED_BIG (1048576 + 100)
#define SEALED_BIG_EXTENT 64 /* blocks */

/* /many/f0000.txt ... (n files), each "sealed file NNNN\n". */
static int many(struct mk_vol *v, unsigned n)
{
	char name[16], body[32];
	uint64_t dir;
	int rc = mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, "many", &dir);

	for (unsigned i = 0; !rc && i < n; i++) {
		int len = snprintf(body, sizeof(body), "sealed file %04u\n", i);

		snprintf(name, sizeof(name), "f%04u.txt", i);
		rc = mk_fs_file(v, dir, name, body, (uint64_t)len, NULL);
	}
	return rc;
}

/* /big.bin: 1 MiB + 100 bytes of pattern in extents of SEALED_BIG_EXTENT blocks. */
static int big(struct mk_vol *v)
{
	uint8_t *data = mk_pattern(v->img, SEALED_BIG);
	int rc;

	if (!data)
		return -ENOMEM;
	v->max_extent_blocks = SEALED_BIG_EXTENT;
	rc = mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "big.bin", data, SEALED_BIG, NULL);
	v->max_extent_blocks = 1ull << 20;
	free(data);
	return rc;
}

/*
 * /compressed-inline.txt and /compressed-rsrc.txt: zlib-compressed (decmpfs
 * types 3 and 4), whose data hashes cover the decompressed bytes: most of a
 * real System volume's files are compressed.
 */
static int compressed(struct mk_vol *v)
{
	size_t len = 200000, off = 0;
	uint8_t *d = malloc(len + 32);
	int rc;

	if (!d)
		return -ENOMEM;
	/* numbered lines, so that the fork is too big to embed (a stream, as apfsck requires) */
	for (unsigned i = 0; off < len; i++)
		off += (size_t)sprintf((char *)d + off, "sealed line %06u\n", i);
	rc = mk_compressed_file(v, "compressed-inline.txt", 3, d, 3000);
	if (!rc)
		rc = mk_compressed_file(v, "compressed-rsrc.txt", 4, d, len);
	free(d);
	return rc;
}

/* One unencrypted, case-insensitive, sealed volume `Sealed` with role System. */
int mk_fill_sealed(struct mk_image *img)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Sealed", APFS_VOL_ROLE_SYSTEM, true);

	v.sealed = true;
	if (!rc)
		rc = mk_small_tree(&v);
	if (!rc)
		rc = many(&v, SEALED_FILES);
	if (!rc)
		rc = big(&v);
	if (!rc)
		rc = compressed(&v);
	return rc ? rc : mk_vol_finish(&v);
}

/*
 * `sealed-update`: what a Mac's System volume looks like once an update is
 * staged (docs/macos-boot.md §4).  Both states hold the same files in the
 * same order (so the same inode numbers) but for /version.txt's text; the
 * live state adds /staged.txt after the snapshot's own number.
 */
#define UPDATE_FILES 1000
#define UPDATE_SNAP "com.apple.os.update-" \
	"0F5E2A9C41D37B6E8A0C5D2F947E1B3A6C8D0E2F4A6B8C0D2E4F6A8B0C2D4E6F"

static int update_tree(struct mk_vol *v, bool live)
{
	const char *version = live ? "live: update staged\n" : "snapshot: as booted\n";
	int rc = mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "hello.txt", "hello, world\n", 13, NULL);

	if (!rc)
		rc = mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "version.txt", version, strlen(version),
				NULL);
	return rc ? rc : many(v, UPDATE_FILES);
}

/* A volume `Sealed` as `sealed` makes it, with the snapshot's UUID when given. */
static int update_vol(struct mk_image *img, struct mk_vol *v, const uint8_t *uuid)
{
	int rc = mk_vol_init(v, img, "Sealed", APFS_VOL_ROLE_SYSTEM, true);

	if (!rc && uuid)
		memcpy(v->uuid, uuid, 16);
	v->sealed = true;
	return rc;
}

int mk_fill_sealed_update(struct mk_image *img)
{
	static struct mk_snap s;
	struct mk_vol old, v;
	uint8_t uuid[16];
	int rc = update_vol(img, &old, NULL);

	if (!rc)
		rc = update_tree(&old, false);
	memcpy(uuid, old.uuid, 16);
	if (!rc)
		rc = mk_vol_snapshot(&old, UPDATE_SNAP, &s);
	img->xid++;
	if (!rc)
		rc = update_vol(img, &v, uuid);
	if (rc)
		return rc;
	v.snap = &s;
	v.seal_broken = true;
	rc = update_tree(&v, true);
	v.next_ino = s.inum + 1;
	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "staged.txt", "staged update\n", 14, NULL);
	return mk_vol_finish_snapped(&v, rc);
}
