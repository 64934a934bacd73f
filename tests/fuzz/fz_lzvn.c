/* SPDX-License-Identifier: MIT */
/*
 * fz_lzvn.c - the LZVN decoder.  Byte 0 picks the output capacity (so
 * -ENOSPC paths run too) and the history length for apfs_lzvn_decode_at
 * (how LZFSE's bvxn blocks call it); the rest is the stream.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/lzvn.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap, got, used, pos;
	uint8_t *dst;

	if (size < 1)
		return 0;
	cap = (size_t)data[0] * 1024 + 1;
	dst = malloc(cap);
	apfs_lzvn_decode(data + 1, size - 1, dst, cap, &got);
	pos = data[0] % 17 < cap ? data[0] % 17 : 0;
	memset(dst, 'h', pos);
	apfs_lzvn_decode_at(data + 1, size - 1, &used, dst, cap, &pos);
	free(dst);
	return 0;
}
