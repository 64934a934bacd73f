/* SPDX-License-Identifier: MIT */
/*
 * fs.c - apfsi_fs: a read-only view of a volume's file system (live or a
 * snapshot), or, for a volume group's System volume, the Mac's root as the
 * commands show it (System at its boot snapshot, the Data volume's
 * firmlinked directories in place); and the calls on inodes and paths.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/bytes.h"
#include "fs_int.h"

#ifndef S_IFWHT
#define S_IFWHT 0160000  /* whiteout, as APFS stores it (not in Linux's headers) */
#endif

static const uint8_t zero_uuid[16];

/* The Data volume of System volume sys's group (same container), or NULL. */
struct apfsi_volume *apfsi_group_data(struct apfsi_volume *sys)
{
	const uint8_t *g = sys->v->sb.apfs_volume_group_id;
	struct apfsi_image *img = sys->img;

	if (!memcmp(g, zero_uuid, 16) || get_le16(sys->v->sb.apfs_role) != APFS_VOL_ROLE_SYSTEM)
		return NULL;
	for (unsigned i = 0; i < img->nvols; i++) {
		struct apfsi_volume *o = &img->vols[i];

		if (o->cidx == sys->cidx && get_le16(o->v->sb.apfs_role) == APFS_VOL_ROLE_DATA &&
		    !memcmp(o->v->sb.apfs_volume_group_id, g, 16))
			return o;
	}
	return NULL;
}

static bool unlocked(struct apfs_volume *v)
{
	bool yes;

	pthread_mutex_lock(&v->key_lock);
	yes = !apfs_volume_encrypted(v) || v->xts;
	pthread_mutex_unlock(&v->key_lock);
	return yes;
}

/* The System tree the Mac boots: the snapshot asked for, else its boot snapshot, else live. */
static int system_xid(struct apfsi_volume *sys, const char *snapshot, uint64_t *xid)
{
	struct apfs_snapshot snap;
	int ret;

	*xid = 0;
	if (snapshot)
		return apfsi_snapshot_xid(sys, snapshot, xid);
	ret = apfs_group_boot_snapshot(sys->v, &snap);
	if (ret == -ENOENT)
		apfs_warn("the System volume '%s' has no boot snapshot (com.apple.os.update-...): "
			  "its live tree is shown", sys->v->name);
	else if (ret == -APFS_EINCOMPLETE) {  /* the boot snapshot may be one of those lost */
		apfs_err("the System volume '%s': its boot snapshot is not sure: its snapshot "
			 "metadata tree lacks some it counts, and apfs_root_to_xid names none it "
			 "holds: the Mac's root is not shown (a snapshot named, or the volume "
			 "without firmlinks, is)", sys->v->name);
		return apfsi_fail_errno(ret, "snapshot metadata");
	}
	else if (ret)
		return apfsi_fail_errno(ret, "snapshot metadata");
	else
		*xid = snap.xid;
	return APFSI_OK;
}

/* The merged root: System's view and, when it is unlocked, Data's. */
static int open_group(struct apfsi_volume *sys, struct apfsi_volume *data, const char *snapshot,
		      struct apfs_fs **out)
{
	struct apfs_fs *sfs = NULL, *dfs = NULL;
	uint64_t xid;
	int ret = system_xid(sys, snapshot, &xid);

	if (ret)
		return ret;
	if ((ret = apfs_fs_open(sys->v, xid, &sfs)))
		return apfsi_fail_errno(ret, sys->v->name);
	if (!unlocked(data->v))
		apfs_warn("the Data volume '%s' of this group is locked: its directories show as "
			  "locked", data->v->name);
	else if ((ret = apfs_fs_open(data->v, 0, &dfs))) {
		apfs_fs_close(sfs);
		return apfsi_fail_errno(ret, data->v->name);
	}
	ret = apfs_fs_open_group(sfs, dfs, out);
	return ret ? apfsi_fail_errno(ret, "volume group") : APFSI_OK;
}

static int open_one(struct apfsi_volume *vol, const char *snapshot, struct apfs_fs **out)
{
	uint64_t xid = 0;
	int ret = snapshot ? apfsi_snapshot_xid(vol, snapshot, &xid) : APFSI_OK;

	if (ret)
		return ret;
	if (!unlocked(vol->v))
		return apfsi_fail(APFSI_ERR_LOCKED, "volume '%s' is encrypted and locked: unlock "
				  "it first", vol->v->name);
	ret = apfs_fs_open(vol->v, xid, out);
	return ret ? apfsi_fail_errno(ret, vol->v->name) : APFSI_OK;
}

int apfsi_fs_open(apfsi_volume *vol, const char *snapshot, unsigned flags, apfsi_fs **out)
{
	struct apfsi_volume *data;
	struct apfsi_fs *fs;
	int ret;

	apfsi_enter();
	if (!vol || !out)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_open: vol and out are required");
	*out = NULL;
	if (flags & ~(unsigned)APFSI_FS_NO_FIRMLINKS)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_open: unknown flags 0x%x", flags);
	if (!(fs = calloc(1, sizeof(*fs))))
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory");
	fs->vol = vol;
	pthread_mutex_init(&fs->reader_lock, NULL);
	pthread_mutex_init(&fs->helpers_lock, NULL);
	pthread_mutex_init(&fs->plans_lock, NULL);
	data = flags & APFSI_FS_NO_FIRMLINKS ? NULL : apfsi_group_data(vol);
	ret = data ? open_group(vol, data, snapshot, &fs->fs) : open_one(vol, snapshot, &fs->fs);
	if (ret) {
		apfsi_fs_close(fs);
		return ret;
	}
	*out = fs;
	return APFSI_OK;
}

void apfsi_fs_close(apfsi_fs *fs)
{
	if (!fs)
		return;
	apfsi_reader_free(fs->reader);
	pthread_mutex_destroy(&fs->reader_lock);
	apfsi_helpers_free(fs->helpers);
	pthread_mutex_destroy(&fs->helpers_lock);
	pthread_mutex_destroy(&fs->plans_lock);
	if (fs->fs)
		apfs_fs_close(fs->fs);
	free(fs);
}

static enum apfsi_file_type type_of_mode(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return APFSI_TYPE_FILE;
	case S_IFDIR: return APFSI_TYPE_DIR;
	case S_IFLNK: return APFSI_TYPE_SYMLINK;
	case S_IFIFO: return APFSI_TYPE_FIFO;
	case S_IFCHR: return APFSI_TYPE_CHAR;
	case S_IFBLK: return APFSI_TYPE_BLOCK;
	case S_IFSOCK: return APFSI_TYPE_SOCKET;
	case S_IFWHT: return APFSI_TYPE_WHITEOUT;
	default: return APFSI_TYPE_UNKNOWN;
	}
}

enum apfsi_file_type apfsi_type_of_dt(unsigned dt)
{
	/* DT_x is S_IFx >> 12 (and DT_WHT 14 is S_IFWHT's). */
	return type_of_mode((uint16_t)(dt << 12));
}

/* decmpfs types as `stat` names them (docs/apfs-format.md §8.2). */
static const char *compression_name(uint32_t type)
{
	switch (type) {
	case 0: return NULL;
	case 1: return "uncompressed (in xattr)";
	case 3: return "zlib (in xattr)";
	case 4: return "zlib (resource fork)";
	case 7: return "lzvn (in xattr)";
	case 8: return "lzvn (resource fork)";
	case 9: return "uncompressed (in xattr)";
	case 10: return "uncompressed (resource fork)";
	case 11: return "lzfse (in xattr)";
	case 12: return "lzfse (resource fork)";
	case 13: return "lzbitmap (in xattr)";
	case 14: return "lzbitmap (resource fork)";
	default: return "unknown";
	}
}

void apfsi_stat_from(const struct apfs_stat *in, struct apfsi_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->ino = in->ino;
	out->parent = in->parent_id;
	out->type = type_of_mode(in->mode);
	out->mode = in->mode;
	out->uid = in->uid, out->gid = in->gid;
	out->nlink = in->nlink;
	out->size = in->size;
	out->allocated = in->alloced;
	out->crtime = (int64_t)in->crtime, out->mtime = (int64_t)in->mtime;
	out->ctime = (int64_t)in->ctime, out->atime = (int64_t)in->atime;
	out->added = (int64_t)in->added;
	out->bsd_flags = in->bsd_flags;
	out->compression = in->compression;
	out->compression_name = compression_name(in->compression);
	out->rdev = in->rdev;
	out->flags = (in->firmlink ? APFSI_STAT_FIRMLINK : 0) | (in->partial ? APFSI_STAT_PARTIAL : 0);
}

int apfsi_fs_stat(apfsi_fs *fs, uint64_t ino, struct apfsi_stat *st)
{
	struct apfs_stat s;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_stat")))
		return ret;
	if (!st)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_stat: st is required");
	ret = apfs_fs_stat(fs->fs, ino, &s);
	if (ret)
		return apfsi_fail(apfsi_code(ret), "inode %llu: %s", (unsigned long long)ino,
				  apfsi_strerror(apfsi_code(ret)));
	apfsi_stat_from(&s, st);
	return APFSI_OK;
}

int apfsi_fs_stat_path(apfsi_fs *fs, const char *path, struct apfsi_stat *st)
{
	struct apfs_dirent *d;
	struct apfs_stat s;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_stat_path")))
		return ret;
	if (!path || !st)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_stat_path: path and st are required");
	if (!(d = malloc(sizeof(*d))))
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory");
	ret = apfs_fs_lookup(fs->fs, path, d);
	if (!ret)
		ret = apfs_fs_stat(fs->fs, d->ino, &s);
	if (!ret) {
		s.added = d->date_added;  /* it lives in the directory record */
		apfsi_stat_from(&s, st);
	}
	free(d);
	return ret ? apfsi_fail(apfsi_code(ret), "'%s': %s", path,
				apfsi_strerror(apfsi_code(ret))) : APFSI_OK;
}

/* The public entry of d, its name copied into name (cap bytes): 0 or -ENAMETOOLONG. */
static int dirent_out(const struct apfs_dirent *d, struct apfsi_dirent *out, char *name,
		      size_t cap)
{
	size_t len = strnlen(d->name, sizeof(d->name));

	if (len >= cap)
		return -ENAMETOOLONG;
	memset(out, 0, sizeof(*out));
	memcpy(name, d->name, len + 1);
	out->ino = d->ino, out->type = apfsi_type_of_dt(d->type);
	out->date_added = (int64_t)d->date_added, out->name = name;
	return 0;
}

int apfsi_fs_lookup(apfsi_fs *fs, const char *path, struct apfsi_dirent *out, char *name,
		    size_t cap)
{
	struct apfs_dirent *d;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_lookup")))
		return ret;
	if (!path || !out || !name || !cap)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_lookup: path, out and name are required");
	if (!(d = malloc(sizeof(*d))))
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory");
	ret = apfs_fs_lookup(fs->fs, path, d);
	if (!ret)
		ret = dirent_out(d, out, name, cap);
	free(d);
	return ret ? apfsi_fail(apfsi_code(ret), "'%s': %s", path,
				apfsi_strerror(apfsi_code(ret))) : APFSI_OK;
}

/* One entry's name: not "", ".", ".." (no entries of an APFS directory), nor with a '/'. */
static bool entry_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/*
 * A name not found: -ENOTDIR when dir is no directory (a file holds no
 * entries, so only a miss needs the extra read of dir's inode).
 */
static int miss_why(apfsi_fs *fs, uint64_t dir)
{
	struct apfs_stat s;
	int ret = apfs_fs_stat(fs->fs, dir, &s);

	if (ret)
		return ret;
	return S_ISDIR(s.mode) ? -ENOENT : -ENOTDIR;
}

int apfsi_fs_lookup_at(apfsi_fs *fs, uint64_t dir, const char *name, struct apfsi_dirent *out,
		       char *namebuf, size_t cap)
{
	struct apfs_dirent *d;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_lookup_at")))
		return ret;
	if (!name || !out || !namebuf || !cap)
		return apfsi_fail(APFSI_ERR_INVALID,
				  "apfsi_fs_lookup_at: name, out and namebuf are required");
	if (!entry_name(name))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_lookup_at: '%s' is no entry's name",
				  name);
	/* 1 is the root's parent: its only entries are the root and the private directory */
	if (dir <= 1)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_lookup_at: %llu is no directory's "
				  "number", (unsigned long long)dir);
	if (!(d = malloc(sizeof(*d))))
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory");
	ret = apfs_fs_lookup_at(fs->fs, dir, name, d);
	if (ret == -ENOENT)
		ret = miss_why(fs, dir);
	if (!ret)
		ret = dirent_out(d, out, namebuf, cap);
	free(d);
	return ret ? apfsi_fail(apfsi_code(ret), "'%s' in directory inode %llu: %s", name,
				(unsigned long long)dir, apfsi_strerror(apfsi_code(ret))) : APFSI_OK;
}

int apfsi_fs_dir_entered(apfsi_fs *fs, uint64_t dir, const char *name, uint64_t ino)
{
	char why[1024];
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_dir_entered")))
		return ret;
	/* any name an entry holds, as the walk read it: no path's rule of names here */
	if (!name || dir <= 1)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_dir_entered: %s", name ? "no "
				  "directory's number" : "no name given");
	ret = apfs_fs_dir_entered(fs->fs, dir, name, ino, why, sizeof(why));
	if (ret == 1 || (ret < 0 && why[0]))
		return apfsi_say(ret == 1 ? 1 : apfsi_code(ret), why);
	return ret ? apfsi_fail(apfsi_code(ret), "directory inode %llu, '%s' in directory inode "
				"%llu: %s", (unsigned long long)ino, name, (unsigned long long)dir,
				apfsi_strerror(apfsi_code(ret))) : APFSI_OK;
}

int apfsi_fs_path(apfsi_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_path")))
		return ret;
	if (!buf || !cap)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_path: no buffer");
	ret = apfs_fs_path(fs->fs, ino, buf, cap);
	return ret ? apfsi_fail(apfsi_code(ret), "path of inode %llu: %s", (unsigned long long)ino,
				apfsi_strerror(apfsi_code(ret))) : APFSI_OK;
}

int apfsi_fs_readlink(apfsi_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	int ret, code;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_readlink")))
		return ret;
	if (!buf || !cap)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_readlink: no buffer");
	ret = apfs_fs_readlink(fs->fs, ino, buf, cap);
	code = ret == -EINVAL ? APFSI_ERR_NOT_LINK : apfsi_code(ret);
	return ret ? apfsi_fail(code, "readlink of inode %llu: %s", (unsigned long long)ino,
				apfsi_strerror(code)) : APFSI_OK;
}
