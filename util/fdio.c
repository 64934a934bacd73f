/* SPDX-License-Identifier: MIT */
/*
 * fdio.c - whole reads and writes at an offset (see fdio.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "fdio.h"

/* pread or pwrite until len bytes moved; one that moves nothing would again: EOF or a stall. */
static int full(int fd, uint8_t *p, size_t len, uint64_t off, bool write)
{
	while (len > 0) {
		ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;  /* the OS's own: the caller names it, then maps it (apfs_os_ret) */
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int apfs_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	return full(fd, buf, len, off, false);
}

int apfs_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	return full(fd, (uint8_t *)(uintptr_t)buf, len, off, true);  /* only read from */
}
