/* SPDX-License-Identifier: MIT */
/*
 * fromdir.h - `mkimage from-dir`: one volume holding a copy of a host
 * directory tree (fromdir.c: options and image; fromdir_walk.c: the tree;
 * fromdir_data.c: file contents streamed to the output).
 */
#ifndef FROMDIR_H
#define FROMDIR_H

#include "mk.h"

/* Bounds on what is copied (README "from-dir"). */
#define FD_MAX_DEPTH 256           /* directory levels below DIR */
#define FD_MAX_ENTRIES (1u << 24)  /* entries in the whole tree */
#define FD_MAX_NAME 255            /* bytes of UTF-8 in one name */
#define FD_MAX_SYMLINK 1023        /* bytes of a symlink target (macOS: MAXPATHLEN - 1) */
#define FD_MAX_XATTR 65536         /* bytes of one xattr value, and of a name list (Linux) */

int fd_copy_data(struct mk_vol *v, int fd, uint64_t ino, uint64_t size);
/* Copy the tree below the open directory root (path: for messages) into v. */
int fd_walk(struct mk_vol *v, int root, const char *path);

#endif
