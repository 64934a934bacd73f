/* SPDX-License-Identifier: MIT */
/*
 * fs_key.c - the order of fs-tree keys (Apple's reference, "File-System
 * Objects"): object id, then record type, then fields that depend on the
 * type.  The B-tree reader descends with this comparator, so it must agree
 * with how macOS sorted the records.  And the one builder of a key from a
 * number the image or a caller gave (fs_key_checked).
 */
#include "fs_int.h"

/* What a number of this record type names, and where a hostile one would come from. */
static void number_source(unsigned type, const char **what, const char **from)
{
	static const struct {
		unsigned type;
		const char *what, *from;
	} src[] = {
		{ APFS_TYPE_FILE_EXTENT, "data stream", "an inode's private id" },
		{ APFS_TYPE_DIR_STATS, "directory-stats", "an inode's DIR_STATS_KEY field" },
	};

	*what = "inode", *from = "a directory record's file id";
	for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++)
		if (src[i].type == type)
			*what = src[i].what, *from = src[i].from;
}

int fs_key_checked(struct apfs_fs *fs, void *k, uint64_t oid, unsigned type)
{
	const char *what, *from;

	if (oid > APFS_OBJ_ID_MASK) {
		number_source(type, &what, &from);
		apfs_err("%s: volume '%s': %s number 0x%llx is past the 60 bits of an object id "
			 "(%s?)", fs->c->label, fs->v->name, what, (unsigned long long)oid, from);
		return -APFS_ECORRUPT;
	}
	fs_key(k, oid, type);
	return 0;
}

static int cmp_u64(uint64_t x, uint64_t y)
{
	return x < y ? -1 : x > y;
}

/* Names stored with their NUL: compare the bytes, shorter first on a tie. */
static int cmp_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r < 0 ? -1 : 1;
	return cmp_u64(alen, blen);
}

/* Name with a u16 length prefix at off; a key without it sorts first. */
static int cmp_len16_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen < 10 || blen < 10)
		return cmp_u64(alen, blen);
	return cmp_bytes(a + 10, alen - 10, b + 10, blen - 10);
}

/* Hashed directory record: the 22-bit hash, then the name. */
static int cmp_hashed(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint32_t ha, hb;

	if (alen < 12 || blen < 12)
		return cmp_u64(alen, blen);
	ha = ld_le32(a + 8) & APFS_J_DREC_HASH_MASK;
	hb = ld_le32(b + 8) & APFS_J_DREC_HASH_MASK;
	if (ha != hb)
		return ha < hb ? -1 : 1;
	return cmp_bytes(a + 12, alen - 12, b + 12, blen - 12);
}

static int cmp_u64_field(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen < 16 || blen < 16)
		return cmp_u64(alen, blen);
	return cmp_u64(ld_le64(a + 8), ld_le64(b + 8));
}

static int cmp_common(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		      bool hashed)
{
	uint64_t ka, kb;
	unsigned type;

	if (alen < 8 || blen < 8)
		return cmp_u64(alen, blen);
	ka = ld_le64(a);
	kb = ld_le64(b);
	if ((ka & APFS_OBJ_ID_MASK) != (kb & APFS_OBJ_ID_MASK))
		return cmp_u64(ka & APFS_OBJ_ID_MASK, kb & APFS_OBJ_ID_MASK);
	if ((ka >> APFS_OBJ_TYPE_SHIFT) != (kb >> APFS_OBJ_TYPE_SHIFT))
		return cmp_u64(ka >> APFS_OBJ_TYPE_SHIFT, kb >> APFS_OBJ_TYPE_SHIFT);
	type = (unsigned)(ka >> APFS_OBJ_TYPE_SHIFT);
	switch (type) {
	case APFS_TYPE_DIR_REC:
		return hashed ? cmp_hashed(a, alen, b, blen) : cmp_len16_name(a, alen, b, blen);
	case APFS_TYPE_XATTR:
	case APFS_TYPE_SNAP_NAME:
		return cmp_len16_name(a, alen, b, blen);
	case APFS_TYPE_FILE_EXTENT:
	case APFS_TYPE_SIBLING_LINK:
	case APFS_TYPE_FILE_INFO:  /* info_and_lba: one a hashed range of a sealed file */
		return cmp_u64_field(a, alen, b, blen);
	default:
		return 0;
	}
}

/**
 * apfs_fs_key_cmp - fs-tree key order with hashed directory records
 * (case- or normalization-insensitive volumes, and every modern volume).
 */
int apfs_fs_key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	return cmp_common(a, alen, b, blen, true);
}

/* Key order for volumes whose directory records are j_drec_key_t (no hash). */
int fs_key_cmp_plain(const void *a, size_t alen, const void *b, size_t blen)
{
	return cmp_common(a, alen, b, blen, false);
}
