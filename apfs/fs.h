/* SPDX-License-Identifier: MIT */
/*
 * fs.h - the file-system layer: a read-only view of one volume's fs tree
 * (live, or as of a snapshot) for the CLI and the FUSE mount.
 *
 * Thread safety: a struct apfs_fs is immutable once opened; every function
 * taking one may be called from several threads at once (the block cache
 * underneath has its own lock).  A struct apfs_file carries a small chunk
 * cache behind its own mutex, so one handle may also be read concurrently.
 *
 * Everything comes from the image and is untrusted: damaged records give
 * -APFS_ECORRUPT for the file concerned, logged once, and never a crash.
 * Inode numbers are APFS object ids (root directory = 2).
 */
#ifndef APFS_FS_H
#define APFS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apfs.h"

struct apfs_fs;
struct apfs_file;

/* Longest name APFS stores (j_drec name_len is 10 bits, NUL included). */
#define APFS_NAME_MAX 1024

/* ---- views -------------------------------------------------------------- */

/**
 * apfs_fs_open - open a read-only view of a volume's file system
 * @v:        the volume; unlocked first if encrypted (v->xts set)
 * @snap_xid: 0 for the live file system, else the xid of a snapshot
 *            (apfs_snapshot_list / apfs_snapshot_find give it)
 * @out:      the view, freed with apfs_fs_close()
 *
 * Returns 0, -APFS_ELOCKED for a locked encrypted volume, -ENOENT when no
 * snapshot has that xid, -APFS_ECORRUPT, -ENOMEM.  The volume must outlive
 * the view.
 */
int apfs_fs_open(struct apfs_volume *v, uint64_t snap_xid, struct apfs_fs **out);
void apfs_fs_close(struct apfs_fs *fs);

/*
 * A sealed volume's whole fs tree against its seal: every node's hash (the
 * root's against the integrity metadata's).  *nodes checked, *bad that do
 * not match (each named in a warning).  -ENOENT when the volume is not
 * sealed, or its seal says it is broken (nothing left to check against).
 */
int apfs_fs_seal_verify(struct apfs_fs *fs, uint64_t *nodes, uint64_t *bad);

/*
 * A sealed volume's file data against the hashes its fs tree holds for it
 * (FILE_INFO records: fs_seal_data.c): every regular file's.  Counts in *c;
 * each run that does not match, or cannot be checked, named in a warning
 * (the first few).  -ENOENT as apfs_fs_seal_verify; otherwise 0, or the
 * error that ended the walk of the tree (the counts say how far it got).
 * Reads every file's data: hashes past a few times the container's size
 * are counted as not checked.
 */
struct apfs_data_check {
	uint64_t files;       /* files with data hashes, checked */
	uint64_t hashes;      /* data hashes (runs of blocks) checked */
	uint64_t mismatched;  /* of them, not matching: data changed after sealing */
	uint64_t unchecked;   /* not checked: the data or a record unreadable, a record not
			       * understood, past the budget */
	uint64_t uncovered;   /* files with data that no run of hashes from its start covers */
	uint64_t strays;      /* hash records of no regular file found */
	uint64_t bytes;       /* bytes hashed */
};
int apfs_fs_seal_data_verify(struct apfs_fs *fs, struct apfs_data_check *c);

/* ---- snapshots ---------------------------------------------------------- */

struct apfs_snapshot {
	uint64_t xid;
	uint64_t create_time;  /* ns since 1970 UTC */
	uint64_t change_time;
	uint64_t sblock_oid;   /* physical block of its volume superblock */
	uint32_t flags;        /* j_snap_metadata_val flags */
	char name[APFS_NAME_MAX];
};

/**
 * apfs_snapshot_list - the snapshots of a volume, oldest xid first
 * @v:   the volume
 * @out: malloc'd array (free() it); NULL when there are none
 * @n:   its length
 */
int apfs_snapshot_list(struct apfs_volume *v, struct apfs_snapshot **out, unsigned *n);

/*
 * The copy of the volume superblock snapshot xid was taken with (physical,
 * its magic checked): -ENOENT when the volume has no such snapshot.
 */
int apfs_snapshot_sb(struct apfs_volume *v, uint64_t xid, struct apfs_superblock *sb);

/*
 * The seal snapshot xid was taken with (its superblock copy's
 * integrity_meta, at its xid): -ENOENT when that state was not sealed,
 * -APFS_ECORRUPT (named) where its copy shows a seal that cannot be read
 * (apfs_seal_signs).  *root (if root) gets its fs tree's root oid.
 */
int apfs_snapshot_seal(struct apfs_volume *v, uint64_t xid, struct apfs_seal *s, uint64_t *root);

/**
 * apfs_snapshot_counted - whether n snapshots found are all v counts
 * @v: the volume
 * @n: how many apfs_snapshot_list gave
 *
 * Returns 0, or -APFS_EINCOMPLETE, named, where v's superblock counts more
 * (apfs_num_snapshots): records of the snapshot metadata tree are missing.
 */
int apfs_snapshot_counted(struct apfs_volume *v, unsigned n);
/* Whether it is so, said in why (cap bytes) and not logged: for a caller that says it itself. */
bool apfs_snapshot_short(const struct apfs_volume *v, unsigned n, char *why, size_t cap);

/**
 * apfs_snapshot_find - a snapshot by exact name, or by decimal xid
 * @v:   the volume
 * @sel: a snapshot name, or an xid in decimal or 0x-hex
 * @out: the matching snapshot
 *
 * Returns 0, or -ENOENT when none matches (-APFS_EINCOMPLETE where the
 * tree lacks snapshots the volume counts: apfs_snapshot_counted).
 */
int apfs_snapshot_find(struct apfs_volume *v, const char *sel, struct apfs_snapshot *out);

/*
 * An xid as a selector writes it: decimal digits, or 0x (0X) and hex digits,
 * below 2^64.  Nothing else: no sign, space, octal or trailing text (strtoull
 * took "010" as 8, " 2" and "-18446744073709551614" as 2).  False if sel is
 * not one.
 */
bool apfs_xid_parse(const char *sel, uint64_t *xid);

/* ---- inodes ------------------------------------------------------------- */

/* Compression types of decmpfs (docs/apfs-format.md §8.2). */
enum {
	APFS_CMP_NONE = 0,
	APFS_CMP_ATTR_UNCOMPRESSED = 1,
	APFS_CMP_ZLIB_ATTR = 3, APFS_CMP_ZLIB_RSRC = 4,
	APFS_CMP_LZVN_ATTR = 7, APFS_CMP_LZVN_RSRC = 8,
	APFS_CMP_PLAIN_ATTR = 9, APFS_CMP_PLAIN_RSRC = 10,
	APFS_CMP_LZFSE_ATTR = 11, APFS_CMP_LZFSE_RSRC = 12,
	APFS_CMP_LZBITMAP_ATTR = 13, APFS_CMP_LZBITMAP_RSRC = 14,
};

struct apfs_stat {
	uint64_t ino;            /* inode object id */
	uint64_t parent_id;      /* parent directory of the primary link */
	uint64_t private_id;     /* data stream id */
	uint16_t mode;           /* S_IF* type and permission bits */
	uint32_t uid, gid;
	uint32_t nlink;          /* files: true link count; dirs: nchildren + 2 */
	uint64_t nchildren;      /* directories only */
	uint64_t size;           /* logical size; uncompressed size for decmpfs files */
	uint64_t alloced;        /* bytes allocated to the data stream */
	uint64_t crtime, mtime, ctime, atime; /* ns since 1970 UTC */
	uint64_t added;          /* date added (from the directory record); 0 if unknown */
	uint32_t bsd_flags;      /* UF_* / SF_* */
	uint64_t internal_flags; /* INODE_* */
	uint32_t compression;    /* APFS_CMP_* (0: not compressed) */
	uint64_t rdev;           /* device number for block/char special files */
	bool firmlink;           /* has com.apple.fs.firmlink (see apfs_fs_firmlink) */
	/*
	 * A record the inode says it has is missing (a symbolic link's target,
	 * a compressed file's decmpfs; named in the log): the rest is as read.
	 */
	bool partial;
};

/**
 * apfs_fs_stat - the attributes of an inode
 * @fs:  the view
 * @ino: inode number
 * @st:  filled on success; st->added is 0 (it lives in the directory record:
 *       apfs_fs_lookup fills it)
 *
 * Returns 0, -ENOENT, -APFS_ECORRUPT.
 */
int apfs_fs_stat(struct apfs_fs *fs, uint64_t ino, struct apfs_stat *st);

/**
 * apfs_fs_stat_many - apfs_fs_stat of n inodes, read in inode order
 * @ino:    the first inode number; the next is stride bytes further (so an
 *          array of a caller's records holding inode numbers can be given)
 * @st:     n results, in the order given
 * @err:    n results of apfs_fs_stat: 0 or a negative errno, per inode
 *
 * Much cheaper than n calls in name order for a directory's children.
 * Damage is logged as each inode is read, so in inode order too.
 * Returns 0, or -ENOMEM (nothing read).
 */
int apfs_fs_stat_many(struct apfs_fs *fs, size_t n, const uint64_t *ino, size_t stride,
		      struct apfs_stat *st, int *err);

/*
 * The same, handing each result to fn(ctx, i, st, err) as it is read (i:
 * its place in the order given), for a caller that keeps less than a whole
 * struct apfs_stat an inode.  Returns 0, or -ENOMEM (nothing read).
 */
typedef void (*apfs_stat_fn)(void *ctx, size_t i, const struct apfs_stat *st, int err);
int apfs_fs_stat_each(struct apfs_fs *fs, size_t n, const uint64_t *ino, size_t stride,
		      apfs_stat_fn fn, void *ctx);

/*
 * Directory statistics, kept by macOS for directories with
 * INODE_MAINTAIN_DIR_STATS (j_dir_stats_val_t).
 */
struct apfs_dir_stats {
	uint64_t num_children;   /* files and folders inside */
	uint64_t total_size;     /* bytes of the files inside */
	uint64_t chained_key;    /* the stats of the directory these add up into */
	uint64_t gen_count;
	uint64_t key;            /* object id of the DIR_STATS record; 0: kept in the inode */
	bool origin;             /* INODE_DIR_STATS_ORIGIN */
};

/**
 * apfs_fs_dir_stats - a directory's statistics
 * Returns 0, -ENOENT when the inode keeps none, -APFS_ECORRUPT.
 */
int apfs_fs_dir_stats(struct apfs_fs *fs, uint64_t ino, struct apfs_dir_stats *ds);

/* ---- names -------------------------------------------------------------- */

/* DT_* style types of directory records (j_drec flags & DREC_TYPE_MASK). */
struct apfs_dirent {
	uint64_t ino;
	uint64_t date_added;     /* ns since 1970 UTC */
	uint16_t type;           /* DT_REG, DT_DIR, DT_LNK, ... */
	uint64_t next_cookie;    /* resume apfs_fs_readdir() after this entry */
	char name[APFS_NAME_MAX];/* NUL-terminated UTF-8 as stored */
};

/**
 * apfs_fs_lookup - resolve an absolute or root-relative path
 * @fs:   the view
 * @path: "/a/b", "a/b", "/" or ""; "." and ".." components are honoured
 *        (".." of the root is the root); symlinks are not followed
 * @out:  the directory entry found (the root gives ino 2, name "/")
 *
 * Names compare as the volume does: byte-exact on case-sensitive volumes;
 * through NFD and case folding (Apple's name hash) on insensitive ones.
 * A directory is entered only through its own entry (the one in its
 * inode's parent, under its inode's name): any other entry naming it gives
 * -ELOOP, logged with both inodes, so no path can go round a cycle.
 * Returns 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP, -APFS_ECORRUPT.
 */
int apfs_fs_lookup(struct apfs_fs *fs, const char *path, struct apfs_dirent *out);

/* apfs_fs_lookup for one name in directory dir. */
int apfs_fs_lookup_name(struct apfs_fs *fs, uint64_t dir, const char *name,
			struct apfs_dirent *out);

/*
 * apfs_fs_lookup_name with the path walk's rule for directories: one that
 * is not entered through its own entry gives -ELOOP (see apfs_fs_lookup),
 * so that a caller stepping name by name (the FUSE mount) cannot go round
 * a cycle either.
 */
int apfs_fs_lookup_at(struct apfs_fs *fs, uint64_t dir, const char *name,
		      struct apfs_dirent *out);

/*
 * A walk's rule for an entry it has read itself (directory ino, listed in
 * directory dir as name): 0, its own entry; -ELOOP, another, while its own
 * (where its inode says, in a directory reached from the root through own
 * entries without passing ino) is there to be walked; 1, another, but its own is
 * not there so (its inode's parent or name damaged): entered, with a
 * warning.
 * why (cap bytes) says which for -ELOOP and 1 (empty where a lower layer
 * logged it).  It reads ino's inode, and searches for its own entry only
 * where this one is not.
 */
int apfs_fs_dir_entered(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino,
			char *why, size_t cap);

/*
 * Callback of apfs_fs_readdir: 0 to go on, 1 to stop (e.g. FUSE's buffer
 * is full), <0 to abort with that error.  d is valid only during the call.
 */
typedef int (*apfs_dirent_fn)(const struct apfs_dirent *d, void *ctx);

/**
 * apfs_fs_readdir - stream a directory's entries (without "." and "..")
 * @fs:     the view
 * @dir:    directory inode number
 * @cookie: 0 for the start, else a next_cookie an earlier call returned
 * @fn:     called once per entry in on-disk order
 * @ctx:    passed to fn
 *
 * Cookies are opaque, nonzero and below 2^63 (usable as FUSE offsets);
 * resuming is cheap also in directories of millions of entries: by the name
 * hash, or without hashes from where a recent walk stopped (fs_resume.c).
 */
int apfs_fs_readdir(struct apfs_fs *fs, uint64_t dir, uint64_t cookie, apfs_dirent_fn fn,
		    void *ctx);

/* Where apfs_fs_readdir_from stopped: zeroed for the start. */
struct apfs_dir_pos {
	uint8_t key[12 + APFS_NAME_MAX];  /* the last entry's record key (one volume) */
	size_t klen;
	uint64_t cookie;                   /* its next_cookie (a volume group's merged root) */
	bool unsound;                      /* one of its records came from a damaged leaf */
	bool lost;                         /* the walk passed a node of it it could not read */
	uint64_t taken;                    /* entries fn took from the start (one volume) */
	bool spread;                       /* read from more than one leaf (fs_dir_spread) */
};

/**
 * apfs_fs_readdir_from - apfs_fs_readdir from where the last call stopped
 * @pos: zeroed for the start; moved past each entry fn takes (returns 0 for)
 *
 * An entry fn stops at (returns 1 for) is handed out again by the next
 * call.  Resuming costs one lookup in any directory, so a walk can hold a
 * few hundred of a directory's names at a time (fs_dirpos.c).
 */
int apfs_fs_readdir_from(struct apfs_fs *fs, uint64_t dir, struct apfs_dir_pos *pos,
			 apfs_dirent_fn fn, void *ctx);

/*
 * A directory's entries in inode-number order, read from its children's
 * inode records (fs_byino.c): each leaf of their inodes read once however
 * many entries, where windows of names in hash order read them once a
 * window.  Only for entries that provably are their inodes' only names.
 */
struct apfs_byino {
	uint64_t dir;        /* as given to the plan */
	uint64_t lo, hi;     /* the children's numbers (in their volume) lie in [lo, hi] */
	uint64_t n;          /* entries */
	uint64_t sum;        /* of their keyed hashes */
};

/**
 * apfs_fs_byino_plan - read dir's entries to see whether they can be read
 * in inode order
 *
 * Returns 0 (plan filled), -ENOTSUP when they cannot (a hard link's second
 * name, an entry whose inode names another, an empty directory, keys out of
 * order or a damaged node in the range, a range holding far more records
 * than entries, a volume group's System directory), or the error reading
 * the directory's own records gave (a damaged record).  Costs a read of the
 * directory's records and of the range's; the range's damage is not logged.
 */
int apfs_fs_byino_plan(struct apfs_fs *fs, uint64_t dir, struct apfs_byino *plan);

/* Tags a byino position: apart from any apfs_fs_readdir cookie (below 2^44). */
#define APFS_BYINO_COOKIE (UINT64_C(1) << 62)

/**
 * apfs_fs_byino_read - a plan's entries from *from on (0: the first), in
 * inode order, to fn; date_added is 0 (it is in the directory's records)
 *
 * Positions: each entry's next_cookie is where a read resumes after it (its
 * number + 1, tagged); *from is moved past the last entry fn took.  A
 * resumed read must find that entry again first (-APFS_ECORRUPT if not: a
 * damaged index).  Returns 0 at the end, 1 when fn stopped (returned 1; the
 * entry it stopped at comes first next time), or a negative error
 * (-EINVAL: *from is no position of this plan).
 */
int apfs_fs_byino_read(struct apfs_fs *fs, const struct apfs_byino *plan, uint64_t *from,
		       apfs_dirent_fn fn, void *ctx);

/*
 * Callback of apfs_fs_links: one name of a (hard-linked) inode.
 */
typedef int (*apfs_link_fn)(uint64_t parent, const char *name, void *ctx);

/**
 * apfs_fs_links - every name of an inode: its sibling links for hard-linked
 * files, else the primary name from the inode (parent_id + INO_EXT_TYPE_NAME)
 */
int apfs_fs_links(struct apfs_fs *fs, uint64_t ino, apfs_link_fn fn, void *ctx);

/**
 * apfs_fs_path - a path of an inode from the root, built from parent ids
 * @buf/@cap: output, NUL-terminated; -ENAMETOOLONG when it does not fit
 */
int apfs_fs_path(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);

/* ---- links -------------------------------------------------------------- */

/**
 * apfs_fs_readlink - target of a symbolic link (xattr com.apple.fs.symlink)
 * @buf/@cap: NUL-terminated output; -ENAMETOOLONG when it does not fit
 * Returns -EINVAL for an inode that is not a symlink.
 */
int apfs_fs_readlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);

/**
 * apfs_fs_firmlink - target of a firmlink (xattr com.apple.fs.firmlink),
 * a path on the other volume of the group; -ENOENT when ino is no firmlink.
 */
int apfs_fs_firmlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap);

/* ---- extended attributes ------------------------------------------------ */

#define APFS_XATTR_RESOURCE_FORK "com.apple.ResourceFork"
#define APFS_XATTR_DECMPFS "com.apple.decmpfs"
#define APFS_XATTR_SYMLINK "com.apple.fs.symlink"
#define APFS_XATTR_FIRMLINK "com.apple.fs.firmlink"
#define APFS_XATTR_SECURITY "com.apple.system.Security"  /* an access control list */

/* Flags for apfs_fs_listxattr. */
#define APFS_LIST_HIDDEN 0x1  /* also com.apple.decmpfs and com.apple.fs.* */
/* Instead of the records: fn(name, 0) for each xattr the inode's flags say it has and the tree holds no record of. */
#define APFS_LIST_MISSING 0x2

typedef int (*apfs_xattr_fn)(const char *name, uint64_t size, void *ctx);

/**
 * apfs_fs_listxattr - visit the extended attributes of an inode
 * @flags: APFS_LIST_HIDDEN to include those macOS hides from listxattr
 *         (com.apple.decmpfs, com.apple.fs.symlink, com.apple.fs.firmlink);
 *         APFS_LIST_MISSING for the names of those witnessed and lost (its
 *         listing, which is whole, returns 0)
 */
int apfs_fs_listxattr(struct apfs_fs *fs, uint64_t ino, unsigned flags, apfs_xattr_fn fn,
		      void *ctx);

/**
 * apfs_fs_getxattr - read an extended attribute, embedded or a data stream
 * @name: exact name (hidden ones too)
 * @off:  byte offset into the value
 * @buf:  output, may be NULL to learn the size only
 * @len:  bytes wanted
 * @got:  bytes stored in buf (may be 0 at or past the end)
 * @size: set to the attribute's full size (may be NULL)
 *
 * Returns 0, -ENODATA when the inode has no such attribute, -APFS_ECORRUPT.
 */
int apfs_fs_getxattr(struct apfs_fs *fs, uint64_t ino, const char *name, uint64_t off,
		     void *buf, size_t len, size_t *got, uint64_t *size);

/* ---- file data ---------------------------------------------------------- */

/**
 * apfs_file_open - prepare to read a regular file's (decompressed) data
 * @fs:  the view
 * @ino: inode number
 * @out: the handle; read it from any thread; close with apfs_file_close()
 *
 * Returns -EISDIR for a directory, -EOPNOTSUPP for an unknown compression
 * type (named in the log), -APFS_ECORRUPT for a damaged decmpfs header.
 */
int apfs_file_open(struct apfs_fs *fs, uint64_t ino, struct apfs_file **out);
void apfs_file_close(struct apfs_file *f);

/* Logical (uncompressed) size. */
uint64_t apfs_file_size(const struct apfs_file *f);

/**
 * apfs_file_read - read file data at any offset
 * @f:   the handle
 * @off: byte offset
 * @buf: output
 * @len: bytes wanted
 * @got: bytes read: short only at end of file; with an error, the bytes
 *       before it (a compressed file's: those of the chunks before it)
 *
 * Extents are decrypted with their crypto_id tweaks on encrypted volumes;
 * sparse extents read as zeros, bytes in no extent fail (records lost:
 * fs_read.c; but an orphan's or a dataless file's read as zeros); decmpfs
 * files are decompressed chunk by chunk.  Returns 0, -APFS_ECORRUPT,
 * -APFS_ETRUNC, -EIO.
 */
int apfs_file_read(struct apfs_file *f, uint64_t off, void *buf, size_t len, size_t *got);

/**
 * apfs_file_span - how the bytes from off on are stored, so that a copy can
 * skip what the image does not hold (sparse output, work bounded by the
 * blocks really there rather than by the size claimed)
 * @f:    the handle
 * @off:  byte offset
 * @hole: true when the run is a hole (no blocks: reads as zeros)
 * @len:  bytes in the run: data to the end of its extent (the next extent may
 *        be data too: a call per extent keeps the work a caller does per
 *        call bounded), a hole to the next data; 0 at or past the end
 *
 * Compressed files are data throughout.
 */
void apfs_file_span(const struct apfs_file *f, uint64_t off, bool *hole, uint64_t *len);

/**
 * apfs_file_readable - how many bytes from 0 a read in order gives before it
 * fails, as the file's records tell: its size for a sound file; less where
 * bytes lie in no extent (records lost), or up to the first block of an
 * extent that lies outside the container or past the end of a truncated
 * image (a read gives every block before it); for a compressed file, up to
 * the first chunk whose compressed bytes (or the table that places them)
 * its resource fork so lacks.  A read may still fail below it (a
 * compressed chunk that does not decode, the image unreadable).
 */
uint64_t apfs_file_readable(const struct apfs_file *f);

/**
 * apfs_file_unstored - how many of the file's bytes lie in no extent of a
 * stream that may lack extents (an orphan's, whose extents macOS frees as
 * it deletes the file; a dataless file's, whose data is kept elsewhere):
 * a read gives them as zeros, not as the file's bytes.  0 for every other
 * file (there such bytes are records lost, and a read of them fails) and
 * for a compressed one.
 */
uint64_t apfs_file_unstored(const struct apfs_file *f);

/*
 * One run of a file's bytes on disk: file_offset..+len of the stream lie at
 * fs_offset from the container's block 0 and img_offset from the start of
 * the image (the decoded disk, for E01 or sparse images); encrypted: the
 * bytes there are ciphertext.
 */
struct apfs_byte_run {
	uint64_t file_offset, len, fs_offset, img_offset;
	bool encrypted;
};

typedef int (*apfs_run_fn)(const struct apfs_byte_run *r, void *ctx);

/* What the runs of apfs_file_runs cover. */
enum {
	APFS_RUNS_DATA,    /* the data stream: what apfs_file_read returns, byte for byte */
	APFS_RUNS_RSRC,    /* decmpfs: the resource fork holding the compressed chunks */
	APFS_RUNS_INLINE,  /* decmpfs in the xattr, inside the fs tree: no runs of its own */
};

/**
 * apfs_file_runs - where a file's bytes lie on disk, in stream order:
 * extents with blocks, each clipped to the stream's size (holes and sparse
 * extents have none); fn returns 0 to go on, else that value ends the walk.
 * @kind: set to APFS_RUNS_*.  Returns 0, fn's value, -APFS_ECORRUPT, or
 *        -APFS_EINCOMPLETE (every run given; bytes in no extent, records lost).
 */
int apfs_file_runs(const struct apfs_file *f, apfs_run_fn fn, void *ctx, unsigned *kind);

/**
 * apfs_fs_xattr_runs - where an xattr's value lies on disk: for one kept in
 * a data stream (large values, resource forks) its runs as apfs_file_runs
 * gives them; for one embedded in the fs tree (*resident) none.
 * Returns 0, fn's value, -ENODATA, -APFS_ECORRUPT.
 */
int apfs_fs_xattr_runs(struct apfs_fs *fs, uint64_t ino, const char *name, apfs_run_fn fn,
		       void *ctx, bool *resident);

/* ---- a volume group's merged root (fs_group.c) -------------------------- */

/*
 * Inode numbers of the merged root.  Real disks keep the System volume's
 * own objects at SYSTEM_OBJ_ID_MARK (0x0FFFFFFF00000000) and up and the
 * Data volume's below it, so both keep their numbers; only the numbers a
 * volume holds outside its half (the Data volume's 1-15: its root 2 and
 * private-dir 3; System's 3-15; any object of a volume that breaks the
 * rule) get a tag above APFS's 60-bit object ids, so no two objects share
 * a number.  The Mac's root is System's root, 2.  README "Volume groups".
 */
#ifndef APFS_SYSTEM_OBJ_ID_MARK
#define APFS_SYSTEM_OBJ_ID_MARK 0x0fffffff00000000ull
#endif
#define APFS_GROUP_DATA_TAG (1ull << 60)
#define APFS_GROUP_SYS_TAG (2ull << 60)

/**
 * apfs_fs_open_group - the Mac's root, as the Mac sees it: System's tree
 * (from the view given, normally its boot snapshot), each directory listed
 * in System's /usr/share/firmlinks showing the Data directory it names,
 * and /System/Volumes/Data showing the Data volume's root
 * @sys:  a view of the group's System volume
 * @data: a view of its Data volume, or NULL when that is locked: then the
 *        firmlinked directories and /System/Volumes/Data give -APFS_ELOCKED
 * @out:  the merged view; apfs_fs_close() on it closes sys and data too
 *
 * Every function of this header works on the merged view.  A firmlinks
 * line that breaks a rule (firmlinks.h), names no directory on System, or
 * nests in another firmlink, is warned about and not applied; a target
 * missing on Data is warned about and System's own directory shown.
 * Returns 0 or -ENOMEM (sys and data are closed on failure).
 */
int apfs_fs_open_group(struct apfs_fs *sys, struct apfs_fs *data, struct apfs_fs **out);

/**
 * apfs_fs_elsewhere - whether a walk from walk_root should leave directory
 * ino, listed in parent, unentered because its own place is elsewhere in
 * the walk: in a merged root a firmlinked Data directory is listed under
 * its firmlink (/Users, its place) and under /System/Volumes/Data; a walk
 * covering both enters it once, at its firmlink.  False on one volume.
 */
bool apfs_fs_elsewhere(struct apfs_fs *fs, uint64_t walk_root, uint64_t parent, uint64_t ino);

/**
 * apfs_fs_origin - where an object of a view lives: its volume and its
 * inode number there.  On one volume that is the view's volume and ino;
 * in a merged root the System or Data volume and the number that volume
 * itself uses (what --no-firmlinks or --volume Data show).
 * Returns 0, -ENOENT, -APFS_ELOCKED.
 */
int apfs_fs_origin(struct apfs_fs *fs, uint64_t ino, const struct apfs_volume **v,
		   uint64_t *vol_ino);

/* Whether fs is a volume group's merged root (apfs_fs_open_group). */
bool apfs_fs_is_group(const struct apfs_fs *fs);

/**
 * apfs_group_boot_snapshot - the snapshot a sealed System volume boots
 * from (docs macos-boot.md §4): the one apfs_root_to_xid names, else the
 * newest named "com.apple.os.update-..."; -ENOENT when it has neither,
 * -APFS_EINCOMPLETE where the tree lacks snapshots the volume counts and
 * apfs_root_to_xid names none it holds (apfs_snapshot_counted: the boot
 * snapshot may be one of those lost).
 */
int apfs_group_boot_snapshot(struct apfs_volume *sys, struct apfs_snapshot *out);

/* ---- helpers shared by the layer's files and the tests ------------------ */

/**
 * apfs_fs_key_cmp - order of fs-tree keys: object id, record type, then the
 * type's own fields (hashed or plain name, logical address, sibling id...)
 * A key that stops after j_key_t sorts before every key with more fields,
 * so iterate() from such a key starts at the first record of that type.
 */
int apfs_fs_key_cmp(const void *a, size_t alen, const void *b, size_t blen);

/**
 * apfs_name_hash - the 22-bit hash of a directory-record name on an
 * insensitive volume: CRC-32C of the NFD (and, if case_fold, case-folded)
 * name as UTF-32LE, inverted, masked to 22 bits.
 * Returns 0 or -EILSEQ for a name that is not UTF-8.
 */
int apfs_name_hash(const char *name, size_t len, bool case_fold, uint32_t *hash);

/**
 * apfs_name_fold - a name's comparison form on insensitive volumes (NFD,
 * case folded if case_fold), malloc'd in *out, NUL-terminated.
 */
int apfs_name_fold(const char *name, size_t len, bool case_fold, char **out);

/* Decompress one decmpfs chunk of `type` (the chunked resource-fork or
 * attribute form); out_len receives the bytes written. */
int apfs_decmpfs_chunk(uint32_t type, const uint8_t *src, size_t srclen, uint8_t *dst,
		       size_t dstcap, size_t *out_len);

#endif
