/* SPDX-License-Identifier: MIT */
/*
 * btree.c - a bounded reader for APFS B-trees: node validation, ordered
 * iteration from a key, exact lookup.  Physical trees (object maps) name
 * children by block; virtual trees (fs trees) by oid, resolved through the
 * volume's object map and decrypted when the omap says so.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <stdatomic.h>

#include "apfs.h"
#include "btree_int.h"

/*
 * btn_index_node_val_t: child oid and a hash of at most 64 bytes.  Apple's
 * reference lays it out as 8 + 64 bytes with absolute child oids; macOS
 * writes 8 + the hash's size (40 for SHA-256) with child oids relative to
 * the tree's root oid (docs/macos-boot.md §4).  A tree's first index value
 * decides which form it is in: 72 bytes absolute, shorter relative.
 */
#define INDEX_VAL_HASHED_MAX (8 + 64)
/* Mismatches named one by one per container; past this, only counted. */
#define SEAL_WARN_MAX 8
/*
 * Nodes found to match, by block and the first 8 bytes of the hash they
 * matched: a lookup walks from the root every time, and hashing the same
 * upper nodes on every lookup of a million-file System volume would cost
 * seconds.  Direct-mapped: a collision only means hashing again.
 */
#define SEAL_SEEN 65536u

struct seal_seen {
	_Atomic uint64_t bno[SEAL_SEEN], hash[SEAL_SEEN];
};
enum hashed_form { FORM_UNKNOWN, FORM_ABSOLUTE, FORM_RELATIVE };

struct walk {
	const struct apfs_btree_desc *t;
	const void *key;
	size_t klen;
	apfs_visit_fn fn;
	void *ctx;
	uint64_t visited;
	uint8_t *bufs[BTREE_MAX_DEPTH];
	uint32_t fk, fv;
	bool hashed;      /* BTREE_HASHED: index values carry the child's hash */
	uint64_t seal_bad; /* sealed trees: nodes that did not match their hash */
	enum hashed_form form; /* hashed trees: how child oids are stored */
	struct btree_cursor *cur; /* the thread's path in this tree; NULL: bufs */
	bool *unordered;  /* whether the leaf walked now is damaged (apfs_btree_iterate_ord) */
	struct cur_level *lv; /* key ranges of a walk without a cursor, when asked (levels()) */
	uint64_t *memo;   /* without a cursor: its nodes found in order (btree_order_memo) */
	uint64_t leaves;  /* leaves walked so far */
	/* apfs_btree_find (want set): the records whose key equals want (or it begins, prefix) */
	bool prefix;
	bool any_order;   /* apfs_btree_find_one: fn takes the record it wants, in any order */
	const void *want; /* w->key moves on where a walk restarts; want stays */
	size_t wantlen;
	uint64_t stray;   /* 1 + a leaf out of its range the search passed; 0: none */
	bool stray_miskeyed;  /* that leaf's keys lie in its range, its first not its own key */
	bool stray_disordered;  /* w->stray is an index node out of order (index_unvouched) */
	bool stray_lost;  /* w->stray is a leaf before a child lost (cur_level.past_lost) */
	uint64_t passed;  /* 1 + the first leaf that strays the search passed, held against it or not */
	bool hopped;      /* the search went on one leaf past that one (the most it may) */
	bool whole;       /* trade_probe: the first leaf's every record, then stop */
	/* apfs_btree_iterate_past: nodes (or records of a leaf) that could not be read,
	 * gone on past; unreadable: the node walk_node failed at could not be read
	 * (its failure, not fn's), said to its parent alone (walk_index) */
	struct apfs_btree_lost *lost;
	uint64_t first_walked;  /* its first leaf (block + 1; leaf_again) */
	uint64_t *walked;  /* its leaves walked (block + 1, direct-mapped), made at its second */
	bool came_above;  /* the leaf walked before held keys past its range (node_fit's above) */
	bool unreadable;
	uint64_t unread_bno;  /* its block (0: not known, the object map did not give it) */
};

/* A record located in its node (node_entry): key and value. */
struct rec_ref {
	const uint8_t *k, *v;
	size_t kl, vl;
};

/* Keys of two little-endian u64s: omap (oid, xid), fext tree (private_id, logical_addr). */
int apfs_btree_cmp_u64_pair(const void *a, size_t alen, const void *b, size_t blen)
{
	uint64_t a0, b0, a1, b1;

	if (alen < 8 || blen < 8)
		return alen < blen ? -1 : alen > blen;
	a0 = ld_le64(a);
	b0 = ld_le64(b);
	if (a0 != b0)
		return a0 < b0 ? -1 : 1;
	/* a first half alone (a search for every record of an oid) sorts before its pairs */
	if (alen < 16 || blen < 16)
		return alen < blen ? -1 : alen > blen;
	a1 = ld_le64((const uint8_t *)a + 8);
	b1 = ld_le64((const uint8_t *)b + 8);
	return a1 < b1 ? -1 : a1 > b1;
}

static int node_corrupt(const struct apfs_btree_desc *t, uint64_t bno, const char *why)
{
	apfs_err("%s: %s: B-tree node at block %llu: %s", t->c->label, t->what,
		 (unsigned long long)bno, why);
	return -APFS_ECORRUPT;
}

static int node_parse(const struct apfs_btree_desc *t, const uint8_t *blk, uint64_t bno,
		      struct node *n)
{
	const struct apfs_btree_node_phys *h = (const void *)blk;
	size_t toc_len, esz;

	n->blk = blk;
	n->bs = t->c->block_size;
	n->flags = get_le16(h->btn_flags);
	n->level = get_le16(h->btn_level);
	n->nkeys = get_le32(h->btn_nkeys);
	n->toc = sizeof(*h) + get_le16(h->btn_table_space.off);
	toc_len = get_le16(h->btn_table_space.len);
	n->keys = n->toc + toc_len;
	n->vals_end = n->bs - ((n->flags & APFS_BTNODE_ROOT) ? sizeof(struct apfs_btree_info) : 0);
	esz = (n->flags & APFS_BTNODE_FIXED_KV_SIZE) ? sizeof(struct apfs_kvoff)
						      : sizeof(struct apfs_kvloc);
	/* Without these a crafted node could claim records beyond its block. */
	if (n->keys > n->vals_end)
		return node_corrupt(t, bno, "table of contents overruns the node");
	if (n->nkeys > toc_len / esz)
		return node_corrupt(t, bno, "more records than the table of contents holds");
	if (!!(n->flags & APFS_BTNODE_LEAF) != (n->level == 0))
		return node_corrupt(t, bno, "leaf flag and level disagree");
	if (n->level >= BTREE_MAX_DEPTH)
		return node_corrupt(t, bno, "tree deeper than 12 levels");
	return 0;
}

/* Locate record i: 0, or the complaint about it (nothing logged). */
static const char *entry_loc(const struct node *n, uint32_t i, const uint8_t **k, size_t *klen,
			     const uint8_t **v, size_t *vlen)
{
	const uint8_t *e = n->blk + n->toc;
	size_t koff, voff;

	if (n->flags & APFS_BTNODE_FIXED_KV_SIZE) {
		koff = ld_le16(e + 4 * i);
		voff = ld_le16(e + 4 * i + 2);
		*klen = n->fk;
		*vlen = n->level ? sizeof(uint64_t) : n->fv;
	} else {
		koff = ld_le16(e + 8 * i);
		*klen = ld_le16(e + 8 * i + 2);
		voff = ld_le16(e + 8 * i + 4);
		*vlen = ld_le16(e + 8 * i + 6);
	}
	if (koff > n->vals_end - n->keys || *klen > n->vals_end - n->keys - koff)
		return "key outside the node";
	*k = n->blk + n->keys + koff;
	if (voff == APFS_BTOFF_INVALID) {  /* a ghost record: no value */
		*v = NULL;
		*vlen = 0;
		return NULL;
	}
	if (voff > n->vals_end - n->keys || *vlen > voff)
		return "value outside the node";
	*v = n->blk + n->vals_end - voff;
	return NULL;
}

/* Locate record i; returns 0 and sets k/v, or -APFS_ECORRUPT (logged). */
static int node_entry(const struct apfs_btree_desc *t, const struct node *n, uint64_t bno,
		      uint32_t i, const uint8_t **k, size_t *klen, const uint8_t **v, size_t *vlen)
{
	const char *why = entry_loc(n, i, k, klen, v, vlen);

	return why ? node_corrupt(t, bno, why) : 0;
}

/* Whether every record lies in the node and the keys strictly ascend (struct node). */
static bool node_ordered(const struct apfs_btree_desc *t, const struct node *n)
{
	const uint8_t *k, *v, *pk = NULL;
	size_t kl, vl, pkl = 0;

	for (uint32_t i = 0; i < n->nkeys; i++) {
		if (entry_loc(n, i, &k, &kl, &v, &vl) || (pk && t->cmp(pk, pkl, k, kl) >= 0))
			return false;
		pk = k;
		pkl = kl;
	}
	return true;
}

/* Whether key k lies in [lo, hi) (an end NULL for none). */
static bool in_bounds(const struct apfs_btree_desc *t, const uint8_t *k, size_t kl,
		      const uint8_t *lo, size_t lol, const uint8_t *hi, size_t hil)
{
	return (!lo || t->cmp(k, kl, lo, lol) >= 0) && (!hi || t->cmp(k, kl, hi, hil) < 0);
}

/* Whether key k lies in l's range. */
static bool key_in_range(const struct apfs_btree_desc *t, const uint8_t *k, size_t kl,
			 const struct cur_level *l)
{
	return in_bounds(t, k, kl, l->lo, l->lol, l->hi, l->hil);
}

/*
 * Whether node n fits the range its parent gives it (l), into n->strayed:
 * its keys in [lo, hi), else the order breaks across nodes (a record moved
 * into a neighbour), which a walk resumed by key would pass over; and its
 * least key lo itself (n->miskeyed if only that fails), as in every sound
 * tree, where an index key is its child's first (apfsck: "index key absent
 * from child node"), else a search for a key in [lo, least) lands here and
 * finds it absent where the node before may hold it.  No lo, no node
 * before: the tree's leftmost path is not judged so.  Its first and last
 * keys tell for an ordered node; every key for one out of order, where a
 * record traded with a neighbour's may stand anywhere; which way they
 * stray (n->below, n->above) tells where what it lost may stand.  A range
 * not known (a parent out of order, already said so) is taken as held.
 */
static void node_fit(const struct apfs_btree_desc *t, struct node *n, const struct cur_level *l,
		     bool ordered)
{
	const uint8_t *k, *v, *least = NULL;
	size_t kl, vl, leastl = 0;
	int least_lo = 0;  /* the least key against lo (0: equal, or no lo) */

	n->strayed = n->miskeyed = n->below = n->above = false;
	if (!l->bounded)
		return;
	for (uint32_t i = 0; i < n->nkeys; i++) {
		int c;

		if (ordered && i > 0 && i + 1 < n->nkeys)
			i = n->nkeys - 1;  /* the first and last bound the rest */
		if (entry_loc(n, i, &k, &kl, &v, &vl)) {
			n->strayed = true;
			return;
		}
		c = l->lo ? t->cmp(k, kl, l->lo, l->lol) : 0;
		n->below |= c < 0;
		n->above |= l->hi && t->cmp(k, kl, l->hi, l->hil) >= 0;
		if (!least || (!ordered && t->cmp(k, kl, least, leastl) < 0)) {
			least = k;
			leastl = kl;
			least_lo = c;
		}
	}
	n->strayed = n->below || n->above;
	if (n->strayed)
		return;
	/* a guessed comparator (cmp_guessed) may put another key least: no judge of that */
	n->miskeyed = n->strayed = least_lo && !t->cmp_guessed;
	n->least = least;
	n->leastl = leastl;
}

/* In an ordered node: the first record whose key is greater (or, gt false, not less) than key. */
static uint32_t first_past(const struct apfs_btree_desc *t, const struct node *n,
			   const void *key, size_t klen, bool gt)
{
	uint32_t lo = 0, hi = n->nkeys;
	const uint8_t *k, *v;
	size_t kl, vl;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c;

		/* a memo may call a node ordered that a different reading of its block is not */
		if (entry_loc(n, mid, &k, &kl, &v, &vl))
			return mid;  /* the walk reads it next and names the damage */
		c = t->cmp(k, kl, key, klen);
		if (gt ? c <= 0 : c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Resolve a child (or the root) to a block and read it verified. */
static int fetch_node(const struct apfs_btree_desc *t, uint64_t oid, bool root, uint8_t *buf,
		      uint64_t *bno)
{
	struct apfs_omap_res r = { .paddr = oid };
	struct apfs_xts *xts = NULL;
	uint32_t want = root ? APFS_OBJECT_TYPE_BTREE : APFS_OBJECT_TYPE_BTREE_NODE;
	int ret;

	if (t->omap_paddr) {
		ret = t->resolve ? t->resolve(t->c, t->omap_paddr, oid, t->xid, &r) : -EINVAL;
		if (ret)
			return ret;
		if (r.flags & APFS_OMAP_VAL_ENCRYPTED) {
			if (!t->xts) {
				apfs_err("%s: %s is encrypted and the volume is locked", t->c->label,
					 t->what);
				return -APFS_ELOCKED;
			}
			xts = t->xts;
		}
	}
	*bno = r.paddr;
	if (r.flags & APFS_OMAP_VAL_NOHEADER) {
		ret = apfs_read_headerless(t->c, r.paddr, xts, buf, t->what);
		if (!ret && !(ld_le16(buf + 32) & APFS_BTNODE_NOHEADER))
			ret = node_corrupt(t, r.paddr, "object map says no header, the node has one");
		return ret;
	}
	ret = apfs_read_object(t->c, r.paddr, xts, want, buf, t->what);
	if (ret)
		return ret;
	if (ld_le64(buf + 8) != oid)
		return node_corrupt(t, r.paddr, "object id does not match its reference");
	if (ld_le32(buf + 28) != t->subtype)
		return node_corrupt(t, r.paddr, "wrong tree subtype");
	return 0;
}

/*
 * Index of the last record with key <= w->key, or 0 when none is.  A
 * record that cannot be located is passed over where n's other keys
 * ascend (n->lacking), or by a listing: a walk that goes on past the
 * child found meets it there (walk_index), and a search that has not
 * found its key by then fails, as the child lost may hold it.  A look
 * at one leaf alone (trade_probe) does not go on: where such a record
 * stands between the child found and the next key past w->key, the
 * child it names may be the one, and the look fails (named).
 */
static int child_index(struct walk *w, const struct node *n, uint64_t bno, uint32_t *idx)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	uint32_t gap = UINT32_MAX;  /* such a record, past *idx */

	*idx = 0;
	if (n->ordered) {
		uint32_t i = first_past(w->t, n, w->key, w->klen, true);

		*idx = i ? i - 1 : 0;
		return 0;
	}
	for (uint32_t i = 0; i < n->nkeys; i++) {
		if (entry_loc(n, i, &k, &kl, &v, &vl)) {
			if (!w->lost && !n->lacking)
				return node_entry(w->t, n, bno, i, &k, &kl, &v, &vl);
			gap = gap == UINT32_MAX ? i : gap;
			continue;
		}
		if (i > 0 && w->t->cmp(k, kl, w->key, w->klen) > 0)
			break;
		*idx = i;
		gap = UINT32_MAX;
	}
	return w->whole && gap != UINT32_MAX ? node_entry(w->t, n, bno, gap, &k, &kl, &v, &vl) : 0;
}


const EVP_MD *apfs_seal_md(uint32_t type)
{
	switch (type) {
	case APFS_HASH_SHA256: return EVP_sha256();
	case APFS_HASH_SHA512_256: return EVP_sha512_256();
	case APFS_HASH_SHA384: return EVP_sha384();
	case APFS_HASH_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

/*
 * A sealed tree's node against the hash its parent holds (want; the seal's
 * root hash for the root): SHA-256 (or the seal's type) of the whole node
 * block as stored (Apple's reference, binv_child_hash).  A mismatch means
 * the tree changed after it was sealed: named with the node, and the node
 * still read, since what changed is the analyst's evidence.
 */
static struct seal_seen *seal_seen(struct apfs_container *c)
{
	struct seal_seen *s = atomic_load(&c->seal_seen), *none = NULL;

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (s && !atomic_compare_exchange_strong(&c->seal_seen, &none, s)) {
		free(s);  /* another thread made it first */
		s = none;
	}
	return s;
}

/* Was bno already found to match the hash starting with want? */
static bool seal_known(struct seal_seen *s, uint64_t bno, const uint8_t *want)
{
	unsigned i = (unsigned)(bno % SEAL_SEEN);

	return s && atomic_load(&s->bno[i]) == bno + 1 && atomic_load(&s->hash[i]) == ld_le64(want);
}

static void seal_remember(struct seal_seen *s, uint64_t bno, const uint8_t *want)
{
	unsigned i = (unsigned)(bno % SEAL_SEEN);

	if (!s)
		return;
	atomic_store(&s->hash[i], ld_le64(want));
	atomic_store(&s->bno[i], bno + 1);
}

static void seal_check(struct walk *w, const uint8_t *blk, uint64_t bno,
		       const uint8_t *want, uint64_t parent)
{
	struct seal_seen *seen = want ? seal_seen(w->t->c) : NULL;
	const struct apfs_seal *s = w->t->seal;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	const EVP_MD *h = apfs_seal_md(s->hash_type);
	unsigned n;

	if (!h || !want || seal_known(seen, bno, want) ||
	    EVP_Digest(blk, w->t->c->block_size, md, &len, h, NULL) != 1 || len < s->hash_len)
		return;
	if (!memcmp(md, want, s->hash_len)) {
		seal_remember(seen, bno, want);
		return;
	}
	w->seal_bad++;
	n = atomic_fetch_add(&w->t->c->seal_warnings, 1);
	if (n < SEAL_WARN_MAX)
		apfs_warn("%s: %s: node at block %llu does not match the %s hash %s holds: "
			  "the seal is broken there (changed after sealing)", w->t->c->label,
			  w->t->what, (unsigned long long)bno, s->hash_name,
			  parent ? "its parent node" : "the integrity metadata");
	else if (n == SEAL_WARN_MAX)
		apfs_warn("%s: further nodes that do not match the seal are not named",
			  w->t->c->label);
}

static int walk_node(struct walk *w, uint64_t oid, int depth, int parent_level,
		     const uint8_t *hash, uint64_t parent);
static int iterate(struct walk *w);

/*
 * Past the walk's first leaf every key is at or past the walk's key in a
 * sound tree.  One below it was moved out of its place across nodes (a
 * neighbour's record, a node outside its parent's range): passed over, its
 * record would be lost unseen, so the walk says so instead.
 */
static int below_walk(const struct walk *w, uint64_t bno)
{
	return node_corrupt(w->t, bno, "a record sorts before where the walk stands: the key "
			    "order breaks across nodes");
}

/*
 * A record's key against apfs_btree_find's: a key given as a prefix (a
 * hashed name's hash) equals the keys it begins.
 */
static int want_cmp(const struct walk *w, const uint8_t *k, size_t kl)
{
	return w->t->cmp(k, w->prefix && kl > w->wantlen ? w->wantlen : kl, w->want, w->wantlen);
}

/*
 * apfs_btree_find meets a larger key or the tree's end: the end (1),
 * unless a leaf it passed does not fit its range (node_fit).  A record
 * traded away from there (the key, or one more of a range of records), or
 * one before a miskeyed leaf's first, may stand in another node, so
 * "nothing (more)" cannot be vouched for: named damage.
 */
static int find_ends(const struct walk *w)
{
	if (!w->stray)
		return 1;
	if (w->stray_disordered)
		return node_corrupt(w->t, w->stray - 1, "a search passed an index node whose keys "
				    "are out of order: what it seeks may stand in another of its "
				    "children");
	if (w->stray_lost)
		return node_corrupt(w->t, w->stray - 1, "a search ended in a node before the child "
				    "of an index record that cannot be located: what it seeks may "
				    "stand there");
	if (w->stray_miskeyed)
		return node_corrupt(w->t, w->stray - 1, "a search passed a node whose first key is "
				    "not its parent's key for it: what it seeks may stand in "
				    "another node");
	return node_corrupt(w->t, w->stray - 1, "a search passed a node whose keys stray outside "
			    "its parent's range: what it seeks may stand in another node");
}

/*
 * Whether what a search wants lies in [lo, least) of miskeyed leaf n (l
 * its range): there it may stand in the node before; a miskeyed leaf
 * vouches for the rest (a search from a sound leaf before, what it holds).
 * lo against the whole of what is wanted, as the descent compared: a
 * prefix sorting before lo came from the leaf before, which was read.
 */
static bool want_in_gap(const struct walk *w, const struct node *n, const struct cur_level *l)
{
	return l && l->lo && w->t->cmp(l->lo, l->lol, w->want, w->wantlen) <= 0 &&
	       want_cmp(w, n->least, n->leastl) >= 0;
}

static int find_traded(struct walk *w, const struct node *n, uint64_t bno,
		       const struct cur_level *l, bool *vouched);

/*
 * Whether what a search wants (the key, or every key it begins) may lie in
 * range l (not known: may).  A leaf of a range apart from it is passed
 * for its larger key: what that leaf lost is not wanted.
 */
static bool want_meets(const struct walk *w, const struct cur_level *l)
{
	if (!l || !l->bounded)
		return true;
	return (!l->hi || w->t->cmp(l->hi, l->hil, w->want, w->wantlen) > 0) &&
	       (!l->lo || want_cmp(w, l->lo, l->lol) <= 0);
}

/*
 * A search for equal keys (apfs_btree_find) in a leaf whose keys do not
 * ascend, or stand outside its range (l, when known): every record equal
 * to the key wherever it stands (a record only misplaced is still found,
 * not reported absent).  Then as in a sorted leaf: a larger key of its own
 * range ends the search, none walks on to the next leaf (a key past the
 * range is a neighbour's, traded in).  A leaf that strays without holding
 * the key is passed (w->stray: the search cannot say "none") unless where
 * its records may have been traded to was looked in (find_traded).
 */
static int leaf_find(struct walk *w, const struct node *n, uint64_t bno,
		     const struct cur_level *l)
{
	bool larger = false, vouched = false;
	uint32_t unlocated = UINT32_MAX;
	const uint8_t *k, *v;
	size_t kl, vl;

	for (uint32_t i = 0; i < n->nkeys; i++) {
		int c, ret;

		if (entry_loc(n, i, &k, &kl, &v, &vl)) {
			unlocated = unlocated < i ? unlocated : i;
			continue;
		}
		c = want_cmp(w, k, kl);
		if (!c && (ret = w->fn(k, kl, v, vl, w->ctx)))
			return ret;
		if (c > 0 && (!n->strayed || !l || key_in_range(w->t, k, kl, l)))
			larger = true;
	}
	/* A record that cannot be located may be the one sought: named, damage. */
	if (unlocated != UINT32_MAX)
		return node_entry(w->t, n, bno, unlocated, &k, &kl, &v, &vl);
	if (n->strayed && !w->passed)
		w->passed = bno + 1;
	if (n->strayed && !w->stray && (!n->miskeyed || want_in_gap(w, n, l)) &&
	    want_meets(w, l)) {
		int ret = find_traded(w, n, bno, l, &vouched);

		if (ret)
			return ret;
		if (!vouched) {
			w->stray = bno + 1;
			w->stray_miskeyed = n->miskeyed;
		}
	}
	return larger ? find_ends(w) : 0;
}

/* One record of a walk from w->key: 0 to go on, else what ends it (inline: the hot loop's). */
static inline int walk_rec(struct walk *w, const struct node *n, uint64_t bno, bool first,
			   const struct rec_ref *r)
{
	if (!n->ordered && w->key && w->t->cmp(r->k, r->kl, w->key, w->klen) < 0)
		return first ? 0 : below_walk(w, bno);
	if (w->stray && want_cmp(w, r->k, r->kl) > 0)
		return find_ends(w);
	return w->fn(r->k, r->kl, r->v, r->vl, w->ctx);
}

static int rec_cmp(const void *a, const void *b, void *tp)
{
	const struct apfs_btree_desc *t = *(const struct apfs_btree_desc **)tp;
	const struct rec_ref *x = a, *y = b;

	return t->cmp(x->k, x->kl, y->k, y->kl);
}

/* Whether leaf n (NULL: not read) holds a key below end: records it lost may lie there too. */
static bool holds_below(const struct apfs_btree_desc *t, const struct node *n, const void *end,
			size_t endlen)
{
	const uint8_t *k, *v;
	size_t kl, vl;

	for (uint32_t i = 0; n && i < n->nkeys; i++)
		if (!entry_loc(n, i, &k, &kl, &v, &vl) && t->cmp(k, kl, end, endlen) < 0)
			return true;
	return false;
}

/*
 * apfs_btree_iterate_past: leaf bno (l its range, where known) or records
 * of it could not be read (err, named where it was met), or an index node
 * below the root, and with it all its subtree: counted as one node, and
 * the walk goes on (0); one whose range begins at or past what the walk
 * wants (lost->end) ends it (1), as the next key past its wants would: a
 * node not read (walk_index).  A leaf read (n), one record of it not, is
 * walked on (its records, out of order, may sort below its range), and
 * counted too where one of them lies below the end: the record lost may
 * have stood among them.  A failure that is not the node's own (no
 * memory, a locked volume) ends it (err).
 */
static int leaf_lost(struct walk *w, uint64_t bno, const struct cur_level *l, int err,
		     const struct node *n)
{
	struct apfs_btree_lost *lost = w->lost;

	if (!lost || (err != -APFS_ECORRUPT && err != -APFS_EBADCSUM && err != -APFS_ETRUNC &&
		      err != -EIO))
		return err;
	if (lost->last == bno + 1 && bno)
		return 0;  /* this leaf counted already */
	lost->last = bno + 1;
	if (lost->end && l && l->bounded && l->lo &&
	    w->t->cmp(l->lo, l->lol, lost->end, lost->endlen) >= 0 &&
	    !holds_below(w->t, n, lost->end, lost->endlen))
		return 1;  /* none of the walk's, nor any after it: the walk's end */
	if (!lost->leaves++)
		lost->first = bno;
	return 0;
}

/* The most leaves a walk looks in for what one leaf of it lost (range_lost). */
#define TRADE_PROBES 8
/*
 * The most descents to them: a key in a leaf whose range is not known
 * (an index out of order) sends one, only to find that leaf looked in.
 */
#define TRADE_DESCENTS (2 * TRADE_PROBES)

/* A key range [lo, hi) (NULL: unbounded), its keys copied. */
struct key_range {
	uint8_t *lo, *hi;
	size_t lol, hil;
};

/* One key, copied. */
struct key_copy {
	uint8_t *k;
	size_t kl;
};

/* Keys [lo, hi) a leaf that strays may have lost to another, and the leaves looked in. */
struct lost_range {
	const struct apfs_btree_desc *t;
	const uint8_t *lo, *hi;
	size_t lol, hil;
	uint64_t from, found;  /* the leaf that strays; a leaf found holding such a key (0: none) */
	struct walk *find;     /* find_traded: the search, whose visitor gets what is found */
	int stop;              /* find_traded: what that visitor returned, to end the search */
	bool capped;           /* find_traded: more leaves to look in than it may */
	unsigned home;         /* find_traded: records of [lo, hi) met in the leaves looked in */
	unsigned descents;     /* trade_probe's walks (TRADE_DESCENTS) */
	struct key_copy next[TRADE_PROBES];  /* find_traded: keys to look for next */
	unsigned nnext;
	uint64_t looked[TRADE_PROBES];  /* the leaves looked in */
	struct key_range seen[TRADE_PROBES];  /* their ranges, where known */
	unsigned nlooked, nseen;
	uint64_t unread;       /* a node a look could not read (its block; 0: none, or not known) */
};

static int lost_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	const struct lost_range *lr = arg;

	(void)v, (void)vl;
	return in_bounds(lr->t, k, kl, lr->lo, lr->lol, lr->hi, lr->hil);
}

/* Whether k lies in a leaf already looked in. */
static bool seen_leaf(const struct lost_range *lr, const uint8_t *k, size_t kl)
{
	for (unsigned i = 0; i < lr->nseen; i++) {
		const struct key_range *s = &lr->seen[i];

		if (in_bounds(lr->t, k, kl, s->lo, s->lol, s->hi, s->hil))
			return true;
	}
	return false;
}

static uint8_t *key_dup(const uint8_t *k, size_t kl)
{
	uint8_t *c = malloc(kl ? kl : 1);

	if (c && kl)
		memcpy(c, k, kl);
	return c;
}

/*
 * The range of a leaf looked in (l, when known), so that no key of it
 * sends another descent.  Only a saving: a leaf is looked in once however
 * it is reached (leaf_whole), so a copy that fails is left out.
 */
static void seen_add(struct lost_range *lr, const struct cur_level *l)
{
	struct key_range *s = &lr->seen[lr->nseen];

	if (!l || !l->bounded || lr->nseen == TRADE_PROBES)
		return;
	memset(s, 0, sizeof(*s));
	if ((l->lo && !(s->lo = key_dup(l->lo, l->lol))) ||
	    (l->hi && !(s->hi = key_dup(l->hi, l->hil)))) {
		free(s->lo);
		return;
	}
	s->lol = l->lol;
	s->hil = l->hil;
	lr->nseen++;
}

static void seen_free(struct lost_range *lr)
{
	for (unsigned i = 0; i < lr->nseen; i++) {
		free(lr->seen[i].lo);
		free(lr->seen[i].hi);
	}
}

/*
 * More to look in than TRADE_PROBES leaves or TRADE_DESCENTS descents: a
 * search says it passed a damaged node (capped; 1), a walk refuses.
 */
static int too_many(struct lost_range *lr)
{
	if (lr->find) {
		lr->capped = true;
		return 1;
	}
	return node_corrupt(lr->t, lr->from, "a walk took records from this node whose keys "
			    "belong in too many other nodes to look in them all");
}

/* find_traded's look in a leaf: a record of the key sought goes to the search's visitor. */
static int sought_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct lost_range *lr = arg;
	struct walk *f = lr->find;
	int ret;

	if (want_cmp(f, k, kl))
		return 0;
	if (f->prefix && !f->any_order) {
		lr->stop = -1;  /* met: the search passes the leaf unvouched (its order breaks) */
		return 1;
	}
	/*
	 * One record a key, or the one of a prefix fn wants: given, the search
	 * ends (else walking on it might give it again).  Another of the prefix
	 * fn declines, as it may in any order: the look goes on.
	 */
	ret = f->fn(k, kl, v, vl, f->ctx);
	if (!ret && f->prefix)
		return 0;
	lr->stop = ret > 0 ? ret : 1;
	return ret < 0 ? ret : 1;
}

/*
 * The leaf a key traded into leaf `from` belongs in (a walk nested in this
 * one, from that key: its own buffers), every record of it looked at: 1
 * if one lies in lr's range (traded there from `from`; find_traded: one
 * the search's visitor ended it at), 0 if none, else what the look met.
 */
static int trade_probe(struct lost_range *lr, const uint8_t *k, size_t kl)
{
	struct walk p = { .t = lr->t, .key = k, .klen = kl, .ctx = lr, .whole = true,
			  .fn = lr->find ? sought_visit : lost_visit };
	int ret;

	if (++lr->descents > TRADE_DESCENTS)
		return too_many(lr);
	ret = iterate(&p);
	if (ret < 0 && p.unread_bno)
		lr->unread = p.unread_bno;
	return ret < 0 ? ret : lr->found != 0;
}

/*
 * find_traded's look at record r of leaf n (l its range): one of the
 * searched leaf's range is counted (a record traded from there); where n
 * strays too, a key of another leaf's range is kept for a look of its own
 * (what n lost went on there: records traded round several leaves).  A
 * straying leaf whose range is not known, or more keys to keep than room,
 * end the looking (capped; 1).
 */
static int find_follow(struct lost_range *lr, const struct node *n, const struct cur_level *l,
		       const struct rec_ref *r)
{
	struct key_copy *q = &lr->next[lr->nnext];

	if (in_bounds(lr->t, r->k, r->kl, lr->lo, lr->lol, lr->hi, lr->hil)) {
		lr->home++;
		return 0;
	}
	if (!n->strayed || n->miskeyed || (l && l->bounded && key_in_range(lr->t, r->k, r->kl, l)) ||
	    seen_leaf(lr, r->k, r->kl))
		return 0;
	if (!l || !l->bounded || lr->nnext == TRADE_PROBES || !(q->k = key_dup(r->k, r->kl))) {
		lr->capped = true;
		return 1;
	}
	q->kl = r->kl;
	lr->nnext++;
	return 0;
}

/*
 * trade_probe's walk in the leaf it lands in (l its range): every record,
 * then stop; nothing in a leaf already looked in.  The leaves looked in
 * are counted, not the keys sent there: a leaf whose range the index does
 * not tell (its keys out of order) is reached again by each key of it.
 */
static int leaf_whole(struct walk *w, const struct node *n, uint64_t bno,
		      const struct cur_level *l)
{
	struct lost_range *lr = w->ctx;
	int ret;

	for (unsigned i = 0; i < lr->nlooked; i++)
		if (lr->looked[i] == bno)
			return 1;
	if (lr->nlooked == TRADE_PROBES)
		return too_many(lr);
	lr->looked[lr->nlooked++] = bno;
	seen_add(lr, l);
	for (uint32_t i = 0; bno != lr->from && i < n->nkeys; i++) {
		struct rec_ref r;

		if ((ret = node_entry(w->t, n, bno, i, &r.k, &r.kl, &r.v, &r.vl)))
			return ret;
		if (lr->find && (ret = find_follow(lr, n, l, &r)))
			return ret;
		if ((ret = w->fn(r.k, r.kl, r.v, r.vl, lr)) < 0)
			return ret;
		if (ret) {
			lr->found = bno + 1;
			return 2;
		}
	}
	return 1;
}

/*
 * Leaf n (l its range) holds keys of other nodes' ranges: records of its
 * own may have gone there, traded.  The walk reads every leaf from its
 * first to where it ends, and a record traded between two of them is met
 * in the other; one traded farther is not, where n is the walk's first
 * leaf and holds a key from before its range (from a leaf before the
 * walk's) or its last, holding one past its end.  The leaves such keys
 * belong in (each once, at most TRADE_PROBES: leaf_whole) are looked at
 * (trade_probe) for a record of what the walk wanted of n's range: from
 * max(lo, the walk's key) to where it ends (r; NULL: on past n).  A key
 * from before in a later leaf is below the walk's (below_walk), one past
 * the end in an earlier leaf is where it ends (stop_strayed).  Where the
 * walk ends in n and n's keys do not ascend, the next leaf is looked at
 * too (next): the key traded in may be back in n's range, its parent's key
 * for the next leaf raised past it, and the record traded out stand in
 * the next leaf below its range, unread.  Not under a guessed comparator,
 * whose order a sound tree need not keep (fs.c's probe).
 */
static int range_lost(struct walk *w, const struct node *n, uint64_t bno, bool first,
		      const struct cur_level *l, const struct rec_ref *r)
{
	struct lost_range lr = { .t = w->t, .lo = l->lo, .lol = l->lol, .hi = l->hi,
				 .hil = l->hil, .from = bno };
	bool next = r && !n->ordered && l->bounded && l->hi;
	int ret = 0;

	if (w->t->cmp_guessed || (!(first && n->below) && !(r && n->above) && !next))
		return 0;
	if (w->key && (!lr.lo || w->t->cmp(w->key, w->klen, lr.lo, lr.lol) > 0)) {
		lr.lo = w->key;
		lr.lol = w->klen;
	}
	if (r) {
		lr.hi = r->k;
		lr.hil = r->kl;
	}
	if (lr.lo && lr.hi && w->t->cmp(lr.lo, lr.lol, lr.hi, lr.hil) >= 0)
		return 0;  /* nothing of n's range wanted */
	for (uint32_t i = 0; !ret && i < n->nkeys; i++) {
		const uint8_t *k, *v;
		size_t kl, vl;
		bool from_before, past_end;

		/* one that cannot be located: named and counted as walk_sorted met it */
		if (entry_loc(n, i, &k, &kl, &v, &vl))
			continue;
		from_before = first && l->lo && w->t->cmp(k, kl, l->lo, l->lol) < 0;
		past_end = r && l->hi && w->t->cmp(k, kl, l->hi, l->hil) >= 0;
		if ((from_before || past_end) && !seen_leaf(&lr, k, kl))
			ret = trade_probe(&lr, k, kl);
	}
	/*
	 * The next leaf is the child of a record that cannot be located
	 * (l->past_lost): not looked in, as where n's range is not known; a
	 * listing counts it, for what n lost may stand there.
	 */
	if (!ret && next && l->past_lost)
		ret = w->lost ? leaf_lost(w, 0, NULL, -APFS_ECORRUPT, NULL) : 0;
	else if (!ret && next && !seen_leaf(&lr, l->hi, l->hil))
		ret = trade_probe(&lr, l->hi, l->hil);
	seen_free(&lr);
	/* apfs_btree_iterate_past: a look that failed (named) may have missed what n lost */
	if (ret < 0 && w->lost)
		ret = leaf_lost(w, lr.unread, NULL, ret, NULL);
	if (ret == 1)
		apfs_err("%s: %s: B-tree node at block %llu holds a record from the range of the "
			 "node at block %llu, traded for one of its own: a walk that read that "
			 "node wanted it", w->t->c->label, w->t->what,
			 (unsigned long long)(lr.found - 1), (unsigned long long)bno);
	return ret == 1 ? -APFS_ECORRUPT : ret;
}

/*
 * A search in leaf n (l its range, where what it wants may lie), which
 * strays and does not hold it: a record of n's range traded for a key of
 * another's stands where that key belongs, so those leaves (each once, at
 * most TRADE_PROBES leaves and TRADE_DESCENTS descents; on through leaves
 * that stray too: find_follow) are looked in for it, as range_lost does
 * for a walk.  A lookup of one key found there gives it to the search's
 * visitor, and the search ends; a prefix search's records met there break
 * its order: not vouched.  Else, with as many records of n's range met as
 * n holds of others' (all that was traded seen), n is not held against
 * the search (*vouched): it goes on as past a sound leaf, where every
 * lookup of an absent key there (an inode's firmlink attribute, for each
 * stat) failed as damage.  Not vouched for: a miskeyed leaf, a range or
 * comparator not known, or too much to look in.  A record moved out of n
 * with nothing traded for it is not counted back: the search names the
 * damage, unless a trade of n's elsewhere evens the count (then it is
 * found only where a sound leaf's search would go on to, the next leaf).
 * A key from another's range that came with a moved index key, nothing
 * lost (one lowered or raised: drec_swap.py --rekey), is damage too: a
 * record lost under a key written over cannot be told from it.
 */
static int find_traded(struct walk *w, const struct node *n, uint64_t bno,
		       const struct cur_level *l, bool *vouched)
{
	struct lost_range lr = { .t = w->t, .from = bno, .find = w };
	unsigned foreign = 0;
	int ret = 0;

	*vouched = false;
	if (n->miskeyed || w->t->cmp_guessed || !l || !l->bounded)
		return 0;
	lr.lo = l->lo, lr.lol = l->lol, lr.hi = l->hi, lr.hil = l->hil;
	for (uint32_t i = 0; !ret && !lr.stop && !lr.capped && i < n->nkeys; i++) {
		const uint8_t *k, *v;
		size_t kl, vl;

		if ((ret = node_entry(w->t, n, bno, i, &k, &kl, &v, &vl)) ||
		    key_in_range(w->t, k, kl, l))
			continue;
		foreign++;
		if (!seen_leaf(&lr, k, kl))
			ret = trade_probe(&lr, k, kl);
	}
	for (unsigned q = 0; q < lr.nnext; q++) {
		if (!ret && !lr.stop && !lr.capped && !seen_leaf(&lr, lr.next[q].k, lr.next[q].kl))
			ret = trade_probe(&lr, lr.next[q].k, lr.next[q].kl);
		free(lr.next[q].k);
	}
	seen_free(&lr);
	if (ret < 0)
		return ret;
	*vouched = !lr.stop && !lr.capped && lr.home >= foreign;
	return lr.stop > 0 ? lr.stop : 0;
}

/*
 * A visitor stopped (ret > 0) at key r in leaf n, which strays out of its
 * range (l) or whose keys do not ascend: at a key from another node's
 * range, a record traded for it, one the walk wanted, may stand there, so
 * where the range ends cannot be vouched for; at one of n's own, what n
 * lost may still be wanted (range_lost).
 */
static int stop_strayed(struct walk *w, const struct node *n, uint64_t bno, bool first,
			const struct cur_level *l, const struct rec_ref *r, int ret)
{
	int lost;

	if (ret <= 0 || !l || (!n->strayed && (n->ordered || !l->bounded)))
		return ret;
	if (n->strayed && !key_in_range(w->t, r->k, r->kl, l))
		return node_corrupt(w->t, bno, "a walk ended at a key that strays into this node "
				    "from another's range: what it wanted may stand in another node");
	lost = range_lost(w, n, bno, first, l, r);
	return lost ? lost : ret;
}

/*
 * A listing's visitor stopped (ret > 0) in leaf l whose next sibling is the
 * child of an index record that cannot be located (l->past_lost): where
 * that child's range begins is not known, so the key the walk ended at
 * does not show that none of the walk's stand there (a record of the
 * directory's traded into it, the key it stopped at traded out: 299 of
 * 300 names, exit 0): counted.
 */
static int stop_before_lost(struct walk *w, const struct cur_level *l, int ret)
{
	if (ret > 0 && w->lost && l && l->past_lost)
		leaf_lost(w, 0, NULL, -APFS_ECORRUPT, NULL);
	return ret;
}

/*
 * A leaf whose keys do not ascend (or stray outside its range), walked in
 * key order: a walk's visitor ends at the first key past its range (the
 * next object's), which in stored order may stand before records of the
 * range (a file's extents, a directory's names), leaving them unseen (a
 * directory listed empty).  Only where order is known (the cursor's, or
 * the walk's own ranges): sound leaves are never sorted.
 */
static int walk_sorted(struct walk *w, const struct node *n, uint64_t bno, bool first,
		       const struct cur_level *l)
{
	struct rec_ref *r = malloc((n->nkeys ? n->nkeys : 1) * sizeof(*r));
	int ret = r ? 0 : -ENOMEM;
	uint32_t nr = 0;

	for (uint32_t i = 0; !ret && i < n->nkeys; i++) {
		ret = node_entry(w->t, n, bno, i, &r[nr].k, &r[nr].kl, &r[nr].v, &r[nr].vl);
		if (ret)
			ret = leaf_lost(w, bno, l, ret, n);  /* apfs_btree_iterate_past: the others */
		else
			nr++;
		/* its range past the walk's end, by its parent: its records, out of order, may not be */
		ret = ret > 0 ? 0 : ret;
	}
	if (!ret)
		qsort_r(r, nr, sizeof(*r), rec_cmp, &w->t);
	for (uint32_t i = 0; !ret && i < nr; i++)
		ret = stop_before_lost(w, l, stop_strayed(w, n, bno, first, l, &r[i],
							  walk_rec(w, n, bno, first, &r[i])));
	free(r);
	return ret ? ret : range_lost(w, n, bno, first, l, NULL);
}

/* Whether a walk from key k, begun in miskeyed leaf n (l its range), starts in [lo, least). */
static bool key_in_gap(const struct apfs_btree_desc *t, const struct node *n,
		       const struct cur_level *l, const uint8_t *k, size_t kl)
{
	return l->lo && t->cmp(l->lo, l->lol, k, kl) <= 0 && t->cmp(k, kl, n->least, n->leastl) < 0;
}

/* The leaves one listing remembers having walked (leaf_again): 8 KiB, whatever its length. */
#define WALKED_MEMO 1024

/*
 * Whether apfs_btree_iterate_past's walk has walked leaf bno already: two
 * index records name it (or an index node twice), and the walk meets it
 * again in another's range.  Given again, its records would be listed
 * twice, and the child the second record should name is not read: a
 * directory listed 77 names twice, 77 not at all, exit 0.  Direct-mapped
 * by block: a leaf pushed out by another is not known again (as before);
 * no leaf is taken for one walked that was not.  The table is made at a
 * walk's second leaf: most directories' listings walk one (ls -R of many).
 */
static bool leaf_again(struct walk *w, uint64_t bno)
{
	uint64_t *slot;

	if (!w->lost || w->want)
		return false;
	if (!w->walked && (!w->first_walked || w->first_walked == bno + 1)) {
		bool again = w->first_walked == bno + 1;

		w->first_walked = bno + 1;
		return again;
	}
	if (!w->walked) {
		if (!(w->walked = calloc(WALKED_MEMO, sizeof(*w->walked))))
			return false;
		w->walked[(w->first_walked - 1) % WALKED_MEMO] = w->first_walked;
	}
	slot = &w->walked[bno % WALKED_MEMO];
	if (*slot == bno + 1)
		return true;
	*slot = bno + 1;
	return false;
}

/*
 * Leaf bno met again (leaf_again) in range l: counted for the node its
 * record should name, and named, unless that range is past what the walk
 * wants (its end, leaf_lost): then nothing of the walk's is lost, and a
 * listing given whole says nothing (found in review: an error line on a
 * listing of all 1,000 names, exit 0).
 */
static int leaf_met_again(struct walk *w, uint64_t bno, const struct cur_level *l)
{
	int ret = leaf_lost(w, bno, l, -APFS_ECORRUPT, NULL);

	if (ret == 0)
		node_corrupt(w->t, bno, "a walk met this node again, named by another index "
			     "record: the node that record should name is not known");
	return ret;
}

static int walk_leaf(struct walk *w, const struct node *n, uint64_t bno,
		     const struct cur_level *l)
{
	uint32_t start = n->ordered && w->key ? first_past(w->t, n, w->key, w->klen, false) : 0;
	bool first = w->leaves++ == 0, came_above = w->came_above;

	w->came_above = n->above;
	if (w->whole)
		return leaf_whole(w, n, bno, l);
	if (leaf_again(w, bno))  /* not given again; the node the record should name, lost */
		return leaf_met_again(w, bno, l);
	/* out of order or range, or that range not known (an index above); not one only lacking */
	if (w->unordered)
		*w->unordered = !(n->ordered || n->lacking) || !l || !l->bounded;
	/*
	 * A record traded away stands in the neighbour: one leaf past a stray
	 * one is the search's last (else a tree whose every leaf strays would
	 * make each lookup walk them all).  Past one not held against it
	 * (vouched for, or of a range apart), a search that still has not met
	 * its end has passed a leaf with no key of its own past what it seeks:
	 * damage too, where a sound tree's next leaf would have ended it.
	 */
	if (w->passed && w->hopped)  /* w->stray implies w->passed (leaf_find) */
		return w->stray ? find_ends(w) : node_corrupt(w->t, w->passed - 1, "a search went "
			"on past this node, whose keys stray outside its parent's range, and met no "
			"end: what it seeks may stand further on");
	w->hopped = w->passed != 0;
	/* a search that ends here, before a child lost, cannot say "none" (stop_before_lost) */
	if (w->want && !w->stray && l && l->past_lost) {
		w->stray = bno + 1;
		w->stray_lost = true;
	}
	if (first && !w->want && n->miskeyed && w->key && l && key_in_gap(w->t, n, l, w->key, w->klen))
		return node_corrupt(w->t, bno, "a walk began in a node whose first key is not its "
				    "parent's key for it: what it wants may stand in another node");
	/*
	 * A listing come on to a node that begins past its parent's key for it
	 * has read the node before, but not the gap between: a child of the
	 * index node above lost, its records moved down over the child's, looks
	 * so (found testing the root's case: 77 of 3,000 names gone, exit 0).
	 * Counted, unless the gap is past what the walk wants (then its end),
	 * or the leaf before reached into it (an index key lowered: the gap's
	 * records stand there, and were given).
	 */
	if (!first && w->lost && n->miskeyed && l && !came_above) {
		int ret = leaf_lost(w, bno, l, -APFS_ECORRUPT, NULL);

		if (ret)
			return ret;
	}
	if (!n->ordered && l)  /* order known: the cursor's, or the walk's own ranges */
		return w->want ? leaf_find(w, n, bno, l) : walk_sorted(w, n, bno, first, l);
	if (start && !first)
		return below_walk(w, bno);
	for (uint32_t i = start; i < n->nkeys; i++) {
		struct rec_ref r;
		int ret = node_entry(w->t, n, bno, i, &r.k, &r.kl, &r.v, &r.vl);

		if (ret) {  /* 0: apfs_btree_iterate_past goes on, here too (walk_sorted) */
			ret = leaf_lost(w, bno, l, ret, n);
			ret = ret > 0 ? 0 : ret;
		} else {
			ret = stop_before_lost(w, l, walk_rec(w, n, bno, first, &r));
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* The child a hashed index value names, its form fixed by the tree's first value. */
static int hashed_child(struct walk *w, uint64_t bno, const uint8_t *v, size_t vl,
			uint64_t *child)
{
	enum hashed_form f = vl == INDEX_VAL_HASHED_MAX ? FORM_ABSOLUTE : FORM_RELATIVE;

	if (vl <= sizeof(uint64_t) || vl > INDEX_VAL_HASHED_MAX)
		return node_corrupt(w->t, bno, "index record without a child pointer");
	if (w->form != FORM_UNKNOWN && w->form != f)
		return node_corrupt(w->t, bno, "hashed index values of two layouts in one tree");
	w->form = f;
	*child = ld_le64(v) + (f == FORM_RELATIVE ? w->t->root : 0);
	return 0;
}

/* The hash a sealed index value holds for its child, or NULL (not sealed, or too short). */
static const uint8_t *child_hash(const struct walk *w, const uint8_t *v, size_t vl)
{
	if (!w->t->seal || !w->hashed || vl < sizeof(uint64_t) + w->t->seal->hash_len)
		return NULL;
	return v + sizeof(uint64_t);
}

/* Where the levels' key ranges are kept: the cursor, or the walk's own; NULL: nowhere. */
static struct cur_level *levels(struct walk *w)
{
	return w->cur ? w->cur->lv : w->lv;
}

/*
 * The key range of child i of n (at depth), for the cursor and for
 * node_fit: from its own key (the first child: from n's lower bound) to
 * the next child's key (the last: n's upper bound).  Known only in an
 * ordered node.
 */
static void child_bounds(struct walk *w, const struct node *n, int depth, uint32_t i,
			 const uint8_t *k, size_t kl)
{
	const struct cur_level *p = &levels(w)[depth];
	struct cur_level *c = &levels(w)[depth + 1];
	const uint8_t *nv;
	size_t nvl;

	/* a record of n that cannot be located costs the bounds it gives (below) */
	c->bounded = p->bounded && (n->ordered || n->lacking);
	c->lo = i ? k : p->lo;
	c->lol = i ? kl : p->lol;
	/*
	 * The next key that can be located bounds it where n only lacks
	 * records: the range of a child lost between lies within (its keys
	 * ascend), so what this child holds keeps its order with the rest.
	 * The last child's bound is its parent's, lost children past it too.
	 */
	for (uint32_t j = i + 1; j < n->nkeys; j++) {
		if (!entry_loc(n, j, &c->hi, &c->hil, &nv, &nvl)) {
			c->past_lost = j > i + 1;
			return;
		}
		if (!n->lacking)
			c->bounded = false;
	}
	c->hi = p->hi;
	c->hil = p->hil;
	c->past_lost = p->past_lost || i + 1 < n->nkeys;
}

/* Record i of index node n (at depth): its child, and where levels are kept, the child's range. */
static int index_child(struct walk *w, const struct node *n, uint64_t bno, int depth, uint32_t i,
		       uint64_t *child, const uint8_t **hash)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	int ret = node_entry(w->t, n, bno, i, &k, &kl, &v, &vl);

	/* Hashed (sealed) trees follow the child oid with its hash. */
	if (!ret && w->hashed)
		ret = hashed_child(w, bno, v, vl, child);
	else if (!ret && vl != sizeof(uint64_t))
		ret = node_corrupt(w->t, bno, "index record without a child pointer");
	else if (!ret)
		*child = ld_le64(v);
	if (ret)
		return ret;
	if (levels(w))
		child_bounds(w, n, depth, i, k, kl);
	*hash = child_hash(w, v, vl);
	return 0;
}

/* The walk on into the child record i of index node n names (at depth). */
static int index_step(struct walk *w, const struct node *n, uint64_t bno, int depth, uint32_t i)
{
	const uint8_t *hash = NULL;
	uint64_t child = 0;
	int ret;

	/*
	 * apfs_btree_iterate_past: a record naming no child it can read (it
	 * cannot be located, or holds no child pointer) costs that child, its
	 * block and range not known; the walk goes on.
	 */
	if ((ret = index_child(w, n, bno, depth, i, &child, &hash))) {
		w->leaves++;  /* the next leaf is not the walk's first */
		return leaf_lost(w, 0, NULL, ret, NULL);
	}
	ret = walk_node(w, child, depth + 1, n->level, hash, bno);
	/* the child itself not read (a leaf, or an index node and all below it) */
	if (ret && w->unreadable) {
		w->unreadable = false;
		w->leaves++;
		ret = leaf_lost(w, w->unread_bno, levels(w) ? &levels(w)[depth + 1] : NULL, ret, NULL);
	}
	return ret;
}

/*
 * An index node whose keys do not ascend (not one that only lacks records)
 * cannot say which of its children hold the keys a walk from w->key
 * wants: those of a key swapped forward stand before the child it begins
 * at (the root's first two records swapped: a directory of 260 listed 183
 * names), those of a key raised stand past where it ends; neither order,
 * stored or sorted, holds for both.  A listing counts the node (its
 * entries may be missing), a search passes it unvouched (not finding a
 * key is damage, not "none"); both go on in stored order, as before.
 */
static int index_unvouched(struct walk *w, const struct node *n, uint64_t bno)
{
	if (n->ordered || n->lacking)
		return 0;
	if (w->want && !w->stray) {
		w->stray = bno + 1;
		w->stray_disordered = true;
	}
	return w->lost ? leaf_lost(w, bno, NULL, -APFS_ECORRUPT, NULL) : 0;
}

static int walk_index(struct walk *w, const struct node *n, uint64_t bno, int depth)
{
	uint32_t start = 0;
	int ret = index_unvouched(w, n, bno);

	if (!ret && w->key)
		ret = child_index(w, n, bno, &start);
	for (uint32_t i = start; !ret && i < n->nkeys; i++)
		ret = index_step(w, n, bno, depth, i);
	return ret;
}

/* The root carries btree_info_t: fixed key/value sizes for FIXED_KV trees. */
static int node_root_info(struct walk *w, const struct node *n, uint64_t bno)
{
	const struct apfs_btree_info *bi = (const void *)(n->blk + n->bs - sizeof(*bi));

	if (!(n->flags & APFS_BTNODE_ROOT))
		return node_corrupt(w->t, bno, "tree root without the ROOT flag");
	w->fk = get_le32(bi->bt_key_size);
	w->fv = get_le32(bi->bt_val_size);
	w->hashed = (get_le32(bi->bt_flags) & APFS_BTREE_HASHED) != 0;
	if ((n->flags & APFS_BTNODE_FIXED_KV_SIZE) && (w->fk == 0 || w->fk > n->bs ||
						       w->fv > n->bs))
		return node_corrupt(w->t, bno, "implausible fixed key/value sizes");
	return 0;
}

/* The buffer of a level: the cursor's, or the walk's own; made when first reached. */
static uint8_t *level_buf(struct walk *w, int depth)
{
	uint8_t **b = w->cur ? &w->cur->lv[depth].buf : &w->bufs[depth];

	if (!*b)
		*b = malloc(w->t->c->block_size);
	return *b;
}

/* The root's range is every key (its level keeps its buffer). */
static void root_range(struct cur_level *l)
{
	l->lo = l->hi = NULL;
	l->lol = l->hil = 0;
	l->bounded = true;
	l->past_lost = false;
}

/*
 * What a block memo (struct btree_cursor's ordered, btree_order_memo) says
 * of block bno: (bno + 1) * 4 + one of these; a block's content never
 * changes.
 */
enum { MEMO_ORDERED = 1, MEMO_SORTED = 2, MEMO_UNSORTED = 3 };

static uint64_t *memo_slot(uint64_t *memo, uint64_t bno)
{
	return memo ? &memo[bno % BTREE_ORDERED_MEMO] : NULL;
}

/* Whether n's keys ascend: a block memo remembers so, else read. */
static bool ordered_memo(const struct apfs_btree_desc *t, const struct node *n, uint64_t bno,
			 uint64_t *memo)
{
	uint64_t *known = memo_slot(memo, bno);

	if (known && *known == (bno + 1) * 4 + MEMO_ORDERED)
		return true;
	if (!node_ordered(t, n))
		return false;
	if (known)
		*known = (bno + 1) * 4 + MEMO_ORDERED;
	return true;
}

/* Whether every record of n lies in the node (node_entry would find each). */
static bool node_readable(const struct node *n)
{
	const uint8_t *k, *v;
	size_t kl, vl;

	for (uint32_t i = 0; i < n->nkeys; i++)
		if (entry_loc(n, i, &k, &kl, &v, &vl))
			return false;
	return true;
}

/*
 * The warning for a node out of order (n->ordered as read, before its
 * fit), not fitting the range parent (its block; 0: none) gives it, or
 * both (a record traded in from a neighbour is both where it lands).
 */
static void disorder_warn(const struct apfs_btree_desc *t, const struct node *n, uint64_t bno,
			  uint64_t parent)
{
	const char *order = n->ordered ? "" : "out of order and ";

	if (!n->strayed)
		apfs_warn("%s: %s: B-tree node at block %llu: keys out of order (damage): its "
			  "records are taken in key order", t->c->label, t->what,
			  (unsigned long long)bno);
	else
		apfs_warn("%s: %s: B-tree node at block %llu: keys %s%s its parent node at block "
			  "%llu gives it (damage): %sa record may stand in another node, or the "
			  "parent's keys are wrong", t->c->label, t->what, (unsigned long long)bno,
			  order, n->miskeyed ? "beginning at a key other than the one" :
			  "outside the range", (unsigned long long)parent,
			  n->ordered ? "" : "its records are taken in key order; ");
}

/*
 * A node whose keys do not ascend, or stray outside the range its parent
 * gives it, is damage the walks and searches read around: named once per
 * block, so that an answer read around it is not taken for one from a
 * sound tree.  Not a node with a record outside the block: reading that
 * record is an error, said where it is read.  Not by a walk whose messages
 * are muted (a look whose failure is answered another way, fs_byino.c),
 * nor one whose comparator is a guess: the next walk that reads the node,
 * or walks from its cursor's kept root (walk_kept), names it.
 */
static void disorder_note(const struct apfs_btree_desc *t, const struct node *n, uint64_t bno,
			  uint64_t parent)
{
	struct apfs_container *c = t->c;

	if (t->cmp_guessed || apfs_log_muted() || !node_readable(n))
		return;
	for (unsigned i = 0; i < APFS_DISORDER_NAMED; i++) {
		uint64_t was = atomic_load(&c->disorder_named[i]);

		if (!was && atomic_compare_exchange_strong(&c->disorder_named[i], &was, bno + 1)) {
			disorder_warn(t, n, bno, parent);
			return;
		}
		if (was == bno + 1)
			return;
	}
	if (!atomic_load(&c->disorder_more) && !atomic_exchange(&c->disorder_more, true))
		apfs_warn("%s: further B-tree nodes out of order or out of range are not named",
			  c->label);
}

/*
 * Whether n (not ordered) is so only for records that cannot be located:
 * it lacks them, and every other key ascends and lies in l, its range by
 * its parent, where known.  Its first such key may lie past l's start:
 * the record lost may have been the first.
 */
static bool node_lacking(const struct apfs_btree_desc *t, const struct node *n,
			 const struct cur_level *l)
{
	const uint8_t *k, *v, *pk = NULL;
	size_t kl, vl, pkl = 0;
	bool lacks = false;

	for (uint32_t i = 0; i < n->nkeys; i++) {
		if (entry_loc(n, i, &k, &kl, &v, &vl)) {
			lacks = true;
			continue;
		}
		if ((pk && t->cmp(pk, pkl, k, kl) >= 0) || (l->bounded && !key_in_range(t, k, kl, l)))
			return false;
		pk = k;
		pkl = kl;
	}
	return lacks;
}

/*
 * Whether the child r names, of index node n (read into buf, messages
 * muted: a child that cannot be read only means no sort), holds keys in
 * [r's key, hi) (hi NULL: no bound), every one located, the least r's key
 * itself as in a sound tree (node_fit).  The first child too: the root's
 * has no lower bound for node_fit to judge it by (found in review: the
 * root's first record naming the second child, the first named by none,
 * was sorted, and `ls /` gave no name, exit 0).
 */
static bool child_fits(const struct apfs_btree_desc *t, const struct node *n,
		       const struct rec_ref *r, const uint8_t *hi, size_t hil, uint8_t *buf)
{
	struct cur_level range = { .lo = r->k, .lol = r->kl, .hi = hi, .hil = hil,
				   .bounded = true };
	struct node c;
	uint64_t bno;
	int ret;

	if (r->vl != sizeof(uint64_t) ||
	    atomic_fetch_add(&t->c->sort_reads, 1) >= t->c->blocks_present)
		return false;
	apfs_log_mute(true);
	ret = fetch_node(t, ld_le64(r->v), false, buf, &bno);
	if (!ret)
		ret = node_parse(t, buf, bno, &c);
	apfs_log_mute(false);
	if (ret || c.level + 1 != n->level || !c.nkeys)
		return false;
	c.fk = n->fk;
	c.fv = n->fv;
	node_fit(t, &c, &range, false);  /* every key: the child's order is not known */
	return !c.strayed;  /* miskeyed, too: its least key not r's */
}

/* A record of an index node and its slot as stored: index_sort's unit (rec_cmp sorts it). */
struct toc_ref {
	struct rec_ref r;
	uint32_t slot;
};

/*
 * Whether sorted records s[0..nkeys) make a sound node: keys distinct, and
 * every child holding keys from its own key to the next.  Every child, not
 * only those whose place the sort changes: the node is known damaged, and
 * a key lowered among ascending neighbours (or a child named twice) beside
 * a swap elsewhere would be taken on trust (found in review: `stat` of a
 * file that exists said "No such file").  The last child's upper bound is
 * n's own, judged as for any child when it is read (node_fit): so the
 * verdict is the block's, whatever range it is met in.
 */
static bool sorted_sound(const struct apfs_btree_desc *t, const struct node *n,
			 const struct toc_ref *s, uint8_t *buf)
{
	for (uint32_t p = 0; p < n->nkeys; p++) {
		const struct rec_ref *next = p + 1 < n->nkeys ? &s[p + 1].r : NULL;

		if (next && t->cmp(s[p].r.k, s[p].r.kl, next->k, next->kl) >= 0)
			return false;
		if (!child_fits(t, n, &s[p].r, next ? next->k : NULL, next ? next->kl : 0, buf))
			return false;
	}
	return true;
}

/*
 * An index node out of order whose records, sorted, make a sound node
 * (sorted_sound): only its slots were swapped, no key raised or lowered
 * (a raised key's child holds keys below it, and fails).  Then its table
 * of contents is sorted in blk, the walk's own copy of the block (the
 * image is not touched), and n is ordered: every child is reached by its
 * key (the root's first two records swapped, a directory of 260 listed
 * 183 names and every path lookup failed as damage).  Not where n's range
 * is not known or n strays from it, nor with a guessed comparator (the
 * guess may be what puts n out of order), nor in a sealed tree (its index
 * values carry hashes: child_fits refuses any but a bare child oid).  The
 * verdict is kept in the block memo: a node met on every lookup has its
 * children read once, not each time; and the children read so are bounded
 * for the container (struct apfs_container's sort_reads), so a crafted tree
 * cannot stall on them: past that, such nodes are unvouched, as before.
 * n->sorted: named when a walk starts from it kept (walk_kept), since its
 * first reading may have been muted.
 */
static bool index_sort(const struct apfs_btree_desc *t, struct node *n, uint64_t bno,
		       const struct cur_level *l, uint8_t *blk, uint64_t *memo)
{
	size_t esz = (n->flags & APFS_BTNODE_FIXED_KV_SIZE) ? sizeof(struct apfs_kvoff)
							     : sizeof(struct apfs_kvloc);
	uint64_t *known = memo_slot(memo, bno);
	struct toc_ref *s = NULL;
	uint8_t *toc = NULL, *cbuf = NULL;
	bool sound = false;

	if (!n->level || n->lacking || n->strayed || !l->bounded || t->cmp_guessed ||
	    t->seal || n->nkeys < 2 || !node_readable(n) ||
	    (known && *known == (bno + 1) * 4 + MEMO_UNSORTED))
		return false;
	s = malloc(n->nkeys * sizeof(*s));
	toc = malloc(n->nkeys * esz);
	cbuf = malloc(t->c->block_size);
	if (s && toc && cbuf) {
		for (uint32_t i = 0; i < n->nkeys; i++) {
			entry_loc(n, i, &s[i].r.k, &s[i].r.kl, &s[i].r.v, &s[i].r.vl);
			s[i].slot = i;
		}
		qsort_r(s, n->nkeys, sizeof(*s), rec_cmp, (void *)&t);
		sound = (known && *known == (bno + 1) * 4 + MEMO_SORTED) ||
			sorted_sound(t, n, s, cbuf);
		if (known)
			*known = (bno + 1) * 4 + (sound ? MEMO_SORTED : MEMO_UNSORTED);
	}
	if (sound) {
		memcpy(toc, blk + n->toc, n->nkeys * esz);
		for (uint32_t p = 0; p < n->nkeys; p++)
			memcpy(blk + n->toc + p * esz, toc + s[p].slot * esz, esz);
	}
	free(s);
	free(toc);
	free(cbuf);
	return sound;
}

/* n's order and range (l, from its parent; never memoised with the block), damage named. */
static void node_order(const struct apfs_btree_desc *t, struct node *n, uint64_t bno,
		       uint64_t parent, uint64_t *memo, const struct cur_level *l, uint8_t *blk)
{
	n->ordered = ordered_memo(t, n, bno, memo);
	n->lacking = !n->ordered && node_lacking(t, n, l);
	node_fit(t, n, l, n->ordered);
	if (!n->ordered || n->strayed)
		disorder_note(t, n, bno, parent);
	if (!n->ordered)
		n->ordered = n->sorted = index_sort(t, n, bno, l, blk, memo);
	/*
	 * An index node whose keys only begin past lo stays in order: its
	 * children keep their ranges, and its first child, which begins there
	 * too, is judged a miskeyed leaf (or index) in turn.
	 */
	n->ordered = n->ordered && (!n->strayed || (n->level && n->miskeyed));
}

/* A node just read becomes the cursor's level depth (its range set by the parent). */
static void cursor_keep(struct walk *w, int depth, struct node *n, uint64_t bno,
			uint64_t parent, uint8_t *blk)
{
	struct btree_cursor *cur = w->cur;
	struct cur_level *l = &cur->lv[depth];

	node_order(w->t, n, bno, parent, cur->ordered, l, blk);
	l->n = *n;
	l->bno = bno;
	if (depth == 0) {
		cur->fk = w->fk;
		cur->fv = w->fv;
		cur->hashed = w->hashed;
	}
	cur->depth = depth + 1;
}

static int walk_node(struct walk *w, uint64_t oid, int depth, int parent_level,
		     const uint8_t *hash, uint64_t parent)
{
	struct node n;
	uint64_t bno;
	uint8_t *buf;
	int ret;

	if (depth >= BTREE_MAX_DEPTH)
		return node_corrupt(w->t, oid, "tree deeper than 12 levels");
	/* Every node is visited once in a sound tree, and each is a block of
	 * the image: more visits than blocks present means a loop, or index
	 * records naming the same child over and over. */
	if (++w->visited > w->t->c->blocks_present)
		return node_corrupt(w->t, oid, "more nodes than blocks: the tree loops");
	if (w->cur)
		w->cur->depth = depth;  /* this level is replaced, and those below */
	buf = level_buf(w, depth);
	if (!buf)
		return -ENOMEM;
	bno = 0;
	ret = fetch_node(w->t, oid, depth == 0, buf, &bno);
	if (!ret && w->t->seal)
		seal_check(w, buf, bno, depth ? hash : w->t->seal->root_hash, parent);
	if (!ret)
		ret = node_parse(w->t, buf, bno, &n);
	if (!ret && depth == 0)
		ret = node_root_info(w, &n, bno);
	else if (!ret && n.level != parent_level - 1)
		ret = node_corrupt(w->t, bno, "child level is not one below its parent");
	if (ret) {
		w->unreadable = true;
		w->unread_bno = bno;
		return ret;
	}
	n.fk = w->fk;
	n.fv = w->fv;
	n.ordered = n.strayed = n.miskeyed = n.lacking = n.sorted = false;
	if (depth == 0 && levels(w))
		root_range(&levels(w)[0]);
	if (w->cur) {
		cursor_keep(w, depth, &n, bno, parent, buf);
	} else if (w->lv) {  /* order asked for, or a lookup: known without a cursor too */
		node_order(w->t, &n, bno, parent, w->memo, &w->lv[depth], buf);
	}
	return n.level ? walk_index(w, &n, bno, depth)
		       : walk_leaf(w, &n, bno, levels(w) ? &levels(w)[depth] : NULL);
}

/*
 * The deepest kept node whose key range holds w->key; 0 the root; -1 none
 * kept.  Not one out of order (or out of its range): the walk on from its
 * upper bound would pass over what it holds past that.
 */
static int cursor_start(const struct walk *w)
{
	const struct btree_cursor *cur = w->cur;

	if (cur->depth == 0)
		return -1;
	for (int d = cur->depth - 1; w->key && d > 0; d--) {
		const struct cur_level *l = &cur->lv[d];

		if (l->bounded && !l->past_lost && l->n.ordered &&
		    (!l->lo || w->t->cmp(l->lo, l->lol, w->key, w->klen) <= 0) &&
		    (!l->hi || w->t->cmp(w->key, w->klen, l->hi, l->hil) < 0))
			return d;
	}
	return 0;
}

/* Walk on from kept node d (its subtree, from w->key). */
static int walk_kept(struct walk *w, int d)
{
	const struct btree_cursor *cur = w->cur;
	struct node n = cur->lv[d].n;

	/* Only the root is walked from when not in order (or one sorted, at any depth):
	 * named here if its reading was not (a muted walk's). */
	if (!n.ordered || n.sorted)
		disorder_note(w->t, &n, cur->lv[d].bno, d ? cur->lv[d - 1].bno : 0);

	w->fk = cur->fk;
	w->fv = cur->fv;
	w->hashed = cur->hashed;
	w->form = (enum hashed_form)cur->form;
	return n.level ? walk_index(w, &n, cur->lv[d].bno, d)
		       : walk_leaf(w, &n, cur->lv[d].bno, &cur->lv[d]);
}

/*
 * From the deepest kept node that holds the key.  When its subtree ends
 * before the callback stops, the records that follow are those from its
 * upper bound on: walk on from there (a key strictly greater each time).
 */
static int cursor_iterate(struct walk *w)
{
	uint64_t restarts = 0;
	uint8_t *next = NULL;
	int d, ret;

	while ((d = cursor_start(w)) > 0) {
		const struct cur_level *l = &w->cur->lv[d];

		ret = walk_kept(w, d);
		if (ret || !l->hi)
			goto out;
		if (++restarts > w->t->c->blocks_present) {
			ret = node_corrupt(w->t, l->bno, "more nodes than blocks: the tree loops");
			goto out;
		}
		free(next);
		if (!(next = malloc(l->hil)))
			return -ENOMEM;
		memcpy(next, l->hi, l->hil);
		w->key = next;
		w->klen = l->hil;
	}
	ret = d ? walk_node(w, w->t->root, 0, 0, NULL, 0) : walk_kept(w, 0);
out:
	free(next);
	w->cur->form = w->form;
	return ret;
}

static int iterate(struct walk *w)
{
	struct cur_level lv[BTREE_MAX_DEPTH];
	int ret;

	w->cur = btree_cursor_get(w->t);
	if (w->cur) {
		ret = cursor_iterate(w);
		btree_cursor_put(w->cur);
		free(w->walked);
		if (!ret && w->stray)  /* the tree ended, a leaf that strayed passed */
			ret = find_ends(w);
		return ret < 0 ? ret : 0;
	}
	/* Each node's order and range known without a cursor too (a walk nested in
	 * another of the same tree): a leaf out of order is walked in key order. */
	memset(lv, 0, sizeof(lv));
	w->lv = lv;
	w->memo = btree_order_memo(w->t);
	ret = walk_node(w, w->t->root, 0, 0, NULL, 0);
	if (!ret && w->stray)
		ret = find_ends(w);
	for (int i = 0; i < BTREE_MAX_DEPTH; i++)
		free(w->bufs[i]);
	free(w->walked);
	return ret < 0 ? ret : 0;
}

int apfs_btree_iterate(const struct apfs_btree_desc *t, const void *key, size_t klen,
		       apfs_visit_fn fn, void *ctx)
{
	struct walk w = { .t = t, .key = key, .klen = klen, .fn = fn, .ctx = ctx };

	return iterate(&w);
}

int apfs_btree_iterate_ord(const struct apfs_btree_desc *t, const void *key, size_t klen,
			   apfs_visit_fn fn, void *ctx, bool *unordered)
{
	struct walk w = { .t = t, .key = key, .klen = klen, .fn = fn, .ctx = ctx,
			  .unordered = unordered };

	return iterate(&w);
}

int apfs_btree_iterate_past(const struct apfs_btree_desc *t, const void *key, size_t klen,
			    apfs_visit_fn fn, void *ctx, bool *unordered,
			    struct apfs_btree_lost *lost)
{
	struct walk w = { .t = t, .key = key, .klen = klen, .fn = fn, .ctx = ctx,
			  .unordered = unordered, .lost = lost };
	int ret;

	lost->leaves = lost->first = lost->last = 0;
	ret = iterate(&w);
	lost->walked = w.leaves;
	return ret;
}

static int find(const struct apfs_btree_desc *t, const void *key, size_t klen, bool prefix,
		bool any_order, apfs_visit_fn fn, void *ctx)
{
	struct walk w = { .t = t, .key = key, .klen = klen, .fn = fn, .ctx = ctx,
			  .prefix = prefix, .any_order = any_order, .want = key, .wantlen = klen };

	return iterate(&w);
}

int apfs_btree_find(const struct apfs_btree_desc *t, const void *key, size_t klen, bool prefix,
		    apfs_visit_fn fn, void *ctx)
{
	return find(t, key, klen, prefix, false, fn, ctx);
}

int apfs_btree_find_one(const struct apfs_btree_desc *t, const void *key, size_t klen,
			bool prefix, apfs_visit_fn fn, void *ctx)
{
	return find(t, key, klen, prefix, true, fn, ctx);
}

struct lookup_ctx {
	const struct apfs_btree_desc *t;
	const void *key;
	size_t klen;
	void *val;
	size_t vmax, *vlen;
	bool found;
};

static int lookup_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct lookup_ctx *l = arg;

	if (l->t->cmp(k, kl, l->key, l->klen) != 0)
		return 1;
	if (vl > l->vmax) {
		apfs_err("%s: %s: record value of %zu bytes is larger than expected (%zu)",
			 l->t->c->label, l->t->what, vl, l->vmax);
		return -APFS_ECORRUPT;
	}
	if (vl && l->val)
		memcpy(l->val, v, vl);
	*l->vlen = vl;
	l->found = true;
	return 1;
}

int apfs_btree_lookup(const struct apfs_btree_desc *t, const void *key, size_t klen,
		      void *val, size_t vmax, size_t *vlen)
{
	struct lookup_ctx l = { t, key, klen, val, vmax, vlen, false };
	int ret = apfs_btree_find(t, key, klen, false, lookup_visit, &l);

	if (ret)
		return ret;
	return l.found ? 0 : -ENOENT;
}

/*
 * How a hashed tree stores its index values (docs/macos-boot.md §4), read
 * from the root's first record: "relative" (macOS: 8 + hash bytes, child
 * oids relative to the root's), "absolute" (Apple's reference: 72 bytes),
 * or "leaf" when the root is the only node.  0 or a negative errno.
 */
int apfs_btree_index_form(const struct apfs_btree_desc *t, const char **form)
{
	struct walk w = { .t = t };
	uint8_t *b = malloc(t->c->block_size);
	const uint8_t *k, *v;
	size_t kl, vl;
	struct node n;
	uint64_t bno;
	int ret = b ? fetch_node(t, t->root, true, b, &bno) : -ENOMEM;

	if (!ret)
		ret = node_parse(t, b, bno, &n);
	if (!ret)
		ret = node_root_info(&w, &n, bno);
	n.fk = w.fk;
	n.fv = w.fv;
	if (!ret && n.level && n.nkeys)
		ret = node_entry(t, &n, bno, 0, &k, &kl, &v, &vl);
	if (!ret)
		*form = !n.level || !n.nkeys ? "leaf" :
			vl == INDEX_VAL_HASHED_MAX ? "absolute" : "relative";
	free(b);
	return ret;
}

static int no_visit(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	(void)k, (void)kl, (void)v, (void)vl, (void)ctx;
	return 0;
}

int apfs_btree_seal_check(const struct apfs_btree_desc *t, uint64_t *nodes, uint64_t *bad)
{
	struct walk w = { .t = t, .fn = no_visit };
	int ret = walk_node(&w, t->root, 0, 0, NULL, 0);

	for (int i = 0; i < BTREE_MAX_DEPTH; i++)
		free(w.bufs[i]);
	*nodes = w.visited;
	*bad = w.seal_bad;
	return ret < 0 ? ret : 0;
}
