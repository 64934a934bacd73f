/* SPDX-License-Identifier: MIT */
/*
 * scen_decmpfs_edges.c - the `decmpfs-edges` scenario (README "Damaged
 * scenarios"): decmpfs files on each side of the reader's bounds, every
 * record well formed and every checksum right, so that a test can tell
 * which check refused a file by its message: a compressed chunk of exactly
 * 128 KiB and one of 128 KiB + 1, a chunk and inline data that decode one
 * byte short, a decmpfs xattr of 15 and of 16 bytes, a resource fork of
 * 7 and 8 bytes for a file of two chunks.
 */
#include <errno.h>
#include <stdlib.h>

#include "mk.h"

#define DECMPFS_MAGIC 0x636d7066u /* 'fpmc' on disk */
#define LZVN_ATTR 7
#define LZVN_RSRC 8
#define CHUNK 0x10000u
#define MAX_CCHUNK (2 * CHUNK)   /* the largest compressed chunk a reader takes */

/* A file with a decmpfs xattr of hlen bytes (type, size) and, if fork, a resource fork. */
static int dec_file(struct mk_vol *v, const char *name, size_t hlen, uint32_t type,
		    uint64_t size, const uint8_t *fork, size_t flen)
{
	uint8_t hdr[16 + 16] = { 0 };
	uint64_t ino;
	int rc = mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, name, NULL, 0, &ino);

	st_le32(hdr, DECMPFS_MAGIC);
	st_le32(hdr + 4, type);
	st_le64(hdr + 8, size);
	/* Inline (type 7): a raw LZVN chunk of 9 bytes, 06 then 'a'..'i'. */
	hdr[16] = 0x06;
	for (int i = 0; i < 9; i++)
		hdr[17 + i] = (uint8_t)('a' + i);
	if (!rc)
		rc = mk_fs_xattr(v, ino, "com.apple.decmpfs", hdr, hlen);
	if (!rc && fork)
		rc = mk_fs_xattr(v, ino, "com.apple.ResourceFork", fork, flen);
	if (!rc) {
		v->inodes[ino].bsd_flags |= APFS_UF_COMPRESSED;
		v->inodes[ino].size = size;
	}
	return rc;
}

/* A type-8 fork of one raw chunk (06, then 'z' bytes) of clen compressed bytes. */
static int one_chunk(struct mk_vol *v, const char *name, uint64_t size, size_t clen)
{
	size_t flen = 8 + clen;
	uint8_t *f = malloc(flen);
	int rc;

	if (!f)
		return -ENOMEM;
	memset(f, 'z', flen);
	st_le32(f, 8);
	st_le32(f + 4, (uint32_t)flen);
	f[8] = 0x06;
	rc = dec_file(v, name, 16, LZVN_RSRC, size, f, flen);
	free(f);
	return rc;
}

/*
 * Volume `Edges` (plain): /chunk-max.bin (a chunk of 128 KiB that decodes to
 * 128 KiB - 1 bytes, for a file of 1 byte), /chunk-over.bin (128 KiB + 1),
 * /chunk-short.bin (size 10, chunk decodes to 9), /inline-short.bin (type 7,
 * size 10, 9 bytes inline), /hdr-15.bin and /hdr-16.bin (decmpfs xattr of 15
 * and 16 bytes, type 7, size 0), /fork-7.bin and /fork-8.bin (size 65537:
 * two chunks, a fork of 7 and 8 bytes), /ok.txt = "fine\n".
 */
int mk_fill_decmpfs_edges(struct mk_image *img)
{
	static const uint8_t fork8[8] = { 12, 0, 0, 0, 12, 0, 0, 0 };
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Edges", APFS_VOL_ROLE_NONE, true);

	if (!rc)
		rc = one_chunk(&v, "chunk-max.bin", 1, MAX_CCHUNK);
	if (!rc)
		rc = one_chunk(&v, "chunk-over.bin", 1, MAX_CCHUNK + 1);
	if (!rc)
		rc = one_chunk(&v, "chunk-short.bin", 10, 10);
	if (!rc)
		rc = dec_file(&v, "inline-short.bin", 26, LZVN_ATTR, 10, NULL, 0);
	if (!rc)
		rc = dec_file(&v, "hdr-15.bin", 15, LZVN_ATTR, 0, NULL, 0);
	if (!rc)
		rc = dec_file(&v, "hdr-16.bin", 16, LZVN_ATTR, 0, NULL, 0);
	if (!rc)
		rc = dec_file(&v, "fork-7.bin", 16, LZVN_RSRC, CHUNK + 1, fork8, 7);
	if (!rc)
		rc = dec_file(&v, "fork-8.bin", 16, LZVN_RSRC, CHUNK + 1, fork8, 8);
	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "ok.txt", "fine\n", 5, NULL);
	return rc ? rc : mk_vol_finish(&v);
}
