/* SPDX-License-Identifier: MIT */
/*
 * btree_cursor.c - each thread's B-tree cursors (btree_int.h).
 *
 * A walk over a directory, then over its children's inodes, asks for keys
 * that sit next to each other in the tree: a lookup that starts from the
 * nodes the previous one walked, instead of the root, reads one leaf per
 * run of neighbours and no object-map record at all.  Nodes come from a
 * read-only image, so a kept path never goes stale while the container's
 * block cache lives (tests that change blocks under a container make a
 * new cache); trees are told apart by that cache's id, root, object map,
 * xid, key and seal (tree_id).
 * The cursors belong to the thread (FUSE runs several): no locking, freed
 * when the thread ends or its container is closed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "apfs.h"
#include "btree_int.h"
#include "cache.h"
#include "cipher/xts.h"

/* fs tree, its object map, a file-extent tree, one more: a walk's working set. */
#define CURSORS 4
#define OMAP_MEMO 4

struct omap_memo {
	uint64_t cid, paddr, root;
};

struct cursor_set {
	struct btree_cursor *c[CURSORS];
	struct omap_memo om[OMAP_MEMO];
	unsigned om_next;
	uint64_t clock;
};

static pthread_key_t set_key;
static pthread_once_t set_once = PTHREAD_ONCE_INIT;

static void cursor_free(struct btree_cursor *cur)
{
	if (!cur)
		return;
	for (int i = 0; i < BTREE_MAX_DEPTH; i++)
		free(cur->lv[i].buf);
	free(cur);
}

static void set_free(void *p)
{
	struct cursor_set *s = p;

	for (int i = 0; i < CURSORS; i++)
		cursor_free(s->c[i]);
	free(s);
}

static void set_key_make(void)
{
	(void)pthread_key_create(&set_key, set_free);
}

static struct cursor_set *this_set(bool make)
{
	struct cursor_set *s;

	if (pthread_once(&set_once, set_key_make))
		return NULL;
	s = pthread_getspecific(set_key);
	if (s || !make)
		return s;
	s = calloc(1, sizeof(*s));
	if (s && pthread_setspecific(set_key, s)) {
		free(s);
		s = NULL;
	}
	return s;
}

static void tree_id_of(const struct apfs_btree_desc *t, struct tree_id *id)
{
	memset(id, 0, sizeof(*id));
	id->cid = apfs_cache_id(t->c->cache);
	id->root = t->root;
	id->omap = t->omap_paddr;
	id->xid = t->omap_paddr ? t->xid : 0;
	id->xts = apfs_xts_id(t->xts);
	id->subtype = t->subtype;
	id->cmp = t->cmp;
	id->cmp_guessed = t->cmp_guessed;
	id->seal = t->seal;
}

static bool same_tree(const struct tree_id *a, const struct tree_id *b)
{
	return a->cid == b->cid && a->root == b->root && a->omap == b->omap && a->xid == b->xid &&
	       a->xts == b->xts && a->subtype == b->subtype && a->cmp == b->cmp &&
	       a->cmp_guessed == b->cmp_guessed && a->seal == b->seal;
}

/* A slot for a tree not kept: the least recently used idle one, emptied. */
static struct btree_cursor *cursor_take(struct cursor_set *s, const struct tree_id *id,
					uint32_t bs)
{
	int v = -1;

	for (int i = 0; i < CURSORS; i++) {
		if (!s->c[i]) {
			v = i;
			break;
		}
		if (!s->c[i]->busy && (v < 0 || s->c[i]->stamp < s->c[v]->stamp))
			v = i;
	}
	if (v < 0)
		return NULL;
	if (s->c[v] && s->c[v]->bs != bs) {
		cursor_free(s->c[v]);
		s->c[v] = NULL;
	}
	if (!s->c[v] && !(s->c[v] = calloc(1, sizeof(*s->c[v]))))
		return NULL;
	s->c[v]->id = *id;
	s->c[v]->bs = bs;
	s->c[v]->depth = 0;
	memset(s->c[v]->ordered, 0, sizeof(s->c[v]->ordered));
	s->c[v]->form = 0;
	return s->c[v];
}

struct btree_cursor *btree_cursor_get(const struct apfs_btree_desc *t)
{
	struct cursor_set *s = this_set(true);
	struct btree_cursor *cur = NULL;
	struct tree_id id;

	if (!s)
		return NULL;
	tree_id_of(t, &id);
	if (!id.cid)
		return NULL;
	for (int i = 0; i < CURSORS && !cur; i++)
		if (s->c[i] && same_tree(&s->c[i]->id, &id))
			cur = s->c[i];
	if (cur && cur->busy)
		return NULL;
	if (!cur)
		cur = cursor_take(s, &id, t->c->block_size);
	if (cur) {
		cur->busy = true;
		cur->stamp = ++s->clock;
	}
	return cur;
}

uint64_t *btree_order_memo(const struct apfs_btree_desc *t)
{
	struct cursor_set *s = this_set(false);
	struct tree_id id;

	if (!s)
		return NULL;
	tree_id_of(t, &id);
	for (int i = 0; id.cid && i < CURSORS; i++)
		if (s->c[i] && same_tree(&s->c[i]->id, &id))
			return s->c[i]->ordered;
	return NULL;
}

void btree_cursor_put(struct btree_cursor *cur)
{
	if (cur)
		cur->busy = false;
}

bool btree_omap_root_get(const struct apfs_container *c, uint64_t omap_paddr, uint64_t *root)
{
	struct cursor_set *s = this_set(false);

	for (int i = 0; s && i < OMAP_MEMO; i++)
		if (s->om[i].cid == apfs_cache_id(c->cache) && s->om[i].paddr == omap_paddr) {
			*root = s->om[i].root;
			return true;
		}
	return false;
}

void btree_omap_root_put(const struct apfs_container *c, uint64_t omap_paddr, uint64_t root)
{
	struct cursor_set *s = this_set(true);

	if (!s || !apfs_cache_id(c->cache))
		return;
	s->om[s->om_next] = (struct omap_memo){ apfs_cache_id(c->cache), omap_paddr, root };
	s->om_next = (s->om_next + 1) % OMAP_MEMO;
}

/* Container closed: the calling thread's cursors of it go (others' when their thread ends). */
void apfs_btree_cursors_drop(const struct apfs_container *c)
{
	struct cursor_set *s = this_set(false);
	uint64_t cid;

	if (!s)
		return;
	cid = apfs_cache_id(c->cache);
	for (int i = 0; i < CURSORS; i++)
		if (s->c[i] && s->c[i]->id.cid == cid && !s->c[i]->busy) {
			cursor_free(s->c[i]);
			s->c[i] = NULL;
		}
	for (int i = 0; i < OMAP_MEMO; i++)
		if (s->om[i].cid == cid)
			s->om[i] = (struct omap_memo){ 0 };
}
