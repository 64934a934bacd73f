/* SPDX-License-Identifier: MIT */
/*
 * fs_group_open.c - building the merged root of a volume group: read and
 * parse System's /usr/share/firmlinks, find each link's two directories by
 * inode, keep only links that give every directory one place, and find
 * /System/Volumes/Data.  Also which snapshot the System volume boots from.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_group.h"

#define FIRMLINKS_PATH "/usr/share/firmlinks"
#define BOOT_SNAP_PREFIX "com.apple.os.update-"
#define GRP_MAX_DEPTH 4096

int grp_sys_parent(struct fs_group *g, uint64_t raw, uint64_t *parent)
{
	struct fs_inode in;
	int ret = fs_inode_get(g->sys, raw, &in);

	if (!ret)
		*parent = get_le64(in.raw.parent_id);
	return ret;
}

/* A directory's inode and parent by path on one volume's view; -ENOTDIR. */
static int dir_at(struct apfs_fs *fs, const char *path, uint64_t *ino, uint64_t *parent)
{
	struct apfs_dirent de;
	struct apfs_stat st;
	int ret = fs_vol_lookup(fs, path, &de);

	if (!ret)
		ret = fs_vol_stat(fs, de.ino, &st);
	if (!ret && !S_ISDIR(st.mode))
		ret = -ENOTDIR;
	if (!ret) {
		*ino = de.ino;
		*parent = st.parent_id;
	}
	return ret;
}

/* The firmlinks file's bytes (malloc'd), at most FIRMLINKS_MAX_BYTES. */
static int read_firmlinks(struct apfs_fs *sys, char **buf, size_t *len)
{
	struct apfs_dirent de;
	struct apfs_file *f;
	size_t got = 0;
	int ret = fs_vol_lookup(sys, FIRMLINKS_PATH, &de);

	*buf = NULL;
	if (!ret)
		ret = fs_vol_file_open(sys, de.ino, &f);
	if (ret)
		return ret;
	if (apfs_file_size(f) > FIRMLINKS_MAX_BYTES) {
		apfs_warn("%s on the System volume is %llu bytes, beyond the %u a firmlink list "
			  "can plausibly need: not applied", FIRMLINKS_PATH,
			  (unsigned long long)apfs_file_size(f), FIRMLINKS_MAX_BYTES);
		apfs_file_close(f);
		return -EFBIG;
	}
	*buf = malloc(apfs_file_size(f) + 1);
	ret = *buf ? apfs_file_read(f, 0, *buf, apfs_file_size(f), &got) : -ENOMEM;
	apfs_file_close(f);
	*len = got;
	return ret;
}

/* Whether raw lies below a directory System shows as something else. */
static bool sys_nested(struct fs_group *g, const struct g_link *self)
{
	uint64_t raw = self->sys_parent;

	for (unsigned depth = 0; depth <= GRP_MAX_DEPTH; depth++) {
		const struct g_link *l = grp_link_sys(g, raw);

		if ((l && l != self) || (raw == g->vdata && raw))
			return true;
		if (raw <= APFS_ROOT_DIR_INO_NUM || grp_sys_parent(g, raw, &raw))
			return false;
	}
	return true;
}

/* Whether the link would hide /System/Volumes/Data (a firmlink on /System, say). */
static bool hides_data_mount(struct fs_group *g, const struct g_link *self)
{
	uint64_t raw = g->vdata;

	for (unsigned depth = 0; raw && depth <= GRP_MAX_DEPTH; depth++) {
		if (raw == self->sys_dir)
			return true;
		if (raw <= APFS_ROOT_DIR_INO_NUM || grp_sys_parent(g, raw, &raw))
			return false;
	}
	return raw != 0;
}

/* Whether a link's Data directory lies below another link's. */
static bool data_nested(struct fs_group *g, const struct g_link *self)
{
	struct fs_inode in;
	uint64_t raw = self->data_dir;

	for (unsigned depth = 0; self->data_dir && depth <= GRP_MAX_DEPTH; depth++) {
		const struct g_link *l = grp_link_data(g, raw);

		if (l && l != self)
			return true;
		if (raw <= APFS_ROOT_DIR_INO_NUM || fs_inode_get(g->data, raw, &in))
			return false;
		raw = get_le64(in.raw.parent_id);
	}
	return self->data_dir != 0;
}

/* One parsed entry to a link in force, or warned about and dropped (1). */
static int link_one(struct fs_group *g, const struct apfs_firmlink *e, struct g_link *l)
{
	int ret;

	*l = (struct g_link){ e->sys, e->data, 0, 0, 0 };
	ret = dir_at(g->sys, e->sys, &l->sys_dir, &l->sys_parent);
	if (ret == -ENOMEM)
		return ret;
	if (ret || grp_link_sys(g, l->sys_dir)) {
		apfs_warn("firmlinks line %u: '%s' %s on the System volume: not applied", e->line,
			  e->sys, ret ? "is no directory" : "is the same directory as an earlier link");
		return 1;
	}
	if (!g->data)
		return 0;
	ret = dir_at(g->data, e->data, &l->data_dir, &(uint64_t){ 0 });
	if (ret == -ENOMEM)
		return ret;
	if (ret || grp_link_data(g, l->data_dir)) {
		apfs_warn("firmlinks line %u: target '%s' %s on the Data volume: '%s' shows the "
			  "System volume's own directory", e->line, e->data,
			  ret ? "is no directory" : "is already the target of an earlier link", e->sys);
		l->data_dir = 0;
	}
	return 0;
}

/* Drop the links that sit inside another (case variants the text check cannot see). */
static void drop_nested(struct fs_group *g)
{
	size_t k = 0;

	for (size_t i = 0; i < g->nln; i++) {
		if (sys_nested(g, &g->ln[i]) || data_nested(g, &g->ln[i]) ||
		    hides_data_mount(g, &g->ln[i])) {
			apfs_warn("firmlink '%s' -> '%s' lies inside another firmlinked directory "
				  "or would hide %s: not applied", g->ln[i].sys_path,
				  g->ln[i].data_path, FIRMLINKS_DATA_MOUNT);
			g->ln[i].sys_dir = g->ln[i].data_dir = 0;
		}
	}
	for (size_t i = 0; i < g->nln; i++)
		if (g->ln[i].sys_dir)
			g->ln[k++] = g->ln[i];
	g->nln = k;
}

static void warn_locked(const struct fs_group *g)
{
	apfs_warn("the Data volume is locked: %zu firmlinked director%s (%s%s) and %s cannot be "
		  "read until it is unlocked", g->nln, g->nln == 1 ? "y" : "ies",
		  g->nln ? g->ln[0].sys_path : "none", g->nln > 1 ? ", ..." : "",
		  FIRMLINKS_DATA_MOUNT);
}

int grp_resolve(struct fs_group *g)
{
	char *buf = NULL;
	size_t len = 0;
	int ret = read_firmlinks(g->sys, &buf, &len);

	if (ret == -ENOENT)
		apfs_warn("the System volume has no %s: no firmlinks applied", FIRMLINKS_PATH);
	else if (ret && ret != -EFBIG && ret != -ENOMEM)
		apfs_warn("%s on the System volume cannot be read (%s): no firmlinks applied",
			  FIRMLINKS_PATH, apfs_strerror(ret));
	else if (!ret)
		ret = apfs_firmlinks_parse(buf, len, &g->fl, &g->nfl);
	free(buf);
	if (ret == -ENOMEM)
		return ret;
	if (dir_at(g->sys, FIRMLINKS_DATA_MOUNT, &g->vdata, &g->vdata_parent))
		apfs_warn("the System volume has no directory %s: the Data volume's root is "
			  "shown only through the firmlinks", FIRMLINKS_DATA_MOUNT);
	g->ln = calloc(g->nfl ? g->nfl : 1, sizeof(*g->ln));
	if (!g->ln)
		return -ENOMEM;
	for (size_t i = 0; i < g->nfl; i++) {
		ret = link_one(g, &g->fl[i], &g->ln[g->nln]);
		if (ret < 0)
			return ret;
		if (!ret)
			g->nln++;
	}
	drop_nested(g);
	if (!g->data)
		warn_locked(g);
	return 0;
}

const struct g_link *grp_link_sys(const struct fs_group *g, uint64_t raw)
{
	for (size_t i = 0; i < g->nln; i++)
		if (g->ln[i].sys_dir == raw)
			return &g->ln[i];
	return NULL;
}

const struct g_link *grp_link_data(const struct fs_group *g, uint64_t raw)
{
	for (size_t i = 0; i < g->nln; i++)
		if (g->ln[i].data_dir == raw)
			return &g->ln[i];
	return NULL;
}

/**
 * apfs_fs_open_group - the Mac's root (see fs.h)
 */
int apfs_fs_open_group(struct apfs_fs *sys, struct apfs_fs *data, struct apfs_fs **out)
{
	struct fs_group *g = calloc(1, sizeof(*g));
	struct apfs_fs *fs = calloc(1, sizeof(*fs));
	int ret = g && fs ? 0 : -ENOMEM;

	if (!ret) {
		*fs = *sys;  /* container, block size: what the view-wide helpers read */
		fs->gen = fs_gen_next();  /* its inode numbers are the view's, not sys's */
		fs->resume = NULL;  /* sys's own (its readdirs keep their places there) */
		fs->grp = g;
		g->sys = sys;
		g->data = data;
		ret = grp_resolve(g);
	}
	if (ret) {
		if (g)
			apfs_firmlinks_free(g->fl, g->nfl), free(g->ln);
		free(g);
		free(fs);
		fs_vol_close(sys);
		fs_vol_close(data);
		return ret;
	}
	*out = fs;
	return 0;
}

/**
 * apfs_group_boot_snapshot - the snapshot a System volume boots from (see fs.h)
 *
 * macOS 11+ roots `/` at a snapshot of the sealed System volume, never at
 * the live tree (macos-boot.md §4): the live tree is where the next update
 * is staged, and its seal is usually "Broken".  Whether apfs_root_to_xid
 * names that snapshot on real disks is unknown, so a name with Apple's
 * prefix is the fallback.
 */
int apfs_group_boot_snapshot(struct apfs_volume *sys, struct apfs_snapshot *out)
{
	uint64_t root_to = get_le64(sys->sb.apfs_root_to_xid);
	struct apfs_snapshot *arr;
	unsigned n;
	bool named = false;
	int ret = apfs_snapshot_list(sys, &arr, &n), found = -1;

	if (ret)
		return ret;
	for (unsigned i = 0; i < n && !named; i++) {
		named = root_to && arr[i].xid == root_to;
		if (named || !strncmp(arr[i].name, BOOT_SNAP_PREFIX, strlen(BOOT_SNAP_PREFIX)))
			found = (int)i;  /* oldest xid first: the last one is the newest */
	}
	if (found >= 0)
		*out = arr[found];
	free(arr);
	/*
	 * Only the snapshot root_to names is sure where the tree lacks some the
	 * volume counts: the one it names, or the newest by name, may be lost
	 * (found in review: another update snapshot taken with exit 0).
	 */
	if (!named && apfs_snapshot_counted(sys, n))
		return -APFS_EINCOMPLETE;
	return found >= 0 ? 0 : -ENOENT;
}
