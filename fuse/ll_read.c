/* SPDX-License-Identifier: MIT */
/*
 * ll_read.c - OPEN, READ and RELEASE of a regular file or a resource fork.
 * There are no write handlers at all, and the mount is forced read-only,
 * so the kernel refuses every change with EROFS before it reaches us;
 * open checks once more.  An open file keeps the library's handle (its
 * chunk cache) in fi->fh; reads are positional (apfsi_file_pread is
 * thread-safe), so any worker serves any read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>

#include "afuse.h"
#include "ll_ops.h"

/* An open regular file: its inode and the library's handle. */
struct afile {
	uint64_t ino;
	apfsi_file *f;  /* NULL: the resource fork (namedfork.c) */
};

/* The handle for the kernel's inode ino into *h: an errno. */
static int open_file(struct afuse *af, fuse_ino_t ino, struct afile **h)
{
	int ret;

	if (!(*h = calloc(1, sizeof(**h))))
		return ENOMEM;
	if (afuse_ino_is_fork(ino)) {
		(*h)->ino = ino & ~AFUSE_FORK_BIT;
		return 0;
	}
	(*h)->ino = afuse_ino_from_fuse(af, ino);
	ret = apfsi_file_open(af->fs, (*h)->ino, &(*h)->f);
	if (ret) {
		free(*h);
		*h = NULL;
		return afuse_errno(ret);
	}
	afuse_unstored_note(af, (*h)->ino, (*h)->f);
	return 0;
}

void afuse_ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct afile *h;
	int err;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if ((err = open_file(afuse_get(req), ino, &h))) {
		fuse_reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)h;
	fi->keep_cache = 1;  /* the pages stay valid: nothing changes under us */
	/* an open the kernel gave up on (interrupted) is never released */
	if (fuse_reply_open(req, fi)) {
		apfsi_file_close(h->f);
		free(h);
	}
}

/* size bytes at off of the open file into buf: the bytes read or a negative errno. */
static int read_at(struct afuse *af, struct afile *h, char *buf, size_t size, off_t off)
{
	size_t got = 0;
	int ret;

	if (!h->f)
		return afuse_fork_read(af, h->ino, buf, size, off);
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= apfsi_file_size(h->f))
		return 0;
	ret = apfsi_file_pread(h->f, (uint64_t)off, buf, size, &got);
	return ret ? -afuse_errno(ret) : (int)got;
}

void afuse_ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	char *buf = malloc(size ? size : 1);
	int n;

	(void)ino;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = read_at(afuse_get(req), (struct afile *)(uintptr_t)fi->fh, buf, size, off);
	if (n < 0)
		fuse_reply_err(req, -n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

void afuse_ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct afile *h = (struct afile *)(uintptr_t)fi->fh;

	(void)ino;
	apfsi_file_close(h->f);
	free(h);
	fuse_reply_err(req, 0);
}
