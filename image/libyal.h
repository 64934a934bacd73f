/* SPDX-License-Identifier: MIT */
/*
 * libyal.h - what the readers built on libvmdk, libvhdi and libqcow share:
 * those libraries open a disk by file name and keep one read position per
 * handle, so a reader holds the handle behind a mutex (the dev read
 * contract wants reads from several threads) and names the library's own
 * message in ours.
 */
#ifndef IMAGE_LIBYAL_H
#define IMAGE_LIBYAL_H

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "image/dev.h"

struct yal_priv {
	void *h;              /* the library's handle or file */
	pthread_mutex_t lock;
};

/*
 * The telling line of a libyal error backtrace (one frame a line, innermost
 * first): the innermost frame of the library itself (prefix "libqcow_"),
 * which names the structure ("unable to retrieve level2 table at offset:
 * 0x09400000"), not its helper libraries' (libcdata_, libfdata_); without
 * its function name.  Rewritten in place.
 */
void yal_message(char *bt, const char *prefix);

/* A device over an opened libyal handle; *out owns lower and priv. */
int yal_dev_new(const struct apfs_dev_ops *ops, struct apfs_dev *lower, void *h,
		uint64_t size, struct apfs_dev **out);

/* The file name a libyal reader needs, or the refusal of a nested one. */
int yal_need_file(const struct apfs_dev *lower, const char *format, const char **path);

#endif
