/* SPDX-License-Identifier: MIT */
/* cmd_fs.h - pieces shared by the file-system commands (ls, stat, cat, ...). */
#ifndef CLI_CMD_FS_H
#define CLI_CMD_FS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "api_fs.h"
#include "util/err.h"  /* APFS_E*: the errno values the library's codes map back to */
#include "clibase.h"
#include "session.h"

/*
 * The frame of a reading command: parse (flags, nmin..nmax arguments, help),
 * open the session, run fn on it, close it.  Returns the exit code.
 */
typedef int (*fs_cmd_fn)(const struct cli_opts *o, apfsi_fs *fs);
int fs_command(int argc, char **argv, unsigned flags, int nmin, int nmax, const char *help,
	       fs_cmd_fn fn);

/* A name of a directory entry, NUL included, as APFS bounds it (j_drec_key's 10-bit length). */
#define FS_NAME_MAX 1024

/*
 * The entry a path names (apfsi_fs_lookup; with --private-dir, path is
 * cli_private_path's form and is looked up from the private directory): its
 * inode, type, date added and stored name (in name); 0 or a negative errno.
 */
int fs_lookup(const struct cli_opts *o, apfsi_fs *fs, const char *path, struct apfsi_dirent *de,
	      char name[FS_NAME_MAX]);
/* How the private directory is written (apfs-fuse's name for it), without a leading '/'. */
#define FS_PRIVATE_TOP "private-dir"
/* Where a walk or listing without PATH starts: "/" and the root, or the private directory. */
const char *fs_top(const struct cli_opts *o);
uint64_t fs_top_ino(const struct cli_opts *o);
/*
 * With --private-dir, path names an entry of the private directory itself:
 * an orphan, a file deleted while open (apfsck dir.c, inode.c).
 */
bool fs_private_entry(const struct cli_opts *o, const char *path);
/* --private-dir on a volume group's merged root (two volumes, two such directories): refused. */
int fs_private_check(const struct cli_opts *o, apfsi_fs *view);

/* "drwxr-xr-x" from a mode; the type letter TSK uses ('r','d','l',...). */
char fs_type_char(uint16_t mode);

/* The extended attribute holding a file's resource fork. */
#define FS_XATTR_RESOURCE_FORK "com.apple.ResourceFork"

/* A directory's entries, compact (a name costs its length, not FS_NAME_MAX). */
struct fs_name {
	uint64_t ino;
	uint64_t date_added;
	enum apfsi_file_type type;
	char *name;
};

struct fs_names {
	struct fs_name *e;
	size_t n, cap;
};

int fs_names_read(apfsi_fs *fs, uint64_t dir, struct fs_names *nm);
/* The readdir callback behind it: d appended to the struct fs_names ctx. */
int fs_names_add(const struct apfsi_dirent *d, void *ctx);
void fs_names_sort(struct fs_names *nm);  /* by name, bytewise */
void fs_names_free(struct fs_names *nm);

/*
 * What ls -l and ls --json print of an entry, for a whole directory read in
 * inode order (fs_attrs.c: each fs-tree leaf of its inodes once, however
 * large the directory): fs_attrs_read fills *out with nm->n of them, in
 * nm's order (err: the entry's stat result, 0 or a negative errno); returns
 * 0 or -ENOMEM.  fs_attr_stat expands one back (fields not kept are 0).
 */
struct fs_attr {
	uint64_t size, allocated, crtime, mtime, ctime, atime;
	uint32_t uid, gid, nlink, bsd_flags, compression;
	int err;
	uint16_t mode;
	uint32_t flags;  /* APFSI_STAT_* */
};

int fs_attrs_read(apfsi_fs *fs, const struct fs_names *nm, struct fs_attr **out);
void fs_attr_stat(const struct fs_attr *a, uint64_t ino, struct apfsi_stat *st);

/*
 * fs_names_check_from (fs_stats.c) reads the rest of a directory from pos
 * (dirwin.h) without keeping any name, so that a walk printing a window at
 * a time learns of a damaged record before it prints the first window.
 */
struct dirwin_pos;
int fs_names_check_from(apfsi_fs *fs, uint64_t dir, const struct dirwin_pos *pos);

/*
 * Read a whole file with one reader per core (apfsi_file_read_all, whose
 * buffers the file system keeps from one file to the next), handing its
 * data to sink in order; sink returns 0 or a negative errno, which stops it.
 * 0 or a negative errno.
 */
typedef int (*fs_sink_fn)(const uint8_t *p, size_t n, void *ctx);
int fs_read_all(apfsi_file *f, fs_sink_fn sink, void *ctx);

/*
 * Every recursive walk enters a directory through walk_enter (walkguard.c):
 * each directory once, through its own entry (name, in parent: the rule of
 * a lookup) or, where that is not there or not where the walk comes,
 * through the entry met, with a warning (apfsi_fs_dir_entered); at most
 * WALK_MAX_DEPTH deep.  0: go in; -ELOOP: a cycle, a directory listed
 * twice, an entry not its own while its own is there, or too deep,
 * reported on stderr naming the inodes (the caller records the failure and
 * goes on with the rest), or another negative errno where its inode could
 * not be read to tell;
 * 1: not entered here, quietly, because it has its own place elsewhere in
 * the walk (a firmlinked directory of a volume group's merged root, seen
 * again under /System/Volumes/Data: apfsi_fs_elsewhere).
 */
#define WALK_MAX_DEPTH 256

struct walk_guard {
	uint64_t *set;        /* directories entered (open addressing, 0 = free) */
	size_t cap, n;
	bool zero;            /* inode 0 entered (a lie, but one to catch once) */
	uint64_t stack[WALK_MAX_DEPTH + 1]; /* the current path's directories */
	bool private_dir;     /* a walk in the private directory (--private-dir): walkguard.c */
};

int walk_enter(struct walk_guard *g, apfsi_fs *fs, const char *path, const char *name,
	       uint64_t parent, uint64_t ino, int depth);
void walk_guard_free(struct walk_guard *g);
/*
 * The top of a walk from a PATH whose inode is a directory: 0 where its
 * entry is a directory's (type), else -ELOOP, named: a directory listed as
 * something else shows its files under another's name, so no path goes
 * through it (ENOTDIR), the mount refuses it (ELOOP), and no walk starts
 * there.
 */
int walk_top(const char *path, enum apfsi_file_type type, uint64_t ino);


/*
 * The plausibility cap on a file's logical size for reading it whole (cat,
 * extract, bodyfile --md5): --max-file-size, else 4 x the container, at
 * least 64 GiB (sizecap.c says why).  fs_over_cap reports a file
 * beyond it (path, size, inode, bytes allocated) and returns EXIT_ERROR;
 * 0 for one within.
 */
uint64_t fs_size_cap(const struct cli_opts *o, apfsi_fs *fs);
int fs_over_cap(const char *path, const struct apfsi_stat *st, uint64_t cap);

/*
 * A file whose bytes are not all on disk (unstored.c): why, in a few words
 * (an orphan's freed extents, a dataless file's data kept elsewhere); and
 * the line on stderr that says n of its bytes read as zeros (none for 0).
 */
const char *fs_unstored_why(const struct apfsi_stat *st);
void fs_unstored_note(const char *path, const struct apfsi_stat *st, uint64_t n);

int cmd_ls(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_bodyfile(int argc, char **argv);
int cmd_timeline(int argc, char **argv);  /* cmd_timeline.c */
int cmd_xattr(int argc, char **argv);     /* cmd_xattr.c */
/* An xattr's value to stdout, raw or hex (cmd_xattr.c): 0, -errno, or EXIT_ERROR (size cap). */
int fs_xattr_out(const struct cli_opts *o, apfsi_fs *fs, uint64_t ino, const char *path,
		 const char *name, bool hex);
int cmd_snapshots(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
