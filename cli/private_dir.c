/* SPDX-License-Identifier: MIT */
/*
 * private_dir.c - --private-dir: PATH taken in the volume's private
 * directory (inode 3, "private-dir" under inode 1 beside "root"), which no
 * path from the root reaches.  macOS keeps there, until its last close, a
 * file deleted while still open (an orphan: its entry moved in as
 * 0xINODE-dead, its link count 0, its own parent_id and name left as they
 * were; apfsck dir.c, inode.c).  Every path written for it begins
 * "private-dir" without a leading '/', as apfs-fuse shows that directory
 * beside root/, so that no path of the root's tree (which all begin with
 * '/') can be taken for one of it.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_fs.h"

const char cli_private_help[] =
	"  --private-dir: PATH (default, and bodyfile's walk: the directory itself) is\n"
	"  in the volume's private directory, which no path from / reaches: macOS keeps\n"
	"  a file deleted while still open there until its last close (an orphan, named\n"
	"  0xINODE-dead; stat says \"orphan\" and the name it had).  Its paths are\n"
	"  written private-dir/NAME (no leading '/').  One volume, not the Mac's merged root.\n";

/*
 * o->args[0] (PATH, default the directory itself) rewritten as it is
 * written: "private-dir", then "/NAME" for each name ("" and "." dropped; a
 * leading "private-dir", as output writes it, is the directory itself).
 * ".." leads out of the directory, which no option here means: refused.
 */
int cli_private_path(struct cli_opts *o)
{
	const char *p = o->nargs ? o->args[0] : "";
	size_t len = strlen(FS_PRIVATE_TOP);

	memcpy(o->private_path, FS_PRIVATE_TOP, len + 1);
	if (!strncmp(p, FS_PRIVATE_TOP, len) && (!p[len] || p[len] == '/'))
		p += len;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2))
			return -EINVAL;
		if (n && !(n == 1 && *p == '.')) {
			if (len + 1 + n >= sizeof(o->private_path))
				return -ENAMETOOLONG;
			o->private_path[len++] = '/';
			memcpy(o->private_path + len, p, n);
			o->private_path[len += n] = '\0';
		}
		p += n + (p[n] == '/');
	}
	if (o->nargs)
		o->args[0] = o->private_path;
	return 0;
}

const char *fs_top(const struct cli_opts *o)
{
	return o->private_dir ? o->private_path : "/";
}

uint64_t fs_top_ino(const struct cli_opts *o)
{
	return o->private_dir ? APFSI_PRIVATE_DIR_INO : APFSI_ROOT_INO;
}

bool fs_private_entry(const struct cli_opts *o, const char *path)
{
	const char *p = path + strlen(FS_PRIVATE_TOP);

	return o->private_dir && *p == '/' && !strchr(p + 1, '/');
}

int fs_private_check(const struct cli_opts *o, apfsi_fs *view)
{
	if (!o->private_dir || !apfsi_fs_is_group(view))
		return 0;
	fprintf(stderr, "apfsinspect: --private-dir: the Mac's root joins two volumes, each with "
		"its own private directory: give --no-firmlinks for the System volume's, or "
		"--volume for the Data volume's\n");
	return EXIT_USAGE;
}

/*
 * The entry a cli_private_path form names, one name at a time from the
 * private directory: the library follows an entry there that is not its
 * directory's own, as an orphan directory's always is, and never one naming
 * the root or the private directory itself (apfs/fs_dir.c).
 */
static int private_lookup(apfsi_fs *fs, const char *path, struct apfsi_dirent *de,
			  char name[FS_NAME_MAX])
{
	const char *p = path + strlen(FS_PRIVATE_TOP);
	char comp[FS_NAME_MAX];

	memset(de, 0, sizeof(*de));
	de->ino = APFSI_PRIVATE_DIR_INO, de->type = APFSI_TYPE_DIR, de->name = name;
	snprintf(name, FS_NAME_MAX, "%s", FS_PRIVATE_TOP);
	while (*p == '/') {
		size_t n = strcspn(++p, "/");
		int ret;

		if (n >= sizeof(comp))
			return -ENAMETOOLONG;
		if (de->type != APFSI_TYPE_DIR)
			return -ENOTDIR;
		memcpy(comp, p, n);
		comp[n] = '\0';
		ret = cli_api_errno(apfsi_fs_lookup_at(fs, de->ino, comp, de, name, FS_NAME_MAX));
		if (ret)
			return ret;
		p += n;
	}
	return 0;
}

int fs_lookup(const struct cli_opts *o, apfsi_fs *fs, const char *path, struct apfsi_dirent *de,
	      char name[FS_NAME_MAX])
{
	if (o->private_dir)
		return private_lookup(fs, path, de, name);
	return cli_api_errno(apfsi_fs_lookup(fs, path, de, name, FS_NAME_MAX));
}
