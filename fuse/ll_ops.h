/* SPDX-License-Identifier: MIT */
/*
 * ll_ops.h - the request handlers of the ll_*.c files and xattr.c, which
 * ll_ops.c gathers into afuse_ll_ops.  Each replies exactly once.
 */
#ifndef FUSE_LL_OPS_H
#define FUSE_LL_OPS_H

#include "afuse.h"

/* ll_lookup.c */
void afuse_ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void afuse_ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void afuse_ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);

/* ll_attr.c: the attributes of the kernel's inode ino, a library code */
int afuse_stat_ino(struct afuse *af, fuse_ino_t ino, struct stat *st);
void afuse_ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* ll_read.c */
void afuse_ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afuse_ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi);
void afuse_ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* ll_dir.c */
void afuse_ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afuse_ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi);
void afuse_ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi);
void afuse_ll_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* ll_readlink.c, ll_statfs.c */
void afuse_ll_readlink(fuse_req_t req, fuse_ino_t ino);
void afuse_ll_statfs(fuse_req_t req, fuse_ino_t ino);

#endif
