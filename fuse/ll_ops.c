/* SPDX-License-Identifier: MIT */
/*
 * ll_ops.c - the low-level operations of the mount, and INIT.  There are
 * no write operations at all (ll_read.c).
 */
#include "afuse.h"
#include "ll_ops.h"

static void afuse_ll_init(void *userdata, struct fuse_conn_info *conn)
{
	/*
	 * READDIRPLUS on every call (the default, -o readdirplus=yes; rdplus.c),
	 * not only as the kernel's "auto" decides (the first batch of a
	 * directory, the rest once its entries are looked up): `find -ls` or
	 * `ls -lR` reads a whole directory before it stats any entry, and would
	 * then send a LOOKUP a name; dirplus.c reads the attributes a window at
	 * a time, in inode order.  Every entry handed out becomes an inode the
	 * kernel keeps until memory is short; the daemon keeps none (ino.c).
	 */
	afuse_apply_rdplus(((struct afuse *)userdata)->rdplus, conn);
}

const struct fuse_lowlevel_ops afuse_ll_ops = {
	.init = afuse_ll_init,
	.lookup = afuse_ll_lookup,
	.forget = afuse_ll_forget,
	.forget_multi = afuse_ll_forget_multi,
	.getattr = afuse_ll_getattr,
	.readlink = afuse_ll_readlink,
	.open = afuse_ll_open,
	.read = afuse_ll_read,
	.release = afuse_ll_release,
	.statfs = afuse_ll_statfs,
	.opendir = afuse_ll_opendir,
	.readdir = afuse_ll_readdir,
	.readdirplus = afuse_ll_readdirplus,
	.releasedir = afuse_ll_releasedir,
	.getxattr = afuse_getxattr,
	.listxattr = afuse_listxattr,
};
