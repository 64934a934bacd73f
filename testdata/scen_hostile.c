/* SPDX-License-Identifier: MIT */
/*
 * scen_hostile.c - hostile scenarios for the bounded-walk tests (README
 * "Damaged scenarios"): every record is well formed and every checksum is
 * right, but the records lie as a hostile image's author would have them
 * lie: directories listed under other directories than their own parent
 * (cycles), a data stream claiming 2^50 bytes, decmpfs headers and resource
 * forks claiming 2^40 bytes backed by one block.
 *
 * Kept apart from fs.c so that its directory-record writer stays the one
 * honest images use; the lying records are written here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "mk.h"

#define DT_DIR_ 4
#define DECMPFS_MAGIC 0x636d7066u /* 'fpmc' on disk */
#define LZVN_RSRC 8
#define CLAIM_RSRC (1ull << 40)
#define CLAIM_STREAM (1ull << 50)
#define NBOMBS 8

/* A directory record in `parent` naming directory `ino`, whatever its inode says. */
static int lying_drec(struct mk_vol *v, uint64_t parent, const char *name, uint64_t ino)
{
	size_t nl = strlen(name) + 1;
	uint8_t key[12 + 256];
	struct apfs_j_drec_val dv = { 0 };
	uint32_t h = mk_name_hash(name, v->case_insensitive);

	if (nl > 256)
		return -ENAMETOOLONG;
	st_le64(key, (parent & APFS_OBJ_ID_MASK) |
			     (uint64_t)APFS_TYPE_DIR_REC << APFS_OBJ_TYPE_SHIFT);
	st_le32(key + 8, h << APFS_J_DREC_HASH_SHIFT | (uint32_t)nl);
	memcpy(key + 12, name, nl);
	dv.file_id = put_le64(ino);
	dv.date_added = put_le64(MK_TIME);
	dv.flags = put_le16(DT_DIR_);
	return mk_vol_add_rec(v, parent, APFS_TYPE_DIR_REC, h, 0, key, 12 + nl, &dv, sizeof(dv));
}

/*
 * Volume `Cycle`: /a/b/up1 and /a/b/up2 name /a (b's parent: two cycles),
 * /c/alias names /a/b (a directory listed twice, no cycle); /a/b/inside.txt,
 * /c/real.txt and /z.txt are ordinary files around them.
 */
int mk_fill_dir_cycle(struct mk_image *img)
{
	uint64_t a, b, c;
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Cycle", APFS_VOL_ROLE_NONE, true);

	if (!rc)
		rc = mk_fs_mkdir(&v, APFS_ROOT_DIR_INO_NUM, "a", &a);
	if (!rc)
		rc = mk_fs_mkdir(&v, a, "b", &b);
	if (!rc)
		rc = mk_fs_file(&v, b, "inside.txt", "inside\n", 7, NULL);
	if (!rc)
		rc = mk_fs_mkdir(&v, APFS_ROOT_DIR_INO_NUM, "c", &c);
	if (!rc)
		rc = mk_fs_file(&v, c, "real.txt", "real\n", 5, NULL);
	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "z.txt", "after\n", 6, NULL);
	if (!rc)
		rc = lying_drec(&v, b, "up1", a);
	if (!rc)
		rc = lying_drec(&v, b, "up2", a);
	if (!rc)
		rc = lying_drec(&v, c, "alias", b);
	return rc ? rc : mk_vol_finish(&v);
}

/* An xattr in a stream of one real block whose dstream claims `claim` bytes. */
static int claimed_xattr(struct mk_vol *v, uint64_t ino, const char *name, const void *data,
			 size_t len, uint64_t claim)
{
	struct apfs_j_xattr_dstream xd = { 0 };
	uint8_t k[10 + 64], val[4 + sizeof(xd)];
	uint64_t id = v->next_ino++, alloced;
	size_t nl = strlen(name) + 1;
	int rc = mk_fs_data(v, id, data, len, &alloced);

	st_le64(k, (ino & APFS_OBJ_ID_MASK) | (uint64_t)APFS_TYPE_XATTR << APFS_OBJ_TYPE_SHIFT);
	st_le16(k + 8, (uint16_t)nl);
	memcpy(k + 10, name, nl);
	xd.xattr_obj_id = put_le64(id);
	xd.dstream.size = put_le64(claim);
	xd.dstream.alloced_size = put_le64(alloced);
	xd.dstream.total_bytes_written = put_le64(claim);
	st_le16(val, APFS_XATTR_DATA_STREAM);
	st_le16(val + 2, sizeof(xd));
	memcpy(val + 4, &xd, sizeof(xd));
	return rc ? rc : mk_vol_add_rec(v, ino, APFS_TYPE_XATTR, 0, 0, k, 10 + nl, val,
					sizeof(val));
}

/*
 * A decmpfs LZVN resource-fork file claiming 2^40 bytes, its fork claiming
 * 2^40 bytes too: one real block holding the start of an offset table.
 */
static int decmpfs_bomb(struct mk_vol *v, const char *name)
{
	uint8_t hdr[16], *blk = calloc(1, v->img->bs);
	uint64_t ino;
	int rc = blk ? mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, name, NULL, 0, &ino) : -ENOMEM;

	st_le32(hdr, DECMPFS_MAGIC);
	st_le32(hdr + 4, LZVN_RSRC);
	st_le64(hdr + 8, CLAIM_RSRC);
	for (uint32_t i = 0; blk && i < v->img->bs / 4; i++)
		st_le32(blk + 4 * i, v->img->bs + i); /* plausible, rising offsets */
	if (!rc)
		rc = mk_fs_xattr(v, ino, "com.apple.decmpfs", hdr, sizeof(hdr));
	if (!rc)
		rc = claimed_xattr(v, ino, "com.apple.ResourceFork", blk, v->img->bs, CLAIM_RSRC);
	if (!rc) {
		v->inodes[ino].bsd_flags |= APFS_UF_COMPRESSED;
		v->inodes[ino].size = CLAIM_RSRC;
	}
	free(blk);
	return rc;
}

/* Byte i of /lzvn-17m.bin: a rule a test can recompute on its own. */
static uint8_t honest_byte(uint64_t i)
{
	return (uint8_t)((i % 251) ^ (i >> 16));
}

/*
 * An honest LZVN resource-fork file of HONEST_CHUNKS + 1/2 chunks (raw
 * chunks: 0x06 then the bytes): more chunks than one window of the
 * reader's chunk table holds, so reads cross from window to window.
 */
#define HONEST_CHUNKS 272u
static int honest_big(struct mk_vol *v)
{
	uint64_t len = (uint64_t)HONEST_CHUNKS * 0x10000 + 0x8000, ino;
	uint32_t n = HONEST_CHUNKS + 1, base = 4 * (n + 1);
	size_t flen = base + n + len;
	uint8_t hdr[16], *f = malloc(flen), *p;
	int rc = f ? mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "lzvn-17m.bin", NULL, 0, &ino) : -ENOMEM;

	p = f ? f + base : NULL;
	for (uint32_t c = 0; f && c < n; c++) {
		uint64_t clen = c < n - 1 ? 0x10000 : 0x8000;

		st_le32(f + 4 * c, (uint32_t)(p - f));
		*p++ = 0x06;
		for (uint64_t i = 0; i < clen; i++)
			*p++ = honest_byte((uint64_t)c * 0x10000 + i);
	}
	if (f)
		st_le32(f + 4 * n, (uint32_t)(p - f));
	st_le32(hdr, DECMPFS_MAGIC);
	st_le32(hdr + 4, LZVN_RSRC);
	st_le64(hdr + 8, len);
	if (!rc)
		rc = mk_fs_xattr(v, ino, "com.apple.decmpfs", hdr, sizeof(hdr));
	if (!rc)
		rc = mk_fs_xattr(v, ino, "com.apple.ResourceFork", f, flen);
	if (!rc) {
		v->inodes[ino].bsd_flags |= APFS_UF_COMPRESSED;
		v->inodes[ino].size = len;
	}
	free(f);
	return rc;
}

/*
 * /inline-16m.bin: an honest decmpfs file of type 3 (zlib in the xattr) that
 * decodes to 16 MiB of zeros from 16 KiB: the largest inline size a reader
 * takes, so that each open holds 16 MiB while it lasts.
 */
#define INLINE_LEN (16u << 20)
static int inline_big(struct mk_vol *v)
{
	uLongf zl = compressBound(INLINE_LEN);
	uint8_t *zero = calloc(1, INLINE_LEN), *x = malloc(16 + zl);
	uint64_t ino;
	int rc = zero && x ? mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "inline-16m.bin", NULL, 0, &ino)
			   : -ENOMEM;

	if (!rc && compress2(x + 16, &zl, zero, INLINE_LEN, 9) != Z_OK)
		rc = -EIO;
	if (!rc) {
		st_le32(x, DECMPFS_MAGIC);
		st_le32(x + 4, 3);
		st_le64(x + 8, INLINE_LEN);
		rc = mk_fs_xattr(v, ino, "com.apple.decmpfs", x, 16 + zl);
	}
	if (!rc) {
		v->inodes[ino].bsd_flags |= APFS_UF_COMPRESSED;
		v->inodes[ino].size = INLINE_LEN;
	}
	free(zero);
	free(x);
	return rc;
}

/*
 * Volume `Claims`: /claim-2p50.bin, one block of 'C' under a data stream
 * claiming 2^50 bytes; /bomb0.bin ... /bomb7.bin, decmpfs bombs; /ok.txt;
 * /lzvn-17m.bin, an honest compressed file of 273 chunks; /inline-16m.bin.
 */
int mk_fill_size_claims(struct mk_image *img)
{
	uint8_t *c = malloc(img->bs);
	uint64_t ino;
	char name[32];
	struct mk_vol v;
	int rc = c ? mk_vol_init(&v, img, "Claims", APFS_VOL_ROLE_NONE, true) : -ENOMEM;

	if (c)
		memset(c, 'C', img->bs);
	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "claim-2p50.bin", c, img->bs, &ino);
	if (!rc)
		v.inodes[ino].size = CLAIM_STREAM;
	for (unsigned i = 0; !rc && i < NBOMBS; i++) {
		snprintf(name, sizeof(name), "bomb%u.bin", i);
		rc = decmpfs_bomb(&v, name);
	}
	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "ok.txt", "fine\n", 5, NULL);
	if (!rc)
		rc = honest_big(&v);
	if (!rc)
		rc = inline_big(&v);
	free(c);
	return rc ? rc : mk_vol_finish(&v);
}
