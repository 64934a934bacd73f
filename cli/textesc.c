/* SPDX-License-Identifier: MIT */
/*
 * textesc.c - names from the image made safe for line-oriented text and for
 * XML property lists: what a terminal would act on, what XML 1.0 cannot
 * carry, and a format's own separators become \xNN; '\' too, so the
 * escaping can be undone.
 */
#include <stdlib.h>
#include <string.h>

#include "clibase.h"

char *cli_esc_dup(const char *s, const char *extra)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(4 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	while (*p) {
		int n = cli_utf8_seq(p);

		if (n > 1) {
			memcpy(o, p, (size_t)n);
			o += n;
			p += n;
			continue;
		}
		if (n == 0 || *p < 0x20 || *p == 0x7f || *p == '\\' || strchr(extra, *p))
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
		p++;
	}
	*o = '\0';
	return out;
}
