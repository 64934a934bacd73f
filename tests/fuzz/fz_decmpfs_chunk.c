/* SPDX-License-Identifier: MIT */
/*
 * fz_decmpfs_chunk.c - one decmpfs chunk of any type: the zlib (deflate)
 * path through apfs_inflate, the stored-raw markers, and the LZ decoders
 * as decmpfs calls them.  Byte 0 picks the type, byte 1 the output
 * capacity (up to the 64 KiB decmpfs chunk and a little past).
 */
#include <stdlib.h>

#include "apfs/fs.h"
#include "tests/fuzz/fuzz.h"

static const uint32_t types[] = { 1, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 0, 2, 5 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap, got;
	uint8_t *dst;

	if (size < 2)
		return 0;
	cap = (size_t)data[1] * 260 + 1;
	dst = malloc(cap);
	apfs_decmpfs_chunk(types[data[0] % (sizeof(types) / sizeof(types[0]))], data + 2, size - 2,
			   dst, cap, &got);
	free(dst);
	return 0;
}
