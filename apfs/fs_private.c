/* SPDX-License-Identifier: MIT */
/*
 * fs_private.c - which entries of the private directory (3) a lookup there
 * follows.  No path from the root reaches that directory: macOS moves into
 * it the entry of a file or directory deleted while still open and leaves
 * the inode's parent and name as they were (apfsck dir.c, inode.c), so an
 * orphan directory's entry there is never its own, and the rule every other
 * directory's entries obey (fs_path.c dir_link_check: a directory only
 * through its own entry) would refuse them all.  It is replaced here by one
 * that keeps what that rule keeps: the directories reached from the private
 * directory form a tree, each entered at one place and none from inside
 * itself, so that no path, walk or `find` through the mount goes round.
 *
 * Never the root or the private directory itself.  Of a directory (by its
 * inode's mode, whatever the entry's type says), one entry only: the one
 * macOS makes, 0xINODE-dead (apfsck check_orphan_name), or, where there is
 * none, one under the name its inode holds; and only while its own entry,
 * that name in the directory its parent names, no longer names it: a
 * directory still in a tree is no orphan, and one whose old place is in its
 * own subtree would be entered twice.  An inode with no name has no own
 * entry to look for (and no entry of its parent's enters it: dir_link_check):
 * it is followed only where that parent is gone, so that a live directory
 * that lost its name cannot show below the private directory.  A file may
 * be named more than once (it holds no entries).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_int.h"

static int refuse(const struct apfs_dirent *d, const char *why)
{
	apfs_err("fs tree: '%s', an entry of the private directory naming inode %llu (%s): not "
		 "followed", d->name, (unsigned long long)d->ino, why);
	return -ELOOP;
}

/*
 * Whether a directory's own entry still names it (1), where its inode says
 * (parent, name): an own entry in the private directory itself is this one,
 * and the rule of one entry there has it.  With no name, whether its parent
 * is there at all.
 */
static int own_entry_names(struct apfs_fs *fs, const struct fs_inode *in, uint64_t ino)
{
	uint64_t parent = get_le64(in->raw.parent_id);
	struct fs_inode p;
	int ret;

	if (parent == APFS_PRIV_DIR_INO_NUM)
		return 0;
	if (in->name[0])
		return fs_entry_names(fs, parent, in->name, ino, NULL);
	ret = fs_inode_get(fs, parent, &p);
	return ret == -ENOENT ? 0 : ret ? ret : 1;
}

/* A directory's entry d there: 0 to follow it, else why not (named). */
static int private_dir_entry(struct apfs_fs *fs, const struct apfs_dirent *d,
			     const struct fs_inode *in)
{
	char dead[32], why[128];
	int ret;

	snprintf(dead, sizeof(dead), "0x%llx-dead", (unsigned long long)d->ino);
	snprintf(why, sizeof(why), "a directory, whose one entry there is %s, as macOS names it, "
		 "or else the name its inode holds", dead);
	if (strcmp(d->name, dead) && (!in->name[0] || strcmp(d->name, in->name)))
		return refuse(d, why);
	if (strcmp(d->name, dead) &&
	    (ret = fs_entry_names(fs, APFS_PRIV_DIR_INO_NUM, dead, d->ino, NULL)))
		return ret < 0 ? ret : refuse(d, why);
	ret = own_entry_names(fs, in, d->ino);
	if (ret > 0)
		return refuse(d, in->name[0] ? "a directory whose own entry, where its inode says, "
			      "still names it: no orphan" : "a directory whose inode holds no name, "
			      "so its own entry cannot be told, and whose parent is there");
	return ret;
}

int fs_private_entry_check(struct apfs_fs *fs, const struct apfs_dirent *d)
{
	struct fs_inode in;
	int ret;

	if (d->ino == APFS_ROOT_DIR_INO_NUM)
		return refuse(d, "the root");
	if (d->ino == APFS_PRIV_DIR_INO_NUM)
		return refuse(d, "the private directory itself");
	ret = fs_inode_get(fs, d->ino, &in);
	/* a file's entry naming nothing: whoever reads it meets that; a directory's could be many */
	if (ret == -ENOENT)
		return d->type == 4 ? refuse(d, "a directory's entry naming no inode") : 0;
	if (ret)
		return ret;
	return S_ISDIR(get_le16(in.raw.mode)) || d->type == 4 ? private_dir_entry(fs, d, &in) : 0;
}
