/* SPDX-License-Identifier: MIT */
/*
 * fdio.h - whole reads and writes at an offset of a file descriptor: pread
 * and pwrite may move fewer bytes than asked (a signal, a pipe, a full disk),
 * and every caller would otherwise loop on its own.
 */
#ifndef APFS_FDIO_H
#define APFS_FDIO_H

#include <stddef.h>
#include <stdint.h>

/* Full pread loop on fd: 0, -EIO on a short read (EOF), -errno otherwise. */
int apfs_pread_full(int fd, void *buf, size_t len, uint64_t off);
/* Full pwrite loop on fd: 0, -EIO if a write moves nothing, -errno otherwise. */
int apfs_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

#endif
