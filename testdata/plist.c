/* SPDX-License-Identifier: MIT */
/*
 * plist.c - files a macOS tree is made of beyond bytes: property lists
 * (written with libplist, binary or XML as macOS writes each one) and
 * `mkdir -p` of absolute paths.
 */
#include <errno.h>
#include <plist/plist.h>
#include <stdlib.h>

#include "mk.h"

/**
 * mk_fs_plist() - a regular file holding property list p.
 * @v: volume
 * @parent: directory inode
 * @name: file name
 * @p: the plist (a plist_t; not freed here)
 * @binary: bplist00 if set, else XML
 * @ino: receives the inode number (may be NULL)
 */
int mk_fs_plist(struct mk_vol *v, uint64_t parent, const char *name, void *p, bool binary,
		uint64_t *ino)
{
	char *buf = NULL;
	uint32_t len = 0;
	int rc;

	if (binary)
		plist_to_bin((plist_t)p, &buf, &len);
	else
		plist_to_xml((plist_t)p, &buf, &len);
	if (!buf)
		return -ENOMEM;
	rc = mk_fs_file(v, parent, name, buf, len, ino);
	if (binary)
		plist_to_bin_free(buf);
	else
		plist_to_xml_free(buf);
	return rc;
}

/* The child of directory dir named name (len bytes), or 0. */
static uint64_t child(struct mk_vol *v, uint64_t dir, const char *name, size_t len)
{
	for (uint64_t i = APFS_MIN_USER_INO_NUM; i < v->ninodes; i++) {
		const struct mk_inode *in = &v->inodes[i];

		if (in->mode && in->parent == dir && in->name && strlen(in->name) == len &&
		    !memcmp(in->name, name, len))
			return i + v->ino_base;
	}
	return 0;
}

/**
 * mk_fs_mkdirs() - make every missing directory of an absolute path.
 * @v: volume
 * @path: "/a/b/c"
 * @ino: receives c's inode number (the root's for "/"), may be NULL
 */
int mk_fs_mkdirs(struct mk_vol *v, const char *path, uint64_t *ino)
{
	uint64_t dir = APFS_ROOT_DIR_INO_NUM;
	char name[256];
	int rc = 0;

	while (!rc && *path) {
		size_t n = strcspn(path += strspn(path, "/"), "/");
		uint64_t c;

		if (!n)
			break;
		if (n >= sizeof(name))
			return -ENAMETOOLONG;
		c = child(v, dir, path, n);
		if (!c) {
			memcpy(name, path, n);
			name[n] = 0;
			rc = mk_fs_mkdir(v, dir, name, &c);
		}
		dir = c;
		path += n;
	}
	if (ino)
		*ino = dir;
	return rc;
}
