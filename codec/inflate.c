/* SPDX-License-Identifier: MIT */
/* inflate.c - zlib one-shot shared by decmpfs (types 3/4) and UDIF (UDZO). */
#include <zlib.h>

#include "util/err.h"
#include "codec/inflate.h"

int apfs_inflate(const uint8_t *src, size_t srclen, uint8_t *dst, size_t cap, size_t *out)
{
	z_stream z = { 0 };
	int zr;

	/* Callers bound both lengths far below 4 GiB, zlib's uInt. */
	if (srclen > UINT32_MAX || cap > UINT32_MAX)
		return -APFS_ECORRUPT;
	if (inflateInit(&z) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)srclen;
	z.next_out = dst;
	z.avail_out = (uInt)cap;
	zr = inflate(&z, Z_FINISH);
	*out = cap - z.avail_out;
	inflateEnd(&z);
	if (zr == Z_STREAM_END)
		return 0;
	return zr == Z_BUF_ERROR && z.avail_out == 0 ? -ENOSPC : -APFS_ECORRUPT;
}
