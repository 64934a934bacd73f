/* SPDX-License-Identifier: MIT */
/*
 * scen_times.c - `mkimage times`: timestamps that tell every column apart.
 * In every other scenario a file's four times are equal (or creation =
 * modification, as a host tree gives them), so output that prints one time
 * in another's place passes unseen.  Here each time of /times.txt and of
 * /dir differs from the others in whole seconds and in nanoseconds; the
 * values are listed in testdata/README.md for the tests to compare with.
 */
#include "mk.h"

/* 2026-01-01T00:00:00Z + s seconds + ns nanoseconds. */
#define T(s, ns) (MK_TIME + (s) * 1000000000ull + (ns))

static void set_times(struct mk_vol *v, uint64_t ino, uint64_t base)
{
	struct mk_inode *in = &v->inodes[ino];

	in->host_attrs = true;
	in->uid = 501;
	in->gid = 20;
	in->crtime = T(base + 1, 100000001);
	in->mtime = T(base + 2, 200000002);
	in->ctime = T(base + 3, 300000003);
	in->atime = T(base + 4, 400000004);
}

/* Volume `Times`: /times.txt ("times\n") with times base 0, /dir with base 10. */
int mk_fill_times(struct mk_image *img)
{
	uint64_t f, d;
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Times", APFS_VOL_ROLE_NONE, false);

	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "times.txt", "times\n", 6, &f);
	if (!rc)
		rc = mk_fs_mkdir(&v, APFS_ROOT_DIR_INO_NUM, "dir", &d);
	if (!rc) {
		set_times(&v, f, 0);
		set_times(&v, d, 10);
	}
	return rc ? rc : mk_vol_finish(&v);
}
