/* SPDX-License-Identifier: MIT */
/*
 * btree_stream.c - B-trees written as their records arrive in key order,
 * for volumes of millions of entries (scen_stream.c).  Where btree.c
 * builds each level whole before the next, this keeps one open node per
 * level: a record that no longer fits closes the level's node, whose
 * first key and oid go into the level above.  The nodes are filled
 * greedily with the same rules as btree.c (table of contents, alignment,
 * the root's room for its btree_info_t), and written straight to the
 * output (mk_tree.stream_buf), so memory stays a few blocks per level
 * whatever the tree holds.
 */
#include <errno.h>
#include <stdlib.h>

#include "mk.h"

#define NODE_HDR 56
#define INFO_SIZE ((uint32_t)sizeof(struct apfs_btree_info))

/* The smallest record a node can hold takes 4 bytes of table and 8 of key. */
static size_t max_recs(uint32_t bs)
{
	return bs / 12 + 1;
}

int mk_stree_init(struct mk_stree *s)
{
	uint32_t bs = s->t.img->bs;

	memset(&s->c, 0, sizeof(s->c));
	memset(s->lv, 0, sizeof(s->lv));
	s->top = 0;
	s->t.stream_buf = malloc(bs);
	for (unsigned l = 0; l < MK_STREE_LEVELS; l++) {
		s->lv[l].r = calloc(max_recs(bs), sizeof(*s->lv[l].r));
		/* The node's keys and values take at most a block; one more is pending. */
		s->lv[l].arena = malloc(2 * (size_t)bs);
		if (!s->lv[l].r || !s->lv[l].arena)
			break;
	}
	if (!s->t.stream_buf || !s->lv[MK_STREE_LEVELS - 1].arena) {
		mk_stree_free(s);
		return -ENOMEM;
	}
	return 0;
}

void mk_stree_free(struct mk_stree *s)
{
	for (unsigned l = 0; l < MK_STREE_LEVELS; l++) {
		free(s->lv[l].r);
		free(s->lv[l].arena);
		s->lv[l].r = NULL;
		s->lv[l].arena = NULL;
	}
	free(s->t.stream_buf);
	s->t.stream_buf = NULL;
}

/* Would the level's node still fit in a block (less btree_info_t for the root) with r? */
static bool fits(const struct mk_stree *s, unsigned l, const struct mk_rec *r, bool root)
{
	const struct mk_slevel *lv = &s->lv[l];
	uint32_t cap = s->t.img->bs - NODE_HDR - (root ? INFO_SIZE : 0);
	uint32_t need = lv->need + (r ? mk_btree_rec_need(&s->t, r, l) : 0);
	size_t n = lv->n + (r != NULL);

	/* Records without keys or values would fit beyond the room lv->r has. */
	return n <= max_recs(s->t.img->bs) && need + mk_btree_toc_bytes(&s->t, n, l) <= cap;
}

/* A record to add: sizes in r (for the room it needs), bytes at k and v. */
static void append(struct mk_slevel *lv, const struct mk_tree *t, const struct mk_rec *r,
		   const void *k, const void *v, unsigned l)
{
	struct mk_rec *d = &lv->r[lv->n++];

	d->k = lv->arena + lv->used;
	memcpy(d->k, k, r->klen);
	d->v = d->k + r->klen;
	memcpy(d->v, v, r->vlen);
	d->klen = r->klen;
	d->vlen = r->vlen;
	lv->used += (size_t)r->klen + r->vlen;
	lv->need += mk_btree_rec_need(t, r, l);
}

static int add_at(struct mk_stree *s, unsigned l, const void *k, uint16_t klen, const void *v,
		  uint16_t vlen);

/* Write level l's open node (not the root) and index it in level l + 1. */
static int close_node(struct mk_stree *s, unsigned l)
{
	struct mk_slevel *lv = &s->lv[l];
	uint8_t val[8];
	uint64_t oid;
	int rc;

	if (l + 1 >= MK_STREE_LEVELS)
		return -EOVERFLOW;
	rc = mk_btree_node(&s->t, &s->c, lv->r, lv->n, l, false, &oid);
	if (rc)
		return rc;
	st_le64(val, oid);
	if (s->top < l + 1)
		s->top = l + 1;
	rc = add_at(s, l + 1, lv->r[0].k, lv->r[0].klen, val, 8);
	lv->n = 0;
	lv->used = 0;
	lv->need = 0;
	return rc;
}

static int add_at(struct mk_stree *s, unsigned l, const void *k, uint16_t klen, const void *v,
		  uint16_t vlen)
{
	struct mk_rec r = { NULL, NULL, klen, vlen };
	int rc;

	if (s->lv[l].n && !fits(s, l, &r, false)) {
		rc = close_node(s, l);
		if (rc)
			return rc;
	}
	if (!fits(s, l, &r, false))
		return -E2BIG;
	append(&s->lv[l], &s->t, &r, k, v, l);
	return 0;
}

/**
 * mk_stree_add() - the next leaf record, after every record added so far in key order.
 * @s: the tree
 * @k, @klen: its key
 * @v, @vlen: its value (fixed-size trees: exactly their sizes)
 */
int mk_stree_add(struct mk_stree *s, const void *k, uint16_t klen, const void *v,
		 uint16_t vlen)
{
	s->c.leaf_keys++;
	if (klen > s->c.longest_key)
		s->c.longest_key = klen;
	if (vlen > s->c.longest_val)
		s->c.longest_val = vlen;
	return add_at(s, 0, k, klen, v, vlen);
}

/**
 * mk_stree_finish() - close the open nodes from the leaves up; the highest
 * level becomes the root once what it holds fits in one root node.
 * @s: the tree (freed here)
 * @root: receives the root's oid
 */
int mk_stree_finish(struct mk_stree *s, uint64_t *root)
{
	int rc = 0;

	for (unsigned l = 0; !rc; l++) {
		if (l == s->top && fits(s, l, NULL, true)) {
			rc = mk_btree_node(&s->t, &s->c, s->lv[l].r, s->lv[l].n, l, true, root);
			break;
		}
		rc = close_node(s, l);
	}
	mk_stree_free(s);
	return rc;
}
