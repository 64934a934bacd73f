/* SPDX-License-Identifier: MIT */
/*
 * fsrec.c - file-system tree records: storage, key order, and the
 * directory-entry name hash.
 */
#include <errno.h>
#include <stdlib.h>
#include <utf8proc.h>

#include "mk.h"

/*
 * CRC-32C (Castagnoli), reflected, initial value ~0 and no final xor: the
 * raw register is what APFS keeps (checked against directory entries of
 * a macOS-made image).
 */
static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return crc;
}

/**
 * mk_name_hash() - the 22-bit hash of a directory-entry name: CRC-32C over
 * the name's code points as UTF-32LE after NFD (and case folding on
 * case-insensitive volumes), without the terminating NUL; low 22 bits of
 * the CRC register.
 * @name: UTF-8 name
 * @case_insensitive: fold case first
 */
uint32_t mk_name_hash(const char *name, bool case_insensitive)
{
	utf8proc_uint8_t *norm = NULL;
	utf8proc_ssize_t n, off = 0;
	utf8proc_int32_t cp;
	uint8_t *u32;
	size_t k = 0;
	uint32_t h;
	int opt = UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
		  (case_insensitive ? UTF8PROC_CASEFOLD : 0);

	n = utf8proc_map((const utf8proc_uint8_t *)name, 0, &norm, opt);
	if (n < 0)
		return 0;
	u32 = malloc((size_t)n * 4 + 4);
	while (u32 && off < n) {
		utf8proc_ssize_t l = utf8proc_iterate(norm + off, n - off, &cp);

		if (l <= 0)
			break;
		st_le32(u32 + 4 * k++, (uint32_t)cp);
		off += l;
	}
	h = u32 ? crc32c(u32, 4 * k) & 0x3fffffu : 0;
	free(u32);
	free(norm);
	return h;
}

/**
 * mk_vol_add_rec() - queue one fs-tree record.
 * @v: the volume
 * @oid: object id (key's obj_id)
 * @type: APFS_TYPE_*
 * @hash: for DIR_REC the name hash (orders entries), else 0
 * @sub: secondary key for FILE_EXTENT (logical address) and SIBLING_LINK
 * @k, @klen, @val, @vlen: the key and value bytes (copied)
 */
int mk_vol_add_rec(struct mk_vol *v, uint64_t oid, uint8_t type, uint32_t hash, uint64_t sub,
		   const void *k, size_t klen, const void *val, size_t vlen)
{
	struct mk_fsrec *r;

	if (klen > 1024 || vlen > 3900)
		return -EINVAL;
	if (v->nrecs == v->caprecs) {
		size_t cap = v->caprecs ? 2 * v->caprecs : 256;

		r = realloc(v->recs, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		v->recs = r;
		v->caprecs = cap;
	}
	r = &v->recs[v->nrecs];
	r->oid = oid;
	r->type = type;
	r->hash = hash;
	r->sub = sub;
	r->name_off = type == APFS_TYPE_DIR_REC && !v->unhashed ? 12 : 10;
	r->r.k = malloc(klen + vlen + 1);
	if (!r->r.k)
		return -ENOMEM;
	memcpy(r->r.k, k, klen);
	r->r.v = r->r.k + klen;
	if (vlen)
		memcpy(r->r.v, val, vlen);
	r->r.klen = (uint16_t)klen;
	r->r.vlen = (uint16_t)vlen;
	v->nrecs++;
	return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Names in keys: hashed directory entries start at byte 12, others and xattrs at 10. */
static int cmp_names(const struct mk_fsrec *a, const struct mk_fsrec *b)
{
	return strcmp((const char *)a->r.k + a->name_off, (const char *)b->r.k + b->name_off);
}

/* Key order of the fs tree: obj_id, type, then the type's own fields. */
int mk_fsrec_cmp(const void *pa, const void *pb)
{
	const struct mk_fsrec *a = pa, *b = pb;
	int c = cmp_u64(a->oid, b->oid);

	if (!c)
		c = cmp_u64(a->type, b->type);
	if (c)
		return c;
	switch (a->type) {
	case APFS_TYPE_DIR_REC:
		c = cmp_u64(a->hash, b->hash);
		return c ? c : cmp_names(a, b);
	case APFS_TYPE_XATTR:
		return cmp_names(a, b);
	default:
		return cmp_u64(a->sub, b->sub);
	}
}
