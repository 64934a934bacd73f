/* SPDX-License-Identifier: MIT */
/*
 * diff.c - apfsi_fs_diff: what changed between two views of one volume
 * (apfs/fs_diff.c does the work), handed out in the public form; and
 * apfsi_fs_links, every name of an inode, which a change of its links
 * sends the caller to.
 */
#include <stdlib.h>
#include <string.h>

#include "apfs/fs_diff.h"
#include "fs_int.h"

/* The public bits are the internal ones: fields pass through unchanged. */
_Static_assert(APFSI_DIFF_PATH == (int)APFS_DIFF_PATH && APFSI_DIFF_LINKS == (int)APFS_DIFF_LINKS &&
	       APFSI_DIFF_CONTENT == (int)APFS_DIFF_CONTENT &&
	       APFSI_DIFF_XATTR == (int)APFS_DIFF_XATTR && APFSI_DIFF_XATTR + 1 == APFS_DIFF_NFIELDS,
	       "enum apfsi_diff_field follows enum apfs_diff_field");
_Static_assert(APFSI_PRIVATE_DIR_INO == APFS_PRIV_DIR_INO_NUM, "the private directory's inode");

const char *apfsi_diff_field_name(unsigned field)
{
	return field < APFS_DIFF_NFIELDS ? apfs_diff_field_name((enum apfs_diff_field)field) : NULL;
}

_Static_assert(APFSI_DIFF_LOST_INODE == (int)APFS_DIFF_LOST_INODE &&
	       APFSI_DIFF_LOST_ENTRY == (int)APFS_DIFF_LOST_ENTRY &&
	       APFSI_DIFF_LOST_ABOVE == (int)APFS_DIFF_LOST_ABOVE &&
	       APFSI_DIFF_LOST_NAME == (int)APFS_DIFF_LOST_NAME &&
	       APFSI_DIFF_LOST_EXTENTS == (int)APFS_DIFF_LOST_EXTENTS &&
	       APFSI_DIFF_LOST_LINKS == (int)APFS_DIFF_LOST_LINKS,
	       "enum apfsi_diff_lost follows enum apfs_diff_lost");

const char *apfsi_diff_lost_name(unsigned lost)
{
	static const char *const names[] = { NULL, "inode_record", "directory_entries",
					     "directory_above", "directory_entry", "file_extents",
					     "sibling_links" };

	return lost < sizeof(names) / sizeof(names[0]) ? names[lost] : NULL;
}

struct diff_call {
	apfsi_diff_fn fn;
	void *arg;
	int stopped;                /* fn's nonzero return */
	struct apfsi_diff_xattr *xa;
	size_t capxa;
};

/* The attribute changes of one inode in the public form (the array kept for the next). */
static int copy_xattrs(struct diff_call *c, const struct apfs_diff *d)
{
	if (d->nxattrs > c->capxa) {
		struct apfsi_diff_xattr *n = realloc(c->xa, d->nxattrs * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->xa = n, c->capxa = d->nxattrs;
	}
	for (size_t i = 0; i < d->nxattrs; i++) {
		const struct apfs_diff_xattr *x = &d->xattrs[i];
		struct apfsi_diff_xattr *o = &c->xa[i];

		memset(o, 0, sizeof(*o));
		o->change = x->kind;
		o->name = x->name;
		o->size_before = x->size_a, o->size_after = x->size_b;
		o->hashed_before = x->hashed_a, o->hashed_after = x->hashed_b;
		memcpy(o->sha256_before, x->sha_a, 32);
		memcpy(o->sha256_after, x->sha_b, 32);
	}
	return 0;
}

static int on_diff(const struct apfs_diff *d, void *ctx)
{
	struct diff_call *c = ctx;
	struct apfsi_diff out = {
		.change = d->kind, .ino = d->ino, .fields = d->what,
		.content_by_extents = d->content_by_extents,
		.added_before = (int64_t)d->added_a, .added_after = (int64_t)d->added_b,
		.nxattrs = d->nxattrs, .may_be_lost = d->lost,
		.orphan = (d->orphan_a ? APFSI_DIFF_ORPHAN_BEFORE : 0u) |
			  (d->orphan_b ? APFSI_DIFF_ORPHAN_AFTER : 0u),
	};
	int ret = copy_xattrs(c, d);

	if (ret)
		return ret;
	out.xattrs = d->nxattrs ? c->xa : NULL;
	c->stopped = c->fn(&out, c->arg);
	/* Any errno does to stop the walk; the caller's value is what is returned. */
	return c->stopped ? -ECANCELED : 0;
}

int apfsi_fs_diff(apfsi_fs *before, apfsi_fs *after, uint64_t byte_cap, apfsi_diff_fn fn,
		  void *arg)
{
	struct diff_call c = { .fn = fn, .arg = arg };
	int ret;

	apfsi_enter();
	if (!before || !after || !fn)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_diff: two views and fn are required");
	if (before->vol != after->vol)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_diff: the views are of different "
				  "volumes");
	ret = apfs_fs_diff(before->fs, after->fs, byte_cap, on_diff, &c);
	free(c.xa);
	if (c.stopped)
		return c.stopped;
	if (ret == -EINVAL)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_diff: a volume group's merged root "
				  "(open its views with APFSI_FS_NO_FIRMLINKS)");
	return ret ? apfsi_fail_errno(ret, "diff") : APFSI_OK;
}

struct links_call {
	apfsi_link_fn fn;
	void *arg;
	int stopped;
};

static int on_link(uint64_t parent, const char *name, void *ctx)
{
	struct links_call *l = ctx;

	l->stopped = l->fn(parent, name, l->arg);
	return l->stopped ? -ECANCELED : 0;
}

int apfsi_fs_links(apfsi_fs *fs, uint64_t ino, apfsi_link_fn fn, void *arg)
{
	struct links_call l = { fn, arg, 0 };
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_links")))
		return ret;
	if (!fn)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_links: fn is required");
	ret = apfs_fs_links(fs->fs, ino, on_link, &l);
	if (l.stopped)
		return l.stopped;
	return ret ? apfsi_fail(apfsi_code(ret), "names of inode %llu: %s",
				(unsigned long long)ino, apfsi_strerror(apfsi_code(ret))) : APFSI_OK;
}
