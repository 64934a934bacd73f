/* SPDX-License-Identifier: MIT */
/*
 * ll_dir.c - OPENDIR, READDIR, READDIRPLUS and RELEASEDIR.  The kernel's
 * offsets resume a directory by the library's cookies (apfsi_fs_readdir),
 * so an open directory holds only its number, its parent's (for "..") and
 * a window of its entries (dirplus.c), or for a large directory read in
 * inode order its iterator (dir_byino.c), bounded and freed on release.
 *
 * The FUSE directory offsets are afuse.h's (AFUSE_DOT_ENTRIES).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afuse.h"
#include "ll_ops.h"

/*
 * An open directory; plus: its window (dirplus.c), for READDIR and
 * READDIRPLUS, made on first use; byino: its iterator in inode order (dir_byino.c), chosen on
 * the first read (byino_tried) for a directory of nchildren.
 */
struct adir {
	uint64_t ino, parent, nchildren;
	struct dplus *plus;
	apfsi_dir *byino;
	bool byino_tried;
};

void afuse_ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct afuse *af = afuse_get(req);
	struct apfsi_stat a;
	struct adir *d;
	int ret = afuse_ino_is_fork(ino) ? APFSI_ERR_NOT_DIR :
		apfsi_fs_stat(af->fs, afuse_ino_from_fuse(af, ino), &a);

	if (!ret && !S_ISDIR(a.mode))
		ret = APFSI_ERR_NOT_DIR;
	if (ret) {
		fuse_reply_err(req, afuse_errno(ret));
		return;
	}
	if (!(d = malloc(sizeof(*d)))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	d->ino = a.ino;
	d->plus = NULL;
	d->byino = NULL;
	d->byino_tried = false;
	d->nchildren = a.nlink > 2 ? a.nlink - 2u : 0;
	/*
	 * The root's parent id is 1, which is no inode, and so is the private
	 * directory's (the root under --private-dir): show the directory itself.
	 */
	d->parent = a.ino == APFSI_ROOT_INO || a.parent <= 1 ? a.ino : a.parent;
	fi->fh = (uintptr_t)d;
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	if (fuse_reply_open(req, fi))
		free(d);
}

void afuse_ll_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct adir *d = (struct adir *)(uintptr_t)fi->fh;

	(void)ino;
	afuse_dirplus_free(d->plus);
	apfsi_dir_close(d->byino);
	free(d);
	fuse_reply_err(req, 0);
}

static int fill_dots(const struct adir *d, struct afuse_dirbuf *db, off_t *off)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR;
	if (*off == 0) {
		st.st_ino = d->ino;
		if (afuse_dirbuf_add(db, ".", &st, NULL, 1))
			return 1;
		*off = 1;
	}
	if (*off == 1) {
		st.st_ino = d->parent;
		if (afuse_dirbuf_add(db, "..", &st, NULL, 2))
			return 1;
		*off = 2;
	}
	return 0;
}

/* The entries from off into db: 0 or an errno (reported only when db is empty). */
static int fill(struct afuse *af, struct adir *d, struct afuse_dirbuf *db, off_t off)
{
	uint64_t cookie;

	if (off < 0)
		return EINVAL;
	if (fill_dots(d, db, &off))
		return 0;
	cookie = off > AFUSE_DOT_ENTRIES ? (uint64_t)off - AFUSE_DOT_ENTRIES : 0;
	if (!d->byino_tried) {
		afuse_byino_open(af, d->ino, d->nchildren, &d->byino);
		d->byino_tried = true;
	}
	if (d->byino)
		return afuse_byino_fill(af, d->byino, cookie, db);
	return afuse_dirplus(af, d->ino, &d->plus, cookie, db);
}

static void reply_dir(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi,
		      bool plus)
{
	struct afuse_dirbuf db = { .req = req, .size = size, .plus = plus };
	int err;

	if (!(db.buf = malloc(size ? size : 1))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	err = fill(afuse_get(req), (struct adir *)(uintptr_t)fi->fh, &db, off);
	/* Hand out what was read; the next call, from there, reports the error. */
	if (err && !db.used)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, db.buf, db.used);
	free(db.buf);
}

void afuse_ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	(void)ino;
	reply_dir(req, size, off, fi, false);
}

void afuse_ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	(void)ino;
	reply_dir(req, size, off, fi, true);
}
