/* SPDX-License-Identifier: MIT */
/*
 * stat.c - the attributes every reply carries (GETATTR's, and LOOKUP's and
 * READDIRPLUS's entries): a struct stat from the library's apfsi_stat.
 * st_ino is the library's number (the root's 2, as APFS numbers it),
 * whatever node id the kernel knows the inode by (ino.c).
 */
#include <dirent.h>
#include <stdint.h>
#include <string.h>

#include "afuse.h"

static void set_ts(struct timespec *ts, uint64_t ns)
{
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

/* A symlink's st_size is its target's length, as on macOS and Linux. */
static uint64_t link_size(apfsi_fs *fs, uint64_t ino)
{
	char target[AFUSE_PATH_MAX];

	if (apfsi_fs_readlink(fs, ino, target, sizeof(target)))
		return 0;
	return strlen(target);
}

void afuse_fill_stat(struct afuse *af, const struct apfsi_stat *a, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = a->ino;
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_rdev = a->rdev;
	st->st_size = (off_t)(S_ISLNK(a->mode) ? link_size(af->fs, a->ino) : a->size);
	st->st_blksize = af->usage.block_size;
	st->st_blocks = (blkcnt_t)((a->allocated + 511) / 512);
	set_ts(&st->st_atim, (uint64_t)a->atime);
	set_ts(&st->st_mtim, (uint64_t)a->mtime);
	set_ts(&st->st_ctim, (uint64_t)a->ctime);
}

/* S_IF* of an entry's type (DTTOIF's, from the API's types). */
mode_t afuse_type_mode(enum apfsi_file_type t)
{
	switch (t) {
	case APFSI_TYPE_FILE: return S_IFREG;
	case APFSI_TYPE_DIR: return S_IFDIR;
	case APFSI_TYPE_SYMLINK: return S_IFLNK;
	case APFSI_TYPE_FIFO: return S_IFIFO;
	case APFSI_TYPE_CHAR: return S_IFCHR;
	case APFSI_TYPE_BLOCK: return S_IFBLK;
	case APFSI_TYPE_SOCKET: return S_IFSOCK;
	case APFSI_TYPE_WHITEOUT: return DTTOIF(DT_WHT);
	default: return 0;
	}
}

void afuse_fill_entry(fuse_ino_t ino, const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->attr = *st;
	e->attr_timeout = AFUSE_CACHE_SECONDS;
	e->entry_timeout = AFUSE_CACHE_SECONDS;
}
