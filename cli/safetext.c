/* SPDX-License-Identifier: MIT */
/*
 * safetext.c - text from the image (hints) on a terminal or in a log: valid
 * UTF-8 passes, control characters, DEL and invalid bytes become \xNN and a
 * backslash becomes \\, so a crafted hint cannot move the cursor, clear the
 * screen or forge a line of our output, and the bytes can still be recovered.
 * Inside quotes a '"' becomes \" so the quoted text ends where it seems to.
 * JSON strings (json.c) are written by the same walker in JSON's own forms.
 */
#include "cli.h"

void cli_put_escaped(FILE *f, const char *s, const struct cli_escape *e)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = cli_utf8_seq(p);

		if (n > 1) {
			fwrite(p, 1, (size_t)n, f);
			p += n;
			continue;
		}
		if (*p == '\\' || (e->quote && *p == '"'))
			fprintf(f, "\\%c", *p);
		else if (*p == '\n' && e->newline)
			fputs(e->newline, f);
		else if (*p < 0x20 || *p == 0x7f || n == 0)
			fprintf(f, e->ctl, *p);
		else
			fputc(*p, f);
		p++;
	}
}

void cli_put_safe(FILE *f, const char *s, bool quoted)
{
	static const struct cli_escape plain = { false, NULL, "\\x%02x" };
	static const struct cli_escape in_quotes = { true, NULL, "\\x%02x" };

	cli_put_escaped(f, s, quoted ? &in_quotes : &plain);
}
