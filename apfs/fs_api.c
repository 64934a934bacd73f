/* SPDX-License-Identifier: MIT */
/*
 * fs_api.c - the file-system functions of fs.h, for a volume or a volume
 * group's merged root: each hands the call to the one volume (fs_vol_*:
 * fs_dir.c, fs_inode.c, fs_xattr.c, fs_file.c, fs.c) or to the merged view
 * (grp_*: fs_group.c), which itself reads its member volumes through
 * fs_vol_*.  Only this file knows both, so neither includes the other.
 */
#include <stdlib.h>

#include "fs_int.h"

int apfs_fs_readdir(struct apfs_fs *fs, uint64_t dir, uint64_t cookie, apfs_dirent_fn fn,
		    void *ctx)
{
	if (fs->grp)
		return grp_readdir(fs, dir, cookie, fn, ctx);
	return fs_vol_readdir(fs, dir, cookie, fn, ctx);
}

int apfs_fs_byino_plan(struct apfs_fs *fs, uint64_t dir, struct apfs_byino *plan)
{
	if (fs->grp)
		return grp_byino_plan(fs, dir, plan);
	return fs_vol_byino_plan(fs, dir, plan);
}

int apfs_fs_byino_read(struct apfs_fs *fs, const struct apfs_byino *plan, uint64_t *from,
		       apfs_dirent_fn fn, void *ctx)
{
	if (fs->grp)
		return grp_byino_read(fs, plan, from, fn, ctx);
	return fs_vol_byino_read(fs, plan, from, fn, ctx);
}

int apfs_fs_lookup_name(struct apfs_fs *fs, uint64_t dir, const char *name,
			struct apfs_dirent *out)
{
	if (fs->grp)
		return grp_lookup_name(fs, dir, name, out);
	return fs_vol_lookup_name(fs, dir, name, out);
}

int apfs_fs_lookup_at(struct apfs_fs *fs, uint64_t dir, const char *name,
		      struct apfs_dirent *out)
{
	if (fs->grp)
		return grp_lookup_at(fs, dir, name, out);
	return fs_lookup_checked(fs, dir, name, out);
}

int apfs_fs_dir_entered(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino,
			char *why, size_t cap)
{
	if (fs->grp)
		return grp_dir_entered(fs, dir, name, ino, why, cap);
	return fs_dir_entered(fs, dir, name, ino, why, cap);
}

int apfs_fs_lookup(struct apfs_fs *fs, const char *path, struct apfs_dirent *out)
{
	if (fs->grp)
		return grp_lookup(fs, path, out);
	return fs_vol_lookup(fs, path, out);
}

int apfs_fs_links(struct apfs_fs *fs, uint64_t ino, apfs_link_fn fn, void *ctx)
{
	if (fs->grp)
		return grp_links(fs, ino, fn, ctx);
	return fs_vol_links(fs, ino, fn, ctx);
}

int apfs_fs_path(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	if (fs->grp)
		return grp_path(fs, ino, buf, cap);
	return fs_vol_path(fs, ino, buf, cap);
}

int apfs_fs_stat(struct apfs_fs *fs, uint64_t ino, struct apfs_stat *st)
{
	if (fs->grp)
		return grp_stat(fs, ino, st);
	return fs_vol_stat(fs, ino, st);
}

int apfs_fs_dir_stats(struct apfs_fs *fs, uint64_t ino, struct apfs_dir_stats *ds)
{
	if (fs->grp)
		return grp_dir_stats(fs, ino, ds);
	return fs_vol_dir_stats(fs, ino, ds);
}

int apfs_fs_getxattr(struct apfs_fs *fs, uint64_t ino, const char *name, uint64_t off,
		     void *buf, size_t len, size_t *got, uint64_t *size)
{
	if (fs->grp)
		return grp_getxattr(fs, ino, name, off, buf, len, got, size);
	return fs_vol_getxattr(fs, ino, name, off, buf, len, got, size);
}

int apfs_fs_listxattr(struct apfs_fs *fs, uint64_t ino, unsigned flags, apfs_xattr_fn fn,
		      void *ctx)
{
	if (fs->grp)
		return grp_listxattr(fs, ino, flags, fn, ctx);
	return fs_vol_listxattr(fs, ino, flags, fn, ctx);
}

int apfs_fs_xattr_runs(struct apfs_fs *fs, uint64_t ino, const char *name, apfs_run_fn fn,
		       void *ctx, bool *resident)
{
	if (fs->grp)
		return grp_xattr_runs(fs, ino, name, fn, ctx, resident);
	return fs_vol_xattr_runs(fs, ino, name, fn, ctx, resident);
}

int apfs_fs_readlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	if (fs->grp)
		return grp_readlink(fs, ino, buf, cap);
	return fs_vol_readlink(fs, ino, buf, cap);
}

int apfs_fs_firmlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	if (fs->grp)
		return grp_firmlink(fs, ino, buf, cap);
	return fs_vol_firmlink(fs, ino, buf, cap);
}

int apfs_file_open(struct apfs_fs *fs, uint64_t ino, struct apfs_file **out)
{
	if (fs->grp)
		return grp_file_open(fs, ino, out);
	return fs_vol_file_open(fs, ino, out);
}

void apfs_fs_close(struct apfs_fs *fs)
{
	if (fs && fs->grp)
		grp_close(fs);
	else
		fs_vol_close(fs);
}
