/* SPDX-License-Identifier: MIT */
/*
 * json.c - a minimal streaming JSON writer.  Strings from the image (names,
 * hints) are escaped byte-exactly: control characters as \u00XX, invalid
 * UTF-8 bytes as \u00XX of the byte, so output is always valid JSON.
 */
#include <errno.h>
#include <string.h>

#include "clibase.h"

/* A JSON string: RFC 8259's escapes, other control bytes and invalid UTF-8 as \u00XX. */
static void put_escaped(FILE *f, const char *s)
{
	static const struct cli_escape json_esc = { .quote = true, .letters = "n",
						    .ctl = "\\u%04x" };

	fputc('"', f);
	cli_put_escaped(f, s, &json_esc);
	fputc('"', f);
}

/*
 * A line break and the indent of depth (two spaces a level, at most 31):
 * not printf's "%*s", which with the decimal numbers below was over half
 * of the instructions of `extract`'s facts file.
 */
static void indent(FILE *f, int depth)
{
	static const char spaces[] = "                                                                ";

	fputc('\n', f);
	fwrite(spaces, 1, (size_t)(2 * depth) < sizeof(spaces) ? (size_t)(2 * depth) :
	       sizeof(spaces) - 1, f);
}

/*
 * A key and ": ".  Keys are ours, plain ASCII (letters, digits, "_-."),
 * written in one call (three calls a key were a fifth of a JSON lines
 * walk); any other, a digest's or an attribute's name, goes through the
 * escaper as before.
 */
static bool key_plain(const char *k, size_t *len)
{
	const char *p = k;

	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	*len = (size_t)(p - k);
	return true;
}

static void put_key(FILE *f, const char *key)
{
	char b[64];
	size_t n;

	if (!key_plain(key, &n) || n > sizeof(b) - 4) {
		put_escaped(f, key);
		fputs(": ", f);
		return;
	}
	b[0] = '"';
	memcpy(b + 1, key, n);
	memcpy(b + 1 + n, "\": ", 3);
	fwrite(b, 1, n + 4, f);
}

static void sep(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (!j->compact)
		indent(j->f, j->depth);
	if (key)
		put_key(j->f, key);
}

static void open_(struct json *j, const char *key, char ch)
{
	sep(j, key);
	fputc(ch, j->f);
	if (j->depth < 31)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct json *j, char ch)
{
	bool had = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had && !j->compact)
		indent(j->f, j->depth);
	fputc(ch, j->f);
}

static void begin(struct json *j, FILE *f, bool compact)
{
	j->f = f;
	j->compact = compact;
	j->depth = 0;
	j->need_comma[0] = false;
	fputc('{', f);
	j->depth = 1;
	j->need_comma[1] = false;
	json_u64(j, "schema_version", CLI_SCHEMA_VERSION);
}

void json_begin(struct json *j, FILE *f)
{
	begin(j, f, false);
}

void json_end(struct json *j)
{
	close_(j, '}');
	fputc('\n', j->f);
}

void json_obj_open(struct json *j, const char *key) { open_(j, key, '{'); }
void json_obj_close(struct json *j) { close_(j, '}'); }
void json_arr_open(struct json *j, const char *key) { open_(j, key, '['); }
void json_arr_close(struct json *j) { close_(j, ']'); }

void json_str(struct json *j, const char *key, const char *val)
{
	sep(j, key);
	if (val)
		put_escaped(j->f, val);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	sep(j, key);
	cli_put_u64(j->f, val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	sep(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_uuid(struct json *j, const char *key, const uint8_t uuid[16])
{
	char s[37];

	cli_uuid_str(uuid, s);
	json_str(j, key, s);
}

void json_i64(struct json *j, const char *key, long long val)
{
	sep(j, key);
	if (val < 0)
		fputc('-', j->f);
	/* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
	cli_put_u64(j->f, val < 0 ? 0 - (uint64_t)val : (uint64_t)val);
}

void json_null(struct json *j, const char *key)
{
	sep(j, key);
	fputs("null", j->f);
}

int json_line_begin(struct json *j)
{
	FILE *m = cli_scratch_begin();

	if (!m)
		return -ENOMEM;
	/* no line break or indent between tokens: strings escape their own */
	begin(j, m, true);
	return 0;
}

int json_line_end(struct json *j, FILE *f)
{
	const char *buf;
	size_t len;

	json_end(j);  /* its newline ends the line */
	if (cli_scratch_end(&buf, &len))
		return -ENOMEM;
	fwrite(buf, 1, len, f);
	return 0;
}
