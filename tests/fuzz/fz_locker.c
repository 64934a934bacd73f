/* SPDX-License-Identifier: MIT */
/*
 * fz_locker.c - the kb_locker parser (a decrypted keybag from kl_version
 * on), then every entry's fields read and every tag-2/3 key parsed as a
 * blob, as keybag/keybag.c does.
 */
#include "keybag/internal.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_locker l;
	struct kb_blob b;
	const char *why;
	unsigned sum = 0;

	fuzz_quiet();
	if (kb_locker_parse(data, size, "fuzz keybag", &l))
		return 0;
	for (unsigned i = 0; i < l.nkeys; i++) {
		const struct kb_entry *e = &l.ents[i];

		sum += e->uuid[0] + e->uuid[15] + e->tag;
		if (e->keylen)
			sum += e->data[0] + e->data[e->keylen - 1];
		if (e->tag == 2 || e->tag == 3)
			kb_blob_parse(e->data, e->keylen, e->tag == 3, "fuzz entry", &b, &why);
	}
	kb_locker_release(&l);
	return (int)(sum & 0);
}
