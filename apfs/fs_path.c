/* SPDX-License-Identifier: MIT */
/*
 * fs_path.c - a path walked from the root, component by component, each
 * step a lookup of the name (fs_dir.c) held to the rule that keeps what is
 * reachable a tree: a directory only through its own entry, the private
 * directory's entries by fs_private.c's rule; ".." to the parent the inode
 * names.  Apart from fs_dir.c, which it uses, so that the rule's two
 * files use the name search and neither is used by it.
 */
#include <string.h>

#include "fs_int.h"

static void root_dirent(struct apfs_dirent *o)
{
	memset(o, 0, sizeof(*o));
	o->ino = APFS_ROOT_DIR_INO_NUM;
	o->type = 4; /* DT_DIR */
	strcpy(o->name, "/");
}

static int step_up(struct apfs_fs *fs, struct apfs_dirent *cur)
{
	struct fs_inode in;
	uint64_t parent;
	int ret;

	if (cur->ino == APFS_ROOT_DIR_INO_NUM)
		return 0;
	ret = fs_inode_get(fs, cur->ino, &in);
	if (ret)
		return ret;
	parent = get_le64(in.raw.parent_id);
	if (parent <= APFS_ROOT_DIR_INO_NUM) {
		root_dirent(cur);
		return 0;
	}
	ret = fs_inode_get(fs, parent, &in);
	if (ret)
		return ret;
	memset(cur, 0, sizeof(*cur));
	cur->ino = parent;
	cur->type = 4;
	memcpy(cur->name, in.name, sizeof(cur->name));
	return 0;
}

/*
 * A directory is followed only through its own entry: the one in the
 * directory its inode names as parent, under the name its inode holds.
 * Every other entry naming it (a cycle back to an ancestor, the same
 * directory listed twice) is a lie of the image, and following it would
 * let a path, and `find` through the mount, go round for ever.  With this
 * rule the directories reachable from the root form a tree: each has one
 * parent, and the root and the private directory (parent 1 both) are never
 * anyone's child.  A directory whose inode holds no name is entered through
 * none: any of its parent's entries could pass for its own, and through two
 * the mount would show one directory twice.  The private directory's own
 * entries obey another rule (fs_private.c).
 */
static int dir_link_check(struct apfs_fs *fs, uint64_t dir, const struct apfs_dirent *d)
{
	struct fs_inode in;
	uint64_t parent;
	int ret;

	if (d->type != 4) /* DT_DIR: others end the path walk anyway */
		return 0;
	if (d->ino == APFS_PRIV_DIR_INO_NUM) {
		apfs_err("fs tree: the private directory (inode %llu) is listed in directory inode "
			 "%llu as '%s': not followed (it is no directory's child)",
			 (unsigned long long)d->ino, (unsigned long long)dir, d->name);
		return -ELOOP;
	}
	ret = fs_inode_get(fs, d->ino, &in);
	if (ret)
		return ret;
	parent = get_le64(in.raw.parent_id);
	/* every inode holds its name (apfsck "no name for primary link"): else which is its own? */
	if (!in.name[0]) {
		apfs_err("fs tree: directory inode %llu, listed in directory inode %llu as '%s', "
			 "holds no name, so its own entry cannot be told: not followed",
			 (unsigned long long)d->ino, (unsigned long long)dir, d->name);
		return -ELOOP;
	}
	if (parent == dir && d->ino != APFS_ROOT_DIR_INO_NUM && !strcmp(in.name, d->name))
		return 0;
	apfs_err("fs tree: directory inode %llu is listed in directory inode %llu as '%s', "
		 "but its own entry is '%s' in directory inode %llu: not followed (a directory "
		 "cycle or a directory listed twice)", (unsigned long long)d->ino,
		 (unsigned long long)dir, d->name, in.name, (unsigned long long)parent);
	return -ELOOP;
}

/* The rule for entry d of dir: the private directory's, or every other's (fs_int.h). */
int fs_entry_check(struct apfs_fs *fs, uint64_t dir, const struct apfs_dirent *d)
{
	if (dir == APFS_PRIV_DIR_INO_NUM)
		return fs_private_entry_check(fs, d);
	return dir_link_check(fs, dir, d);
}

int fs_lookup_checked(struct apfs_fs *fs, uint64_t dir, const char *name,
		      struct apfs_dirent *out)
{
	int ret = fs_vol_lookup_name(fs, dir, name, out);

	return ret ? ret : fs_entry_check(fs, dir, out);
}

/**
 * fs_vol_lookup - resolve a path (see fs.h)
 */
/*
 * The walk of a path, component by component, shared by a volume and the
 * merged root: "" and "." are skipped, a component under a non-directory
 * is ENOTDIR, and step(fs, comp, cur) moves cur (".." included).  Depth is
 * bounded: a path of links up and down cannot walk for ever.
 */
int fs_path_walk(struct apfs_fs *fs, const char *path, fs_path_step step,
		 struct apfs_dirent *out)
{
	char comp[APFS_NAME_MAX];
	const char *p = path;
	int ret = 0;

	root_dirent(out);
	for (unsigned depth = 0; *p && !ret; depth++) {
		size_t n = strcspn(p, "/");

		if (depth > MAX_PATH_DEPTH)
			return -ELOOP;
		if (n >= sizeof(comp))
			return -ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + (p[n] == '/');
		if (n == 0 || !strcmp(comp, "."))
			continue;
		if (out->type != 4)
			return -ENOTDIR;
		ret = step(fs, comp, out);
	}
	return ret;
}

static int vol_step(struct apfs_fs *fs, const char *comp, struct apfs_dirent *cur)
{
	return !strcmp(comp, "..") ? step_up(fs, cur) : fs_lookup_checked(fs, cur->ino, comp, cur);
}

int fs_vol_lookup(struct apfs_fs *fs, const char *path, struct apfs_dirent *out)
{
	return fs_path_walk(fs, path, vol_step, out);
}
