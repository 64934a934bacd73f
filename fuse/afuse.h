/* SPDX-License-Identifier: MIT */
/*
 * afuse.h - `apfsinspect mount`: a read-only FUSE (libfuse3, high-level
 * API) view of one unlocked volume.  mount.c opens and unlocks the volume
 * and runs the loop; ops.c and xattr.c are thin adapters from FUSE
 * callbacks to apfs/fs.h, which is thread-safe, so libfuse's
 * multi-threaded loop needs no lock of ours.
 */
#ifndef FUSE_AFUSE_H
#define FUSE_AFUSE_H

#include "apfs/fs.h"
#include "fuse/fuse_dl.h" /* <fuse.h>, its functions loaded by mount */

/* What every callback reaches through fuse_get_context()->private_data. */
struct afuse {
	struct apfs_fs *fs;
	uint32_t block_size;
	uint64_t block_count;  /* container blocks */
	uint64_t free_blocks;  /* container blocks no volume of it allocates */
	uint64_t objects;      /* files, directories, symlinks and others of the volume */
};

extern const struct fuse_operations afuse_ops;

/* The afuse of the running mount. */
struct afuse *afuse_get(void);

/*
 * afuse_errno - the errno a FUSE callback returns for a library error:
 * damaged or unreadable data becomes -EIO (what a reader of a bad disk
 * expects); lookups' own answers (-ENOENT, -ENOTDIR, ...) pass through.
 */
int afuse_errno(int err);

/* Extended attributes (xattr.c). */
int afuse_getxattr(const char *path, const char *name, char *buf, size_t size);
int afuse_listxattr(const char *path, char *buf, size_t size);

/*
 * Resource forks as `NAME:rsrc` (namedfork.c says why not macOS's
 * NAME/..namedfork/rsrc), looked up when no entry has that name: afuse_fork_base
 * gives NAME's path for such a path (false for any other); afuse_fork_stat
 * NAME's attributes with the fork's size, 1 when NAME is no regular file
 * (the path is then an ordinary one);
 * afuse_fork_read reads the fork as read(2) would.
 */
bool afuse_fork_base(const char *path, char *base, size_t cap);
int afuse_fork_stat(const char *base, struct apfs_stat *a, uint64_t *ino);
int afuse_fork_read(uint64_t ino, char *buf, size_t size, off_t off);

/* Resolve a path of the mount to an inode number (ops.c). */
int afuse_resolve(const char *path, uint64_t *ino);

/* `apfsinspect mount` (mount.c). */
int cmd_mount(int argc, char **argv);

#endif
