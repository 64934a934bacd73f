/* SPDX-License-Identifier: MIT */
/*
 * fs_fail.c - the file-system commands' error message and exit code, and
 * --snapshot resolved to a transaction: below both the session (cmd_fs.c)
 * and the merged root's (group_root.c), which use them.
 */
#include <string.h>

#include "cmd_fs.h"

int fs_fail(const char *what, int err)
{
	const char *why = err == -APFS_ECORRUPT ? "damaged file-system data (see above)" :
			  err == -ELOOP ? "not followed: a directory cycle or a directory listed "
					  "twice (see above)" :
			  err == -APFS_ELOCKED ? "on an encrypted volume that is locked (give a "
						 "credential to read it)" : strerror(-err);

	fprintf(stderr, "apfsinspect: %s: %s\n", cli_safe_str(what), why);
	return cli_exit_code(err);
}

int fs_pick_snapshot(const struct cli_opts *o, struct fs_session *s, uint64_t *xid)
{
	struct apfs_snapshot snap;
	int ret;

	*xid = 0;
	if (!o->snapshot)
		return 0;
	ret = apfs_snapshot_find(s->cv->v, o->snapshot, &snap);
	if (ret == -ENOENT) {
		fprintf(stderr, "apfsinspect: --snapshot '%s': no such snapshot on volume '%s'\n",
			cli_safe_str(o->snapshot), cli_safe_str(s->cv->v->name));
		return EXIT_USAGE;
	}
	if (ret)
		return fs_fail("snapshot metadata", ret);
	*xid = snap.xid;
	return 0;
}
