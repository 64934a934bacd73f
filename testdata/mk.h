/* SPDX-License-Identifier: MIT */
/*
 * mk.h - the internal interface of build/mkimage, the deterministic APFS
 * image generator.  Images are assembled block by block in memory (only
 * blocks that hold something are allocated, so sparse GiB files cost
 * nothing) and written out at the end.  Every random-looking value comes
 * from one seeded generator, so a seed names an image exactly.
 */
#ifndef MK_H
#define MK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apfs/raw.h"

struct apfs_xts;

/* The transaction id of every object, unless a snapshot is made first (img->xid). */
#define MK_XID 2
/* 2026-01-01T00:00:00Z in ns; every timestamp in an image. */
#define MK_TIME 1767225600000000000ull
/* Checkpoint areas at fixed places; everything else is allocated after them. */
#define MK_DESC_BASE 1
#define MK_DESC_BLOCKS 8
#define MK_DATA_BASE 9
#define MK_DATA_BLOCKS 16
#define MK_SPACEMAN_OID 0x400
#define MK_REAPER_OID 0x401
#define MK_OID_FIRST 0x402
/* Where the container starts inside the GPT disk mk_gpt_write makes (LBA 40). */
#define MK_GPT_OFFSET 20480
/* A Mac boot disk's EFI System Partition: 409,600 sectors (200 MiB) at LBA 40. */
#define MK_EFI_SECTORS 409600
/* Blocks are allocated in groups of this many (one mapping, 2 MiB at 4 KiB blocks). */
#define MK_GROUP 512
/* OBJECT_TYPE_SPACEMAN_FREE_QUEUE (reference §"Object types"); the reader never needs it. */
#define MK_OBJECT_TYPE_FREE_QUEUE 0x09
/*
 * Volume groups (reference, apfs_superblock_t and "Inode Numbers";
 * docs/macos-boot.md §2, §3): the compatible feature a group member
 * carries, where a System volume's own inode numbers start as real disks
 * number them (SYSTEM_OBJ_ID_MARK | 16 on), and the firmlink BSD flag.
 */
#ifndef APFS_FEATURE_VOLGRP_SYSTEM_INO_SPACE
#define APFS_FEATURE_VOLGRP_SYSTEM_INO_SPACE 0x10ull
#endif
#ifndef APFS_SYSTEM_OBJ_ID_MARK
#define APFS_SYSTEM_OBJ_ID_MARK 0x0fffffff00000000ull
#endif
#ifndef APFS_SF_FIRMLINK
#define APFS_SF_FIRMLINK 0x00800000u
#endif

/* ---- seeded randomness (rng.c) ------------------------------------------ */

struct mk_rng {
	uint64_t s;
};

void mk_rng_seed(struct mk_rng *r, uint64_t seed);
uint64_t mk_rng_next(struct mk_rng *r);
void mk_rng_bytes(struct mk_rng *r, void *out, size_t len);
void mk_rng_uuid(struct mk_rng *r, uint8_t uuid[16]);

/* ---- the image (image.c) ------------------------------------------------- */

struct mk_omap_rec {
	uint64_t oid;
	uint64_t paddr;
	uint32_t flags;
	uint64_t xid;
};

enum mk_damage {
	MK_DAMAGE_NONE,
	MK_DAMAGE_KEYBAG_CKSUM,   /* container keybag: a byte changed after the checksum */
	MK_DAMAGE_ENTRY_OVERRUN,  /* volume keybag: last entry's ke_keylen runs past kl_nbytes */
	MK_DAMAGE_DER_LENGTH,     /* volume keybag: a KEK blob's DER length runs past the entry */
	MK_DAMAGE_BTREE_LOOP,     /* fs tree: an index entry points back at the root */
};

struct mk_image {
	uint32_t bs;
	uint64_t nblocks;
	uint8_t **blk;          /* nblocks pointers; NULL = never written (zeros) */
	uint8_t **grp;          /* the memory behind blk, MK_GROUP blocks at a time */
	uint64_t next_paddr;    /* bump allocator */
	uint64_t next_oid;      /* virtual and ephemeral oids */
	uint64_t xid;           /* transaction of objects written now; the checkpoint's */
	struct mk_rng rng;
	uint8_t nx_uuid[16];
	uint64_t iterations;    /* PBKDF2 iterations for new crypto users */
	struct mk_omap_rec *cmap; /* container omap: volume superblocks */
	unsigned ncmap;
	uint64_t fs_oid[APFS_NX_MAX_FILE_SYSTEMS];
	unsigned nvols;
	bool crypto_sw;
	struct mk_kb *ckb;      /* container keybag entries, built as volumes are added */
	uint8_t sep_id[16];     /* macOS 26 per-install identifier in 22-byte metadata */
	enum mk_damage damage;  /* what a damaged scenario breaks (damage.c) */
	uint64_t truncate_to;   /* bytes of container to keep (0: all) */
	uint64_t cap;           /* blocks blk and grp have room for (>= nblocks) */
	bool grow;              /* mk_alloc grows the container instead of failing */
	int out_fd;             /* output opened early for streamed data, or -1 */
	uint64_t out_off;       /* where block 0 goes in it (the GPT partition's start) */
	uint64_t seed;          /* --seed, for content streams of their own (bench) */
	uint64_t big_size;      /* bench: bytes of /big.bin */
	bool unencrypted;       /* --unencrypted: mk_vol_encrypt leaves volumes plain */
	bool sealed_ref;        /* --sealed-reference-layout (btree.c) */
	bool hardware;          /* --hardware: keys bound to a Secure Enclave, no NX_CRYPTO_SW */
	bool efi;               /* --gpt puts an EFI System Partition first (macos-boot) */
	bool preboot_xml;       /* --preboot-xml: Preboot's var/db plists in XML (macos-boot) */
	unsigned users;         /* --users N: Local Open Directory users (macos-boot) */
	bool preboot_hostile;   /* --preboot-hostile: plists with entries not to believe */
	uint64_t files;         /* --files N: files per user home (macos-boot) */
	uint64_t entries;       /* --entries N: entries below the root (scale) */
	uint64_t per_dir;       /* --per-dir N: files per directory (scale; 0: 999) */
	uint64_t depth;         /* --depth K: directories nested K deep (scale; 0: 1) */
	bool shuffle;           /* --shuffle: names unrelated to inode order (scale) */
	const char *out_path;   /* where mk_scenario writes, for fills that stream */
	bool out_gpt;
};

int mk_image_init(struct mk_image *img, uint32_t bs, uint64_t nblocks, uint64_t seed);
void mk_image_free(struct mk_image *img);
/* Allocate n contiguous zeroed blocks; returns the first paddr or 0 when full. */
uint64_t mk_alloc(struct mk_image *img, uint64_t n);
uint8_t *mk_block(struct mk_image *img, uint64_t paddr);
/* Write the container (bare, or inside a GPT disk when gpt is set). */
int mk_image_write(struct mk_image *img, const char *path, bool gpt);
/* Open the output now, so that mk_image_stream can write data blocks straight to it. */
int mk_image_open(struct mk_image *img, const char *path, bool gpt);
/* Write whole blocks from paddr on directly to the output (they never sit in memory). */
int mk_image_stream(struct mk_image *img, uint64_t paddr, const void *buf, uint64_t len);
/* Set the container's final size (>= the blocks allocated); growing stops. */
int mk_image_settle(struct mk_image *img, uint64_t nblocks);

/* ---- objects (obj.c) ----------------------------------------------------- */

void mk_obj_hdr(void *buf, uint64_t oid, uint64_t xid, uint32_t type, uint32_t subtype);
/* Fill o_cksum over len bytes. */
void mk_obj_seal(void *buf, size_t len);
/* Encrypt len bytes in place with 512-byte units starting at unit first. */
int mk_encrypt(struct apfs_xts *x, void *buf, size_t len, uint64_t first);
int mk_xts_from_uuid(const uint8_t uuid[16], struct apfs_xts **out);

/* ---- B-trees (btree.c) --------------------------------------------------- */


struct mk_rec {
	uint8_t *k;
	uint8_t *v;
	uint16_t klen;
	uint16_t vlen;
};

struct mk_tree {
	struct mk_image *img;
	uint32_t subtype;         /* APFS_OBJECT_TYPE_OMAP, _FSTREE, ... */
	uint32_t bt_flags;
	bool physical;            /* child pointers are paddrs, else virtual oids */
	bool fixed;               /* fixed-size keys and values (omap: 16 and 16) */
	uint16_t ksize, vsize;    /* the fixed sizes; 0 means 16 */
	struct apfs_xts *xts;     /* encrypt nodes (virtual trees only) */
	/* Virtual trees: where node oid -> paddr mappings are collected. */
	struct mk_omap_rec **omap;
	unsigned *nomap;
	uint64_t root_oid;         /* virtual trees: reuse this oid for the root (a newer
				      version of a snapshot's root), or 0 */
	/*
	 * A sealed volume's fs tree: nodes flagged HASHED | NOHEADER with an
	 * all-zero object header (omap values OMAP_VAL_NOHEADER), index values
	 * of 72 bytes carrying each child's SHA-256.
	 */
	bool sealed;
	bool sealed_ref;           /* sealed: index values as Apple's reference lays them out */
	uint8_t root_hash[32];     /* sealed: receives the SHA-256 of the root's block */
	/*
	 * Trees too big for memory (btree_stream.c): node_cb receives each
	 * virtual node's mapping instead of omap (in oid order, as written),
	 * and stream_buf, one block, is where nodes are laid out before
	 * mk_image_stream writes them straight to the output.
	 */
	int (*node_cb)(void *ctx, const struct mk_omap_rec *m);
	void *node_ctx;
	uint8_t *stream_buf;
};

/* Build a tree over sorted records; *root gets the root's oid (= paddr if physical). */
int mk_btree_build(struct mk_tree *t, const struct mk_rec *recs, size_t n, uint64_t *root);
/* What a tree's root records in its btree_info_t, counted as nodes are written. */
struct mk_bt_counts {
	uint64_t nodes;
	uint64_t leaf_keys;
	uint32_t longest_key, longest_val;
};

uint32_t mk_btree_rec_need(const struct mk_tree *t, const struct mk_rec *r, unsigned level);
uint32_t mk_btree_toc_bytes(const struct mk_tree *t, size_t n, unsigned level);
int mk_btree_node(struct mk_tree *t, struct mk_bt_counts *c, const struct mk_rec *r, size_t n,
		  unsigned level, bool root, uint64_t *oid);

/*
 * A B-tree written while its records arrive in key order (btree_stream.c):
 * one open node per level is all it holds, each written out when the next
 * record no longer fits, so trees of any size cost a few blocks of memory.
 * Not for sealed trees.  Nodes at different levels interleave on disk.
 */
#define MK_STREE_LEVELS 8

struct mk_slevel {
	struct mk_rec *r;         /* the open node's records */
	size_t n;
	uint8_t *arena;           /* their keys and values */
	size_t used;              /* arena bytes in use */
	uint32_t need;            /* the records' key and value bytes in the node */
};

struct mk_stree {
	struct mk_tree t;         /* set by the caller before mk_stree_init */
	struct mk_bt_counts c;
	struct mk_slevel lv[MK_STREE_LEVELS];
	unsigned top;             /* the highest level opened */
};

int mk_stree_init(struct mk_stree *s);
int mk_stree_add(struct mk_stree *s, const void *k, uint16_t klen, const void *v,
		 uint16_t vlen);
/* Close every open node; *root gets the root's oid.  Frees what init took. */
int mk_stree_finish(struct mk_stree *s, uint64_t *root);
void mk_stree_free(struct mk_stree *s);

/* An omap (omap_phys_t + tree) over recs, sorted here; returns its paddr. */
int mk_omap_build(struct mk_image *img, struct mk_omap_rec *recs, unsigned n, uint32_t om_flags,
		  uint64_t snap_xid, uint64_t *paddr);

/* ---- file-system content (fs.c, fsrec.c) -------------------------------- */

struct mk_fsrec {
	uint64_t oid;
	uint8_t type;
	uint32_t hash;        /* DIR_REC: name hash; else secondary sort value */
	uint64_t sub;         /* FILE_EXTENT logical addr, SIBLING id */
	uint8_t name_off;     /* DIR_REC, XATTR: where the key's name starts */
	struct mk_rec r;
};

struct mk_inode {
	uint64_t parent;
	uint64_t nchildren;       /* directories */
	uint64_t size, alloced;   /* data stream */
	uint64_t sparse_bytes;    /* bytes of it in holes */
	uint32_t nlink;
	uint32_t bsd_flags;
	uint64_t internal_flags;
	uint16_t mode;            /* 0: slot unused */
	bool has_stream;
	bool host_attrs;          /* owner and times below, else 501/20 and MK_TIME */
	uint32_t uid, gid;
	uint64_t atime, mtime, ctime; /* ns since 1970 */
	uint64_t crtime;          /* create_time; 0: mtime (a host tree has none) */
	char *name;
	uint8_t dir_stats_len;    /* INO_EXT_TYPE_DIR_STATS_KEY: 0 none, 8 key, 32 inline */
	uint64_t ds_key;          /* the DIR_STATS record's object id (8-byte form) */
	struct apfs_j_dir_stats_val ds;
};

/* Room for a snapshot name and its NUL: com.apple.os.update-<64 hex> is 84 bytes. */
#define MK_SNAP_NAME_MAX 128

/* A snapshot taken of a volume's state before more changes (snapshot.c). */
struct mk_snap {
	char name[MK_SNAP_NAME_MAX];
	uint64_t xid;
	uint64_t root;            /* fs-tree root oid at the snapshot */
	uint64_t extentref;       /* the snapshot's extent-reference tree */
	uint64_t integrity;       /* a sealed snapshot's integrity_meta oid, or 0 */
	uint64_t sb_paddr;        /* its volume-superblock copy */
	uint64_t blocks;          /* blocks it owns, that copy aside */
	uint64_t uncounted;       /* of the volume's own blocks, those not counted (its copy) */
	uint64_t inum;            /* its number, from the volume's inode numbers */
	struct mk_fext *ext;      /* its extents, for the volume's extent-reference tree */
	size_t next;
	struct mk_omap_rec *om;   /* its fs-tree nodes, at xid */
	unsigned nom;
};

/* A file extent of a sealed volume, kept for its fext tree instead of the fs tree. */
struct mk_fext {
	uint64_t id;              /* data stream (private) id */
	uint64_t logical;         /* byte offset in the stream */
	uint64_t len;             /* bytes, a whole number of blocks */
	uint64_t paddr;           /* first block, 0 for a hole */
};

struct mk_vol {
	struct mk_image *img;
	struct mk_inode *inodes;  /* indexed by inode number */
	size_t ninodes;
	uint64_t max_extent_blocks; /* split data into extents of at most this many blocks */
	char name[APFS_VOLNAME_LEN];
	uint16_t role;
	uint8_t uuid[16];
	bool case_insensitive;
	/*
	 * Directory records keyed j_drec_key_t (name length, name: no hash), on a
	 * volume neither case- nor normalization-insensitive, as iOS and `mkapfs -z`
	 * make (mk_vol_init_unhashed).
	 */
	bool unhashed;
	bool encrypted;
	uint8_t vek[32];
	unsigned vek_len;         /* 32, or 16 for a CoreStorage VEK */
	uint8_t vek_uuid[16];     /* VEK blob [1]: the volume UUID unless CoreStorage */
	struct apfs_xts *xts;
	struct mk_fsrec *recs;
	size_t nrecs, caprecs;
	uint64_t next_ino;
	uint64_t nfiles, ndirs, nsymlinks;
	uint64_t blocks_used;       /* data blocks */
	uint64_t first_paddr;       /* the volume's blocks start here (allocation is in order) */
	uint64_t first_xid;         /* the transaction it was made in */
	struct mk_kb *kb;         /* volume keybag (recs) */
	struct mk_snap *snap;     /* at most one snapshot, or NULL */
	uint8_t kek[32];
	unsigned kek_len;         /* 32 or 16 */
	uint8_t meta_tag[2];      /* bytes 6-7 of this volume's key metadata */
	/*
	 * A sealed volume (APFS_INCOMPAT_SEALED_VOLUME): hashed headerless fs
	 * tree, file extents in the fext tree, an integrity_meta object.  Set
	 * before any file is added.
	 */
	bool sealed;
	/*
	 * Sealed: the integrity_meta says the seal was broken in this
	 * transaction (APFS_SEAL_BROKEN, im_broken_xid), as a Mac's live System
	 * volume shows once an update is staged; its hashes are still written.
	 */
	bool seal_broken;
	struct mk_fext *fext;     /* every extent (all volumes: the extent-reference tree) */
	size_t nfext, capfext;
	/*
	 * Inode numbers of user objects start at ino_base + 16 (a group's System
	 * volume: APFS_SYSTEM_OBJ_ID_MARK); inodes[] is indexed by the number
	 * less ino_base (mk_in).
	 */
	uint64_t ino_base;
	bool in_group;            /* apfs_volume_group_id = group_id, VOLGRP feature */
	uint8_t group_id[16];
	char boot_snap[MK_SNAP_NAME_MAX];
	/* Owner of the inodes made from now on (own set), else 0 below 16 and 501:20. */
	bool own;
	uint32_t uid, gid;
	uint64_t drec_added;    /* date added of the entries made from now on; 0: MK_TIME */      /* a sealed volume: a snapshot of its final state, or "" */
};

/* The inode numbered ino (see mk_vol.ino_base), or NULL if none was made. */
struct mk_inode *mk_in(struct mk_vol *v, uint64_t ino);
/* A volume whose user inode numbers start at APFS_SYSTEM_OBJ_ID_MARK | 16 (set before use). */
void mk_vol_system_ino(struct mk_vol *v);

int mk_vol_init(struct mk_vol *v, struct mk_image *img, const char *name, uint16_t role,
		bool case_insensitive);
/* A case- and normalization-sensitive volume with unhashed directory records. */
int mk_vol_init_unhashed(struct mk_vol *v, struct mk_image *img, const char *name,
			 uint16_t role);
int mk_vol_add_rec(struct mk_vol *v, uint64_t oid, uint8_t type, uint32_t hash, uint64_t sub,
		   const void *k, size_t klen, const void *val, size_t vlen);
uint32_t mk_name_hash(const char *name, bool case_insensitive);
int mk_fsrec_cmp(const void *a, const void *b);
int mk_fs_emit_inodes(struct mk_vol *v);
/* An INODE record's value: j_inode_val_t, name, data stream, sparse bytes, dir stats. */
#define MK_INODE_VAL_MAX (sizeof(struct apfs_j_inode_val) + 16 + 8 + 264 + 48)
size_t mk_inode_val(const struct mk_inode *in, uint64_t ino, uint8_t *val);

/* Inode kinds for mk_fs_* */
#define MK_S_IFDIR 0040000
#define MK_S_IFREG 0100000
#define MK_S_IFLNK 0120000

int mk_fs_root(struct mk_vol *v);
int mk_fs_mkdir(struct mk_vol *v, uint64_t parent, const char *name, uint64_t *ino);
int mk_fs_file(struct mk_vol *v, uint64_t parent, const char *name, const void *data,
	       uint64_t len, uint64_t *ino);
/* A file of `len` bytes whose extents are all sparse (no blocks, reads as zeros). */
int mk_fs_sparse(struct mk_vol *v, uint64_t parent, const char *name, uint64_t len,
		 uint64_t *ino);
int mk_fs_symlink(struct mk_vol *v, uint64_t parent, const char *name, const char *target);
/* Files and directories deleted while still open, kept in the private directory (fs.c). */
int mk_fs_orphan(struct mk_vol *v, uint64_t old_parent, const char *name, const char *entry,
		 const void *data, uint64_t len, uint64_t lost, uint64_t *ino);
int mk_fs_orphan_dir(struct mk_vol *v, uint64_t old_parent, const char *name, uint64_t *ino);
int mk_fs_data_tail(struct mk_vol *v, uint64_t stream, const void *data, uint64_t len,
		    uint64_t from, uint64_t *alloced);
/*
 * Directory statistics as macOS keeps them (README "dir-stats"): directory
 * ino is their origin (MAINTAIN_DIR_STATS | DIR_STATS_ORIGIN), its 8-byte
 * DIR_STATS_KEY field naming a DIR_STATS record of every entry and file byte
 * below it; each directory below is a member (MAINTAIN_DIR_STATS, the same
 * key).
 */
int mk_fs_dir_stats(struct mk_vol *v, uint64_t ino, uint64_t num_children, uint64_t total_size);
int mk_fs_dir_stats_member(struct mk_vol *v, uint64_t ino, uint64_t origin);
int mk_fs_xattr(struct mk_vol *v, uint64_t ino, const char *name, const void *data,
		size_t len);
int mk_fs_hardlinks(struct mk_vol *v, const uint64_t *parents, const char *const *names,
		    unsigned n, const void *data, uint64_t len);
/*
 * Hard links one name at a time: a regular file whose entry carries a
 * sibling id (nlink 1), then further names for it (nlink + 1 each).
 */
int mk_fs_link_first(struct mk_vol *v, uint64_t parent, const char *name, uint64_t *ino);
int mk_fs_link_add(struct mk_vol *v, uint64_t ino, uint64_t parent, const char *name);
/* A file extent over blocks the caller has already written (encrypted if need be). */
int mk_fs_extent_written(struct mk_vol *v, uint64_t stream, uint64_t logical, uint64_t len,
			 uint64_t paddr);
/* Write data into newly allocated blocks, encrypted for the volume; extent records too. */
int mk_fs_data(struct mk_vol *v, uint64_t stream_id, const void *data, uint64_t len,
	       uint64_t *alloced);
int mk_fs_extent(struct mk_vol *v, uint64_t stream, uint64_t logical, const void *data,
		 uint64_t len, bool sparse);
int mk_fs_stream_done(struct mk_vol *v, uint64_t stream);
/*
 * Freeze v's content as snapshot `name` at the current xid and free v; the
 * caller builds the current state in a new mk_vol with v's UUID, setting
 * its ->snap, after the xid has moved on (mk_snapshot_next).
 */
int mk_vol_snapshot(struct mk_vol *v, const char *name, struct mk_snap *s);
int mk_snap_meta_tree(struct mk_image *img, const struct mk_snap *s, uint64_t *root);
/* The extent-reference tree: a physical-extent record per extent in v->fext (extentref.c). */
int mk_extentref_tree(struct mk_vol *v, uint64_t *root);
/* A sealed volume's fext tree (physical, root block in *root) and integrity_meta (sealed.c). */
int mk_fext_tree(struct mk_vol *v, uint64_t *root);
/*
 * A sealed volume's data hashes (FILE_INFO records) of object id over len
 * bytes of data (NULL: zeros): a file's stream, or for a compressed file
 * the inode (inline data) or its resource fork's stream, over the
 * decompressed bytes (sealed.c).  Nothing on other volumes.
 */
int mk_file_info(struct mk_vol *v, uint64_t id, const void *data, uint64_t len);
/* A compressed file in the root directory: decmpfs type (3, 4, 7 ... 14), len bytes d. */
int mk_compressed_file(struct mk_vol *v, const char *name, unsigned type, const uint8_t *d,
		       size_t len);
int mk_integrity_meta(struct mk_vol *v, const uint8_t root_hash[32], struct mk_omap_rec **om,
		      unsigned *nom, uint64_t *oid);
/* Finish the volume: trees, omap, superblock; registers it in the container. */
int mk_vol_finish(struct mk_vol *v);
/* A volume given up before mk_vol_finish (its filling failed): its memory freed. */
void mk_vol_discard(struct mk_vol *v);
/* mk_vol_finish() of the live state after a snapshot, then the snapshot's lists freed. */
int mk_vol_finish_snapped(struct mk_vol *v, int rc);
/* The same for a volume whose trees were streamed (btree_stream.c, scen_stream.c). */
int mk_vol_finish_streamed(struct mk_vol *v, uint64_t root, uint64_t omap_tree,
			   uint64_t extentref);
int mk_omap_phys(struct mk_image *img, uint64_t root, uint64_t *paddr);

/* ---- keybags (der.c, keybag.c, users.c) --------------------------------- */

struct mk_kb_entry {
	uint8_t uuid[16];
	uint16_t tag;
	uint16_t len;
	uint8_t data[APFS_VOL_KEYBAG_ENTRY_MAX_SIZE];
};

struct mk_kb {
	struct mk_kb_entry *e;
	unsigned n, cap;
};

int mk_kb_add(struct mk_kb *kb, const uint8_t uuid[16], uint16_t tag, const void *data,
	      size_t len);
void mk_kb_free(struct mk_kb *kb);

/*
 * Lay a keybag out in plaintext: obj header (oid, xid, type), locker, the
 * entries 16-byte aligned.  pad supplies the alignment-padding bytes (NULL:
 * zeros) as one stream consumed in entry order, so a known-answer test can
 * hand in Apple's leftovers.  buf holds len bytes; the checksum is filled.
 */
int mk_kb_layout(const struct mk_kb *kb, uint64_t oid, uint64_t xid, uint32_t type,
		 const uint8_t *pad, size_t padlen, uint8_t *buf, size_t len);
/* Bytes the keybag needs (header + locker + entries). */
size_t mk_kb_size(const struct mk_kb *kb);
/* Lay out, encrypt with uuid||uuid at paddr, store in the image; returns the prange. */
int mk_kb_store(struct mk_image *img, const struct mk_kb *kb, uint32_t type,
		const uint8_t uuid[16], struct apfs_prange *pr);

/* Inputs of one wrapped-key blob (§4.2 / §4.3). */
struct mk_blob {
	uint8_t hmac_salt[8];
	uint8_t uuid[16];
	uint8_t meta[22];
	unsigned meta_len;        /* 8 or 22 */
	uint8_t wrapped[40];
	uint64_t iterations;      /* 0: a VEK blob without [4]/[5] */
	uint8_t salt[16];
};

/* Encode a blob as DER with its outer HMAC; *len in: capacity, out: size. */
int mk_der_blob(const struct mk_blob *b, uint8_t *out, size_t *len);

/* Crypto-user kinds and key variants. */
enum mk_kek_kind {
	MK_KEK_256 = 0x00,        /* AES-256 wrap of a 32-byte KEK */
	MK_KEK_CS128 = 0x02,      /* CoreStorage: PBKDF2 -> 16 bytes, 16-byte KEK */
	MK_KEK_0X10 = 0x10,       /* 32-byte wrap of KEK16 || zeros */
	MK_KEK_HW = 0x01,         /* SEP-bound: no offline secret */
	MK_KEK_MACOS26 = 0x49,    /* 22-byte metadata, SEP-bound */
};

struct mk_user {
	const char *uuid;         /* NULL: the volume UUID (Disk User) */
	const char *secret;       /* password / recovery key / token secret */
	const char *hint;         /* NULL: none */
	enum mk_kek_kind kind;
	bool decoy;               /* wraps an unrelated key (external-key records) */
	uint64_t iterations;      /* 0: the image's; over 2^24 no derivation is done */
};

/* Make the volume encrypted: VEK (256-bit, or CoreStorage 128-bit with its own UUID). */
int mk_vol_encrypt(struct mk_vol *v, bool cs128, unsigned kek_len);
int mk_vol_add_user(struct mk_vol *v, const struct mk_user *u);
/* Container keybag entries for a finished encrypted volume (VEK blob + prange). */
int mk_vol_keybags(struct mk_vol *v);

/* KEK and VEK blobs from explicit inputs (the known-answer test uses these). */
int mk_kek_blob(const uint8_t *kek, size_t keklen, const char *pw, size_t pwlen,
		enum mk_kek_kind kind, struct mk_blob *b);
int mk_vek_blob(const uint8_t *vek, size_t veklen, const uint8_t *kek, size_t keklen,
		struct mk_blob *b);

/* ---- damage (damage.c) ------------------------------------------------- */

void mk_damage_keybag(struct mk_image *img, uint32_t type, uint8_t *buf, size_t len);
int mk_damage_tree(struct mk_image *img, uint64_t root, const struct mk_omap_rec *om,
		   unsigned nom);

/* ---- container (container.c, spaceman.c, gpt.c) ------------------------- */

int mk_container_finish(struct mk_image *img);
int mk_spaceman_build(struct mk_image *img, uint64_t sm_paddr, uint64_t oid, uint64_t fq_paddr,
		      uint64_t fq_oid);
/* The main free queue's node limit for a container of `blocks` blocks. */
uint16_t mk_main_fq_limit(uint64_t blocks);
int mk_gpt_write(int fd, uint64_t container_bytes, bool efi, struct mk_rng *rng,
		 uint64_t *offset, uint64_t *disk_bytes);
/* The container's byte offset in that disk: MK_GPT_OFFSET, or past the EFI partition. */
uint64_t mk_gpt_offset(bool efi);
/* An empty FAT32 file system labelled EFI, `sectors` of 512 bytes at byte off (fat32.c). */
int mk_efi_fat32(int fd, uint64_t off, uint64_t sectors, uint32_t volid);

/* ---- scenarios (scenarios.c) -------------------------------------------- */

enum mk_wrap_kind { MK_WRAP_NONE, MK_WRAP_SPARSEIMAGE, MK_WRAP_SPARSEBUNDLE, MK_WRAP_ENCRYPTED };

struct mk_opts {
	uint64_t seed;
	uint64_t iterations;
	uint32_t block_size;
	bool gpt;
	uint64_t big_size;        /* bench: bytes of /big.bin (default 256 MiB) */
	bool unencrypted;         /* every volume unencrypted, content and layout unchanged */
	bool sealed_ref;          /* sealed index values in the reference's 72-byte layout */
	bool hardware;            /* macos-boot: Secure-Enclave-bound keys, no NX_CRYPTO_SW */
	uint64_t files;           /* macos-boot: files per user home */
	uint64_t entries;         /* scale: entries below the root */
	uint64_t per_dir;         /* scale: files per directory (0: 999) */
	uint64_t depth;           /* scale: directories nested this deep (0: 1) */
	bool shuffle;             /* scale: names unrelated to inode order */
	bool preboot_xml;         /* macos-boot: Preboot's var/db plists in XML */
	unsigned users;           /* macos-boot: Local Open Directory users, 2 to 32 */
	bool preboot_hostile;     /* macos-boot: Preboot plists with entries not to believe */
	enum mk_wrap_kind wrap;   /* --wrap: store the image as a sparse image or bundle */
	uint64_t band_size;       /* --band-size (0: hdiutil's default for the kind) */
};

/* Store the raw image at raw as o->wrap at out (wrap.c); o->seed orders the bands. */
int mk_wrap(const char *raw, const char *out, const struct mk_opts *o);

int mk_scenario(const char *name, const char *out, const struct mk_opts *o);
/* len bytes of seeded pseudo-random content (freed by the caller), or NULL. */
uint8_t *mk_pattern(struct mk_image *img, size_t len);
int mk_small_tree(struct mk_vol *v);
int mk_fill_many_files(struct mk_image *img);
int mk_fill_big_dir(struct mk_image *img);
int mk_fill_large(struct mk_image *img);
int mk_fill_huge_file(struct mk_image *img);
int mk_fill_bench(struct mk_image *img);
int mk_fill_scale(struct mk_image *img);    /* scen_stream.c */
uint64_t mk_bench_bytes(uint64_t big);
int mk_fill_snapshot(struct mk_image *img);
int mk_fill_snapshot_diff(struct mk_image *img);
int mk_fill_snapshot_diff_encrypted(struct mk_image *img);
int mk_fill_snapshot_many(struct mk_image *img);
int mk_fill_sealed(struct mk_image *img);
int mk_fill_sealed_update(struct mk_image *img);
int mk_fill_compression(struct mk_image *img);
/* A compressed file from its ready decmpfs value and fork (flen 0: none). */
int mk_decmpfs_inode(struct mk_vol *v, const char *name, const void *x, size_t xlen,
		     const void *fork, size_t flen, uint64_t size);
/* The 50-byte map of a resource fork whose one resource is 'cmpf' id 1. */
void mk_rsrc_map(uint8_t m[50], const uint8_t hdr[16]);
int mk_fill_bad_keybag_checksum(struct mk_image *img);
int mk_fill_entry_overrun(struct mk_image *img);
int mk_fill_der_length(struct mk_image *img);
int mk_fill_huge_iterations(struct mk_image *img);
int mk_fill_btree_loop(struct mk_image *img);
int mk_fill_truncated(struct mk_image *img);
int mk_fill_dir_cycle(struct mk_image *img);
int mk_fill_times(struct mk_image *img);
int mk_fill_orphans(struct mk_image *img);   /* scen_orphans.c */
int mk_fill_orphans_misnamed(struct mk_image *img);
int mk_fill_orphans_snapshot(struct mk_image *img);
int mk_fill_names(struct mk_image *img);     /* scen_names.c */
int mk_fill_size_claims(struct mk_image *img);
int mk_fill_decmpfs_edges(struct mk_image *img);
int mk_fill_macos_boot(struct mk_image *img);
int mk_fill_group_firmlinks(struct mk_image *img);  /* scen_group_hostile.c */
int mk_fill_group_firmlinks_64k(struct mk_image *img);
int mk_fill_group_firmlinks_64k1(struct mk_image *img);
/* A regular file holding plist p, binary or XML (plist.c). */
int mk_fs_plist(struct mk_vol *v, uint64_t parent, const char *name, void *p, bool binary,
		uint64_t *ino);
/* mkdir -p of an absolute path; *ino gets the last directory (plist.c). */
int mk_fs_mkdirs(struct mk_vol *v, const char *path, uint64_t *ino);
void mk_scenario_list(void);
/* build/mkimage from-dir OUT.img --dir DIR ... (fromdir.c); returns the exit status. */
int mk_from_dir(int argc, char **argv);

/* ---- encrypted disk image around a file (encrcdsa.c) ----------------------- */

struct mk_encr_opts {
	const char *passphrase;
	unsigned key_bits;     /* 128 or 256 */
	uint64_t iterations;   /* PBKDF2 */
	uint64_t key_offset;   /* where the key entry goes; 0: 0x2A8 (vfdecrypt's) */
	uint64_t seed;
};

int mk_wrap_encrypted(const char *in_path, const char *out_path, const struct mk_encr_opts *o);
int mk_wrap_encrypted_bundle(const char *in_path, const char *out, const struct mk_opts *mo,
			     const struct mk_encr_opts *o);
int mk_streams(int argc, char **argv);

#endif
