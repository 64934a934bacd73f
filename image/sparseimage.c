/* SPDX-License-Identifier: MIT */
/*
 * sparseimage.c - Apple sparse images (.sparseimage, hdiutil UDSP), read
 * from the description in docs/containers.md §1 (apfs-fuse, fsdump and
 * mac_apt agree on it).
 *
 * The file is a chain of 4096-byte nodes, each followed by the bands it
 * maps: the header node (offset 0, 1008 band slots) and index nodes (1010
 * slots each), linked by "next node" offsets.  A slot's band id k (1-based,
 * 0 = unused) says that the slot's band holds logical band k - 1; bands sit
 * in the order they were first written, so the map is read once at open
 * into a hash table (band -> file offset) whose size is bounded by what the
 * file really holds.  A logical band no slot names reads as zeros.
 *
 * Untrusted input (§1): a band id past the logical size, a slot past the
 * end of the file, a chain that loops or points backwards (each node must
 * lie after the bands of the one before), and two slots for one band are
 * errors naming the node by its offset.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/bytes.h"
#include "apfs/err.h"
#include "image/dev.h"
#include "image/probe.h"

#define NODE 4096u
#define HDR_SLOTS 0x3F0u /* 1008 */
#define HDR_IDS 64u
#define IDX_SLOTS 0x3F2u /* 1010 */
#define IDX_IDS 56u
#define SECTOR 512u
#define BAND_SECTORS_MAX (1u << 21) /* 1 GiB bands; hdiutil's default is 2048 (1 MiB) */
#define TOTAL_SECTORS_MAX (1ull << 47) /* 64 PiB: keeps every offset sum far from overflow */

/* Open addressing, band + 1 as the key (0 = empty), at most half full. */
struct band_map {
	uint64_t *key;
	uint64_t *off;
	size_t cap; /* a power of two */
	size_t n;
};

struct sprs_priv {
	uint64_t band_size;
	uint64_t size;   /* logical bytes */
	uint64_t nbands; /* logical bands */
	struct band_map map;
};

static size_t map_slot(const struct band_map *m, uint64_t key)
{
	/* Fibonacci hashing spreads consecutive band numbers over the table. */
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (m->cap - 1);
}

/* The file offset of band, or 0 (no band is ever stored at offset 0). */
static uint64_t map_get(const struct band_map *m, uint64_t band)
{
	if (m->cap == 0)
		return 0;
	for (size_t i = map_slot(m, band + 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->key[i] == band + 1)
			return m->off[i];
		if (m->key[i] == 0)
			return 0;
	}
}

static void map_insert(struct band_map *m, uint64_t key, uint64_t off)
{
	size_t i = map_slot(m, key);

	while (m->key[i])
		i = (i + 1) & (m->cap - 1);
	m->key[i] = key;
	m->off[i] = off;
	m->n++;
}

/* Double the table (it starts at 64): memory follows the bands really mapped. */
static int map_grow(struct band_map *m)
{
	struct band_map g = { NULL, NULL, m->cap ? 2 * m->cap : 64, 0 };

	g.key = calloc(g.cap, sizeof(*g.key));
	g.off = calloc(g.cap, sizeof(*g.off));
	if (!g.key || !g.off) {
		free(g.key);
		free(g.off);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->key[i])
			map_insert(&g, m->key[i], m->off[i]);
	free(m->key);
	free(m->off);
	*m = g;
	return 0;
}

/* 0, 1 when band is already mapped (the caller names the duplicate), or -ENOMEM. */
static int map_put(struct band_map *m, uint64_t band, uint64_t off)
{
	if (map_get(m, band))
		return 1;
	if (2 * (m->n + 1) > m->cap && map_grow(m))
		return -ENOMEM;
	map_insert(m, band + 1, off);
	return 0;
}

static void sprs_free(struct sprs_priv *p)
{
	free(p->map.key);
	free(p->map.off);
	free(p);
}

/* Where one node sits and what it holds: for the walk and its messages. */
struct node {
	uint64_t at;    /* file offset */
	unsigned slots; /* 1008 or 1010 */
	unsigned ids;   /* offset of the id array */
	uint64_t next;  /* next node's offset, 0 = last */
	const uint8_t *b;
};

static int node_err(const struct apfs_dev *dev, const struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int node_err(const struct apfs_dev *dev, const struct node *n, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	apfs_err("'%s': sparseimage %s node at offset %llu: %s", dev->path,
		 n->at ? "index" : "header", (unsigned long long)n->at, what);
	return -APFS_ECORRUPT;
}

/* Map one slot; the band's logical part must lie inside the file. */
static int map_slot_of(const struct apfs_dev *lower, struct sprs_priv *p,
		       const struct node *n, unsigned i, uint64_t *used_end)
{
	uint32_t id = ld_be32(n->b + n->ids + 4 * i);
	uint64_t off = n->at + NODE + i * p->band_size, len;
	int ret;

	if (id == 0)
		return 0;
	if (id > p->nbands)
		return node_err(lower, n, "slot %u names band %llu, past the logical size "
				"(%llu bands)", i, id - 1ull, (unsigned long long)p->nbands);
	/* The last band may be partly past the logical end: only its used part must be there. */
	len = id < p->nbands ? p->band_size : p->size - (id - 1ull) * p->band_size;
	if (!range_ok(off, len, lower->size))
		return node_err(lower, n, "slot %u (band %llu, at %llu) lies past the end "
				"of the file (%llu bytes)", i, id - 1ull, (unsigned long long)off,
				(unsigned long long)lower->size);
	ret = map_put(&p->map, id - 1, off);
	if (ret == 1)
		return node_err(lower, n, "slot %u names band %llu, which an earlier slot "
				"already holds", i, id - 1ull);
	if (ret)
		return ret;
	*used_end = off + p->band_size;
	return 0;
}

/* Read and decode the node at n->at (the header node when it is 0). */
static int node_read(struct apfs_dev *lower, struct node *n, uint8_t *buf)
{
	if (!range_ok(n->at, NODE, lower->size) || apfs_dev_read(lower, buf, NODE, n->at))
		return node_err(lower, n, "its 4096 bytes cannot be read (past the end of "
				"the file, %llu bytes?)", (unsigned long long)lower->size);
	n->b = buf;
	n->slots = n->at ? IDX_SLOTS : HDR_SLOTS;
	n->ids = n->at ? IDX_IDS : HDR_IDS;
	n->next = n->at ? ld_be64(buf + 12) : ld_be64(buf + 20);
	return 0;
}

/*
 * Walk the chain.  Each next node must start at or after the end of the
 * bands mapped so far (so no loop, no backward link, no node inside a band):
 * the walk ends within file size / 4096 steps.
 */
static int map_chain(struct apfs_dev *lower, struct sprs_priv *p)
{
	uint8_t *buf = malloc(NODE);
	struct node n = { 0 };
	uint64_t end = 0;
	int ret = buf ? 0 : -ENOMEM;

	for (bool more = true; more && ret == 0;) {
		ret = node_read(lower, &n, buf);
		end = n.at + NODE;
		for (unsigned i = 0; i < n.slots && ret == 0; i++)
			ret = map_slot_of(lower, p, &n, i, &end);
		more = n.next != 0;
		if (ret == 0 && more && n.next < end)
			ret = node_err(lower, &n, "the next node's offset %llu points back into "
				       "the chain (the bands mapped so far end at %llu)",
				       (unsigned long long)n.next, (unsigned long long)end);
		n.at = n.next;
	}
	free(buf);
	return ret;
}

static int sprs_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct sprs_priv *p = dev->priv;
	uint8_t *out = buf;

	while (len > 0) {
		uint64_t band = off / p->band_size, in = off % p->band_size;
		uint64_t at = map_get(&p->map, band);
		size_t n = p->band_size - in < len ? (size_t)(p->band_size - in) : len;
		int ret;

		if (at == 0) {
			memset(out, 0, n); /* never written */
		} else if ((ret = apfs_dev_read(dev->lower, out, n, at + in)) != 0) {
			apfs_err("'%s': sparseimage band %llu: read of %zu bytes at file offset "
				 "%llu failed", dev->path, (unsigned long long)band, n,
				 (unsigned long long)(at + in));
			return ret == -APFS_ETRUNC ? -EIO : ret;
		}
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void sprs_close(struct apfs_dev *dev)
{
	sprs_free(dev->priv);
}

static const struct apfs_dev_ops sprs_ops = { "sparseimage", sprs_read, sprs_close };

/* The header's fields (§1 table): band size and logical size, bounded. */
static int sprs_header(const struct apfs_dev *lower, const uint8_t *h, struct sprs_priv *p)
{
	uint32_t version = ld_be32(h + 4), spb = ld_be32(h + 8);
	uint64_t sectors = ld_be64(h + 28);

	if (version != 3) {
		apfs_err("'%s': sparseimage header: version %u (only 3 is known)", lower->path,
			 version);
		return -ENOTSUP;
	}
	if (spb == 0 || spb > BAND_SECTORS_MAX || sectors == 0 || sectors > TOTAL_SECTORS_MAX) {
		apfs_err("'%s': sparseimage header: %u sectors per band, %llu sectors in all "
			 "(want 1..%u and 1..%llu)", lower->path, spb, (unsigned long long)sectors,
			 BAND_SECTORS_MAX, TOTAL_SECTORS_MAX);
		return -APFS_ECORRUPT;
	}
	p->band_size = (uint64_t)spb * SECTOR;
	p->size = sectors * SECTOR;
	p->nbands = (p->size + p->band_size - 1) / p->band_size;
	return 0;
}

static void sprs_summary(struct apfs_dev *dev, const struct sprs_priv *p)
{
	char band[32], size[32];

	apfs_fmt_size(p->band_size, band, sizeof(band));
	apfs_fmt_size(p->size, size, sizeof(size));
	snprintf(dev->summary, sizeof(dev->summary), "sparseimage (%s bands, %zu of %llu written, "
		 "%s)", band, p->map.n, (unsigned long long)p->nbands, size);
}

static int sprs_open(struct apfs_dev *lower, const uint8_t *h, struct apfs_dev **out)
{
	struct sprs_priv *p = calloc(1, sizeof(*p));
	struct apfs_dev *dev = NULL;
	int ret = p ? sprs_header(lower, h, p) : -ENOMEM;

	if (ret == 0)
		ret = map_chain(lower, p);
	if (ret == 0 && !(dev = apfs_dev_new(&sprs_ops, p, p->size, lower, lower->path)))
		ret = -ENOMEM;
	if (ret) {
		if (p)
			sprs_free(p);
		return ret;
	}
	sprs_summary(dev, p);
	*out = dev;
	return 1;
}

int apfs_sparseimage_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	uint8_t h[HDR_IDS];

	if (lower->size < sizeof(h) || apfs_dev_read(lower, h, sizeof(h), 0) ||
	    memcmp(h, "sprs", 4))
		return 0;
	return sprs_open(lower, h, out);
}
