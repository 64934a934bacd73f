/* SPDX-License-Identifier: MIT */
/*
 * bigread.h - a large apfsi_file_pread split into pieces that the caller
 * and the file system's helper threads read at once (bigread.c).
 */
#ifndef LIB_BIGREAD_H
#define LIB_BIGREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apfs/fs.h"

/* A read of at least this many bytes is split; a FUSE read (128 KiB, at most 1 MiB) never is. */
#define APFSI_BIGREAD_MIN (2u << 20)

/* A file system's helpers: made on its first large read, ended by apfsi_fs_close. */
struct apfsi_helpers;

/* Nothing to end when h is NULL (no large read was made). */
void apfsi_helpers_free(struct apfsi_helpers *h);

/*
 * len bytes of f at off (off + len inside the file) into buf, in pieces, by
 * the caller and the helpers of *hp (made under *lock when missing); *got
 * as apfs_file_read's.  0 or the negative errno of the piece nearest the
 * start that failed, whose logged message (if any) goes into msg (cap
 * bytes, "" when none): the error a read in one piece would have met first.
 */
int apfsi_bigread(struct apfsi_helpers **hp, pthread_mutex_t *lock, struct apfs_file *f,
		  uint64_t off, void *buf, size_t len, size_t *got, char *msg, size_t cap);

#endif
