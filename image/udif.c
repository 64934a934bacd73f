/* SPDX-License-Identifier: MIT */
/*
 * udif.c - UDIF (.dmg) images: find the `koly` trailer, read the blkx table
 * from its XML plist, and serve the flat disk, decompressing chunks on
 * demand through a small cache.
 *
 * Layout (all big-endian): the last 512 bytes of the file are the koly
 * block; its XMLOffset/XMLLength give a plist whose resource-fork/blkx
 * array holds one base64 `mish` block per partition.  A mish block is a
 * 204-byte header (first sector, sector count, data offset, chunk count at
 * 200) and 40-byte chunk entries (type, comment, sector and sector count
 * relative to the mish block, compressed offset and length).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/bytes.h"
#include "util/err.h"
#include "util/plist_dl.h"
#include "util/plistcheck.h"
#include "image/dev.h"
#include "image/udif.h"

#define KOLY_SIZE 512
#define KOLY_SCAN 4096            /* tail searched for a misplaced koly */
#define XML_MAX (64u << 20)       /* plists of real images are kilobytes */
#define XML_MAX_DEPTH 32          /* real ones nest 5 deep (plist, dict, dict, array, dict) */
#define BLKX_MAX 65536
#define CHUNKS_MAX (1u << 24)
#define MISH_HDR 204
#define MISH_ENTRY 40
#define CACHE_SLOTS 8

/* The koly fields we use, host order. */
struct koly {
	uint64_t data_fork_offset;
	uint64_t xml_offset;
	uint64_t xml_length;
	uint64_t sector_count;
};

struct udif_slot {
	size_t chunk;  /* index into chunks; SIZE_MAX when empty */
	uint8_t *data; /* chunk->nsect * 512 bytes */
	uint64_t used; /* LRU clock */
};

struct udif_priv {
	struct apfs_dev *lower;    /* where the .dmg's bytes are */
	uint64_t data_end;  /* where the koly trailer begins: every chunk lies before it */
	uint64_t data_fork_offset;
	uint64_t sectors;
	struct udif_chunk *chunks; /* sorted by sector, non-overlapping */
	size_t nchunks, cap;
	char **names;              /* blkx entry names, for messages */
	size_t nnames;
	const char *path;          /* while opening only: the caller's string */
	pthread_mutex_t lock;
	struct udif_slot cache[CACHE_SLOTS];
	uint64_t clock;
};

static void udif_free(struct udif_priv *p)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(p->cache[i].data);
	for (size_t i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	free(p->chunks);
	free(p);
}

/* ---- detection ---------------------------------------------------------- */

/*
 * No koly in the last 512 bytes.  If the start of one (magic, version 4,
 * size 512) sits elsewhere in the tail, the file is a truncated or padded
 * dmg: say so instead of reading it as a raw disk.
 */
static int udif_misplaced_koly(struct apfs_dev *lower, uint64_t size, const char *path)
{
	static const uint8_t sig[12] = { 'k', 'o', 'l', 'y', 0, 0, 0, 4, 0, 0, 2, 0 };
	size_t n = size < KOLY_SCAN ? (size_t)size : KOLY_SCAN;
	uint8_t buf[KOLY_SCAN];
	const uint8_t *hit;
	uint64_t at;

	if (n < sizeof(sig) || apfs_dev_read(lower, buf, n, size - n))
		return 0;
	hit = memmem(buf, n, sig, sizeof(sig));
	if (!hit)
		return 0;
	at = size - n + (uint64_t)(hit - buf);
	if (size - at < KOLY_SIZE)
		apfs_err("'%s': UDIF koly trailer at byte %llu is cut short (%llu of 512 bytes): "
			 "truncated image", path, (unsigned long long)at,
			 (unsigned long long)(size - at));
	else
		apfs_err("'%s': UDIF koly trailer at byte %llu is not at the end of the file "
			 "(%llu bytes follow it)", path, (unsigned long long)at,
			 (unsigned long long)(size - at - KOLY_SIZE));
	return -APFS_ECORRUPT;
}

static int udif_parse_koly(const uint8_t *b, uint64_t size, const char *path, struct koly *k)
{
	uint64_t limit = size - KOLY_SIZE; /* everything else lies before the trailer */

	if (ld_be32(b + 4) != 4 || ld_be32(b + 8) != KOLY_SIZE) {
		apfs_err("'%s': UDIF koly version %u, header size %u: expected 4 and 512", path,
			 ld_be32(b + 4), ld_be32(b + 8));
		return -APFS_ECORRUPT;
	}
	k->data_fork_offset = ld_be64(b + 24);
	k->xml_offset = ld_be64(b + 216);
	k->xml_length = ld_be64(b + 224);
	k->sector_count = ld_be64(b + 492);
	if (k->xml_length == 0 || k->xml_length > XML_MAX ||
	    !range_ok(k->xml_offset, k->xml_length, limit)) {
		apfs_err("'%s': UDIF koly XML plist (%llu bytes at %llu) lies outside the %llu-byte "
			 "file", path, (unsigned long long)k->xml_length,
			 (unsigned long long)k->xml_offset, (unsigned long long)size);
		return -APFS_ECORRUPT;
	}
	if (k->sector_count == 0 || k->sector_count > UINT64_MAX / UDIF_SECTOR ||
	    k->data_fork_offset > limit) {
		apfs_err("'%s': UDIF koly sectorCount %llu or data fork offset %llu is invalid",
			 path, (unsigned long long)k->sector_count,
			 (unsigned long long)k->data_fork_offset);
		return -APFS_ECORRUPT;
	}
	return 0;
}

/* ---- the blkx table ----------------------------------------------------- */

static int udif_push(struct udif_priv *p, const struct udif_chunk *c)
{
	if (p->nchunks == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct udif_chunk *n;

		if (cap > CHUNKS_MAX) {
			apfs_err("'%s': UDIF has more than %u chunks", p->path, CHUNKS_MAX);
			return -APFS_ECORRUPT;
		}
		n = realloc(p->chunks, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->chunks = n;
		p->cap = cap;
	}
	p->chunks[p->nchunks++] = *c;
	return 0;
}

/* Where a data chunk's bytes are: data fork + mish DataOffset + CompressedOffset. */
static int udif_chunk_place(struct udif_priv *p, struct udif_chunk *c, uint64_t data_off,
			    uint64_t coff, const char *name)
{
	uint64_t base = p->data_fork_offset, size = c->nsect * UDIF_SECTOR;

	if (c->type == UDIF_ZERO || c->type == UDIF_IGNORE)
		return 0;
	if (size > UDIF_CHUNK_MAX || c->len > 2ull * UDIF_CHUNK_MAX ||
	    (c->type == UDIF_RAW && c->len != size)) {
		apfs_err("'%s': blkx entry '%s': %s chunk at sector %llu: %llu sectors stored in "
			 "%llu bytes is out of bounds", p->path, name,
			 apfs_udif_type_name(c->type), (unsigned long long)c->sector,
			 (unsigned long long)c->nsect, (unsigned long long)c->len);
		return -APFS_ECORRUPT;
	}
	if (data_off > UINT64_MAX - base || coff > UINT64_MAX - base - data_off ||
	    !range_ok(base + data_off + coff, c->len, p->data_end)) {
		apfs_err("'%s': blkx entry '%s': chunk at sector %llu: compressed range (%llu bytes "
			 "at %llu + %llu) runs past byte %llu, where the koly trailer begins", p->path,
			 name, (unsigned long long)c->sector, (unsigned long long)c->len,
			 (unsigned long long)data_off, (unsigned long long)coff,
			 (unsigned long long)p->data_end);
		return -APFS_ECORRUPT;
	}
	c->off = base + data_off + coff;
	return 0;
}

/* Header fields of a mish block that chunk parsing needs. */
struct mish {
	uint64_t first, count, data_off;
	uint32_t nchunks;
	uint32_t blkx;
	const char *name;
	uint64_t next;    /* first relative sector not yet covered */
};

/* Parse chunk entry e; returns 1 at the end entry. */
static int udif_mish_entry(struct udif_priv *p, struct mish *m, const uint8_t *e)
{
	struct udif_chunk c = { 0 };
	uint64_t rel = ld_be64(e + 8), coff = ld_be64(e + 24);

	c.type = ld_be32(e);
	c.nsect = ld_be64(e + 16);
	c.len = ld_be64(e + 32);
	c.blkx = m->blkx;
	if (c.type == UDIF_END)
		return 1;
	if (c.type == UDIF_COMMENT || c.nsect == 0)
		return 0;
	if (!apfs_udif_type_name(c.type)) {
		apfs_err("'%s': blkx entry '%s': unknown chunk type 0x%08x", p->path, m->name,
			 c.type);
		return -APFS_ECORRUPT;
	}
	if (!range_ok(rel, c.nsect, m->count) || rel < m->next) {
		apfs_err("'%s': blkx entry '%s': chunk of %llu sectors at sector %llu is out of "
			 "order, overlapping or outside the entry's %llu sectors", p->path, m->name,
			 (unsigned long long)c.nsect, (unsigned long long)rel,
			 (unsigned long long)m->count);
		return -APFS_ECORRUPT;
	}
	m->next = rel + c.nsect;
	c.sector = m->first + rel;
	if (udif_chunk_place(p, &c, m->data_off, coff, m->name))
		return -APFS_ECORRUPT;
	return udif_push(p, &c);
}

static int udif_parse_mish(struct udif_priv *p, const uint8_t *d, uint64_t len, uint32_t blkx)
{
	struct mish m = { .blkx = blkx, .name = p->names[blkx] };
	int ret = 0;

	if (len < MISH_HDR || memcmp(d, "mish", 4)) {
		apfs_err("'%s': blkx entry '%s' is not a mish block (%llu bytes)", p->path, m.name,
			 (unsigned long long)len);
		return -APFS_ECORRUPT;
	}
	m.first = ld_be64(d + 8);
	m.count = ld_be64(d + 16);
	m.data_off = ld_be64(d + 24);
	m.nchunks = ld_be32(d + 200);
	if (m.nchunks > (len - MISH_HDR) / MISH_ENTRY) {
		apfs_err("'%s': blkx entry '%s': %u chunks do not fit its %llu-byte mish block",
			 p->path, m.name, m.nchunks, (unsigned long long)len);
		return -APFS_ECORRUPT;
	}
	if (!range_ok(m.first, m.count, p->sectors)) {
		apfs_err("'%s': blkx entry '%s': sectors %llu+%llu lie past the disk's %llu",
			 p->path, m.name, (unsigned long long)m.first, (unsigned long long)m.count,
			 (unsigned long long)p->sectors);
		return -APFS_ECORRUPT;
	}
	for (uint32_t i = 0; i < m.nchunks && ret == 0; i++)
		ret = udif_mish_entry(p, &m, d + MISH_HDR + (size_t)i * MISH_ENTRY);
	return ret < 0 ? ret : 0;
}

/* The blkx entry's name: CFName or Name, else its index. */
static char *udif_entry_name(plist_t entry, uint32_t i)
{
	plist_t n = plist_dict_get_item(entry, "CFName");
	char buf[32];

	if (!n || plist_get_node_type(n) != PLIST_STRING)
		n = plist_dict_get_item(entry, "Name");
	if (n && plist_get_node_type(n) == PLIST_STRING) {
		const char *s = plist_get_string_ptr(n, NULL);

		if (s && *s)
			return strdup(s);
	}
	snprintf(buf, sizeof(buf), "#%u", i);
	return strdup(buf);
}

static plist_t udif_blkx_array(plist_t root)
{
	plist_t rf, blkx;

	if (!root || plist_get_node_type(root) != PLIST_DICT)
		return NULL;
	rf = plist_dict_get_item(root, "resource-fork");
	if (!rf || plist_get_node_type(rf) != PLIST_DICT)
		return NULL;
	blkx = plist_dict_get_item(rf, "blkx");
	if (!blkx || plist_get_node_type(blkx) != PLIST_ARRAY)
		return NULL;
	return blkx;
}

static int udif_parse_blkx(struct udif_priv *p, plist_t blkx)
{
	uint32_t n = plist_array_get_size(blkx);
	int ret;

	if (n == 0 || n > BLKX_MAX) {
		apfs_err("'%s': UDIF blkx array has %u entries", p->path, n);
		return -APFS_ECORRUPT;
	}
	p->names = calloc(n, sizeof(*p->names));
	if (!p->names)
		return -ENOMEM;
	p->nnames = n; /* NULL until filled: udif_free() copes either way */
	for (uint32_t i = 0; i < n; i++) {
		plist_t e = plist_array_get_item(blkx, i), data;
		const char *d;
		uint64_t len = 0;

		if (!e || plist_get_node_type(e) != PLIST_DICT) {
			apfs_err("'%s': blkx entry %u is not a dictionary", p->path, i);
			return -APFS_ECORRUPT;
		}
		p->names[i] = udif_entry_name(e, i);
		if (!p->names[i])
			return -ENOMEM;
		data = plist_dict_get_item(e, "Data");
		d = data && plist_get_node_type(data) == PLIST_DATA ?
			plist_get_data_ptr(data, &len) : NULL;
		ret = udif_parse_mish(p, (const uint8_t *)d, d ? len : 0, i);
		if (ret)
			return ret;
	}
	return 0;
}

static int udif_read_plist(struct udif_priv *p, const struct koly *k)
{
	char *xml, why[160];
	plist_t root = NULL, blkx;
	int ret = plist_dl_load(p->path, "reading this UDIF image's block table (an XML plist)");

	if (ret)
		return ret;
	xml = malloc((size_t)k->xml_length);
	if (!xml)
		return -ENOMEM;
	ret = apfs_dev_read(p->lower, xml, (size_t)k->xml_length, k->xml_offset);
	/* libplist 2.2 recurses per nesting level (a deep plist crashes it): check first. */
	if (ret == 0 && plist_check(xml, (size_t)k->xml_length, XML_MAX_DEPTH, XML_MAX, why,
				    sizeof(why))) {
		apfs_err("'%s': UDIF XML plist refused: %s", p->path, why);
		ret = -APFS_ECORRUPT;
		free(xml);
		return ret;
	}
	if (ret == 0)
		plist_from_xml(xml, (uint32_t)k->xml_length, &root);
	free(xml);
	if (ret) {
		apfs_err("'%s': cannot read the UDIF XML plist: %s", p->path, apfs_strerror(ret));
		return ret;
	}
	blkx = udif_blkx_array(root);
	if (!blkx) {
		apfs_err("'%s': UDIF XML plist %s", p->path,
			 root ? "has no resource-fork/blkx array" : "does not parse");
		ret = -APFS_ECORRUPT;
	} else {
		ret = udif_parse_blkx(p, blkx);
	}
	if (root)
		plist_free(root);
	return ret;
}

static int udif_chunk_cmp(const void *a, const void *b)
{
	const struct udif_chunk *x = a, *y = b;

	return x->sector < y->sector ? -1 : x->sector > y->sector;
}

/* Chunks of different blkx entries may come in any order but never overlap. */
static int udif_sort(struct udif_priv *p)
{
	/* Checked first: with no chunk, p->chunks is NULL, which qsort must not get. */
	if (p->nchunks == 0) {
		apfs_err("'%s': UDIF blkx table maps no sectors", p->path);
		return -APFS_ECORRUPT;
	}
	qsort(p->chunks, p->nchunks, sizeof(*p->chunks), udif_chunk_cmp);
	for (size_t i = 1; i < p->nchunks; i++) {
		const struct udif_chunk *a = &p->chunks[i - 1], *b = &p->chunks[i];

		if (b->sector < a->sector + a->nsect) {
			apfs_err("'%s': blkx entries '%s' and '%s' overlap at sector %llu", p->path,
				 p->names[a->blkx], p->names[b->blkx],
				 (unsigned long long)b->sector);
			return -APFS_ECORRUPT;
		}
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* Index of the first chunk that ends after sector s (nchunks if none). */
static size_t udif_find(const struct udif_priv *p, uint64_t s)
{
	size_t lo = 0, hi = p->nchunks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct udif_chunk *c = &p->chunks[mid];

		if (c->sector + c->nsect <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Copy from a cached chunk if present; returns 1 on a hit.  Caller holds lock. */
static int udif_cache_copy(struct udif_priv *p, size_t ci, void *buf, size_t n, uint64_t at)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct udif_slot *s = &p->cache[i];

		if (s->data && s->chunk == ci) {
			memcpy(buf, s->data + at, n);
			s->used = ++p->clock;
			return 1;
		}
	}
	return 0;
}

/* Put data (chunk ci) in the least recently used slot; the cache owns it after. */
static void udif_cache_put(struct udif_priv *p, size_t ci, uint8_t *data)
{
	struct udif_slot *victim = &p->cache[0];

	for (size_t i = 1; i < CACHE_SLOTS; i++)
		if (p->cache[i].used < victim->used)
			victim = &p->cache[i];
	free(victim->data);
	victim->data = data;
	victim->chunk = ci;
	victim->used = ++p->clock;
}

/*
 * Decompression happens outside the lock so threads reading different
 * chunks do not wait for each other; two threads missing the same chunk
 * both decompress it and the second copy is dropped.
 */
static int udif_read_compressed(struct apfs_dev *dev, size_t ci, void *buf, size_t n,
				uint64_t at)
{
	struct udif_priv *p = dev->priv;
	const struct udif_chunk *c = &p->chunks[ci];
	char what[512];
	uint8_t *data;
	int ret, hit;

	pthread_mutex_lock(&p->lock);
	hit = udif_cache_copy(p, ci, buf, n, at);
	pthread_mutex_unlock(&p->lock);
	if (hit)
		return 0;
	data = malloc((size_t)(c->nsect * UDIF_SECTOR));
	if (!data)
		return -ENOMEM;
	snprintf(what, sizeof(what), "'%s': blkx entry '%s'", dev->path, p->names[c->blkx]);
	ret = apfs_udif_decompress(p->lower, c, data, what);
	if (ret) {
		free(data);
		return ret;
	}
	pthread_mutex_lock(&p->lock);
	if (udif_cache_copy(p, ci, buf, n, at)) {
		free(data);
	} else {
		memcpy(buf, data + at, n);
		udif_cache_put(p, ci, data);
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static int udif_read_chunk(struct apfs_dev *dev, size_t ci, void *buf, size_t n, uint64_t at)
{
	struct udif_priv *p = dev->priv;
	const struct udif_chunk *c = &p->chunks[ci];
	int ret;

	switch (c->type) {
	case UDIF_ZERO:
	case UDIF_IGNORE:
		memset(buf, 0, n);
		return 0;
	case UDIF_RAW:
		ret = apfs_dev_read(p->lower, buf, n, c->off + at);
		if (ret)
			apfs_err("'%s': cannot read raw chunk for sector %llu: %s", dev->path,
				 (unsigned long long)c->sector, apfs_strerror(ret));
		return ret;
	default:
		return udif_read_compressed(dev, ci, buf, n, at);
	}
}

/* Sectors no chunk maps read as zeros, like hdiutil's unmapped space. */
static int udif_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct udif_priv *p = dev->priv;
	uint8_t *out = buf;

	/* Each pass covers at least one byte; at most one chunk per pass. */
	while (len > 0) {
		size_t ci = udif_find(p, off / UDIF_SECTOR), n;
		const struct udif_chunk *c = ci < p->nchunks ? &p->chunks[ci] : NULL;
		uint64_t start = c ? c->sector * UDIF_SECTOR : dev->size;
		int ret;

		if (off < start) {
			n = start - off < len ? (size_t)(start - off) : len;
			memset(out, 0, n);
		} else {
			uint64_t at = off - start, left = c->nsect * UDIF_SECTOR - at;

			n = left < len ? (size_t)left : len;
			ret = udif_read_chunk(dev, ci, out, n, at);
			if (ret)
				return ret;
		}
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void udif_close(struct apfs_dev *dev)
{
	struct udif_priv *p = dev->priv;

	pthread_mutex_destroy(&p->lock);
	udif_free(p);
}

/* The kind names the compression as hdiutil's format names do. */
enum { K_RAW, K_ADC, K_ZLIB, K_BZIP2, K_LZFSE, K_MIXED };
static const struct apfs_dev_ops udif_ops[] = {
	[K_RAW] = { "UDIF (UDRW raw)", udif_read, udif_close },
	[K_ADC] = { "UDIF (UDCO ADC)", udif_read, udif_close },
	[K_ZLIB] = { "UDIF (UDZO zlib)", udif_read, udif_close },
	[K_BZIP2] = { "UDIF (UDBZ bzip2)", udif_read, udif_close },
	[K_LZFSE] = { "UDIF (ULFO lzfse)", udif_read, udif_close },
	[K_MIXED] = { "UDIF (mixed compression)", udif_read, udif_close },
};

static const struct apfs_dev_ops *udif_kind(const struct udif_priv *p)
{
	int kind = K_RAW;

	for (size_t i = 0; i < p->nchunks; i++) {
		int k = p->chunks[i].type == UDIF_ADC ? K_ADC :
			p->chunks[i].type == UDIF_ZLIB ? K_ZLIB :
			p->chunks[i].type == UDIF_BZIP2 ? K_BZIP2 :
			p->chunks[i].type == UDIF_LZFSE ? K_LZFSE : K_RAW;

		if (k != K_RAW && kind != K_RAW && k != kind)
			return &udif_ops[K_MIXED];
		if (k != K_RAW)
			kind = k;
	}
	return &udif_ops[kind];
}

/* "UDIF UDZO (zlib, 3 blkx entries, 16.0 MiB)" for the chain `list` shows. */
static void udif_summary(struct apfs_dev *dev, const struct udif_priv *p)
{
	char size[32];
	const char *k = dev->ops->kind + 6; /* "UDIF (UDZO zlib)" -> "UDZO zlib)" */

	apfs_fmt_size(dev->size, size, sizeof(size));
	snprintf(dev->summary, sizeof(dev->summary), "UDIF (%.*s, %zu blkx entr%s, %s)",
		 (int)strlen(k) - 1, k, p->nnames, p->nnames == 1 ? "y" : "ies", size);
}

static int udif_open(struct apfs_dev *lower, const uint8_t *kb, struct apfs_dev **out)
{
	struct udif_priv *p = calloc(1, sizeof(*p));
	struct apfs_dev *dev;
	struct koly k;
	int ret = -ENOMEM;

	if (!p)
		return -ENOMEM;
	p->lower = lower;
	p->path = lower->path;
	ret = udif_parse_koly(kb, lower->size, lower->path, &k);
	if (ret)
		goto fail;
	p->data_end = lower->size - KOLY_SIZE;
	p->data_fork_offset = k.data_fork_offset;
	p->sectors = k.sector_count;
	ret = udif_read_plist(p, &k);
	if (ret == 0)
		ret = udif_sort(p);
	if (ret)
		goto fail;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		p->cache[i].chunk = SIZE_MAX;
	p->path = NULL; /* path belongs to the lower layer; dev->path replaces it */
	dev = apfs_dev_new(udif_kind(p), p, k.sector_count * UDIF_SECTOR, lower, lower->path);
	if (!dev) {
		ret = -ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&p->lock, NULL);
	udif_summary(dev, p);
	*out = dev;
	return 0;
fail:
	udif_free(p);
	return ret;
}

/**
 * apfs_udif_probe - recognise and open a UDIF (.dmg) image
 * @lower: the .dmg's bytes (the file, or a layer such as a split set)
 * @out:   set to the new device on success; it then owns @lower
 *
 * Returns 1 when @lower is a readable UDIF, 0 when it is not UDIF at all,
 * or a negative errno, logged, when it is UDIF (or a truncated dmg) that
 * cannot be read.
 */
int apfs_udif_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	uint64_t size = lower->size;
	uint8_t kb[KOLY_SIZE];
	int ret;

	if (size < KOLY_SIZE)
		return udif_misplaced_koly(lower, size, lower->path);
	/* Unreadable (a damaged chunk of the layer below): not ours to name. */
	if (apfs_dev_read(lower, kb, KOLY_SIZE, size - KOLY_SIZE))
		return 0;
	if (memcmp(kb, "koly", 4))
		return udif_misplaced_koly(lower, size, lower->path);
	ret = udif_open(lower, kb, out);
	return ret ? ret : 1;
}
