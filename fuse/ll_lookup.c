/* SPDX-License-Identifier: MIT */
/*
 * ll_lookup.c - LOOKUP of a name in a directory, answered from the image
 * each time (apfsi_fs_lookup_at, then the inode's attributes): the node id
 * handed back is the library's inode number (ino.c), so nothing is
 * remembered, and FORGET, the kernel dropping its count of lookups, has
 * nothing to drop.  A miss is cached by the kernel as long as a hit: the
 * volume never changes while mounted.
 */
#include <errno.h>
#include <string.h>

#include "afuse.h"
#include "ll_ops.h"

/* name in dir: its node id and attributes into *ino and *st; a library code. */
static int lookup(struct afuse *af, uint64_t dir, const char *name, fuse_ino_t *ino,
		  struct stat *st)
{
	char stored[AFUSE_PATH_MAX + 1];
	struct apfsi_dirent d;
	struct apfsi_stat a;
	int ret;

	/* never asked by the kernel; the library refuses them as no entry's name */
	if (afuse_bad_name(name))
		return APFSI_ERR_NOT_FOUND;
	ret = apfsi_fs_lookup_at(af->fs, dir, name, &d, stored, sizeof(stored));
	/* no such entry: NAME:rsrc, the resource fork of a file NAME */
	if (ret == APFSI_ERR_NOT_FOUND) {
		ret = afuse_fork_lookup(af, dir, name, st);
		if (!ret)
			*ino = (fuse_ino_t)(st->st_ino | AFUSE_FORK_BIT);
		return ret == 1 ? APFSI_ERR_NOT_FOUND : ret;
	}
	/* a number of a damaged image that would stand for another node (ino.c) */
	if (!ret && !afuse_ino_ok(d.ino))
		ret = APFSI_ERR_CORRUPT;
	if (!ret)
		ret = apfsi_fs_stat(af->fs, d.ino, &a);
	if (ret)
		return ret;
	afuse_fill_stat(af, &a, st);
	*ino = afuse_ino_to_fuse(d.ino);
	return 0;
}

void afuse_ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct stat st;
	fuse_ino_t ino = 0;
	int ret;

	/* a fork is a regular file: the kernel looks nothing up in it */
	ret = afuse_ino_is_fork(parent) ? APFSI_ERR_NOT_DIR :
		lookup(afuse_get(req), afuse_ino_from_fuse(parent), name, &ino, &st);
	if (ret == APFSI_ERR_NOT_FOUND) {
		/* node id 0: "no such entry", for the kernel to remember */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = AFUSE_CACHE_SECONDS;
		fuse_reply_entry(req, &e);
	} else if (ret) {
		fuse_reply_err(req, afuse_errno(ret));
	} else {
		afuse_fill_entry(ino, &st, &e);
		fuse_reply_entry(req, &e);
	}
}

void afuse_ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	(void)ino;
	(void)nlookup;
	fuse_reply_none(req);
}

void afuse_ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	(void)count;
	(void)forgets;
	fuse_reply_none(req);
}
