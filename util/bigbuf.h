/* SPDX-License-Identifier: MIT */
/*
 * bigbuf.h - large buffers on huge pages where the kernel gives them.
 */
#ifndef APFS_BIGBUF_H
#define APFS_BIGBUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * len bytes (rounded up to 2 MiB), 2 MiB aligned, asking for transparent
 * huge pages.  prefault: touch every page now, from user space, so that the
 * kernel's copies into the buffer (pread) never fault.  NULL on failure.
 */
void *apfs_bigbuf_new(size_t len, bool prefault);
void apfs_bigbuf_free(void *p, size_t len);

#endif
