/* SPDX-License-Identifier: MIT */
/*
 * safetext.c - the one walker for text from the image (names, symlink
 * targets, xattr names, volume names, hints).  Valid UTF-8 passes; what a
 * terminal would act on or what would end a line or a field is written in
 * the output format's own escape (struct cli_escape says which):
 *   terminal text and messages (cli_put_safe): C0 controls, DEL, C1 controls
 *     and invalid bytes as \xNN, '\' as \\ (and '"' as \" inside quotes);
 *   JSON (json.c): \n, \", \\ and \u00XX;
 *   `ls` (GNU ls -b), the extract manifest (GNU sha256sum) and the bodyfile
 *     (TSK's fls -m: '^') in their own forms (README "Names in the output").
 * So a crafted name cannot move the cursor, clear the screen or forge a
 * line of our output, and, except in TSK's lossy form, its bytes can be
 * recovered.
 */
#include <ctype.h>
#include <string.h>

#include "clibase.h"

/*
 * Length of the valid UTF-8 sequence at p (1..4), or 0 if it is not one
 * (RFC 3629: no lead bytes past 0xf4, no overlong forms, no surrogates,
 * nothing above U+10FFFF).  Anything else is escaped byte by byte.
 */
int cli_utf8_seq(const unsigned char *p)
{
	int n = *p >= 0xf5 ? 0 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;

	if (*p < 0x80)
		return 1;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* The second byte's range where the lead byte alone does not settle it. */
	if ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] > 0x9f) ||
	    (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

/* The letter C escapes control byte c with (\n, \t, ...) if e->letters allows it, else 0. */
static char letter_of(unsigned char c, const char *letters)
{
	static const char ctl[] = "\a\b\t\n\v\f\r", let[] = "abtnvfr";
	const char *k = c && c < 0x20 ? strchr(ctl, c) : NULL;

	return k && letters && strchr(letters, let[k - ctl]) ? let[k - ctl] : 0;
}

/* Whether the n bytes at p (n as cli_utf8_seq: 0 = an invalid byte) are written with ctl. */
static bool as_ctl(const unsigned char *p, int n, const struct cli_escape *e)
{
	if (!e->ctl)
		return false;
	if (n > 1) /* U+0080..U+009F: the C1 controls, e.g. U+009B, the 8-bit CSI */
		return e->c1 && p[0] == 0xc2 && p[1] < 0xa0;
	if (*p < 0x20)
		return true;
	return !e->c0_only && (*p == 0x7f || n == 0);
}

/* mactime's %XX: a byte of e->pct, '%' only where mactime would decode what follows. */
static bool as_pct(const unsigned char *p, const struct cli_escape *e)
{
	if (!e->pct || !strchr(e->pct, *p))
		return false;
	return *p != '%' || (isxdigit(p[1]) && isxdigit(p[2]));
}

static void put_ctl(FILE *f, const unsigned char *p, int n, const char *fmt)
{
	for (int i = 0; i < (n ? n : 1); i++)
		fprintf(f, fmt, p[i]);
}

/* A byte that only needs a backslash before it. */
static bool as_bs(const unsigned char *p, const struct cli_escape *e)
{
	return (*p == '\\' && !e->raw_backslash) || (e->quote && *p == '"') ||
	       (*p == ' ' && e->space);
}

/*
 * Printable ASCII other than space and the bytes some escape takes ('\',
 * '"', '%', '|'): passes every escape whose pct holds no other byte, and
 * is most of every name, so it is tested first (the tests below cost ~80
 * instructions a byte: deep paths spent a third of bodyfile there).
 */
static bool plain_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '%' && c != '|';
}

void cli_put_escaped(FILE *f, const char *s, const struct cli_escape *e)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	bool fast = !e->pct || strspn(e->pct, "|%") == strlen(e->pct);

	/* Bytes that pass as they are go out in runs: one fwrite per run, not per byte. */
	while (*p) {
		int n;
		char l;

		if (fast && plain_byte(*p)) {
			p++;
			continue;
		}
		n = cli_utf8_seq(p);
		l = letter_of(*p, e->letters);

		/* Bytes written as they are go out together, one fwrite a run. */
		if (!l && !as_ctl(p, n, e) && !as_pct(p, e) && !as_bs(p, e)) {
			p += n ? n : 1;
			continue;
		}
		fwrite(run, 1, (size_t)(p - run), f);
		if (l)
			fprintf(f, "\\%c", l);
		else if (as_ctl(p, n, e))
			put_ctl(f, p, n, e->ctl);
		else if (as_pct(p, e))
			fprintf(f, "%%%02X", *p);
		else
			fprintf(f, "\\%c", *p);
		p += n ? n : 1;
		run = p;
	}
	fwrite(run, 1, (size_t)(p - run), f);
}

void cli_put_safe(FILE *f, const char *s, bool quoted)
{
	static const struct cli_escape plain = { .ctl = "\\x%02x", .c1 = true };
	static const struct cli_escape in_quotes = { .quote = true, .ctl = "\\x%02x", .c1 = true };

	cli_put_escaped(f, s, quoted ? &in_quotes : &plain);
}

/*
 * s as cli_put_safe writes it, for a printf argument: one of four static
 * buffers, used in turn (so up to four in one call); a longer text is cut.
 */
const char *cli_safe_str(const char *s)
{
	static char buf[4][16 * 1024];
	static unsigned k;
	char *b = buf[k++ % 4];
	FILE *m = fmemopen(b, sizeof(buf[0]), "w");

	if (!m)
		return "(unprintable)";
	cli_put_safe(m, s ? s : "(null)", false);
	fclose(m);
	b[sizeof(buf[0]) - 1] = '\0';
	return b;
}

/*
 * A body-file field as TSK's fls -m writes a name (sleuthkit 4.11): each C0
 * control byte becomes '^'; DEL, '\' and bytes that are not UTF-8 pass.
 * Where fls would let the name split the line into other fields, '|' is
 * written as %7C, and '%' before two hex digits as %25: mactime decodes
 * %XX in every field (tm_split), so it reads back the name's own text.
 */
void cli_put_tsk(FILE *f, const char *s)
{
	static const struct cli_escape tsk = { .ctl = "^", .c0_only = true,
					       .raw_backslash = true, .pct = "|%" };

	cli_put_escaped(f, s, &tsk);
}
