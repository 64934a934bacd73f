/* SPDX-License-Identifier: MIT */
/*
 * hashline.c - a crypto user's KEK record as the line hashcat and John the
 * Ripper crack (docs/apfs-format.md §7):
 *   18300  $fvde$2$16$<salt>$<iterations>$<40-byte wrapped KEK>
 *   16700  $fvde$1$16$<salt>$<iterations>$<first 24 bytes>  (CoreStorage 128-bit)
 * The same string is what a hashcat or John potfile keys a cracked password
 * on, so exporting and matching a potfile both come through here.
 */
#include <errno.h>
#include <stdio.h>

#include "keybag.h"

bool kb_hash_exportable(const struct kb_user *u)
{
	const struct kb_blob *b = &u->kek;

	return u->parsed && b->has_kdf && b->salt_len == 16 && !u->hw_bound &&
	       b->iterations > 0 && b->iterations <= KB_MAX_ITERATIONS &&
	       (b->wrapped_len == 40 || ((b->flags & KB_FLAG_CS_128) && b->wrapped_len >= 24));
}

unsigned kb_hash_mode(const struct kb_user *u)
{
	return u->kek.flags & KB_FLAG_CS_128 ? 16700 : 18300;
}

static size_t put_hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
	return 2 * n;
}

int kb_hash_line(const struct kb_user *u, char out[KB_HASH_LINE_MAX])
{
	const struct kb_blob *b = &u->kek;
	bool cs = kb_hash_mode(u) == 16700;
	int n;

	if (!kb_hash_exportable(u))
		return -EINVAL;
	n = snprintf(out, KB_HASH_LINE_MAX, "$fvde$%d$16$", cs ? 1 : 2);
	n += (int)put_hex(out + n, b->salt, 16);
	n += snprintf(out + n, KB_HASH_LINE_MAX - (size_t)n, "$%llu$",
		      (unsigned long long)b->iterations);
	put_hex(out + n, b->wrapped, cs ? 24 : 40);
	return 0;
}
