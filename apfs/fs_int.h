/* SPDX-License-Identifier: MIT */
/*
 * fs_int.h - internals shared by the file-system layer's files (fs*.c,
 * decmpfs.c, snapshot.c).  Not part of the public API: see fs.h.
 */
#ifndef APFS_FS_INT_H
#define APFS_FS_INT_H

#include <string.h>

#include "util/bytes.h"
#include "fs.h"

/* A hard cap on records visited by one scan: bounds loops on looping trees. */
#define FS_MAX_EXTENTS (1u << 22)

/* How many directories found whole by a lookup's miss are remembered (direct-mapped). */
#define FS_WHOLE_DIRS 16
/* Directories a walk's rule found reached from the root through own entries (fs_entered.c). */
#define FS_REACHED_DIRS 256
/* How many found short are, with their two counts (direct-mapped, fs_dir.c's lock). */
#define FS_SHORT_DIRS 16

/* A directory whose records a lookup's miss found fewer than its inode counts. */
struct fs_short_dir {
	uint64_t dir;  /* 0: none */
	uint64_t given;
	int32_t counted;
};

struct apfs_fs {
	struct apfs_volume *v;
	struct apfs_container *c;
	struct apfs_btree_desc tree;
	uint32_t bs;
	bool ci;      /* case-insensitive */
	bool hashed;  /* directory records carry name hashes */
	bool sealed;  /* file extents live in the fext tree below */
	struct apfs_btree_desc fext;
	struct apfs_seal seal;  /* sealed volumes: the seal fs tree nodes are checked against */
	struct fs_group *grp;  /* a volume group's merged root (fs_group.c); NULL: one volume */
	struct fs_resume *resume;  /* unhashed records: where readdir walks stopped, or NULL */
	_Atomic unsigned firmlink_unknown;  /* inodes warned "firmlink not known" (fs_inode.c) */
	_Atomic bool root_found;    /* the root directory's inode record was found (fs_root_listed) */
	_Atomic bool root_missing;  /* it was not, and that was named (fs_inode.c) */
	uint64_t gen;  /* this open's number, unique in the process (fs_inode_marks' memo) */
	/* directories whose records a lookup that missed found all there (fs_dir.c), or 0 */
	_Atomic uint64_t whole_dirs[FS_WHOLE_DIRS];
	/* those it found short, with both counts (fs_dir.c; under its lock) */
	struct fs_short_dir short_dirs[FS_SHORT_DIRS];
	/* directories reached from the root by own entries (fs_entered.c's memo), or 0 */
	_Atomic uint64_t reached_dirs[FS_REACHED_DIRS];
};

/* A directory record's key at its longest: j_drec_hashed_key_t and its name. */
#define FS_DREC_KEY_MAX (12 + APFS_NAME_MAX)

/*
 * Where readdir walks stopped on a volume without name hashes (fs_resume.c):
 * put the key of the entry a walk of dir stopped at, with the cookie that
 * resumes there; get it back for that cookie (false: none kept, count).
 * NULL (no memory for it) keeps nothing.  Thread-safe.
 */
struct fs_resume *fs_resume_new(void);
/*
 * A walk resumed at a key inside a leaf whose keys do not ascend would hand
 * out again what the leaf stores before that key but sorts after it, and
 * miss the converse: such a resume fails, named (fs_dir.c), rather than
 * list a wrong set.  Known once the walk's first record is visited.
 */
int fs_resume_unsound(struct apfs_fs *fs, uint64_t dir);
/*
 * At the end of a whole listing of the root directory: 0 where its inode
 * record is in the tree, else -APFS_EINCOMPLETE, named once (the node that
 * held it is lost, and may have held the root's entries), or the error of
 * the lookup.  The root is the one directory listed with no lookup first.
 */
int fs_root_listed(struct apfs_fs *fs);
/* A walk of dir's records past nodes it cannot read, up to the first key past them (end). */
void fs_dir_lost_init(struct apfs_btree_lost *lost, uint8_t end[8], uint64_t dir);
/*
 * What a walk of dir (ret; stopped: fn ended it, the directory goes on)
 * says: at the directory's end past nodes of its records it could not
 * read (apfs_btree_iterate_past's lost, named once here; or lost_before:
 * an earlier part of the listing's, which said so), -APFS_EINCOMPLETE;
 * else ret, or at the end of a whole listing (given: the entries it gave)
 * what fs_root_listed and fs_valence_listed say.
 */
int fs_dir_walked(struct apfs_fs *fs, uint64_t dir, int ret, bool stopped,
		  const struct apfs_btree_lost *lost, bool lost_before, uint64_t given);
/* fs_dir_walked's given where the walk did not list the directory from its start */
#define FS_GIVEN_UNKNOWN UINT64_MAX
/*
 * Whether a listing's records may have been lost to another node: its walk
 * read more than one leaf (lost->walked), or met no record past the
 * directory's (past false: the tree ended; or fn stopped the walk, and the
 * listing goes on in another).  Records from one leaf's first to a
 * later record of that leaf are all there is of the range (a damaged leaf
 * counts in lost): only a listing so spread is held to the count of its
 * directory's inode (fs_valence_listed), which costs a lookup.
 */
bool fs_dir_spread(const struct apfs_btree_lost *lost, bool past);
/*
 * At the end of a whole listing of directory dir that gave `given`
 * entries: 0 where its inode counts no more (j_inode_val_t's nchildren),
 * else -APFS_EINCOMPLETE, named; or the error of the lookup.
 */
int fs_valence_listed(struct apfs_fs *fs, uint64_t dir, uint64_t given);
/*
 * The entries directory dir's inode counts (nchildren) into *counted: 0
 * where it has no inode record, or one not of a directory, or one too
 * short; or the error of the lookup.
 */
int fs_dir_counted(struct apfs_fs *fs, uint64_t dir, int32_t *counted);
/*
 * The fixed part of ino's inode record (j_inode_val_t) into *raw, unparsed:
 * -ENOENT where there is none, or one shorter than it; else the lookup's
 * error.
 */
int fs_inode_raw(struct apfs_fs *fs, uint64_t ino, struct apfs_j_inode_val *raw);
/* What an inode's record says of the xattrs it has (fs_xattr.c's witnesses). */
struct fs_inode_marks {
	uint64_t internal_flags;  /* INODE_* */
	uint32_t bsd_flags;       /* UF_*, SF_* */
	uint16_t mode;
};
/*
 * ino's marks: from the inode fs_inode_get read last on this thread where
 * it is ino (a stat, then a listing of its xattrs: no second lookup), else
 * as fs_inode_raw gives them (its errors).
 */
int fs_inode_marks(struct apfs_fs *fs, uint64_t ino, struct fs_inode_marks *m);
/*
 * What fs_xattr_get's -ENODATA for name means: -APFS_ECORRUPT, named, where
 * ino's inode witnesses it (a record lost), else -ENODATA (none there).
 */
int fs_xattr_absent(struct apfs_fs *fs, uint64_t ino, const char *name);
/* A number for a new open (struct apfs_fs's gen): unique in the process, never 0. */
uint64_t fs_gen_next(void);
void fs_resume_free(struct fs_resume *r);
void fs_resume_put(struct fs_resume *r, uint64_t dir, uint64_t cookie, const void *key,
		   size_t klen);
bool fs_resume_get(struct fs_resume *r, uint64_t dir, uint64_t cookie, void *key,
		   size_t *klen);

/* An inode record, parsed. */
struct fs_inode {
	uint64_t ino;
	struct apfs_j_inode_val raw;
	bool has_dstream;
	struct apfs_j_dstream dstream;
	uint64_t rdev;
	char name[APFS_NAME_MAX];
	uint16_t dir_stats_len;  /* INO_EXT_TYPE_DIR_STATS_KEY: 8 (a key) or 32 (the stats) */
	uint8_t dir_stats[sizeof(struct apfs_j_dir_stats_val)];
};

/* One file extent, as loaded for reading. */
struct fs_extent {
	uint64_t logical;
	uint64_t len;
	uint64_t phys;
	uint64_t crypto_id;
};

/* The extents of one data stream, sorted by logical address. */
struct fs_stream {
	uint64_t id;
	uint64_t size;
	struct fs_extent *ext;
	size_t n, cap;        /* cap: entries allocated, charged to the open-file budget */
	bool strict;          /* bytes in no extent are records lost, not a hole (fs_read.c) */
};

/* j_key_t header for (oid, type). */
static inline void fs_key(void *k, uint64_t oid, unsigned type)
{
	st_le64(k, (oid & APFS_OBJ_ID_MASK) | (uint64_t)type << APFS_OBJ_TYPE_SHIFT);
}

/*
 * fs_key for a number the image or a caller gave (an inode, a directory, a
 * data stream): 0, or -APFS_ECORRUPT (named) for one past the 60 bits a key
 * holds, which fs_key would mask into another object's number (a hostile
 * directory record's file id 0x4000000000000011 read as inode 17).
 */
int fs_key_checked(struct apfs_fs *fs, void *k, uint64_t oid, unsigned type);

static inline uint64_t fs_key_oid(const void *k)
{
	return ld_le64(k) & APFS_OBJ_ID_MASK;
}

static inline unsigned fs_key_type(const void *k)
{
	return (unsigned)(ld_le64(k) >> APFS_OBJ_TYPE_SHIFT);
}

/* Whether key k is a directory record of dir (a walk of its entries is past them if not). */
static inline bool fs_key_drec_of(const void *k, uint64_t dir)
{
	return fs_key_oid(k) == dir && fs_key_type(k) == APFS_TYPE_DIR_REC;
}

/* The directories a path, or an inode's path up to the root, may go through. */
#define MAX_PATH_DEPTH 4096
/* One step of a path walk: cur moves to comp (".." included) below it. */
typedef int (*fs_path_step)(struct apfs_fs *fs, const char *comp, struct apfs_dirent *cur);
/* Walk path from the root with step (fs_path.c); bounded depth, ENOTDIR, ENAMETOOLONG. */
int fs_path_walk(struct apfs_fs *fs, const char *path, fs_path_step step,
		 struct apfs_dirent *out);

/*
 * One path step as apfs_fs_lookup takes it (fs_path.c): name in dir, a
 * directory entered only through its own entry (-ELOOP otherwise, logged).
 */
int fs_lookup_checked(struct apfs_fs *fs, uint64_t dir, const char *name,
		      struct apfs_dirent *out);
/* That rule for entry d of dir, found there (fs_path.c): 0, or -ELOOP, named. */
int fs_entry_check(struct apfs_fs *fs, uint64_t dir, const struct apfs_dirent *d);
/*
 * A walk's rule for an entry it has read: directory ino, listed in dir as
 * name.  0: its own entry; -ELOOP: another, while its own (where its inode
 * says, in a directory reached from the root through own entries without
 * passing ino) is there; 1: another, but its own is not there so (its
 * inode's parent or name damaged, or no name held), so this one may be the
 * only one: entered, with a warning.  why (cap bytes) says which for -ELOOP
 * and 1, or is empty where a lower layer logged it (the private directory's
 * rule).  Other negative errnos where the inode could not be read
 * (fs_entered.c).
 */
int fs_dir_entered(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino, char *why,
		   size_t cap);

/*
 * The merged root of a volume group (fs_group.c): fs_api.c hands each
 * public function of fs.h to grp_* when fs->grp is set, so callers see one
 * tree.
 */
struct apfs_file;
int grp_stat(struct apfs_fs *fs, uint64_t ino, struct apfs_stat *st);
int grp_dir_stats(struct apfs_fs *fs, uint64_t ino, struct apfs_dir_stats *ds);
int grp_lookup(struct apfs_fs *fs, const char *path, struct apfs_dirent *out);
int grp_lookup_name(struct apfs_fs *fs, uint64_t dir, const char *name, struct apfs_dirent *out);
int grp_lookup_at(struct apfs_fs *fs, uint64_t dir, const char *name, struct apfs_dirent *out);
int grp_dir_entered(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino, char *why,
		    size_t cap);
int grp_readdir(struct apfs_fs *fs, uint64_t dir, uint64_t cookie, apfs_dirent_fn fn, void *ctx);
int grp_byino_plan(struct apfs_fs *fs, uint64_t dir, struct apfs_byino *p);
int grp_byino_read(struct apfs_fs *fs, const struct apfs_byino *p, uint64_t *from,
		   apfs_dirent_fn fn, void *ctx);
int grp_links(struct apfs_fs *fs, uint64_t ino, apfs_link_fn fn, void *ctx);
int grp_path(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);
int grp_readlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);
int grp_firmlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);
int grp_listxattr(struct apfs_fs *fs, uint64_t ino, unsigned flags, apfs_xattr_fn fn, void *ctx);
int grp_getxattr(struct apfs_fs *fs, uint64_t ino, const char *name, uint64_t off, void *buf,
		 size_t len, size_t *got, uint64_t *size);
int grp_file_open(struct apfs_fs *fs, uint64_t ino, struct apfs_file **out);
int grp_xattr_runs(struct apfs_fs *fs, uint64_t ino, const char *name, apfs_run_fn fn,
		   void *ctx, bool *resident);
void grp_close(struct apfs_fs *fs);

/* The same functions on one volume (fs_api.c chooses; the merged view reads its members so). */
int fs_vol_readdir(struct apfs_fs *fs, uint64_t dir, uint64_t cookie, apfs_dirent_fn fn, void *ctx);
int fs_vol_byino_plan(struct apfs_fs *fs, uint64_t dir, struct apfs_byino *p);
int fs_vol_byino_read(struct apfs_fs *fs, const struct apfs_byino *p, uint64_t *from,
		      apfs_dirent_fn fn, void *ctx);
int fs_vol_lookup_name(struct apfs_fs *fs, uint64_t dir, const char *name, struct apfs_dirent *out);
int fs_vol_lookup(struct apfs_fs *fs, const char *path, struct apfs_dirent *out);
int fs_vol_links(struct apfs_fs *fs, uint64_t ino, apfs_link_fn fn, void *ctx);
int fs_vol_path(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);
/* Building a path from its last name up, at buf's end (fs_dir.c). */
int fs_path_prepend(char *buf, size_t *pos, const char *name);
void fs_path_finish(char *buf, size_t pos, size_t cap);
int fs_vol_stat(struct apfs_fs *fs, uint64_t ino, struct apfs_stat *st);
int fs_vol_dir_stats(struct apfs_fs *fs, uint64_t ino, struct apfs_dir_stats *ds);
int fs_vol_getxattr(struct apfs_fs *fs, uint64_t ino, const char *name, uint64_t off,
		    void *buf, size_t len, size_t *got, uint64_t *size);
int fs_vol_listxattr(struct apfs_fs *fs, uint64_t ino, unsigned flags, apfs_xattr_fn fn, void *ctx);
int fs_vol_xattr_runs(struct apfs_fs *fs, uint64_t ino, const char *name, apfs_run_fn fn,
		      void *ctx, bool *resident);
int fs_vol_readlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);
int fs_vol_firmlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);
int fs_vol_file_open(struct apfs_fs *fs, uint64_t ino, struct apfs_file **out);
void fs_vol_close(struct apfs_fs *fs);

int fs_key_cmp_plain(const void *a, size_t alen, const void *b, size_t blen);

int fs_inode_get(struct apfs_fs *fs, uint64_t ino, struct fs_inode *in);

/*
 * Load / free / read the extents of a data stream of `size` bytes.  Bytes
 * below the size in no extent are records lost: a read of them fails
 * (-APFS_ECORRUPT, named), the bytes before them given (*got); the partial
 * load takes them as a hole (an orphan's or a dataless file's stream,
 * which may lack extents).
 */
int fs_stream_load(struct apfs_fs *fs, uint64_t id, uint64_t size, struct fs_stream *s);
int fs_stream_load_partial(struct apfs_fs *fs, uint64_t id, uint64_t size, struct fs_stream *s);
/*
 * Whether inode ino is an orphan: an entry of the private directory names
 * it (fs_orphan.c).  An orphan's stream may lack extents (apfsck
 * extents.c: macOS frees them as it deletes the file), as may a dataless
 * file's, whose data is elsewhere: reads take their bytes in no extent as a
 * hole (fs_file.c); diff knows orphans from its own walk (fs_diff_scan.c).
 */
bool fs_orphan(struct apfs_fs *fs, uint64_t ino);
/*
 * Whether a lookup in the private directory follows its entry d (found
 * there): 0, or -ELOOP (named) for one that would make the directories
 * reached from there other than a tree (fs_private.c).
 */
int fs_private_entry_check(struct apfs_fs *fs, const struct apfs_dirent *d);
/* fs_vol_lookup_name by the tree's search alone: a miss not held to the count (fs_dir.c). */
int fs_vol_find_name(struct apfs_fs *fs, uint64_t dir, const char *name, struct apfs_dirent *out);
/*
 * Whether dir has an entry name naming ino: 1, 0 (none, or another's), or an
 * error; found (or NULL) gets the entry met (fs_dir.c).
 */
int fs_entry_names(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino,
		   struct apfs_dirent *found);

/* Whether every byte below the size is in an extent: 0, or -APFS_ECORRUPT (named). */
int fs_stream_whole(const struct apfs_fs *fs, const struct fs_stream *s);
void fs_stream_free(struct fs_stream *s);
int fs_stream_read(struct apfs_fs *fs, const struct fs_stream *s, uint64_t off, void *buf,
		   size_t len, size_t *got);
/*
 * From pos (below the size) on: *hole true for bytes in no extent or in a
 * sparse one (they read as zeros), false for bytes in blocks; *len the run
 * of the same kind, to the next change or the size.  0 at or past the size.
 */
void fs_stream_span(const struct fs_stream *s, uint64_t pos, bool *hole, uint64_t *len);
/* The on-disk runs of a stream, for apfs_file_runs and apfs_fs_xattr_runs (fs.h). */
int fs_stream_runs(const struct apfs_fs *fs, const struct fs_stream *s, apfs_run_fn fn,
		   void *ctx);
/* Bytes the image really holds for the stream: in extents with blocks, below its size. */
uint64_t fs_stream_held(const struct fs_stream *s);
/* The bytes from 0 a whole read gives before it fails, as the records tell (fs_read.c). */
uint64_t fs_stream_readable(const struct apfs_fs *fs, const struct fs_stream *s);
/* Bytes below the size in no extent of a partial stream (apfs_file_unstored); 0 if strict. */
uint64_t fs_stream_unstored(const struct fs_stream *s);

/*
 * An xattr found by name: embedded bytes (copied, malloc'd) or a stream.
 */
struct fs_xattr {
	uint16_t flags;
	uint64_t size;
	uint8_t *data;        /* embedded */
	uint64_t stream_id;   /* XATTR_DATA_STREAM */
};

/*
 * The parsers of one record's bytes (key and value from a node), each
 * checking every length against what the record holds; not static so that
 * tests/unit/test_records.c can put each check at its edge.
 */
/* A directory record, decoded from its key and value. */
struct drec {
	uint32_t hash;        /* 22-bit name hash (hashed volumes) */
	const char *name;     /* NUL-terminated, inside the node */
	size_t name_len;      /* without the NUL */
	uint64_t ino, added;
	uint16_t type;
};

int fs_drec_parse(struct apfs_fs *fs, const uint8_t *k, size_t kl, const uint8_t *v,
		  size_t vl, struct drec *d);
/* A j_xattr_val_t of inode ino (embedded bytes are copied into x->data). */
int fs_xattr_parse(struct apfs_fs *fs, uint64_t ino, const uint8_t *v, size_t vl,
		   struct fs_xattr *x);
/* The extended-field blob after a j_inode_val_t, into in. */
int fs_inode_xfields(struct apfs_fs *fs, struct fs_inode *in, const uint8_t *p, size_t len);
/* One field of an xf_blob_t; a nonzero return ends fs_xfields_each. */
typedef int (*fs_xfield_fn)(uint8_t type, const uint8_t *d, size_t len, void *ctx);
/* Each field of an xf_blob_t, silently: -APFS_ECORRUPT and *why when malformed. */
int fs_xfields_each(const uint8_t *p, size_t len, fs_xfield_fn fn, void *ctx, const char **why);
/* An INO_EXT_TYPE_NAME field's bytes are a name: 1..APFS_NAME_MAX, NUL last. */
bool fs_xfield_name_ok(const uint8_t *d, size_t len);

int fs_xattr_get(struct apfs_fs *fs, uint64_t ino, const char *name, struct fs_xattr *x);
/*
 * Whether ino has the xattr name, its value unread: 0, -ENOENT when not
 * (fs_xattr_get's is -ENODATA).
 */
int fs_xattr_has(struct apfs_fs *fs, uint64_t ino, const char *name);
void fs_xattr_free(struct fs_xattr *x);
/* Read [off, off+len) of an xattr found by fs_xattr_get. */
int fs_xattr_read(struct apfs_fs *fs, const struct fs_xattr *x, uint64_t off, void *buf,
		  size_t len, size_t *got);

/* Whether decmpfs type t keeps its chunks in the resource fork (4, 8, 10, 12, 14). */
bool fs_decmpfs_in_rsrc(uint32_t t);
/* decmpfs: parse the header of ino's com.apple.decmpfs; *type 0 if absent. */
int fs_decmpfs_info(struct apfs_fs *fs, uint64_t ino, uint32_t *type, uint64_t *size);

struct fs_decmpfs;
int fs_decmpfs_open(struct apfs_fs *fs, uint64_t ino, struct fs_decmpfs **out);
void fs_decmpfs_close(struct fs_decmpfs *d);
uint64_t fs_decmpfs_size(const struct fs_decmpfs *d);
/* The resource fork's stream of a type that keeps its chunks there; NULL otherwise. */
const struct fs_stream *fs_decmpfs_stream(const struct fs_decmpfs *d);
int fs_decmpfs_read(struct fs_decmpfs *d, uint64_t off, void *buf, size_t len, size_t *got);
/* What a read from 0 gives before a chunk whose bytes the fork lacks (apfs_file_readable). */
uint64_t fs_decmpfs_readable(struct fs_decmpfs *d);

#endif
