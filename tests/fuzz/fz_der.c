/* SPDX-License-Identifier: MIT */
/*
 * fz_der.c - the DER reader: every element, into every constructed one
 * (as deep as kb_der_enter allows), every INTEGER read.
 */
#include "keybag/der.h"
#include "tests/fuzz/fuzz.h"

static void walk(struct kb_der *d)
{
	struct kb_der_tlv t;
	struct kb_der child;
	uint64_t v;

	while (kb_der_next(d, &t) == 1) {
		kb_der_uint(&t, &v);
		if ((t.tag & 0x20) && kb_der_enter(d, &t, &child) == 0)
			walk(&child);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_der d = kb_der_init(data, size);

	walk(&d);
	return 0;
}
