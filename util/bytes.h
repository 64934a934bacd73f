/* SPDX-License-Identifier: MIT */
/*
 * bytes.h - little-endian field types and a bounded cursor.
 *
 * On-disk structures are declared with le16_t/le32_t/le64_t members so that
 * a forgotten conversion is a compile error, and so the structures have
 * alignment 1 and no padding on every host (no `packed` needed).
 */
#ifndef APFS_BYTES_H
#define APFS_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct { uint8_t b[2]; } le16_t;
typedef struct { uint8_t b[4]; } le32_t;
typedef struct { uint8_t b[8]; } le64_t;

/*
 * On little-endian hosts a field is a plain unaligned load (memcpy compiles
 * to one mov); elsewhere it is assembled byte by byte.  Hot loops (XTS
 * tweaks, Fletcher-64) depend on the fast path.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define APFS_HOST_LE 1
#else
#define APFS_HOST_LE 0
#endif

static inline uint16_t ld_le16(const void *p)
{
	const uint8_t *b = p;
	uint16_t v;

	if (APFS_HOST_LE) {
		memcpy(&v, p, 2);
		return v;
	}
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t ld_le32(const void *p)
{
	const uint8_t *b = p;
	uint32_t v;

	if (APFS_HOST_LE) {
		memcpy(&v, p, 4);
		return v;
	}
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t ld_le64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v;

	if (APFS_HOST_LE) {
		memcpy(&v, p, 8);
		return v;
	}
	return (uint64_t)ld_le32(b) | (uint64_t)ld_le32(b + 4) << 32;
}

static inline void st_le16(void *p, uint16_t v)
{
	uint8_t *b = p;

	if (APFS_HOST_LE) {
		memcpy(p, &v, 2);
		return;
	}
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void st_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	if (APFS_HOST_LE) {
		memcpy(p, &v, 4);
		return;
	}
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void st_le64(void *p, uint64_t v)
{
	if (APFS_HOST_LE) {
		memcpy(p, &v, 8);
		return;
	}
	st_le32(p, (uint32_t)v);
	st_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t get_le16(le16_t v) { return ld_le16(v.b); }
static inline uint32_t get_le32(le32_t v) { return ld_le32(v.b); }
static inline uint64_t get_le64(le64_t v) { return ld_le64(v.b); }
static inline le16_t put_le16(uint16_t x) { le16_t v; st_le16(v.b, x); return v; }
static inline le32_t put_le32(uint32_t x) { le32_t v; st_le32(v.b, x); return v; }
static inline le64_t put_le64(uint64_t x) { le64_t v; st_le64(v.b, x); return v; }

static inline uint32_t ld_be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t ld_be64(const void *p)
{
	return (uint64_t)ld_be32(p) << 32 | ld_be32((const uint8_t *)p + 4);
}

static inline void st_be32(void *p, uint32_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline void st_be64(void *p, uint64_t v)
{
	st_be32(p, (uint32_t)(v >> 32));
	st_be32((uint8_t *)p + 4, (uint32_t)v);
}

/*
 * A read cursor over an untrusted region. cur_take() hands out a pointer to
 * n bytes only when they lie entirely inside the region, so callers never do
 * their own pointer arithmetic on disk data.
 */
struct apfs_cursor {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline struct apfs_cursor cur_init(const void *p, size_t len)
{
	struct apfs_cursor c = { p, len, 0 };
	return c;
}

static inline const uint8_t *cur_take(struct apfs_cursor *c, size_t n)
{
	const uint8_t *r;

	if (n > c->len - c->off)
		return NULL;
	r = c->p + c->off;
	c->off += n;
	return r;
}

/* Is [off, off+len) inside [0, size)?  Written so nothing can overflow. */
static inline int range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

#endif
