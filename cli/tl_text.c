/* SPDX-License-Identifier: MIT */
/*
 * tl_text.c - the timeline as CSV (RFC 4180) and as JSON lines.  A name is
 * data in both: in CSV every text field is quoted, '"' doubled, and the
 * bytes that could end a line or confuse a reader escaped by the rule of
 * tl_put_name; in JSON lines by JSON's own escapes (json.c), one object a
 * line with no raw line break in it.
 */
#include <string.h>
#include <sys/stat.h>

#include "timeline.h"

/* Valid UTF-8 of 3 bytes that XML 1.0 refuses: U+FFFE, U+FFFF. */
static bool nonchar(const unsigned char *p, int n)
{
	return n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe;
}

/* One character of a name, escaped or not; what XML needs as an entity too. */
static void put_one(FILE *f, const unsigned char *p, int n, const char *xml_ents)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	static const char chars[] = "&<>\"'";
	const char *k = xml_ents && n == 1 && *p ? strchr(xml_ents, *p) : NULL;

	if (k)
		fputs(ents[strchr(chars, *k) - chars], f);
	else if (n == 1 && *p == '"' && !xml_ents)
		fputs("\"\"", f);   /* RFC 4180: a quote inside a quoted field is doubled */
	else
		fwrite(p, 1, (size_t)n, f);
}

/* Whether the character at p (n bytes: cli_utf8_seq) is written as \xHH escapes. */
static bool escaped(const unsigned char *p, int n)
{
	return n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f || *p == '\\')) || nonchar(p, n);
}

bool tl_name_escaped(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = cli_utf8_seq(p);

		if (escaped(p, n))
			return true;
		p += n;
	}
	return false;
}

bool tl_put_name(FILE *f, const char *s, const char *xml_ents)
{
	const unsigned char *p = (const unsigned char *)s;
	bool changed = false;

	while (*p) {
		int n = cli_utf8_seq(p);

		if (escaped(p, n)) {
			for (int i = 0; i < (n ? n : 1); i++)
				fprintf(f, "\\x%02x", p[i]);
			changed = true;
			p += n ? n : 1;
			continue;
		}
		put_one(f, p, n, xml_ents);
		p += n;
	}
	return changed;
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_begin(FILE *f, const struct digest_set *hash, const struct tl_source *src)
{
	(void)src;
	fputs("path,inode,type,mode,uid,gid,nlink,size,allocated,flags,compression,"
	      "created_ns,modified_ns,changed_ns,accessed_ns,added_ns,target", f);
	for (unsigned i = 0; i < hash->n; i++)
		fprintf(f, ",%s", hash->name[i]);
	fputs("\r\n", f);
}

static void csv_text(FILE *f, const char *s)
{
	fputc('"', f);
	if (s)
		tl_put_name(f, s, NULL);
	fputc('"', f);
}

/* ",N" at p: a numeric column; the end. */
static char *csv_num(char *p, uint64_t v)
{
	*p++ = ',';
	return cli_fmt_u64(p, v);
}

/*
 * The columns from inode to added_ns, each after its comma, and the comma
 * before target, written by hand into one buffer (fprintf was a third of
 * the walk's instructions): 12 numbers of 21 bytes at most (each taken as
 * a u64), the type's 2, the octal mode's 23, added's comma and 20 digits,
 * and the last comma.  Times are as %llu wrote them: the nanoseconds as an
 * unsigned number.
 */
#define CSV_NUMBERS_MAX (12 * 21 + 2 + 23 + 1 + 20 + 1)

static void csv_numbers(FILE *f, const struct apfsi_stat *st)
{
	char b[CSV_NUMBERS_MAX], *p = csv_num(b, st->ino);

	*p++ = ',';
	*p++ = fs_type_char(st->mode);
	*p++ = ',';
	p = cli_fmt_octal(p, st->mode);
	p = csv_num(p, st->uid);
	p = csv_num(p, st->gid);
	p = csv_num(p, st->nlink);
	p = csv_num(p, st->size);
	p = csv_num(p, st->allocated);
	p = csv_num(p, st->bsd_flags);
	p = csv_num(p, st->compression);
	p = csv_num(p, (uint64_t)st->crtime);
	p = csv_num(p, (uint64_t)st->mtime);
	p = csv_num(p, (uint64_t)st->ctime);
	p = csv_num(p, (uint64_t)st->atime);
	*p++ = ',';
	/* date added: empty when the record keeps none (the root) */
	if (st->added)
		p = cli_fmt_u64(p, (uint64_t)st->added);
	*p++ = ',';
	fwrite(b, 1, (size_t)(p - b), f);
}

static int csv_entry(FILE *f, const struct tl_entry *e)
{
	const struct apfsi_stat *st = e->st;

	csv_text(f, e->path);
	csv_numbers(f, st);
	if (e->target)
		csv_text(f, e->target);
	for (unsigned i = 0; i < e->hash->n; i++)
		fprintf(f, ",%s", e->dig ? e->dig->hex[i] : "");
	fputs("\r\n", f);
	return 0;
}

static void csv_end(FILE *f)
{
	(void)f;
}

const struct tl_format tl_csv = { "csv", csv_begin, csv_entry, csv_end };

/* ---- JSON lines ----------------------------------------------------------- */

static void jl_begin(FILE *f, const struct digest_set *hash, const struct tl_source *src)
{
	(void)f;
	(void)hash;
	(void)src;
}

/* The keys of stat --json, plus each time in ns ("created_ns", ...). */
static void jl_fill(struct json *j, const struct tl_entry *e)
{
	static const char *const names[5] = { "created", "modified", "changed", "accessed",
					      "added" };
	static const char *const ns_keys[5] = { "created_ns", "modified_ns", "changed_ns",
						"accessed_ns", "added_ns" };
	const struct apfsi_stat *st = e->st;
	const uint64_t tv[5] = { st->crtime, st->mtime, st->ctime, st->atime, st->added };
	char t[64];

	json_str(j, "path", e->path);
	cli_api_json_attrs(j, st);
	for (int i = 0; i < 5; i++) {
		fmt_iso_ns(tv[i], t, sizeof(t));
		json_str(j, names[i], tv[i] || i < 4 ? t : NULL);
		if (tv[i] || i < 4)
			json_u64(j, ns_keys[i], tv[i]);
		else
			json_null(j, ns_keys[i]);
	}
	json_str(j, "target", e->target);
	/* every digest asked for, as CSV has its columns: null where none was made */
	for (unsigned i = 0; i < e->hash->n; i++)
		json_str(j, e->hash->name[i], e->dig ? e->dig->hex[i] : NULL);
}

/* One object a line (json_line_end). */
static int jl_entry(FILE *f, const struct tl_entry *e)
{
	struct json j;

	if (json_line_begin(&j))
		return -ENOMEM;
	jl_fill(&j, e);
	return json_line_end(&j, f);
}

static void jl_end(FILE *f)
{
	(void)f;
	cli_scratch_free();
}

const struct tl_format tl_jsonl = { "jsonl", jl_begin, jl_entry, jl_end };
