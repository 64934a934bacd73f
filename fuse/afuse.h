/* SPDX-License-Identifier: MIT */
/*
 * afuse.h - `apfsinspect mount`: a read-only FUSE (libfuse3, high-level
 * API) view of one unlocked volume.  mount.c opens and unlocks the volume
 * (the CLI's session) and runs the loop; ops.c, xattr.c and namedfork.c
 * are thin adapters from FUSE callbacks to the public API (apfsinspect.h),
 * which is thread-safe, so libfuse's multi-threaded loop needs no lock of
 * ours.  fuse/ is built with include/, cli/ and util/ as its only include path
 * (Makefile): nothing below the API is in reach.
 */
#ifndef FUSE_AFUSE_H
#define FUSE_AFUSE_H

#include <stdbool.h>
#include <string.h>

#include "apfsinspect.h"
#include "fuse_dl.h" /* <fuse.h>, its functions loaded by mount */

/* What every callback reaches through fuse_get_context()->private_data. */
/*
 * A name the kernel fails a whole readdir batch on (an empty one, '/', "."
 * or ".." from a damaged or hostile image): skipped, or every entry after
 * it would be lost to an EIO.
 */
static inline bool afuse_bad_name(const char *s)
{
	return !*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..");
}

/* READDIRPLUS: always (the default: 0), the kernel's adaptive choice, or never (rdplus.c). */
enum afuse_rdplus { AFUSE_RDPLUS_YES, AFUSE_RDPLUS_AUTO, AFUSE_RDPLUS_NO };

struct afuse {
	apfsi_fs *fs;
	struct apfsi_fs_usage usage;  /* for statfs: read once at mount */
	enum afuse_rdplus rdplus;     /* -o readdirplus= */
};

/*
 * Take "readdirplus=yes|no|auto" out of a -o list (opts, changed in place;
 * the last one given counts), mode YES when absent: 0, or -EINVAL for
 * another value.  Apply mode to the connection in init.
 */
int afuse_take_rdplus(char *opts, enum afuse_rdplus *mode);
void afuse_apply_rdplus(enum afuse_rdplus mode, struct fuse_conn_info *conn);

extern const struct fuse_operations afuse_ops;

/* The afuse of the running mount. */
struct afuse *afuse_get(void);

/*
 * afuse_errno - the errno a FUSE callback returns for a library error code:
 * damaged or unreadable data becomes -EIO (what a reader of a bad disk
 * expects); lookups' own answers (-ENOENT, -ENOTDIR, ...) keep their errno;
 * a locked volume group's Data volume is -EACCES.
 */
int afuse_errno(int code);

/*
 * The buffers for a symbolic link's target and a fork's base path: APFS's
 * 255-character name limit at up to 4 UTF-8 bytes a character.
 */
#define AFUSE_PATH_MAX (255 * 4)

/* Extended attributes (xattr.c). */
/* A struct stat from the library's attributes (ops.c); S_IF* of a directory entry's type. */
void afuse_fill_stat(struct afuse *af, const struct apfsi_stat *a, struct stat *st);
mode_t afuse_type_mode(enum apfsi_file_type t);

/*
 * READDIRPLUS (dirplus.c): the entries after cookie with their attributes,
 * from a window of the directory kept in *plus (made on first use, freed by
 * afuse_dirplus_free when the directory is closed).  0 or a negative errno.
 */
struct dplus;
int afuse_dirplus(struct afuse *af, uint64_t dir, struct dplus **plus, uint64_t cookie,
		  void *buf, fuse_fill_dir_t filler);
void afuse_dirplus_free(struct dplus *plus);

int afuse_getxattr(const char *path, const char *name, char *buf, size_t size);
int afuse_listxattr(const char *path, char *buf, size_t size);

/*
 * Resource forks as `NAME:rsrc` (namedfork.c says why not macOS's
 * NAME/..namedfork/rsrc), looked up when no entry has that name: afuse_fork_base
 * gives NAME's path for such a path (false for any other); afuse_fork_stat
 * NAME's attributes with the fork's size, 1 when NAME is no regular file
 * (the path is then an ordinary one); afuse_fork_read reads the fork as
 * read(2) would.  Errors as library codes, except afuse_fork_read's errno.
 */
bool afuse_fork_base(const char *path, char *base, size_t cap);
int afuse_fork_stat(const char *base, struct apfsi_stat *a);
int afuse_fork_read(uint64_t ino, char *buf, size_t size, off_t off);

/* `apfsinspect mount` (mount.c). */
int cmd_mount(int argc, char **argv);

#endif
