/* SPDX-License-Identifier: MIT */
/*
 * scen_orphans.c - `mkimage orphans`: what a Mac's volume holds of files
 * deleted while still open, until their last close (a log an app still
 * writes, a download the user threw away while it ran, a process's
 * unlinked temporary file): each entry moved into the private directory
 * (inode 3), which no path from the root reaches, as 0xINODE-dead, the
 * inode's link count 0 and its parent and name those it had, a big one's
 * leading extents already freed (apfsck dir.c, inode.c, extents.c).  The
 * other images have none, and tests made them by editing one (an entry
 * moved, keeping its name, which apfsck refuses); this one apfsck passes
 * (tests/cli/gen_conformance.sh).  testdata/README.md lists what it holds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mk.h"

#define PARTIAL_LINES 1400u  /* "partial 000000\n", 15 bytes each: 21,000 bytes */
#define PARTIAL_LOST 2u      /* its first blocks, freed */
#define MANY_MAX 10000u      /* --per-dir: what the 64 MiB container holds (14,000), rounded */

/* /dir/partial.txt's bytes: line i is "partial %06u\n". */
static char *partial_text(size_t *len)
{
	char *t = malloc(PARTIAL_LINES * 15 + 1);

	for (unsigned i = 0; t && i < PARTIAL_LINES; i++)
		snprintf(t + i * 15, 16, "partial %06u\n", i);
	*len = PARTIAL_LINES * 15;
	return t;
}

/* The inode of directory `name`, the first of that name made (the small tree's /dir). */
static uint64_t dir_named(const struct mk_vol *v, const char *name)
{
	for (uint64_t i = APFS_MIN_USER_INO_NUM; i < v->ninodes; i++)
		if (v->inodes[i].name && !strcmp(v->inodes[i].name, name))
			return i;
	return 0;
}

/* --per-dir N: how many more orphans, or an error (said). */
static int how_many(const struct mk_image *img, const char *scen, uint64_t dflt, uint64_t *n)
{
	*n = img->per_dir ? img->per_dir : dflt;
	if (*n <= MANY_MAX)
		return 0;
	fprintf(stderr, "mkimage: %s: --per-dir %llu is past %u\n", scen,
		(unsigned long long)*n, MANY_MAX);
	return -EINVAL;
}

/*
 * n more orphans of / (--per-dir): o00000.txt ... each "orphan 00000\n" (13
 * bytes), its entry as macOS names it, or (misnamed) misnamed00000 ... with
 * its one block's extent freed.
 */
static int many(struct mk_vol *v, uint64_t n, bool misnamed)
{
	char name[32], entry[32], text[32];
	int rc = 0;

	for (uint64_t i = 0; !rc && i < n; i++) {
		snprintf(name, sizeof(name), "o%05llu.txt", (unsigned long long)i);
		snprintf(entry, sizeof(entry), "misnamed%05llu", (unsigned long long)i);
		snprintf(text, sizeof(text), "orphan %05llu\n", (unsigned long long)i);
		rc = mk_fs_orphan(v, APFS_ROOT_DIR_INO_NUM, name, misnamed ? entry : NULL, text, 13,
				  misnamed ? v->img->bs : 0, NULL);
	}
	return rc;
}

/*
 * The orphans, each named by its inode's own record: /gone.txt, whole;
 * /dir/partial.txt, its first two blocks' extents freed; /dir/olddir, a
 * directory; was-here.txt, whose directory (a number given and never
 * written: deleted since) is gone too.
 */
static int orphans(struct mk_vol *v, uint64_t dir)
{
	static const char gone[] = "deleted while still open\n", here[] = "its directory is gone\n";
	size_t len;
	char *text = partial_text(&len);
	int rc = text ? 0 : -ENOMEM;

	if (!rc)
		rc = mk_fs_orphan(v, APFS_ROOT_DIR_INO_NUM, "gone.txt", NULL, gone,
				  sizeof(gone) - 1, 0, NULL);
	if (!rc)
		rc = mk_fs_orphan(v, dir, "partial.txt", NULL, text, len,
				  (uint64_t)PARTIAL_LOST * v->img->bs, NULL);
	if (!rc)
		rc = mk_fs_orphan_dir(v, dir, "olddir", NULL);
	if (!rc)
		rc = mk_fs_orphan(v, v->next_ino++, "was-here.txt", NULL, here, sizeof(here) - 1,
				  0, NULL);
	free(text);
	return rc;
}

/* Volume `Orphans`: basic's small tree, the orphans above, --per-dir N more. */
int mk_fill_orphans(struct mk_image *img)
{
	uint64_t n, dir = 0;
	struct mk_vol v;
	int rc = how_many(img, "orphans", 0, &n);

	if (!rc)
		rc = mk_vol_init(&v, img, "Orphans", APFS_VOL_ROLE_NONE, true);
	if (rc)
		return rc;
	rc = mk_small_tree(&v);
	if (!rc && !(dir = dir_named(&v, "dir")))
		rc = -ENOENT;
	if (!rc)
		rc = orphans(&v, dir);
	if (!rc)
		rc = many(&v, n, false);
	return rc ? rc : mk_vol_finish(&v);
}

/*
 * orphans-misnamed (hostile): --per-dir N (default 300) files of link count
 * 0 whose entries in the private directory are not named 0xINODE-dead
 * (apfsck "Orphan inode: wrong name") but misnamed00000, ..., each
 * "orphan 00000\n" (13 bytes) with its one block's extent freed.  A reader
 * looks for such an entry among the private directory's first 256 only
 * (apfs/fs_orphan.c), so that an image of many cannot make each open of one
 * a walk of it: past those, a file is damage, not an orphan.
 */
int mk_fill_orphans_misnamed(struct mk_image *img)
{
	uint64_t n;
	struct mk_vol v;
	int rc = how_many(img, "orphans-misnamed", 300, &n);

	if (!rc)
		rc = mk_vol_init(&v, img, "Misnamed", APFS_VOL_ROLE_NONE, true);
	if (rc)
		return rc;
	rc = many(&v, n, true);
	return rc ? rc : mk_vol_finish(&v);
}

/*
 * orphans-snapshot's two states, made in the same order so that inode
 * numbers match (as snapshot-diff's): /closed.log (16) an orphan at
 * `before`, closed since (gone live); /open.log (17) an orphan in both,
 * still written ("line 1\n", then "line 1\nline 2\n"); /later.txt (18) a
 * file at `before`, deleted while open since (an orphan live).
 */
static int snap_state(struct mk_vol *v, bool live)
{
	static const char one[] = "line 1\n", two[] = "line 1\nline 2\n", later[] = "deleted after\n";
	uint64_t root = APFS_ROOT_DIR_INO_NUM;
	int rc = 0;

	if (live)
		v->next_ino++;
	else
		rc = mk_fs_orphan(v, root, "closed.log", NULL, "closed since\n", 13, 0, NULL);
	if (!rc)
		rc = mk_fs_orphan(v, root, "open.log", NULL, live ? two : one,
				  live ? sizeof(two) - 1 : sizeof(one) - 1, 0, NULL);
	if (!rc && live)
		rc = mk_fs_orphan(v, root, "later.txt", NULL, later, sizeof(later) - 1, 0, NULL);
	else if (!rc)
		rc = mk_fs_file(v, root, "later.txt", later, sizeof(later) - 1, NULL);
	return rc;
}

/* Volume `OrphanSnap`: snapshot `before` (snap_state), then the live tree. */
int mk_fill_orphans_snapshot(struct mk_image *img)
{
	static struct mk_snap s;
	struct mk_vol old, v;
	uint8_t uuid[16];
	int rc = mk_vol_init(&old, img, "OrphanSnap", APFS_VOL_ROLE_NONE, true);

	if (!rc)
		rc = snap_state(&old, false);
	memcpy(uuid, old.uuid, 16);
	if (!rc)
		rc = mk_vol_snapshot(&old, "before", &s);
	img->xid++;
	if (!rc)
		rc = mk_vol_init(&v, img, "OrphanSnap", APFS_VOL_ROLE_NONE, true);
	if (rc)
		return rc;
	memcpy(v.uuid, uuid, 16);
	v.snap = &s;
	rc = snap_state(&v, true);
	v.next_ino = s.inum + 1;  /* the snapshot's own number is taken */
	return mk_vol_finish_snapped(&v, rc);
}
