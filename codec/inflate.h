/* SPDX-License-Identifier: MIT */
/* inflate.h - one-shot zlib decompression into a bounded buffer. */
#ifndef APFS_INFLATE_H
#define APFS_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Inflate a whole zlib stream (src, srclen < 4 GiB) into dst (cap < 4 GiB);
 * *out receives the bytes written.  0, -ENOSPC when the output does not fit,
 * -APFS_ECORRUPT for a damaged or incomplete stream, -ENOMEM.
 */
int apfs_inflate(const uint8_t *src, size_t srclen, uint8_t *dst, size_t cap, size_t *out);

#endif
