/* SPDX-License-Identifier: MIT */
/*
 * extract_disk.c - what an extracted file carries on a Linux file system
 * besides its bytes and times: extended attributes, named `user.` + the
 * APFS name (Linux refuses a name without a namespace, such as
 * com.apple.quarantine, and only the user namespace is open to every
 * owner), and the owner (chown needs root).  What the target refuses is
 * counted for the summary line and kept in the facts file; so are what no
 * Linux file system holds: creation time, date added and BSD flags.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "extract.h"

/* An xattr too big for the target: ext4 without ea_inode, Linux's 64 KiB, a long name. */
static bool too_big(int err)
{
	return err == -ENOSPC || err == -E2BIG || err == -ERANGE;
}

static int set_one(int fd, const struct ex_xattr *x)
{
	char *name;
	int ret = 0;

	if (fd < 0)
		return -EPERM; /* Linux keeps no user.* xattrs on symlinks */
	if (asprintf(&name, "user.%s", x->name) < 0)
		return -ENOMEM;
	if (fsetxattr(fd, name, x->val, (size_t)x->size, XATTR_CREATE))
		ret = cli_errno(errno);
	free(name);
	return ret;
}

void ex_disk_xattrs(struct ex_run *r, int fd, struct ex_xattrs *xs)
{
	for (size_t i = 0; i < xs->n; i++) {
		struct ex_xattr *x = &xs->e[i];

		if (!ex_xattr_kept(x))
			continue;
		if (!x->val) {
			x->err = -EFBIG;
			r->tally.xattrs_unread++;
		} else {
			x->err = set_one(fd, x);
		}
		if (x->err && x->val) {
			r->tally.xattrs++;
			r->tally.xattrs_big += too_big(x->err);
		}
		if (x->err && x->fork)
			r->tally.forks++;
	}
}

/* Whether fd holds x (as user.NAME): 0, or the negative errno of asking. */
static int probe_one(int fd, const struct ex_xattr *x)
{
	char *name;
	int ret = 0;

	if (asprintf(&name, "user.%s", x->name) < 0)
		return -ENOMEM;
	if (fgetxattr(fd, name, NULL, 0) < 0)
		ret = cli_errno(errno);
	free(name);
	return ret;
}

void ex_disk_probe_xattrs(int dirfd, const char *name, struct ex_xattrs *xs)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int open_err = fd < 0 ? cli_errno(errno) : 0;

	for (size_t i = 0; i < xs->n; i++)
		if (ex_xattr_kept(&xs->e[i]) && xs->e[i].val)
			xs->e[i].err = open_err ? open_err : probe_one(fd, &xs->e[i]);
	if (fd >= 0)
		close(fd);
}

void ex_disk_owner(struct ex_run *r, int dirfd, const char *name, const struct apfsi_stat *st)
{
	int flags = AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH); /* "": dirfd itself */

	if (r->root && !fchownat(dirfd, name, st->uid, st->gid, flags))
		return;
	if (st->uid != geteuid() || st->gid != getegid())
		r->tally.owners++;
}

void ex_disk_count_times(struct ex_run *r, const struct apfsi_stat *st)
{
	r->tally.crtimes += st->crtime != 0;
	r->tally.added += st->added != 0;
	r->tally.flags += st->bsd_flags != 0;
}
