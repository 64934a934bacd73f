/* SPDX-License-Identifier: MIT */
/*
 * fz_lzbitmap.c - the LZBITMAP decoder.  Byte 0 picks the output capacity (so the
 * -ENOSPC paths run too); the rest is the stream.
 */
#include <stdlib.h>

#include "codec/lzbitmap.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap, got;
	uint8_t *dst;

	if (size < 1)
		return 0;
	cap = (size_t)data[0] * 2048 + 1;
	dst = malloc(cap);
	apfs_lzbitmap_decode(data + 1, size - 1, dst, cap, &got);
	free(dst);
	return 0;
}
