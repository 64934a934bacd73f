/* SPDX-License-Identifier: MIT */
/*
 * fs_diff_int.h - the per-view summary apfs_fs_diff merges (fs_diff_scan.c
 * builds it, fs_diff.c compares two, fs_diff_bytes.c reads where needed).
 */
#ifndef APFS_FS_DIFF_INT_H
#define APFS_FS_DIFF_INT_H

#include <openssl/evp.h>

#include "fs_diff.h"
#include "fs_int.h"

/* An extended attribute: embedded (its SHA-256 taken now) or a data stream. */
struct dscan_xattr {
	char *name;
	uint64_t size;
	uint64_t stream_id;   /* 0: embedded */
	uint8_t sha[32];      /* embedded values only */
};

/* An inode record, reduced to what a diff compares. */
struct dscan_ino {
	uint64_t oid, parent, private_id;
	uint64_t times[4];    /* create, mod, change, access */
	uint64_t dsize;       /* data-stream size (0 without one) */
	uint64_t usize;       /* uncompressed_size */
	uint32_t nlink, bsd_flags, uid, gid;
	uint16_t mode;
	bool has_dstream;
	char *name;
	size_t xa, nxa;       /* its attributes: xa[xa .. xa + nxa) of the scan */
	uint64_t added;       /* date added, from its directory entry (0: none found) */
	uint64_t nsib;        /* sibling-link records (hard links' names) */
	uint64_t nent;        /* a directory's entry records, as the walk met them */
	bool named;           /* an entry names it (attach_added) */
	bool lacks;           /* its data stream lacks extents (file_held): not read */
	bool few_links;       /* fewer sibling-link records than links (file_held) */
	bool orphan;          /* an entry in the private directory names it (attach_added) */
	bool may_lack;        /* its stream may lack extents: an orphan's, a dataless file's */
	uint8_t lost_memo;    /* dscan_lost_why's answer for it (fs_diff_lost.c) */
	uint8_t sib[32];      /* SHA-256 chained over them, in key order */
};

/* The file extents of one data stream, as a SHA-256 of their records. */
struct dscan_stream {
	uint64_t id;
	uint64_t nrec;
	uint64_t start, end;  /* where its first extent begins, where they reach */
	bool gap;             /* one began elsewhere than where the last ended */
	uint8_t dig[32];
};

/*
 * Records a sound tree holds and this one did not (fs_diff_scan.c
 * scan_gaps): of each kind how many, and the first met.
 */
struct dscan_gaps {
	uint64_t short_dirs, short_dir, short_counted, short_held;  /* fewer entries than counted */
	uint64_t no_child, no_child_ino, no_child_dir;  /* an entry naming no inode record */
	uint64_t no_dir, no_dir_ino;                    /* entries of no directory's inode */
	uint64_t unnamed, unnamed_ino;                  /* inodes no entry names */
	uint64_t short_links, short_links_ino;          /* fewer names than links */
	uint64_t short_streams, short_stream;           /* extents not from 0 to the size */
};

/* A directory entry, for the date added it keeps for its inode. */
struct dscan_drec {
	uint64_t child, parent, added;
};

struct dscan {
	struct apfs_fs *fs;
	struct dscan_ino *ino;
	size_t nino, capino;
	struct dscan_xattr *xa;
	size_t nxa, capxa;
	struct dscan_stream *st;
	size_t nst, capst;
	struct dscan_drec *de;
	size_t nde, capde;
	/* entries naming an inode the tree does not hold, by child (attach_added) */
	struct dscan_drec *unheld;
	size_t nunheld;
	/* directories with entries and no inode record, ascending (add_drec) */
	uint64_t *nodir;
	size_t nnodir, capnodir;
	EVP_MD_CTX *md;       /* the digest of the stream being walked */
	uint64_t last_oid;    /* key order check */
	unsigned last_type;
	struct dscan_gaps gaps;
};

/*
 * Walk fs's tree (and a sealed volume's fext tree) once into s; view names
 * it in messages.  Records missing from a tree in order are named and
 * counted in s->gaps; the scan is still built.
 */
int dscan_build(struct apfs_fs *fs, const char *view, struct dscan *s);
/* Whether s->gaps holds any. */
bool dscan_gapped(const struct dscan *s);
void dscan_free(struct dscan *s);
/*
 * Why o, lacking the inode in that h holds, may have lost it
 * (enum apfs_diff_lost; NONE where nothing in o says so).
 */
enum apfs_diff_lost dscan_lost_why(const struct dscan *o, struct dscan *h,
				   struct dscan_ino *in);
/* Keep s->de[0 .. n), entries naming no inode s holds, as s->unheld (de is let go). */
void dscan_unheld_keep(struct dscan *s, size_t n);
/* An entry of s names oid, whose inode record s does not hold (fs_diff_lost.c's sign). */
bool dscan_unheld(const struct dscan *s, uint64_t oid);
/* The inode record oid of s, or NULL. */
struct dscan_ino *dscan_ino_find(const struct dscan *s, uint64_t oid);
/* A directory holding fewer entries than its inode counts. */
bool dscan_dir_short(const struct dscan_ino *d);
/* The stream with that id, or NULL. */
const struct dscan_stream *dscan_stream(const struct dscan *s, uint64_t id);

/*
 * Whether the bytes of file ino differ between the views.  Sizes that
 * differ decide at once; a size beyond cap (0: none) is not read: *unread.
 */
int diff_file_bytes(struct apfs_fs *a, struct apfs_fs *b, uint64_t ino, uint64_t cap,
		    bool *differ, bool *unread);
/* The SHA-256 of an attribute's value (streams read; embedded ones known). */
int diff_xattr_sha(struct apfs_fs *fs, const struct dscan_xattr *x, uint8_t sha[32]);

#endif
