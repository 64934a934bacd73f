/* SPDX-License-Identifier: MIT */
/*
 * scen_compress.c - the `compression` scenario: decmpfs files of each kind
 * (docs/apfs-format.md §8.2).  zlib is really compressed (with zlib);
 * LZVN, LZFSE and LZBITMAP use their stored-raw chunk forms, which every
 * decoder must accept, so no encoder of those formats is needed here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "mk.h"

#define DECMPFS_MAGIC 0x636d7066u /* 'fpmc' on disk */
#define CHUNK 0x10000u
#define RSRC_DATA_OFF 0x100u

enum { T_ZLIB_X = 3, T_ZLIB_R = 4, T_LZVN_X = 7, T_LZVN_R = 8, T_LZFSE_X = 11, T_LZFSE_R = 12,
       T_LZBM_X = 13, T_LZBM_R = 14 };

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int put(struct buf *b, const void *p, size_t n)
{
	if (n > b->cap - b->len) {
		size_t cap = (b->cap + n) * 2;
		uint8_t *q = realloc(b->p, cap);

		if (!q)
			return -ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

/* One chunk in the given type's encoding; zlib falls back to its raw form. */
static int chunk(struct buf *b, unsigned type, const uint8_t *d, size_t n)
{
	uint8_t z[CHUNK + 64], hdr[8];
	uLongf zl = sizeof(z);

	switch (type) {
	case T_ZLIB_X:
	case T_ZLIB_R:
		if (compress2(z, &zl, d, n, 9) == Z_OK && zl < n)
			return put(b, z, zl);
		return put(b, "\xff", 1) ? -ENOMEM : put(b, d, n);
	case T_LZVN_X:
	case T_LZVN_R:
		return put(b, "\x06", 1) ? -ENOMEM : put(b, d, n);
	case T_LZBM_X:
	case T_LZBM_R:
		return put(b, "\xff", 1) ? -ENOMEM : put(b, d, n);
	default: /* LZFSE: an uncompressed block "bvx-" + size, then end of stream "bvx$" */
		memcpy(hdr, "bvx-", 4);
		st_le32(hdr + 4, (uint32_t)n);
		if (put(b, hdr, 8) || put(b, d, n))
			return -ENOMEM;
		return put(b, "bvx$", 4);
	}
}

/* Chunked fork of types 8/12/14: (n+1) LE offsets from the fork start, then chunks. */
static int fork_offsets(struct buf *f, unsigned type, const uint8_t *d, size_t len)
{
	size_t n = (len + CHUNK - 1) / CHUNK, base = 4 * (n + 1);
	struct buf c = { 0 };
	uint8_t o[4];
	int rc = 0;

	for (size_t i = 0; !rc && i <= n; i++) {
		st_le32(o, (uint32_t)(base + c.len));
		rc = put(f, o, 4) ? -ENOMEM : 0;
		if (!rc && i < n)
			rc = chunk(&c, type, d + i * CHUNK, len - i * CHUNK < CHUNK ? len - i * CHUNK :
							    CHUNK);
	}
	if (!rc)
		rc = put(f, c.p, c.len);
	free(c.p);
	return rc;
}

/* The 50-byte resource map of a fork holding one 'cmpf' resource, id 1. */
void mk_rsrc_map(uint8_t m[50], const uint8_t hdr[16])
{
	memset(m, 0, 50);
	memcpy(m, hdr, 16);
	m[25] = 28;               /* type list offset */
	m[27] = 50;               /* name list offset */
	memcpy(m + 30, "cmpf", 4); /* count-1 = 0 at 28, type, count-1 = 0 */
	m[37] = 10;               /* reference list offset from the type list */
	m[39] = 1;                /* resource id 1 */
	m[40] = m[41] = 0xff;     /* no name */
}

/* Type 4 fork: classic resource fork, 'cmpf' data = LE block table + zlib chunks. */
static int fork_rsrc(struct buf *f, const uint8_t *d, size_t len)
{
	size_t n = (len + CHUNK - 1) / CHUNK, tbl = 4 + 8 * n;
	struct buf c = { 0 }, r = { 0 };
	uint8_t hdr[16], w[8], zero[RSRC_DATA_OFF] = { 0 }, m[50];
	int rc = 0;

	st_le32(w, (uint32_t)n);
	rc = put(&r, w, 4);
	for (size_t i = 0; !rc && i < n; i++) {
		size_t before = c.len;

		rc = chunk(&c, T_ZLIB_R, d + i * CHUNK, len - i * CHUNK < CHUNK ? len - i * CHUNK :
							CHUNK);
		st_le32(w, (uint32_t)(tbl + before));
		st_le32(w + 4, (uint32_t)(c.len - before));
		if (!rc)
			rc = put(&r, w, 8);
	}
	if (!rc)
		rc = put(&r, c.p, c.len);
	st_be32(hdr, RSRC_DATA_OFF);
	st_be32(hdr + 4, (uint32_t)(RSRC_DATA_OFF + 4 + r.len));
	st_be32(hdr + 8, (uint32_t)(4 + r.len));
	st_be32(hdr + 12, 50);
	st_be32(w, (uint32_t)r.len);
	if (!rc)
		rc = put(f, hdr, 16) || put(f, zero, RSRC_DATA_OFF - 16) || put(f, w, 4) ||
		     put(f, r.p, r.len) ? -ENOMEM : (mk_rsrc_map(m, hdr), put(f, m, sizeof(m)));
	free(c.p);
	free(r.p);
	return rc;
}

/**
 * mk_decmpfs_inode() - a compressed file: its com.apple.decmpfs value x
 * (header and any inline data) and, if flen, its com.apple.ResourceFork.
 */
int mk_decmpfs_inode(struct mk_vol *v, const char *name, const void *x, size_t xlen,
		     const void *fork, size_t flen, uint64_t size)
{
	uint64_t ino;
	int rc = mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, name, NULL, 0, &ino);

	if (!rc)
		rc = mk_fs_xattr(v, ino, "com.apple.decmpfs", x, xlen);
	if (!rc && flen)
		rc = mk_fs_xattr(v, ino, "com.apple.ResourceFork", fork, flen);
	if (!rc) {
		v->inodes[ino].bsd_flags |= APFS_UF_COMPRESSED;
		v->inodes[ino].size = size;
	}
	return rc;
}

/*
 * On a sealed volume its data hashes too, over the decompressed bytes and
 * keyed as apfsck reads them: by the inode for inline data, else by the
 * resource fork's stream (the last object id mk_decmpfs_inode took).
 */
int mk_compressed_file(struct mk_vol *v, const char *name, unsigned type, const uint8_t *d,
		       size_t len)
{
	struct buf x = { 0 }, f = { 0 };
	uint8_t hdr[16];
	bool inline_ = type % 2 == 1;
	uint64_t ino = v->next_ino;  /* the number mk_decmpfs_inode's file takes */
	int rc;

	st_le32(hdr, DECMPFS_MAGIC);
	st_le32(hdr + 4, type);
	st_le64(hdr + 8, len);
	rc = put(&x, hdr, 16);
	if (!rc && inline_)
		rc = chunk(&x, type, d, len);
	else if (!rc)
		rc = type == T_ZLIB_R ? fork_rsrc(&f, d, len) : fork_offsets(&f, type, d, len);
	if (!rc)
		rc = mk_decmpfs_inode(v, name, x.p, x.len, f.p, f.len, len);
	if (!rc)
		rc = mk_file_info(v, inline_ ? ino : v->next_ino - 1, d, len);
	free(x.p);
	free(f.p);
	return rc;
}

/* Text that compresses well, deterministic: "line NNNNN of FILE\n" ... */
static uint8_t *text(const char *tag, size_t len)
{
	uint8_t *p = malloc(len + 64);
	size_t off = 0;

	for (unsigned i = 0; p && off < len; i++)
		off += (size_t)sprintf((char *)p + off, "line %05u of %s\n", i, tag);
	return p;
}

static const struct {
	const char *name;
	unsigned type;
	size_t len;
} cfiles[] = {
	{ "zlib-xattr.txt", T_ZLIB_X, 3000 },   { "zlib-rsrc.txt", T_ZLIB_R, 200000 },
	{ "lzvn-xattr.txt", T_LZVN_X, 3000 },   { "lzvn-rsrc.txt", T_LZVN_R, 200000 },
	{ "lzfse-xattr.txt", T_LZFSE_X, 3000 }, { "lzfse-rsrc.txt", T_LZFSE_R, 200000 },
	{ "lzbitmap-xattr.txt", T_LZBM_X, 3000 }, { "lzbitmap-rsrc.txt", T_LZBM_R, 200000 },
};

static int compressed_vol(struct mk_image *img, const char *vname, size_t first, size_t n)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, vname, APFS_VOL_ROLE_NONE, true);

	for (size_t i = first; !rc && i < first + n; i++) {
		uint8_t *d = text(cfiles[i].name, cfiles[i].len);

		rc = d ? mk_compressed_file(&v, cfiles[i].name, cfiles[i].type, d, cfiles[i].len) :
			 -ENOMEM;
		free(d);
	}
	return rc ? rc : mk_vol_finish(&v);
}

/*
 * Volume `Compressed` holds the zlib and LZVN files, which the Debian peers
 * decode; volume `Modern` the LZFSE and LZBITMAP ones, which they do not.
 */
int mk_fill_compression(struct mk_image *img)
{
	int rc = compressed_vol(img, "Compressed", 0, 4);

	return rc ? rc : compressed_vol(img, "Modern", 4, 4);
}
