/* SPDX-License-Identifier: MIT */
/*
 * scen_group_hostile.c - the `group-firmlinks` scenario: a volume group
 * (System + Data, both plain; System with a boot snapshot its live tree
 * has moved on from) whose /usr/share/firmlinks mixes
 * good lines with every kind of hostile one, so a reader's merged root can
 * be checked to apply the good ones and warn about and skip the rest
 * (testdata/README.md "group-firmlinks" lists the lines and the markers).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/apfs.h"
#include "macos.h"

/* One line per case; README "group-firmlinks" says what each must give. */
static const char firmlinks[] =
	"/Users\tUsers\n"                     /* 1 good */
	"/Library\t../Library\n"              /* 2 '..' in the target */
	"/Applications\t/Applications\n"      /* 3 absolute target */
	"/Users/alice\tElsewhere\n"           /* 4 inside a firmlinked path */
	"/opt\tUsers/alice\n"                 /* 5 target inside another target */
	"/private\tprivate\n"                 /* 6 good */
	"/cores\tcores-missing\n"             /* 7 target missing on Data */
	"/users2\tUSERS\n"                    /* 8 same Data directory as line 1 (case) */
	"/PRIVATE/sub\tsub\n"                 /* 9 inside firmlinked /private (case) */
	"no tab here\n"                       /* 10 */
	"/System/Volumes/Data/x\tx\n"         /* 11 inside the Data mount */
	"/opt\topt\n"                         /* 12 good: the first /opt line was refused */
	"/System\tSystem\n";                  /* 13 would hide /System/Volumes/Data */

static const char sys_marker[] = "system's own directory\n";
static const char data_marker[] = "data volume\n";

/* A System directory holding sys-marker.txt: what shows where no firmlink applies. */
static int sys_dir(struct mk_vol *v, const char *path)
{
	uint64_t dir;
	int rc = mk_fs_mkdirs(v, path, &dir);

	return rc ? rc : mk_fs_file(v, dir, "sys-marker.txt", sys_marker,
				    sizeof(sys_marker) - 1, NULL);
}

static int data_dir(struct mk_vol *v, const char *path)
{
	uint64_t dir;
	int rc = mk_fs_mkdirs(v, path, &dir);

	return rc ? rc : mk_fs_file(v, dir, "data-marker.txt", data_marker,
				    sizeof(data_marker) - 1, NULL);
}

/* The boot snapshot's name: Apple's prefix and 64 hex digits (macos-boot.md §4). */
#define GF_SNAP "com.apple.os.update-0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

/*
 * The firmlinks file's size: the 13 lines alone (0), or padded to exactly
 * this many bytes by a 14th line of 'x' (longer than a line may be: skipped
 * with a warning), for the reader's 64 KiB bound (README group-firmlinks-64k).
 */
static size_t firmlinks_size;

static int firmlinks_file(struct mk_vol *v, uint64_t dir)
{
	size_t n = sizeof(firmlinks) - 1, size = firmlinks_size ? firmlinks_size : n;
	char *buf = malloc(size);
	int rc;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, firmlinks, n);
	memset(buf + n, 'x', size - n);
	rc = mk_fs_file(v, dir, "firmlinks", buf, size, NULL);
	free(buf);
	return rc;
}

/* System's tree as the snapshot holds it, or (live) as the next update left it. */
static int system_tree(struct mk_vol *v, bool live)
{
	static const char *const dirs[] = {
		"/Users", "/Library", "/Applications", "/opt", "/private", "/private/sub",
		"/cores", "/users2", "/System/Volumes/Data",
	};
	static const char snap_text[] = "booted snapshot\n", live_text[] = "live tree\n";
	uint64_t dir;
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		rc = sys_dir(v, dirs[i]);
	if (!rc)
		rc = mk_fs_mkdirs(v, "/usr/share", &dir);
	if (!rc)
		rc = firmlinks_file(v, dir);
	if (!rc)
		rc = mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "boot-marker.txt",
				live ? live_text : snap_text,
				live ? sizeof(live_text) - 1 : sizeof(snap_text) - 1, NULL);
	return rc;
}

static int system_init(struct mk_image *img, const struct mac_group *g, struct mk_vol *v)
{
	int rc = mk_vol_init(v, img, "Macintosh HD", APFS_VOL_ROLE_SYSTEM, true);

	if (rc)
		return rc;
	mk_vol_system_ino(v);
	mac_root_owned(v);
	mac_join_group(v, g);
	return 0;
}

/*
 * System at its boot snapshot, then its live tree changed since (as an
 * update stages one): /boot-marker.txt differs and /live-only.txt is new,
 * so a reader shows which of the two it takes for the Mac's root.
 */
static int system_volume(struct mk_image *img, const struct mac_group *g)
{
	static struct mk_snap s;
	static const char extra[] = "only in the live tree\n";
	struct mk_vol old, v;
	uint8_t uuid[16];
	int rc = system_init(img, g, &old);

	if (!rc)
		rc = system_tree(&old, false);
	memcpy(uuid, old.uuid, 16);
	if (!rc)
		rc = mk_vol_snapshot(&old, GF_SNAP, &s);
	img->xid++;
	if (!rc)
		rc = system_init(img, g, &v);
	if (rc)
		return rc;
	memcpy(v.uuid, uuid, 16);
	v.snap = &s;
	rc = system_tree(&v, true);
	v.next_ino = s.inum + 1;  /* past the snapshot's own number */
	if (!rc)
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "live-only.txt", extra,
				sizeof(extra) - 1, NULL);
	return mk_vol_finish_snapped(&v, rc);
}

static int data_volume(struct mk_image *img, const struct mac_group *g)
{
	static const char *const dirs[] = {
		"/Users", "/Users/alice", "/Library", "/Applications", "/opt", "/private",
		"/Elsewhere", "/sub", "/System",
	};
	static const char hello[] = "hello from alice\n";
	struct mk_vol v;
	uint64_t dir;
	int rc = mk_vol_init(&v, img, "Macintosh HD - Data", APFS_VOL_ROLE_DATA, true);

	if (rc)
		return rc;
	mac_root_owned(&v);
	mac_join_group(&v, g);
	for (size_t i = 0; !rc && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		rc = data_dir(&v, dirs[i]);
	if (!rc)
		rc = mk_fs_mkdirs(&v, "/Users/alice", &dir);
	if (!rc)
		rc = mk_fs_file(&v, dir, "hello.txt", hello, sizeof(hello) - 1, NULL);
	return rc ? rc : mk_vol_finish(&v);
}

/**
 * mk_fill_group_firmlinks() - System then Data, one group (the Data UUID).
 * @img: the image
 */
int mk_fill_group_firmlinks(struct mk_image *img)
{
	static struct mac_group g;
	int rc;

	mk_rng_uuid(&img->rng, g.group_id);
	rc = system_volume(img, &g);
	return rc ? rc : data_volume(img, &g);
}

/* The same group, its firmlinks file 64 KiB (the most a reader takes) or a byte more. */
int mk_fill_group_firmlinks_64k(struct mk_image *img)
{
	firmlinks_size = 64u << 10;
	return mk_fill_group_firmlinks(img);
}

int mk_fill_group_firmlinks_64k1(struct mk_image *img)
{
	firmlinks_size = (64u << 10) + 1;
	return mk_fill_group_firmlinks(img);
}
