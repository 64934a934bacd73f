/* SPDX-License-Identifier: MIT */
/*
 * btree.c - bulk-loads sorted records into APFS B-trees, bottom up: leaves
 * are filled greedily, then each level above holds (first key, child oid)
 * of the level below, until one node (the root, 40 bytes smaller for its
 * btree_info_t) takes everything.  Trees are written once and never
 * modified, so nodes carry no free-list entries.
 *
 * A sealed tree (a sealed volume's fs tree) has headerless nodes: their
 * obj_phys_t stays all zeros, since the parent's hash, not a checksum,
 * vouches for each node.  Its index values hold the child, then the
 * SHA-256 of the child's block as written.  As macOS writes them (what
 * apfsck, linux-apfs-rw and 7-Zip read, docs/macos-boot.md §4): 8 + 32
 * bytes, the child oid relative to the root's oid, so the root's oid is
 * taken first.  With sealed_ref, as Apple's reference lays out
 * btn_index_node_val_t: 8 + 64 bytes (hash zero-padded), absolute oids.
 */
#include <errno.h>
#include <openssl/sha.h>
#include <stdlib.h>

#include "cipher/xts.h"
#include "mk.h"

#define NODE_HDR 56
#define INFO_SIZE ((uint32_t)sizeof(struct apfs_btree_info))
/* btn_index_node_val_t: oid, then a hash field this long (BTREE_NODE_HASH_SIZE_MAX). */
#define HASH_SIZE_MAX 64
#define HASHED_VAL_REF (8 + HASH_SIZE_MAX)
#define HASHED_VAL (8 + 32)

struct build {
	struct mk_tree *t;
	uint64_t nodes;
	uint64_t leaf_keys;
	uint32_t longest_key, longest_val;
};

static uint32_t align8(uint32_t x)
{
	return (x + 7) & ~7u;
}

static uint32_t ksz(const struct mk_tree *t)
{
	return t->ksize ? t->ksize : 16;
}

/* Index values: a child oid, with its hash in sealed trees. */
static uint32_t index_vsz(const struct mk_tree *t)
{
	return !t->sealed ? 8 : t->sealed_ref ? HASHED_VAL_REF : HASHED_VAL;
}

static uint32_t vsz(const struct mk_tree *t, unsigned level)
{
	return level ? index_vsz(t) : t->vsize ? t->vsize : 16;
}

/*
 * Fixed-size trees preallocate a table of contents for as many records as
 * the node's space (block minus node header, footer ignored) could hold
 * (apfsck node_min_table_size; the object map and free queues of basic.img).
 * Variable-size trees grow it in steps of BTREE_TOC_ENTRY_INCREMENT (8)
 * entries, at least one step (reference; every node of basic.img and
 * dfvfs-apfs.raw).
 */
#define TOC_INCREMENT 8

static uint32_t toc_bytes(const struct mk_tree *t, size_t n, unsigned level)
{
	size_t steps = n ? (n + TOC_INCREMENT - 1) / TOC_INCREMENT : 1;

	if (t->fixed)
		return (t->img->bs - NODE_HDR) / (4 + ksz(t) + vsz(t, level)) * 4;
	return (uint32_t)(steps * TOC_INCREMENT * 8);
}

/*
 * Bytes before a fixed-size node's first key: its table of contents is
 * always the whole table apfsck (tested on real Macs) requires, which at
 * 16 KiB ends 4 bytes short of an 8-byte boundary, and the keys must be
 * 8-byte aligned ("bad alignment for key or value"); key offsets count
 * from the table's end, so the first is 4 there, and those 4 bytes are the
 * key area's free space.
 */
static uint32_t key_pad(const struct mk_tree *t, size_t n, unsigned level)
{
	return t->fixed ? (8 - (NODE_HDR + toc_bytes(t, n, level)) % 8) % 8 : 0;
}

/*
 * Keys and values are 8-byte aligned unless the tree says KV_NONALIGNED,
 * which macOS sets on every variable-size tree (the fs, extent-reference and
 * snapshot-metadata trees of basic.img: bt_flags 0x42 / 0x52).
 */
static uint32_t kv_len(const struct mk_tree *t, uint32_t len)
{
	return t->bt_flags & APFS_BTREE_KV_NONALIGNED ? len : align8(len);
}

/* Key and value bytes of a record in a node at `level` (the TOC counted apart). */
static uint32_t rec_need(const struct mk_tree *t, const struct mk_rec *r, unsigned level)
{
	if (t->fixed)
		return ksz(t) + vsz(t, level);
	return kv_len(t, r->klen) + kv_len(t, r->vlen);
}

static int node_addr(struct build *b, bool root, uint64_t *oid, uint64_t *paddr)
{
	struct mk_tree *t = b->t;
	struct mk_omap_rec *m;

	*paddr = mk_alloc(t->img, 1);
	if (!*paddr)
		return -ENOSPC;
	b->nodes++;
	if (t->physical) {
		*oid = *paddr;
		return 0;
	}
	*oid = root && t->root_oid ? t->root_oid : t->img->next_oid++;
	if (t->node_cb) {
		struct mk_omap_rec one = { *oid, *paddr,
					   t->xts ? APFS_OMAP_VAL_ENCRYPTED : 0, t->img->xid };

		return t->node_cb(t->node_ctx, &one);
	}
	m = realloc(*t->omap, (*t->nomap + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	*t->omap = m;
	m[*t->nomap].oid = *oid;
	m[*t->nomap].paddr = *paddr;
	m[*t->nomap].flags = (t->xts ? APFS_OMAP_VAL_ENCRYPTED : 0) |
			     (t->sealed ? APFS_OMAP_VAL_NOHEADER : 0);
	m[*t->nomap].xid = t->img->xid;
	(*t->nomap)++;
	return 0;
}

static void put_toc(const struct mk_tree *t, uint8_t *toc, size_t i, uint32_t koff,
		    const struct mk_rec *r, uint32_t voff)
{
	if (t->fixed) {
		st_le16(toc + 4 * i, (uint16_t)koff);
		st_le16(toc + 4 * i + 2, (uint16_t)voff);
		return;
	}
	st_le16(toc + 8 * i, (uint16_t)koff);
	st_le16(toc + 8 * i + 2, r->klen);
	st_le16(toc + 8 * i + 4, (uint16_t)voff);
	st_le16(toc + 8 * i + 6, r->vlen);
}

static void put_info(struct build *b, uint8_t *buf, uint32_t bs)
{
	struct apfs_btree_info *bi = (struct apfs_btree_info *)(buf + bs - INFO_SIZE);

	bi->bt_flags = put_le32(b->t->bt_flags);
	bi->bt_node_size = put_le32(bs);
	bi->bt_key_size = put_le32(b->t->fixed ? ksz(b->t) : 0);
	bi->bt_val_size = put_le32(b->t->fixed ? vsz(b->t, 0) : 0);
	bi->bt_longest_key = put_le32(b->t->fixed ? ksz(b->t) : b->longest_key);
	bi->bt_longest_val = put_le32(b->t->fixed ? vsz(b->t, 0) : b->longest_val);
	bi->bt_key_count = put_le64(b->leaf_keys);
	bi->bt_node_count = put_le64(b->nodes);
}

static void fill_node(struct build *b, uint8_t *buf, const struct mk_rec *r, size_t n,
		      unsigned level, bool root)
{
	struct mk_tree *t = b->t;
	struct apfs_btree_node_phys *nd = (struct apfs_btree_node_phys *)buf;
	uint32_t bs = t->img->bs;
	uint32_t toclen = toc_bytes(t, n, level);
	uint32_t vend = bs - (root ? INFO_SIZE : 0), karea = NODE_HDR + toclen;
	uint32_t koff = key_pad(t, n, level), voff = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t kl = t->fixed ? ksz(t) : kv_len(t, r[i].klen);
		uint32_t vl = t->fixed ? vsz(t, level) : kv_len(t, r[i].vlen);

		memcpy(buf + karea + koff, r[i].k, r[i].klen);
		voff += vl;
		memcpy(buf + vend - voff, r[i].v, r[i].vlen);
		put_toc(t, nd->btn_data, i, koff, &r[i], voff);
		koff += kl;
	}
	nd->btn_flags = put_le16((uint16_t)((root ? APFS_BTNODE_ROOT : 0) |
					    (level ? 0 : APFS_BTNODE_LEAF) |
					    (t->fixed ? APFS_BTNODE_FIXED_KV_SIZE : 0) |
					    (t->sealed ? APFS_BTNODE_HASHED |
							 APFS_BTNODE_NOHEADER : 0)));
	nd->btn_level = put_le16((uint16_t)level);
	nd->btn_nkeys = put_le32((uint32_t)n);
	nd->btn_table_space.len = put_le16((uint16_t)toclen);
	nd->btn_free_space.off = put_le16((uint16_t)koff);
	nd->btn_free_space.len = put_le16((uint16_t)(vend - voff - karea - koff));
	nd->btn_key_free_list.off = put_le16(APFS_BTOFF_INVALID);
	/* the bytes before the first key are free, too small for a list entry (apfsck) */
	nd->btn_key_free_list.len = put_le16((uint16_t)key_pad(t, n, level));
	nd->btn_val_free_list.off = put_le16(APFS_BTOFF_INVALID);
}

/*
 * Write one node; *oid gets its oid and, when hash is not NULL, hash gets
 * the SHA-256 of the block as it ends up in the image.
 */
static int write_node(struct build *b, const struct mk_rec *r, size_t n, unsigned level,
		      bool root, uint64_t *oid, uint8_t *hash)
{
	struct mk_tree *t = b->t;
	uint32_t type = (t->physical ? APFS_OBJ_PHYSICAL : APFS_OBJ_VIRTUAL) |
			(root ? APFS_OBJECT_TYPE_BTREE : APFS_OBJECT_TYPE_BTREE_NODE);
	uint64_t paddr;
	uint8_t *buf;
	int rc;

	rc = node_addr(b, root, oid, &paddr);
	if (rc)
		return rc;
	buf = t->stream_buf ? t->stream_buf : mk_block(t->img, paddr);
	if (!buf)
		return -ENOMEM;
	if (t->stream_buf)
		memset(buf, 0, t->img->bs);
	fill_node(b, buf, r, n, level, root);
	if (root)
		put_info(b, buf, t->img->bs);
	if (!t->sealed) {
		mk_obj_hdr(buf, *oid, t->img->xid, type, t->subtype);
		mk_obj_seal(buf, t->img->bs);
	}
	if (t->xts)
		rc = mk_encrypt(t->xts, buf, t->img->bs, paddr * (t->img->bs / 512));
	if (!rc && hash)
		SHA256(buf, t->img->bs, hash);
	if (!rc && t->stream_buf)
		rc = mk_image_stream(t->img, paddr, buf, t->img->bs);
	return rc;
}

/* Key and value bytes of one record in a node at `level` (btree_stream.c). */
uint32_t mk_btree_rec_need(const struct mk_tree *t, const struct mk_rec *r, unsigned level)
{
	return rec_need(t, r, level);
}

/* Bytes of the table of contents of a node of n records at `level`. */
uint32_t mk_btree_toc_bytes(const struct mk_tree *t, size_t n, unsigned level)
{
	return toc_bytes(t, n, level);
}

/**
 * mk_btree_node() - write one node of a tree built elsewhere (btree_stream.c).
 * @t: the tree
 * @c: its counts so far (nodes grows by one), for the root's btree_info_t
 * @r: the node's records, @n: how many
 * @level: 0 for a leaf
 * @root: the node is the root
 * @oid: receives its oid (its paddr in physical trees)
 */
int mk_btree_node(struct mk_tree *t, struct mk_bt_counts *c, const struct mk_rec *r, size_t n,
		  unsigned level, bool root, uint64_t *oid)
{
	struct build b = { t, c->nodes, c->leaf_keys, c->longest_key, c->longest_val };
	int rc;

	if (t->sealed)
		return -EINVAL;
	rc = write_node(&b, r, n, level, root, oid, NULL);
	c->nodes = b.nodes;
	return rc;
}

/*
 * Index records for the level above: first key of each node, child oid
 * (and, in sealed trees, the child's hash), vsz bytes per value in vals.
 */
struct level_out {
	struct mk_rec *recs;
	uint8_t *vals;
	uint32_t vsz;
	size_t n;
};

/* The value of the next index record; NULL when there is no room for it. */
static uint8_t *next_val(struct level_out *o, size_t cap)
{
	return o->n < cap ? o->vals + o->n * o->vsz : NULL;
}

static void add_parent(struct level_out *o, const struct mk_tree *t, const struct mk_rec *first,
		       uint64_t oid)
{
	uint8_t *v = o->vals + o->n * o->vsz;

	st_le64(v, t->sealed && !t->sealed_ref && !t->physical ? oid - t->root_oid : oid);
	o->recs[o->n].k = first->k;
	o->recs[o->n].klen = first->klen;
	o->recs[o->n].v = v;
	o->recs[o->n].vlen = (uint16_t)o->vsz;
	o->n++;
}

static int build_level(struct build *b, const struct mk_rec *r, size_t n, unsigned level,
		       uint64_t *root);

static int split_level(struct build *b, const struct mk_rec *r, size_t n, unsigned level,
		       uint64_t *root)
{
	uint32_t cap = b->t->img->bs - NODE_HDR, used = 0, vs = index_vsz(b->t);
	struct level_out o = { calloc(n, sizeof(*o.recs)), calloc(n, vs), vs, 0 };
	size_t start = 0;
	uint64_t oid;
	int rc = o.recs && o.vals ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i <= n; i++) {
		uint32_t need = i < n ? rec_need(b->t, &r[i], level) : 0;
		uint8_t *v;

		if (i < n && used + need + toc_bytes(b->t, i - start + 1, level) +
			     key_pad(b->t, i - start + 1, level) <= cap) {
			used += need;
			continue;
		}
		v = next_val(&o, n);
		if (!v)
			rc = -EOVERFLOW;
		if (!rc)
			rc = write_node(b, r + start, i - start, level, false, &oid,
					b->t->sealed ? v + 8 : NULL);
		if (!rc)
			add_parent(&o, b->t, &r[start], oid);
		start = i;
		used = need;
	}
	if (!rc)
		rc = build_level(b, o.recs, o.n, level + 1, root);
	free(o.recs);
	free(o.vals);
	return rc;
}

static int build_level(struct build *b, const struct mk_rec *r, size_t n, unsigned level,
		       uint64_t *root)
{
	uint32_t cap = b->t->img->bs - NODE_HDR - INFO_SIZE, total = 0;

	for (size_t i = 0; i < n && total <= cap; i++)
		total += rec_need(b->t, &r[i], level);
	if (total + toc_bytes(b->t, n, level) + key_pad(b->t, n, level) <= cap)
		return write_node(b, r, n, level, true, root,
				  b->t->sealed ? b->t->root_hash : NULL);
	if (level >= 8)
		return -EOVERFLOW;
	return split_level(b, r, n, level, root);
}

/**
 * mk_btree_build() - write a B-tree holding recs (already in key order).
 * @t: tree kind and where its nodes go
 * @recs: the leaf records
 * @n: how many
 * @root: receives the root's oid (its paddr for physical trees)
 */
int mk_btree_build(struct mk_tree *t, const struct mk_rec *recs, size_t n, uint64_t *root)
{
	struct build b = { .t = t, .leaf_keys = n };

	/* Relative child oids need the root's oid before any child is written. */
	if (t->sealed && !t->sealed_ref && !t->physical && !t->root_oid)
		t->root_oid = t->img->next_oid++;
	for (size_t i = 0; i < n; i++) {
		if (recs[i].klen > b.longest_key)
			b.longest_key = recs[i].klen;
		if (recs[i].vlen > b.longest_val)
			b.longest_val = recs[i].vlen;
	}
	return build_level(&b, recs, n, 0, root);
}
