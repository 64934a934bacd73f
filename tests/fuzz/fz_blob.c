/* SPDX-License-Identifier: MIT */
/*
 * fz_blob.c - the KEK/VEK blob parser and its HMAC check.  Byte 0 says
 * which (bit 0 set: KEK); the rest is the blob.
 */
#include "keybag/internal.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_blob b;
	const char *why = NULL;
	char flags[128];

	fuzz_quiet();
	if (size < 1)
		return 0;
	if (kb_blob_parse(data + 1, size - 1, data[0] & 1, "fuzz blob", &b, &why) == 0) {
		kb_flags_str(&b, flags, sizeof(flags));
		kb_blob_hw_bound(&b);
	}
	return 0;
}
