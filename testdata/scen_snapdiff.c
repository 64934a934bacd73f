/* SPDX-License-Identifier: MIT */
/*
 * scen_snapdiff.c - scenario `snapshot-diff` (and its encrypted twin): a
 * volume whose snapshot `before` and live tree differ by exactly the
 * changes README.md lists (a file edited, one grown, a mode, an owner and
 * times changed, xattrs added, removed and changed, a file renamed, one
 * moved, one removed, two added), so that `diff` can be checked against
 * what the generator was told to do.  Inode numbers are the same in both
 * states because both are made in the same order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mk.h"

#define DAY_NS 86400000000000ull

/* Owner and times of inode ino, as a host tree would give them. */
static void set_attrs(struct mk_vol *v, uint64_t ino, uint32_t uid, uint64_t mtime)
{
	struct mk_inode *in = mk_in(v, ino);

	in->host_attrs = true;
	in->uid = uid;
	in->gid = 20;
	in->crtime = in->atime = MK_TIME;
	in->mtime = in->ctime = mtime;
}

static int file(struct mk_vol *v, uint64_t parent, const char *name, const char *text,
		uint64_t *ino)
{
	return mk_fs_file(v, parent, name, text, strlen(text), ino);
}

/* The xattrs of /xattrs.txt: keep stays, change changes, drop goes, new comes. */
static int xattrs(struct mk_vol *v, uint64_t ino, bool live)
{
	int rc = mk_fs_xattr(v, ino, "com.example.keep", "keep", 4);

	if (!rc)
		rc = mk_fs_xattr(v, ino, "com.example.change", live ? "new value" : "old value", 9);
	if (!rc)
		rc = live ? mk_fs_xattr(v, ino, "com.example.new", "new", 3) :
			    mk_fs_xattr(v, ino, "com.example.drop", "drop", 4);
	return rc;
}

/* Inodes 16-27 in either state (README "snapshot-diff" lists both). */
static int tree(struct mk_vol *v, bool live)
{
	uint64_t ino, dir;
	int rc = file(v, APFS_ROOT_DIR_INO_NUM, "same.txt", "same\n", NULL);

	rc = rc ? rc : file(v, APFS_ROOT_DIR_INO_NUM, "edit.txt", live ? "version 2\n" :
			    "version 1\n", NULL);
	rc = rc ? rc : file(v, APFS_ROOT_DIR_INO_NUM, "grow.txt", live ? "longer now\n" : "short\n",
			    NULL);
	rc = rc ? rc : file(v, APFS_ROOT_DIR_INO_NUM, "mode.txt", "mode\n", &ino);
	if (!rc && live)
		mk_in(v, ino)->mode = MK_S_IFREG | 0600;
	rc = rc ? rc : file(v, APFS_ROOT_DIR_INO_NUM, "owner.txt", "owner\n", &ino);
	if (!rc)
		set_attrs(v, ino, live ? 0 : 501, MK_TIME);
	rc = rc ? rc : file(v, APFS_ROOT_DIR_INO_NUM, "xattrs.txt", "x\n", &ino);
	rc = rc ? rc : xattrs(v, ino, live);
	rc = rc ? rc : file(v, APFS_ROOT_DIR_INO_NUM, live ? "new-name.txt" : "old-name.txt",
			    "renamed\n", NULL);
	rc = rc ? rc : mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, "dir", &dir);
	/* Moved into / a day after the snapshot, as macOS dates an entry it moves. */
	v->drec_added = live ? MK_TIME + DAY_NS : 0;
	rc = rc ? rc : file(v, live ? APFS_ROOT_DIR_INO_NUM : dir, "moved.txt", "moved\n", NULL);
	v->drec_added = 0;
	if (!live)
		rc = rc ? rc : file(v, APFS_ROOT_DIR_INO_NUM, "gone.txt", "deleted later\n", NULL);
	else
		v->next_ino++;  /* 25 was gone.txt's */
	rc = rc ? rc : file(v, APFS_ROOT_DIR_INO_NUM, "times.txt", "t\n", &ino);
	if (!rc)
		set_attrs(v, ino, 501, live ? MK_TIME + DAY_NS : MK_TIME);
	/* A file of two names (27; sibling ids 28, 29): the second one renamed. */
	rc = rc ? rc : mk_fs_link_first(v, APFS_ROOT_DIR_INO_NUM, "hard-a.txt", &ino);
	rc = rc ? rc : mk_fs_link_add(v, ino, APFS_ROOT_DIR_INO_NUM, live ? "hard-c.txt" :
				      "hard-b.txt");
	return rc;
}

static const struct mk_user diff_user = { "5D1FF0A4-3A7C-4E2B-9C1D-2B3C4D5E6F70", "diff",
					  "the usual", MK_KEK_256, false, 0 };

/* A fresh volume `Diff`, encrypted with diff_user when asked. */
static int vol(struct mk_image *img, struct mk_vol *v, const uint8_t *uuid, bool enc)
{
	int rc = mk_vol_init(v, img, "Diff", APFS_VOL_ROLE_NONE, true);

	if (!rc && uuid)
		memcpy(v->uuid, uuid, 16);
	if (!rc && enc)
		rc = mk_vol_encrypt(v, false, 32);
	if (!rc && enc)
		rc = mk_vol_add_user(v, &diff_user);
	return rc;
}

static int snapdiff(struct mk_image *img, bool enc)
{
	static struct mk_snap s;
	struct mk_rng keys = img->rng;  /* the live state's keys are the snapshot's */
	struct mk_vol old, v;
	uint8_t uuid[16];
	int rc = vol(img, &old, NULL, enc);

	if (!rc)
		rc = tree(&old, false);
	memcpy(uuid, old.uuid, 16);
	if (!rc)
		rc = mk_vol_snapshot(&old, "before", &s);
	img->xid++;
	if (rc)
		return rc;
	keys = enc ? keys : img->rng;
	img->rng = keys;
	rc = vol(img, &v, uuid, enc);
	if (rc)
		return rc;
	v.snap = &s;
	rc = tree(&v, true);
	v.next_ino = s.inum + 1;  /* 30 is the snapshot's own number */
	rc = rc ? rc : file(&v, APFS_ROOT_DIR_INO_NUM, "added.txt", "added\n", NULL);
	/* A name that would forge a line of diff's output were it not escaped. */
	rc = rc ? rc : file(&v, APFS_ROOT_DIR_INO_NUM, "forge\nD file /same.txt", "f\n", NULL);
	return mk_vol_finish_snapped(&v, rc);
}

int mk_fill_snapshot_diff(struct mk_image *img)
{
	return snapdiff(img, false);
}

int mk_fill_snapshot_diff_encrypted(struct mk_image *img)
{
	return snapdiff(img, true);
}

#define MANY_DIRS 100
#define MANY_PER_DIR 1000

/*
 * /dNNN/fNNNNN.txt as `many-files` makes them (the first of each directory
 * "file N\n", the rest empty), live with the four changes README lists.
 */
static int many_dir(struct mk_vol *v, unsigned d, bool live)
{
	char name[32], body[32];
	uint64_t dir;
	int rc;

	snprintf(name, sizeof(name), "d%03u", d);
	rc = mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, name, &dir);
	for (unsigned f = 0; !rc && f < MANY_PER_DIR; f++) {
		unsigned n = d * MANY_PER_DIR + f;
		int len = snprintf(body, sizeof(body), live && n == 0 ? "edited\n" : "file %u\n", n);

		snprintf(name, sizeof(name), live && n == 50500 ? "renamed.txt" : "f%05u.txt", n);
		if (live && n == 1000)
			v->next_ino++;  /* /d001/f01000.txt: removed */
		else
			rc = mk_fs_file(v, dir, name, body, f == 0 ? (uint64_t)len : 0, NULL);
	}
	return rc;
}

/*
 * Volume `ManySnap`: 100 x 1000 files at snapshot `before`; live: the same
 * files (in new blocks) but /d000/f00000.txt edited, /d001/f01000.txt
 * removed, /d050/f50500.txt renamed, /d099/added.txt added.  Sizes the
 * diff's linear walk (BENCHMARKS.md).
 */
int mk_fill_snapshot_many(struct mk_image *img)
{
	static struct mk_snap s;
	struct mk_vol old, v;
	uint8_t uuid[16];
	int rc = mk_vol_init(&old, img, "ManySnap", APFS_VOL_ROLE_NONE, false);

	for (unsigned d = 0; !rc && d < MANY_DIRS; d++)
		rc = many_dir(&old, d, false);
	memcpy(uuid, old.uuid, 16);
	if (!rc)
		rc = mk_vol_snapshot(&old, "before", &s);
	img->xid++;
	if (!rc)
		rc = mk_vol_init(&v, img, "ManySnap", APFS_VOL_ROLE_NONE, false);
	if (rc)
		return rc;
	memcpy(v.uuid, uuid, 16);
	v.snap = &s;
	for (unsigned d = 0; !rc && d < MANY_DIRS; d++)
		rc = many_dir(&v, d, true);
	v.next_ino = s.inum + 1;
	/* d099 is inode 16 + 99 x 1001 */
	rc = rc ? rc : file(&v, 16 + 99 * (MANY_PER_DIR + 1), "added.txt", "added\n", NULL);
	return mk_vol_finish_snapped(&v, rc);
}
