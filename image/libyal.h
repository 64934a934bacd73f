/* SPDX-License-Identifier: MIT */
/*
 * libyal.h - what the readers built on libewf, libvmdk, libvhdi and libqcow
 * share.  Those libraries open a disk by file name and keep one read
 * position (and chunk cache) per handle, so a handle serves one thread at a
 * time; the dev read contract wants reads from several threads.  A device
 * therefore holds a small pool of handles on the same files: a read takes a
 * free one, and when all are busy a further one is opened (up to
 * YAL_HANDLES), so `cat`'s parallel readers do not queue behind one lock
 * while a command that reads little opens only one.
 */
#ifndef IMAGE_LIBYAL_H
#define IMAGE_LIBYAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "image/dev.h"

#define YAL_HANDLES 4

struct yal_lib {
	/* Open one more handle on path: 0, or -errno (no message). */
	int (*open)(const char *path, void **h);
	/* Read exactly len bytes at off with handle h: 0, or -errno (logged). */
	int (*read)(struct apfs_dev *dev, void *h, void *buf, size_t len, uint64_t off);
	void (*close)(void *h);
};

struct yal_priv {
	const struct yal_lib *lib;
	char *path;                         /* the file further handles open */
	void *h[YAL_HANDLES];
	pthread_mutex_t lock[YAL_HANDLES];  /* lock[i] guards h[i] */
	pthread_mutex_t grow;               /* serialises opening h[n] */
	unsigned _Atomic n;                 /* handles open */
	uint32_t sector;                    /* the format's own use (E01: bytes per sector) */
};

/* A device over an opened first handle h; *out owns lower (and h). */
int yal_dev_new(const struct apfs_dev_ops *ops, const struct yal_lib *lib,
		struct apfs_dev *lower, void *h, uint64_t size, struct apfs_dev **out);

/* The apfs_dev_ops read and close of every libyal device. */
int yal_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off);
void yal_close(struct apfs_dev *dev);

/* The file name a libyal reader needs, or the refusal of a nested one. */
int yal_need_file(const struct apfs_dev *lower, const char *format, const char **path);

/*
 * The telling part of a libyal error backtrace (one frame a line, innermost
 * first), without function names: the root cause (the first line, often a
 * helper library's: "no such file: /x/disk-s002.vmdk") and, in brackets,
 * the innermost frame of the library itself (prefix "libqcow_"), which
 * names the structure ("unable to retrieve level2 table at offset:
 * 0x09400000").  Rewritten in place (it only gets shorter).
 */
void yal_message(char *bt, const char *prefix);

#endif
