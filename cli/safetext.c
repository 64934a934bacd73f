/* SPDX-License-Identifier: MIT */
/*
 * safetext.c - text from the image (hints) on a terminal or in a log: valid
 * UTF-8 passes, control characters, DEL and invalid bytes become \xNN and a
 * backslash becomes \\, so a crafted hint cannot move the cursor, clear the
 * screen or forge a line of our output, and the bytes can still be recovered.
 * Inside quotes a '"' becomes \" so the quoted text ends where it seems to.
 */
#include "cli.h"

void cli_put_safe(FILE *f, const char *s, bool quoted)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = cli_utf8_seq(p);

		if (n > 1) {
			fwrite(p, 1, (size_t)n, f);
			p += n;
			continue;
		}
		if (*p == '\\' || (quoted && *p == '"'))
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f || n == 0)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
		p++;
	}
}
