/* SPDX-License-Identifier: MIT */
/*
 * afuse.h - `apfsinspect mount`: a read-only FUSE (libfuse3, low-level
 * API) view of one unlocked volume.  mount.c opens and unlocks the volume
 * (the CLI's session) and runs the loop; the ll_*.c files, xattr.c and
 * namedfork.c are thin adapters from the kernel's requests to the public
 * API (apfsinspect.h), which is thread-safe, so libfuse's multi-threaded
 * loop needs no lock of ours.
 *
 * Low-level, not libfuse's path-based high-level API: that one keeps a
 * node per inode the kernel has looked up (184 MB after `find` of 1M
 * files) and builds a path for every request.  Here a FUSE inode number
 * IS the library's (ino.c), so lookup answers from the image, forget has
 * nothing to drop, and the daemon's memory does not grow with the tree.
 *
 * fuse/ is built with include/, cli/ and util/ as its only include path
 * (Makefile): nothing below the API is in reach.
 */
#ifndef FUSE_AFUSE_H
#define FUSE_AFUSE_H

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "apfsinspect.h"
#include "fuse_dl.h" /* <fuse_lowlevel.h>, its functions loaded by mount */

/* Kernel caches live this long (seconds): nothing changes under us. */
#define AFUSE_CACHE_SECONDS 86400.0

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

/* What every request reaches through fuse_req_userdata(). */
struct afuse {
	apfsi_fs *fs;
	struct apfsi_fs_usage usage;  /* for statfs: read once at mount */
	enum afuse_rdplus rdplus;     /* -o readdirplus= */
	uint64_t top;                 /* the mount's root: APFSI_ROOT_INO, or 3 (--private-dir) */
	apfsi_log_fn log;             /* where the daemon's own warnings go (mount.c) */
};

/*
 * Take "readdirplus=yes|no|auto" out of a -o list (opts, changed in place;
 * the last one given counts), mode YES when absent: 0, or -EINVAL for
 * another value.  Apply mode to the connection in init.
 */
int afuse_take_rdplus(char *opts, enum afuse_rdplus *mode);
void afuse_apply_rdplus(enum afuse_rdplus mode, struct fuse_conn_info *conn);

extern const struct fuse_lowlevel_ops afuse_ll_ops;

/* The afuse of the mount a request came to. */
struct afuse *afuse_get(fuse_req_t req);

/*
 * afuse_errno - the errno a reply carries for a library error code
 * (positive, as fuse_reply_err takes it): damaged or unreadable data
 * becomes EIO (what a reader of a bad disk expects); lookups' own answers
 * (ENOENT, ENOTDIR, ...) keep their errno; a locked volume group's Data
 * volume is EACCES.
 */
int afuse_errno(int code);

/*
 * The buffers for a symbolic link's target and a name: APFS's
 * 255-character name limit at up to 4 UTF-8 bytes a character.
 */
#define AFUSE_PATH_MAX (255 * 4)

/*
 * Inode numbers (ino.c).  The FUSE root (FUSE_ROOT_ID, 1) is the library's
 * root (APFSI_ROOT_INO, 2); every other number is the library's own, and a
 * file's resource fork (namedfork.c) is the file's number with
 * AFUSE_FORK_BIT set, a bit no number of the library uses (a volume's are
 * 60-bit object ids; a merged root's tags are 1 and 2 in the top four bits).
 */
#define AFUSE_FORK_BIT (UINT64_C(1) << 63)
/*
 * A directory's second path in a merged root, and everything below it
 * (ll_lookup.c): the same inode under another node id, bit 62, which no
 * number of the library uses either; taken off before every library call.
 */
#define AFUSE_ALIAS_BIT (UINT64_C(1) << 62)
uint64_t afuse_ino_to_fuse(const struct afuse *af, uint64_t ino);
uint64_t afuse_ino_from_fuse(const struct afuse *af, fuse_ino_t ino);
/* A library number the mount can hand the kernel: not 0, not 1 (FUSE's root), no fork bit. */
bool afuse_ino_ok(uint64_t ino);
static inline bool afuse_ino_is_fork(fuse_ino_t ino)
{
	return (ino & AFUSE_FORK_BIT) != 0;
}

/* Attributes (stat.c): a struct stat from the library's; S_IF* of an entry's type. */
void afuse_fill_stat(struct afuse *af, const struct apfsi_stat *a, struct stat *st);
mode_t afuse_type_mode(enum apfsi_file_type t);
/* An entry for the kernel to cache: node id ino, attributes st, the mount's timeouts. */
void afuse_fill_entry(fuse_ino_t ino, const struct stat *st, struct fuse_entry_param *e);

/*
 * FUSE directory offsets: 1 after ".", 2 after "..", and an entry's
 * library cookie + AFUSE_DOT_ENTRIES after it (cookies are nonzero and
 * below 2^63).
 */
#define AFUSE_DOT_ENTRIES 2

/*
 * A reply buffer of directory entries (dirbuf.c): afuse_dirbuf_add puts one
 * entry (with its attributes when e is given, READDIRPLUS), 1 when it does
 * not fit (the kernel asks again from the previous offset).
 */
struct afuse_dirbuf {
	fuse_req_t req;
	char *buf;
	size_t size, used;
	bool plus;         /* a READDIRPLUS reply */
};
int afuse_dirbuf_add(struct afuse_dirbuf *db, const char *name, const struct stat *st,
		     const struct fuse_entry_param *e, off_t next);
/*
 * A directory entry of the library's (cookie, inode, type as S_IF*) into
 * db: with attrs (READDIRPLUS, the entry's full attributes) the kernel
 * caches it as node ino; without, it takes the name and type.  1 when it
 * does not fit.
 */
int afuse_dirbuf_entry(struct afuse_dirbuf *db, const char *name, uint64_t cookie, uint64_t ino,
		       mode_t type, const struct stat *attrs);

/*
 * READDIR and READDIRPLUS (dirplus.c): the entries after cookie, with
 * their attributes for READDIRPLUS (db->plus), from a window of the
 * directory kept in *plus (made on first use, freed by afuse_dirplus_free
 * when the directory is closed).  0 or an errno.
 */
struct dplus;
int afuse_dirplus(struct afuse *af, uint64_t dir, struct dplus **plus, uint64_t cookie,
		  struct afuse_dirbuf *db);
void afuse_dirplus_free(struct dplus *plus);

/*
 * Whether READDIRPLUS hands an entry out with its attributes.  Not, so that
 * the kernel LOOKUPs it: an entry that cannot be stat'd (the LOOKUP says
 * why), a number the mount cannot hand out (ino.c; the LOOKUP fails), and
 * a directory, which a hostile volume may list under a second name (a
 * loop): the library refuses such a LOOKUP with ELOOP, where given
 * READDIRPLUS's attributes the kernel would list the alias.  Directories
 * are few.
 */
static inline bool afuse_plus_attrs(int stat_error, mode_t mode, uint64_t ino)
{
	return !stat_error && !S_ISDIR(mode) && afuse_ino_ok(ino);
}

/*
 * A large directory read in inode order (dir_byino.c): *out an iterator
 * when the directory has enough children and the library vouches for that
 * order, else NULL (read by cookies and windows).  Then the entries after
 * cookie (0: the first) into db, with attributes for READDIRPLUS; 0 or an
 * errno.
 */
void afuse_byino_open(struct afuse *af, uint64_t dir, uint64_t nchildren, apfsi_dir **out);
int afuse_byino_fill(struct afuse *af, apfsi_dir *it, uint64_t cookie, struct afuse_dirbuf *db);

/* Extended attributes (xattr.c): the replies to GETXATTR and LISTXATTR. */
void afuse_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void afuse_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);

/* A file opened whose bytes are not all on disk: said where the daemon logs (unstored.c). */
void afuse_unstored_note(struct afuse *af, uint64_t ino, apfsi_file *f);

/*
 * Resource forks as `NAME:rsrc` (namedfork.c says why not macOS's
 * NAME/..namedfork/rsrc), looked up when no entry has that name:
 * afuse_fork_lookup gives the fork's entry for such a name in dir (1 when
 * name is no fork's: an ordinary miss), afuse_fork_stat the attributes of
 * the fork of file ino (the file's with the fork's size), afuse_fork_read
 * reads it as read(2) would.  Library codes, except afuse_fork_read's
 * (negative errno or the bytes read).
 */
int afuse_fork_lookup(struct afuse *af, uint64_t dir, const char *name, struct stat *st);
int afuse_fork_stat(struct afuse *af, uint64_t ino, struct apfsi_stat *a);
int afuse_fork_read(struct afuse *af, uint64_t ino, char *buf, size_t size, off_t off);

/* `apfsinspect mount` (mount.c). */
int cmd_mount(int argc, char **argv);

#endif
