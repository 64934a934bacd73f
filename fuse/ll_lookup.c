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
#include <sys/stat.h>

#include "afuse.h"
#include "ll_ops.h"

/*
 * The node id of directory ino listed in dir: its number, with AFUSE_ALIAS_BIT
 * when that listing is not the directory's own place in a merged root (a
 * firmlinked Data directory seen again under /System/Volumes/Data), or when
 * dir's node id has the bit.  The kernel allows a directory one dentry: two
 * paths with one node id would move each other's subtree back and forth.
 */
static fuse_ino_t dir_node(struct afuse *af, fuse_ino_t parent, uint64_t dir, uint64_t ino)
{
	bool alias = (parent & AFUSE_ALIAS_BIT) ||
		     (apfsi_fs_is_group(af->fs) && apfsi_fs_elsewhere(af->fs, APFSI_ROOT_INO, dir, ino));

	return (fuse_ino_t)(afuse_ino_to_fuse(af, ino) | (alias ? AFUSE_ALIAS_BIT : 0));
}

/* name in parent: its node id and attributes into *ino and *st; a library code. */
static int lookup(struct afuse *af, fuse_ino_t parent, const char *name, fuse_ino_t *ino,
		  struct stat *st)
{
	uint64_t dir = afuse_ino_from_fuse(af, parent);
	char stored[AFUSE_PATH_MAX + 1];
	struct apfsi_dirent d;
	struct apfsi_stat a;
	int ret;

	/* never asked by the kernel; the library refuses them as no entry's name */
	if (afuse_bad_name(name))
		return APFSI_ERR_NOT_FOUND;
	ret = apfsi_fs_lookup_at(af->fs, dir, name, &d, stored, sizeof(stored));
	/*
	 * No such entry (or none sure, in a directory whose records are fewer
	 * than its count: found in review, every fork there was EIO): NAME:rsrc,
	 * the resource fork of a file NAME.
	 */
	if (ret == APFSI_ERR_NOT_FOUND || ret == APFSI_ERR_INCOMPLETE) {
		int rsrc = afuse_fork_lookup(af, dir, name, st);

		if (!rsrc)
			*ino = (fuse_ino_t)(st->st_ino | AFUSE_FORK_BIT);
		return rsrc == 1 ? ret : rsrc;
	}
	/* a number of a damaged image that would stand for another node (ino.c) */
	if (!ret && !afuse_ino_ok(d.ino))
		ret = APFSI_ERR_CORRUPT;
	if (!ret)
		ret = apfsi_fs_stat(af->fs, d.ino, &a);
	/* an entry naming no inode is damage, not a name to remember as missing */
	if (ret == APFSI_ERR_NOT_FOUND)
		ret = APFSI_ERR_CORRUPT;
	/*
	 * A directory listed as something else: the path walk stops there
	 * (ENOTDIR), so a LOOKUP must not make it an alias to walk into.
	 */
	if (!ret && (a.mode & S_IFMT) == S_IFDIR && d.type != APFSI_TYPE_DIR)
		ret = APFSI_ERR_LOOP;
	if (ret)
		return ret;
	afuse_fill_stat(af, &a, st);
	*ino = (a.mode & S_IFMT) == S_IFDIR ? dir_node(af, parent, dir, d.ino)
					    : afuse_ino_to_fuse(af, d.ino);
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
		lookup(afuse_get(req), parent, name, &ino, &st);
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
