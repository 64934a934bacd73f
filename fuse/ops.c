/* SPDX-License-Identifier: MIT */
/*
 * ops.c - the FUSE operations: thin adapters from libfuse's high-level,
 * path-based callbacks to the public API (apfsinspect.h).  There are no write callbacks at all,
 * and the mount is forced read-only, so the kernel refuses every change
 * with EROFS before it reaches us; open() checks once more.
 *
 * The volume never changes while mounted, so init() lets the kernel cache
 * names, attributes and pages for long, and inode numbers are APFS's own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "afuse.h"

/* Kernel caches live this long (seconds): nothing changes under us. */
#define AFUSE_CACHE_SECONDS 86400.0

/* An open regular file: its inode and the library's handle (chunk cache). */
struct afile {
	uint64_t ino;
	apfsi_file *f;  /* NULL: the resource fork (namedfork.c) */
};

/* An open directory; plus: its READDIRPLUS window (dirplus.c), made on first use. */
struct adir {
	uint64_t ino, parent;
	struct dplus *plus;
};

static void set_ts(struct timespec *ts, uint64_t ns)
{
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

/* A symlink's st_size is its target's length, as on macOS and Linux. */
static uint64_t link_size(apfsi_fs *fs, uint64_t ino)
{
	char target[AFUSE_PATH_MAX];

	if (apfsi_fs_readlink(fs, ino, target, sizeof(target)))
		return 0;
	return strlen(target);
}

void afuse_fill_stat(struct afuse *af, const struct apfsi_stat *a, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = a->ino;
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_rdev = a->rdev;
	st->st_size = (off_t)(S_ISLNK(a->mode) ? link_size(af->fs, a->ino) : a->size);
	st->st_blksize = af->usage.block_size;
	st->st_blocks = (blkcnt_t)((a->allocated + 511) / 512);
	set_ts(&st->st_atim, (uint64_t)a->atime);
	set_ts(&st->st_mtim, (uint64_t)a->mtime);
	set_ts(&st->st_ctim, (uint64_t)a->ctime);
}

static int afuse_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct afuse *af = afuse_get();
	char base[AFUSE_PATH_MAX];
	struct apfsi_stat a;
	int ret;

	(void)fi;
	ret = apfsi_fs_stat_path(af->fs, path, &a);
	/* no such entry: NAME:rsrc, the resource fork of a file NAME */
	if (ret == APFSI_ERR_NOT_FOUND && afuse_fork_base(path, base, sizeof(base)) &&
	    !afuse_fork_stat(base, &a)) {
		a.nlink = 1;
		ret = 0;
	}
	if (ret)
		return afuse_errno(ret);
	afuse_fill_stat(af, &a, st);
	return 0;
}

static int afuse_open(const char *path, struct fuse_file_info *fi)
{
	char base[AFUSE_PATH_MAX];
	struct apfsi_stat a;
	struct afile *h;
	bool fork;
	int ret;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		return -EROFS;
	ret = apfsi_fs_stat_path(afuse_get()->fs, path, &a);
	fork = ret == APFSI_ERR_NOT_FOUND && afuse_fork_base(path, base, sizeof(base)) &&
	       !afuse_fork_stat(base, &a);
	if (fork)
		ret = 0;
	if (ret)
		return afuse_errno(ret);
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->ino = a.ino;
	ret = fork ? 0 : apfsi_file_open(afuse_get()->fs, a.ino, &h->f);
	if (ret) {
		free(h);
		return afuse_errno(ret);
	}
	fi->fh = (uintptr_t)h;
	fi->keep_cache = 1;
	return 0;
}

static int afuse_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct afile *h = (struct afile *)(uintptr_t)fi->fh;
	size_t got = 0;
	int ret;

	(void)path;
	if (!h->f)
		return afuse_fork_read(h->ino, buf, size, off);
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= apfsi_file_size(h->f))
		return 0;
	ret = apfsi_file_pread(h->f, (uint64_t)off, buf, size, &got);
	if (ret)
		return afuse_errno(ret);
	return (int)got;
}

static int afuse_release(const char *path, struct fuse_file_info *fi)
{
	struct afile *h = (struct afile *)(uintptr_t)fi->fh;

	(void)path;
	apfsi_file_close(h->f);
	free(h);
	return 0;
}

static int afuse_readlink(const char *path, char *buf, size_t size)
{
	struct afuse *af = afuse_get();
	char target[AFUSE_PATH_MAX];
	struct apfsi_stat a;
	int ret;

	if (!size)
		return -EINVAL;
	ret = apfsi_fs_stat_path(af->fs, path, &a);
	if (!ret)
		ret = apfsi_fs_readlink(af->fs, a.ino, target, sizeof(target));
	if (ret)
		return afuse_errno(ret);
	/* readlink(2) truncates silently; so does FUSE's contract. */
	snprintf(buf, size, "%s", target);
	return 0;
}

static int afuse_statfs(const char *path, struct statvfs *st)
{
	struct afuse *af = afuse_get();

	(void)path;
	memset(st, 0, sizeof(*st));
	st->f_bsize = af->usage.block_size;
	st->f_frsize = af->usage.block_size;
	st->f_blocks = af->usage.blocks;
	st->f_bfree = af->usage.free_blocks;
	st->f_bavail = af->usage.free_blocks;
	/* APFS allocates inodes from free space: no fixed table to run out of. */
	st->f_files = af->usage.objects + af->usage.free_blocks;
	st->f_ffree = af->usage.free_blocks;
	st->f_favail = af->usage.free_blocks;
	st->f_namemax = 255;
	return 0;
}

static void *afuse_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/*
	 * READDIRPLUS on every call (the default, -o readdirplus=yes; rdplus.c),
	 * not only as the kernel's "auto" decides (the first batch of a
	 * directory, the rest once its entries are looked up): `find -ls` or
	 * `ls -lR` reads a whole directory before it stats any entry, and would
	 * then send a LOOKUP a name, each a walk from the root (1M files: 227 s
	 * against 16 s); dirplus.c reads the attributes a window at a time, in
	 * inode order.  The price: every entry handed out becomes a node the
	 * kernel and libfuse keep until the kernel forgets it, so a plain
	 * `find` of 1M files holds 184 MB where auto holds 49 MB.
	 */
	afuse_apply_rdplus(afuse_get()->rdplus, conn);
	cfg->use_ino = 1;
	cfg->kernel_cache = 1;
	cfg->entry_timeout = AFUSE_CACHE_SECONDS;
	cfg->attr_timeout = AFUSE_CACHE_SECONDS;
	cfg->negative_timeout = AFUSE_CACHE_SECONDS;
	return afuse_get();
}

/* ---- directories -------------------------------------------------------- */

static int afuse_opendir(const char *path, struct fuse_file_info *fi)
{
	struct apfsi_stat a;
	struct adir *d;
	int ret;

	ret = apfsi_fs_stat_path(afuse_get()->fs, path, &a);
	if (ret)
		return afuse_errno(ret);
	if (!S_ISDIR(a.mode))
		return -ENOTDIR;
	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ino = a.ino;
	d->plus = NULL;
	/* The root's parent id is 1, which is no inode: show the root itself. */
	d->parent = a.ino == APFSI_ROOT_INO || !a.parent ? a.ino : a.parent;
	fi->fh = (uintptr_t)d;
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	return 0;
}

static int afuse_releasedir(const char *path, struct fuse_file_info *fi)
{
	struct adir *d = (struct adir *)(uintptr_t)fi->fh;

	(void)path;
	afuse_dirplus_free(d->plus);
	free(d);
	return 0;
}

/*
 * FUSE directory offsets: 1 after ".", 2 after "..", and an entry's
 * library cookie + 2 after it (cookies are nonzero and below 2^63).
 */
#define DOT_ENTRIES 2
/* fill_one's stop: negative, so never one of the library's (positive) codes. */
#define FILL_STOP (-1)

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
	unsigned filled;
	int err;        /* an errno of ours that stopped the walk (-EIO), else 0 */
};

/* S_IF* of an entry's type (DTTOIF's, from the API's types). */
mode_t afuse_type_mode(enum apfsi_file_type t)
{
	switch (t) {
	case APFSI_TYPE_FILE: return S_IFREG;
	case APFSI_TYPE_DIR: return S_IFDIR;
	case APFSI_TYPE_SYMLINK: return S_IFLNK;
	case APFSI_TYPE_FIFO: return S_IFIFO;
	case APFSI_TYPE_CHAR: return S_IFCHR;
	case APFSI_TYPE_BLOCK: return S_IFBLK;
	case APFSI_TYPE_SOCKET: return S_IFSOCK;
	case APFSI_TYPE_WHITEOUT: return DTTOIF(DT_WHT);
	default: return 0;
	}
}

static int fill_one(const struct apfsi_dirent *d, void *arg)
{
	struct fill_ctx *fc = arg;
	struct stat st;

	if (d->cookie > INT64_MAX - DOT_ENTRIES) {
		fc->err = -EIO;
		return FILL_STOP;
	}
	if (afuse_bad_name(d->name))
		return 0;
	memset(&st, 0, sizeof(st));
	st.st_ino = d->ino;
	st.st_mode = afuse_type_mode(d->type);
	if (fc->filler(fc->buf, d->name, &st, (off_t)(d->cookie + DOT_ENTRIES), 0))
		return FILL_STOP; /* buffer full: the kernel asks again from this offset */
	fc->filled++;
	return 0;
}

static int fill_dots(const struct adir *d, void *buf, fuse_fill_dir_t filler, off_t *off)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR;
	if (*off == 0) {
		st.st_ino = d->ino;
		if (filler(buf, ".", &st, 1, 0))
			return 1;
		*off = 1;
	}
	if (*off == 1) {
		st.st_ino = d->parent;
		if (filler(buf, "..", &st, 2, 0))
			return 1;
		*off = 2;
	}
	return 0;
}

static int afuse_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
			 struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct adir *d = (struct adir *)(uintptr_t)fi->fh;
	struct fill_ctx fc = { .buf = buf, .filler = filler };
	uint64_t cookie;
	int ret;

	(void)path;
	if (off < 0)
		return -EINVAL;
	if (fill_dots(d, buf, filler, &off))
		return 0;
	cookie = off > DOT_ENTRIES ? (uint64_t)off - DOT_ENTRIES : 0;
	if (flags & FUSE_READDIR_PLUS)
		return afuse_dirplus(afuse_get(), d->ino, &d->plus, cookie, buf, filler);
	ret = apfsi_fs_readdir(afuse_get()->fs, d->ino, cookie, fill_one, &fc);
	/* Hand out what was read; the next call from there reports the error. */
	if (fc.filled)
		return 0;
	if (fc.err)
		return fc.err;
	return ret == FILL_STOP ? 0 : afuse_errno(ret);
	return 0;
}

const struct fuse_operations afuse_ops = {
	.init = afuse_init,
	.getattr = afuse_getattr,
	.readlink = afuse_readlink,
	.open = afuse_open,
	.read = afuse_read,
	.release = afuse_release,
	.statfs = afuse_statfs,
	.opendir = afuse_opendir,
	.readdir = afuse_readdir,
	.releasedir = afuse_releasedir,
	.getxattr = afuse_getxattr,
	.listxattr = afuse_listxattr,
};
