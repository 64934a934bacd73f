/* SPDX-License-Identifier: MIT */
/*
 * fs_diff.h - what differs between two views of one volume (two snapshots,
 * or a snapshot and the live tree): inodes added, removed, renamed or moved,
 * and of those both hold, what changed of their metadata, content and
 * extended attributes.
 *
 * Each view's fs tree is walked once in key order (object id, then record
 * type), keeping a compact summary per inode, and the two summaries are
 * merged by inode number: the work is linear in the trees' sizes, and no
 * path is looked up.  Content is judged first by what the records say
 * (size, data-stream extents: block, length, crypto id; the decmpfs and
 * resource-fork attributes of a compressed file): APFS never rewrites a
 * block a snapshot still holds, so the same extents are the same bytes.
 * Only where the records differ and the logical sizes agree are the bytes
 * read and compared (a file rewritten with the same bytes is unchanged).
 */
#ifndef APFS_FS_DIFF_H
#define APFS_FS_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "fs.h"

/* What changed of an inode both views hold: bit i of apfs_diff.what. */
enum apfs_diff_field {
	APFS_DIFF_PATH,      /* parent or name: renamed or moved */
	APFS_DIFF_TYPE,      /* S_IFMT */
	APFS_DIFF_MODE,      /* permission bits */
	APFS_DIFF_UID,
	APFS_DIFF_GID,
	APFS_DIFF_FLAGS,     /* BSD flags */
	APFS_DIFF_NLINK,     /* files: links; directories: children */
	APFS_DIFF_LINKS,     /* a hard link's names (sibling links: parent and name) */
	APFS_DIFF_SIZE,      /* logical size */
	APFS_DIFF_CRTIME,
	APFS_DIFF_MTIME,
	APFS_DIFF_CTIME,
	APFS_DIFF_ATIME,
	APFS_DIFF_ADDED,     /* date added (the directory entry's) */
	APFS_DIFF_CONTENT,   /* file bytes or symlink target */
	APFS_DIFF_XATTR,     /* one or more extended attributes (listed) */
	APFS_DIFF_NFIELDS
};

/* The name of a field as the JSON keys of `stat --json` spell it. */
const char *apfs_diff_field_name(enum apfs_diff_field f);

/* One extended attribute added ('+'), removed ('-') or changed ('~'). */
struct apfs_diff_xattr {
	char kind;
	const char *name;
	uint64_t size_a, size_b;     /* value size in each view (0 where absent) */
	bool hashed_a, hashed_b;     /* false: absent, or beyond the byte cap */
	uint8_t sha_a[32], sha_b[32];/* SHA-256 of the value in each view */
};

/*
 * Why the view that lacks an inode the other holds ('A': a, 'D': b) may have
 * lost its records rather than not have had the inode: what that view
 * itself holds says records near it are missing (fs_diff_scan.c
 * dscan_lost_why).  NONE: nothing there says so (the change stands as
 * given, but for the view's gaps the run names at its end).
 */
enum apfs_diff_lost {
	APFS_DIFF_LOST_NONE,
	APFS_DIFF_LOST_INODE,        /* an entry there names it; its inode record is not held */
	APFS_DIFF_LOST_ENTRY,        /* its directory there holds fewer entries than it counts */
	APFS_DIFF_LOST_ABOVE,        /* the view lacks its directory's inode too: the
				      * directory's entries there without it, or so further up */
	/* 'M': a field's change may come of records a view lacks */
	APFS_DIFF_LOST_NAME,         /* ADDED: no entry there names it, or (more names) its
				      * directory there is short: the date may be another's */
	APFS_DIFF_LOST_EXTENTS,      /* CONTENT: its data stream there lacks extents */
	APFS_DIFF_LOST_LINKS,        /* LINKS: fewer sibling links there than links */
};

struct apfs_diff {
	char kind;                   /* 'A' only in b, 'D' only in a, 'M' in both */
	enum apfs_diff_lost lost;    /* why it, or a change of it, may come of records lost */
	uint64_t ino;
	uint32_t what;               /* 'M': bits of enum apfs_diff_field */
	bool content_by_extents;     /* CONTENT judged by the records alone (beyond the cap) */
	uint64_t added_a, added_b;   /* date added in each view (0: absent or unknown) */
	bool orphan_a, orphan_b;     /* an entry of the private directory names it in that view */
	const struct apfs_diff_xattr *xattrs;
	size_t nxattrs;
};

/* Called once per inode that differs, in inode order; 0 to go on, <0 to stop. */
typedef int (*apfs_diff_fn)(const struct apfs_diff *d, void *ctx);

/**
 * apfs_fs_diff - the differences from view a (older) to view b (newer)
 * @a, @b:    views of the same volume (apfs_fs_open; not a merged root)
 * @byte_cap: files and attribute values larger than this are not read
 *            (their content judged by size and extents alone); 0: no cap
 * @fn, @ctx: the callback
 *
 * Returns 0, -EINVAL for a merged root, -APFS_ECORRUPT (a tree whose keys
 * are out of order, an inode recorded twice), -APFS_EINCOMPLETE (every
 * change given, but a view lacks records a sound tree holds, named:
 * fs_diff_scan.c scan_gaps), -ENOMEM, or fn's error.
 */
int apfs_fs_diff(struct apfs_fs *a, struct apfs_fs *b, uint64_t byte_cap, apfs_diff_fn fn,
		 void *ctx);

#endif
