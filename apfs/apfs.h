/* SPDX-License-Identifier: MIT */
/*
 * apfs.h - the public interface of the APFS core: find containers in an
 * image, pick a checkpoint, list volumes, read objects and B-trees.
 *
 * Everything read from the image is untrusted: every function here checks
 * checksums before parsing and bounds before use, and reports problems once
 * through apfs_err() (err.h) naming the structure and block.
 */
#ifndef APFS_APFS_H
#define APFS_APFS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/uuid.h"
#include "image/dev.h"
#include "image/gpt.h"
#include "raw.h"

struct apfs_cache;
struct apfs_xts;

/* ---- container ---------------------------------------------------------- */

struct apfs_checkpoint {
	uint64_t xid;
	uint64_t paddr;  /* block of this superblock in the descriptor area */
	bool valid;      /* checksum and magic good */
	bool chosen;
};

#define APFS_DISORDER_NAMED 16

struct apfs_container {
	struct apfs_dev *dev;
	uint64_t offset;          /* byte offset of block 0 in dev */
	uint64_t avail;           /* bytes of the container present in the image */
	uint32_t block_size;
	uint64_t block_count;
	uint64_t blocks_present;  /* blocks wholly inside the image */
	uint64_t xid;             /* xid of the chosen checkpoint */
	uint64_t nx_paddr;        /* where the chosen superblock was read */
	struct apfs_nx_superblock nx; /* the chosen superblock (first 1408 bytes) */
	struct apfs_checkpoint *cps;
	unsigned ncps;
	struct apfs_cache *cache;
	char label[64];           /* "container at offset N" for messages */
	_Atomic unsigned seal_warnings; /* node hash mismatches reported (capped) */
	_Atomic uint64_t seal_data_spent; /* bytes of file data hashed against seals (a budget) */
	/* B-tree nodes out of order or out of range already named (block + 1; btree.c), and
	 * whether more were met */
	_Atomic uint64_t disorder_named[APFS_DISORDER_NAMED];
	_Atomic bool disorder_more;
	/* Children read to judge index nodes out of order (btree.c index_sort): at most
	 * blocks_present over the container's life, so that no crafted tree makes that
	 * work grow past one read per block */
	_Atomic uint64_t sort_reads;
	/* Sealed nodes already found to match (btree.c), made on first use. */
	struct seal_seen *_Atomic seal_seen;
};

/*
 * Open the container whose block 0 is at byte `offset` of dev, with `avail`
 * bytes available to it (partition size, or image size - offset).
 * want_xid 0 takes the newest valid checkpoint, falling back to older ones;
 * otherwise exactly that xid.
 */
int apfs_container_open(struct apfs_dev *dev, uint64_t offset, uint64_t avail,
			uint64_t want_xid, struct apfs_container **out);
void apfs_container_close(struct apfs_container *c);

/*
 * Read `count` blocks starting at paddr (container-relative) raw, without
 * checksum checks.  Fails with -APFS_ETRUNC after logging which block lies
 * past the end of a truncated image.  `what` names the structure.
 */
int apfs_read_blocks(struct apfs_container *c, uint64_t paddr, uint64_t count, void *buf,
		     const char *what);

/*
 * Read one object block: through the cache, decrypted with xts (may be
 * NULL) using tweak paddr * (block_size / 512), Fletcher-64 verified, o_type
 * checked against want_type when it is nonzero (low 16 bits compared, plus
 * the full 32 bits for keybag types).  buf holds block_size bytes.
 */
int apfs_read_object(struct apfs_container *c, uint64_t paddr, struct apfs_xts *xts,
		     uint32_t want_type, void *buf, const char *what);

/*
 * Read one block that carries no object header (the fs-tree nodes of a
 * sealed volume, whose omap values say NOHEADER): through the cache and
 * decrypted like apfs_read_object, but with no checksum to verify; a sealed
 * tree vouches for its nodes by the hashes in their parents instead.
 */
int apfs_read_headerless(struct apfs_container *c, uint64_t paddr, struct apfs_xts *xts,
			 void *buf, const char *what);

/* Fletcher-64 as APFS computes it over buf[8..len); and the check of buf. */
uint64_t apfs_fletcher64(const void *buf, size_t len);
bool apfs_obj_cksum_ok(const void *buf, size_t len);

/* ---- object maps and B-trees -------------------------------------------- */

/* Result of an omap lookup. */
struct apfs_omap_res {
	uint64_t paddr;
	uint64_t xid;
	uint32_t flags;  /* APFS_OMAP_VAL_* */
};

/* Look oid up in the omap whose omap_phys_t is at omap_paddr, newest xid <= max_xid. */
int apfs_omap_lookup(struct apfs_container *c, uint64_t omap_paddr, uint64_t oid,
		     uint64_t max_xid, struct apfs_omap_res *res);
/*
 * apfs_omap_lookup's shape: how a virtual tree's child oids become blocks.
 * The B-tree code is handed it (apfs_btree_desc.resolve) rather than
 * calling the object map, which is itself a B-tree read by that code.
 */
typedef int (*apfs_omap_fn)(struct apfs_container *c, uint64_t omap_paddr, uint64_t oid,
			    uint64_t max_xid, struct apfs_omap_res *res);


/* Key comparison: <0, 0, >0 like memcmp; may return -APFS_ECORRUPT via *err. */
typedef int (*apfs_key_cmp)(const void *a, size_t alen, const void *b, size_t blen);

/*
 * Visit callback: 0 to go on, 1 to stop, <0 to abort with that error.
 * key/val point into a node buffer valid only during the call.
 */
typedef int (*apfs_visit_fn)(const void *key, size_t klen, const void *val, size_t vlen,
			     void *ctx);

struct apfs_seal;

struct apfs_btree_desc {
	struct apfs_container *c;
	uint64_t root;          /* physical block of the root, or virtual oid */
	uint32_t subtype;       /* expected o_subtype (OMAP, FSTREE, SNAPMETATREE...) */
	/* For virtual trees: the omap that resolves child oids, its xid, and its lookup. */
	uint64_t omap_paddr;
	uint64_t xid;
	apfs_omap_fn resolve;
	struct apfs_xts *xts;   /* decrypt nodes whose omap value says ENCRYPTED */
	apfs_key_cmp cmp;
	const char *what;       /* "fs tree of volume 'Data'" for messages */
	bool cmp_guessed;       /* cmp may not be the tree's order: no node named out of order */
	/*
	 * A sealed volume's fs tree under an intact seal: every node must hash
	 * to what its parent's index value holds, the root to the seal's root
	 * hash.  A mismatch is reported (by node) and the node still read.
	 */
	const struct apfs_seal *seal;
};

/*
 * Find the first record whose key is >= key (cmp order) and visit records
 * in order from there until the callback stops.  Bounded: depth <= 12,
 * levels strictly decreasing, total nodes visited <= block_count.
 */
int apfs_btree_iterate(const struct apfs_btree_desc *t, const void *key, size_t klen,
		       apfs_visit_fn fn, void *ctx);
/*
 * The same, *unordered telling of the leaf fn's records come from: true
 * where its keys do not ascend, or stand outside the range its parent
 * gives it, or begin past its parent's key for it, or that range is not
 * known (an index above out of order or out of its own range): a damaged
 * tree.  Its records come in key order all the same (sorted as the
 * walk reads them), but a walk resumed at a key inside such a leaf, or
 * from a record of it, should not be trusted.  Set as each leaf is
 * entered, before fn sees its records (false again at a sound one); with
 * or without the thread's cursor.
 */
int apfs_btree_iterate_ord(const struct apfs_btree_desc *t, const void *key, size_t klen,
			   apfs_visit_fn fn, void *ctx, bool *unordered);

/* What apfs_btree_iterate_past went on past. */
struct apfs_btree_lost {
	const void *end;   /* in: a leaf whose range begins at or past end is none of the
			    * walk's (NULL: every leaf is) */
	size_t endlen;
	uint64_t leaves;   /* out: nodes of the walk's (a leaf, or an index node and all
			    * below it), or records of a leaf, not read */
	uint64_t first;    /* out: the first such node's block (0: not known) */
	uint64_t last;     /* 1 + the last node counted (each once) */
	uint64_t walked;   /* out: the leaves the walk read */
};

/*
 * apfs_btree_iterate_ord for a listing that shows what it can read: a node
 * below the root that cannot be read (a bad checksum, a damaged header, a
 * block past the end of the image, a read error: a leaf, or an index node
 * with all below it) or a record of a leaf that cannot be located is named
 * where it is met, counted in *lost, and the walk goes on with the next
 * node (or record); a node's lower bound is its parent's key for it.  A
 * root that cannot be read still ends the walk, as does a want of memory
 * or a locked volume.
 */
int apfs_btree_iterate_past(const struct apfs_btree_desc *t, const void *key, size_t klen,
			    apfs_visit_fn fn, void *ctx, bool *unordered,
			    struct apfs_btree_lost *lost);

/* A hashed tree's index-value layout: "relative", "absolute" or "leaf" (btree.c). */
int apfs_btree_index_form(const struct apfs_btree_desc *t, const char **form);

/*
 * Walk every node of a tree whose desc has a seal: *nodes visited, *bad of
 * them not matching their hash (each named in a warning, as when read).
 */
int apfs_btree_seal_check(const struct apfs_btree_desc *t, uint64_t *nodes, uint64_t *bad);
/* OpenSSL's digest for a seal's hash type (APFS_HASH_*: OpenSSL's EVP_MD), NULL if not known. */
struct evp_md_st;
const struct evp_md_st *apfs_seal_md(uint32_t type);

/*
 * Lookups keep, per thread, the path they walked and start the next one
 * nearby from there (btree_cursor.c), for as long as the container's block
 * cache is the same; closing a container drops the calling thread's paths
 * into it (other threads' go when they end).
 */
void apfs_btree_cursors_drop(const struct apfs_container *c);

/*
 * The order of keys made of two little-endian u64s (omap, fext tree); a key
 * of the first alone sorts before every pair it begins (apfs_btree_find
 * with prefix: all of an oid's records).
 */
int apfs_btree_cmp_u64_pair(const void *a, size_t alen, const void *b, size_t blen);

/*
 * The records whose key equals key (prefix: or begins with it, as a hashed
 * name's hash, which several records may share): visited as
 * apfs_btree_iterate visits them, fn returning nonzero on a key that is not
 * key's, as it meets the first larger.  In a leaf out of order they are
 * found wherever they stand.  Where a leaf's keys stray outside its
 * parent's range (a record traded with another node's), the search looks
 * where the keys it holds of others' ranges belong: a record of one key
 * found there is visited, and the search ends.  Unless all that the leaf
 * traded is seen there, a search that passed it and then ends without fn
 * stopping it is -APFS_ECORRUPT, since "no (more) such record" cannot be
 * vouched for (so always for a prefix search whose records stand there).
 */
int apfs_btree_find(const struct apfs_btree_desc *t, const void *key, size_t klen, bool prefix,
		    apfs_visit_fn fn, void *ctx);

/*
 * apfs_btree_find for one record of a prefix (a name among those of its
 * hash): fn returns > 0 at the record it wants, 0 for one it declines
 * whatever order it meets them in.  So a record of the prefix met where a
 * key traded out of a leaf the search passed belongs is given to fn too:
 * the one it takes ends the search; one it declines leaves "none" to be
 * vouched for as for a single key.  A declined record may be given again
 * (met there, then where the search walks on): fn must not count them.
 */
int apfs_btree_find_one(const struct apfs_btree_desc *t, const void *key, size_t klen,
			bool prefix, apfs_visit_fn fn, void *ctx);

/*
 * Exact lookup (apfs_btree_find): copy the value of the record equal to key
 * into val; val NULL: whether there is one (its length still held to vmax).
 */
int apfs_btree_lookup(const struct apfs_btree_desc *t, const void *key, size_t klen,
		      void *val, size_t vmax, size_t *vlen);

/* ---- volumes ------------------------------------------------------------ */

struct apfs_volume {
	struct apfs_container *c;
	unsigned index;          /* 0-based slot in nx_fs_oid */
	uint64_t oid;            /* virtual oid */
	uint64_t paddr;          /* block of the volume superblock */
	struct apfs_superblock sb;
	char name[APFS_VOLNAME_LEN + 1];
	uint8_t uuid[16];
	uint64_t omap_paddr;
	uint64_t xid;            /* the volume's xid: reads use this as max xid */
	pthread_mutex_t key_lock;
	struct apfs_xts *xts;    /* set once unlocked; NULL when locked or plain */
	_Atomic bool snap_left_out;  /* a snapshot record was left out (snapshot.c) */
};

/* Open the volume in slot idx (0-based).  -ENOENT for an empty slot. */
int apfs_volume_open(struct apfs_container *c, unsigned idx, struct apfs_volume **out);
void apfs_volume_close(struct apfs_volume *v);

bool apfs_volume_encrypted(const struct apfs_volume *v);   /* UNENCRYPTED clear */
bool apfs_volume_hw_encrypted(const struct apfs_volume *v); /* per-file keys */
bool apfs_volume_case_insensitive(const struct apfs_volume *v);
const char *apfs_role_name(uint16_t role); /* "Data", "System", ... or NULL */

/*
 * Install a volume encryption key: 32 bytes (key1 = vek[0..15], key2 =
 * vek[16..31]), or 16 bytes with the VEK blob UUID for the CoreStorage
 * tweak-key derivation (key2 = SHA-256(vek16 || uuid)[0..15]).  Then prove
 * it by decrypting the root of the fs tree and checking its checksum, type
 * and flags (docs/apfs-format.md §5.8).  -APFS_EREJECTED if it does not fit.
 */
int apfs_volume_set_key(struct apfs_volume *v, const uint8_t *vek, size_t len,
			const uint8_t cs_uuid[16]);

/* A sealed volume's seal (integrity_meta_phys_t). */
struct apfs_seal {
	uint32_t version, flags;
	uint32_t hash_type;       /* APFS_HASH_* */
	const char *hash_name;    /* "SHA-256", ... or "unknown" */
	uint64_t broken_xid;      /* nonzero: the seal was broken in that transaction */
	uint8_t root_hash[64];    /* the fs-tree root's hash, hash_len bytes */
	unsigned hash_len;
};

/*
 * Read the seal; -ENOENT when the volume is not sealed, -APFS_ECORRUPT
 * (named) when its superblock shows a seal that cannot be read.
 */
int apfs_volume_seal(const struct apfs_volume *v, struct apfs_seal *s);
/* apfs_volume_seal's check of a superblock (snap_xid: a snapshot's copy, or 0) after ret. */
int apfs_seal_signs(const struct apfs_volume *v, const struct apfs_superblock *sb,
		    uint64_t snap_xid, int ret);
/*
 * The seal a volume superblock names (the live one, or a snapshot's copy),
 * its integrity_meta resolved through v's object map at xid.
 */
int apfs_sb_seal(const struct apfs_volume *v, const struct apfs_superblock *sb, uint64_t xid,
		 struct apfs_seal *s);

/* Describe the fs tree for apfs_btree_iterate(). */
void apfs_volume_fstree(const struct apfs_volume *v, struct apfs_btree_desc *t);
/*
 * A sealed volume's file-extent tree (apfs_fext_tree_oid: physical, keys
 * (private_id, logical_addr), values (len_and_flags, phys_block_num)), where
 * its file extents live instead of the fs tree; false when the volume is
 * not sealed.
 */
bool apfs_volume_fexttree(const struct apfs_volume *v, struct apfs_btree_desc *t);
/* The same for the state a superblock (the live one, or a snapshot's copy) describes. */
bool apfs_sb_fexttree(const struct apfs_volume *v, const struct apfs_superblock *sb,
		      struct apfs_btree_desc *t);

/* UUID formatting and parsing: util/uuid.h. */

#endif
