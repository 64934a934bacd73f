/* SPDX-License-Identifier: MIT */
/*
 * tl_dfxml.c - the timeline as DFXML 2.0.0-beta.0 (the DFXML working
 * group's schema, ../shared/schemas/dfxml): one fileobject per entry, its
 * times, its hashes and the byte runs of its data on disk.
 *
 * XML 1.0 cannot hold most control characters nor bytes that are not
 * UTF-8, even as character references: a name is written by the rule of
 * tl_put_name (\xNN) and, when that changed it, its exact bytes go in the
 * attribute ai:hex of our own namespace.  Elements and attributes of ours
 * (date added, BSD flags, compression, what the runs cover, encrypted
 * runs, and every xattr with its size and, for one kept in a data stream
 * such as a resource fork, the byte runs of its value) are in that
 * namespace too, where the schema allows any.
 *
 * The runs are where the bytes lie, not what cat returns: for an encrypted
 * volume the ciphertext (ai:encrypted="1"), for a file compressed into its
 * resource fork the fork's compressed chunks (byte_runs ai:kind="rsrc",
 * offsets in the fork), for one compressed into its xattr none at all
 * (ai:kind="inline": the data sits in the fs tree).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "timeline.h"
#include "util/uuid.h"

#define DFXML_NS "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
#define AI_NS "urn:apfsinspect:dfxml:1"

/* What XML needs as entities, in text and in attributes quoted with '. */
#define XML_ENTS "&<>\"'"

static void dx_hex(FILE *f, const char *attr, const char *s)
{
	fprintf(f, " %s='", attr);
	cli_put_hex(f, s, strlen(s));
	fputc('\'', f);
}

/*
 * The elements of a fileobject are written by hand, not by fprintf, which
 * was a third of a DFXML walk's instructions.  At p: s (n bytes); the end.
 */
static char *dx_put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* "    </tag>\n" or its opening "    <tag>" at p (tag: ours, under 32 bytes); the end. */
static char *dx_tag(char *p, const char *tag, bool close)
{
	p = dx_put(p, close ? "</" : "    <", close ? 2 : 5);
	p = dx_put(p, tag, strlen(tag));
	return dx_put(p, close ? ">\n" : ">", close ? 2 : 1);
}

/* "    <tag>text</tag>\n" (text: ours, under 64 bytes: a number, a time). */
static void dx_elem(FILE *f, const char *tag, const char *text)
{
	char b[160], *p = dx_tag(b, tag, false);

	p = dx_put(p, text, strlen(text));
	p = dx_tag(p, tag, true);
	fwrite(b, 1, (size_t)(p - b), f);
}

static void dx_num(FILE *f, const char *tag, uint64_t v)
{
	char t[21];

	*cli_fmt_u64(t, v) = '\0';
	dx_elem(f, tag, t);
}

/* <tag>name</tag>, the name escaped, its bytes in ai:hex when that changed it. */
static void dx_name(FILE *f, const char *tag, const char *s)
{
	char b[48];

	fwrite(b, 1, (size_t)(dx_tag(b, tag, false) - 1 - b), f);  /* "    <tag" */
	if (tl_name_escaped(s))
		dx_hex(f, "ai:hex", s);
	fputc('>', f);
	tl_put_name(f, s, XML_ENTS);
	fwrite(b, 1, (size_t)(dx_tag(b, tag, true) - b), f);
}

/*
 * The document's head: creator, source (the image path as given), and a
 * volume element (the container's place and blocks; the APFS volume's name
 * and UUID as ai: attributes) that holds the fileobjects, as fiwalk nests them.
 */
static void dx_begin(FILE *f, const struct digest_set *hash, const struct tl_source *src)
{
	char uuid[37];

	(void)hash;
	apfs_uuid_str(src->vol->uuid, uuid);
	fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n"
		   "<dfxml xmlns='" DFXML_NS "' xmlns:ai='" AI_NS "' version='2.0.0-beta.0'>\n"
		   "  <metadata/>\n"
		   "  <creator>\n    <program>apfsinspect</program>\n"
		   "    <version>%s</version>\n  </creator>\n", cli_version);
	fputs("  <source>\n", f);
	dx_name(f, "image_filename", src->image);
	fputs("  </source>\n  <volume", f);
	if (tl_name_escaped(src->vol->name))
		dx_hex(f, "ai:name_hex", src->vol->name);
	fprintf(f, " offset='%llu' ai:name='", (unsigned long long)src->c->offset);
	tl_put_name(f, src->vol->name, XML_ENTS);
	fprintf(f, "' ai:uuid='%s'>\n"
		   "    <partition_offset>%llu</partition_offset>\n"
		   "    <block_size>%u</block_size>\n    <ftype_str>APFS</ftype_str>\n"
		   "    <block_count>%llu</block_count>\n", uuid,
		(unsigned long long)src->c->offset, (unsigned)src->c->block_size,
		(unsigned long long)src->c->block_count);
}

static void dx_time(FILE *f, const char *tag, uint64_t ns)
{
	char t[64];

	fmt_iso_ns(ns, t, sizeof(t));
	dx_elem(f, tag, t);
}

static int dx_run(const struct apfsi_byte_run *r, void *ctx)
{
	FILE *f = ctx;

	char b[192], *p = b;  /* 164 at most: four numbers of 20 digits */

	/* <byte_run file_offset='N' fs_offset='N' img_offset='N' len='N'[ ai:encrypted='1']/> */
	p = dx_put(p, "      <byte_run file_offset='", 29);
	p = cli_fmt_u64(p, r->file_offset);
	p = dx_put(p, "' fs_offset='", 13);
	p = cli_fmt_u64(p, r->fs_offset);
	p = dx_put(p, "' img_offset='", 14);
	p = cli_fmt_u64(p, r->img_offset);
	p = dx_put(p, "' len='", 7);
	p = cli_fmt_u64(p, r->len);
	p = r->encrypted ? dx_put(p, "' ai:encrypted='1'/>\n", 21) : dx_put(p, "'/>\n", 4);
	fwrite(b, 1, (size_t)(p - b), f);
	return 0;
}

/* byte_runs of a regular file; 0 or the error that kept them from being known. */
static int dx_runs(FILE *f, const struct tl_entry *e)
{
	static const char *const kinds[] = { "data", "rsrc", "inline" };
	apfsi_file *af;
	const char *buf;
	size_t len;
	enum apfsi_runs_kind kind = APFSI_RUNS_DATA;
	FILE *m;
	int ret = cli_api_errno(apfsi_file_open(e->fs, e->st->ino, &af));

	if (ret)
		return ret;
	/* The runs go to memory first: a walk that fails half way writes none. */
	if (!(m = cli_scratch_begin())) {
		apfsi_file_close(af);
		return -ENOMEM;
	}
	ret = cli_api_errno(apfsi_file_runs(af, dx_run, m, &kind));
	apfsi_file_close(af);
	if (cli_scratch_end(&buf, &len) && (!ret || ret == -APFS_EINCOMPLETE))
		ret = -ENOMEM;
	/* INCOMPLETE: every run there is, bytes without one named (records lost) */
	if (!ret || ret == -APFS_EINCOMPLETE) {
		fprintf(f, "    <byte_runs ai:kind='%s'>\n", kinds[kind]);
		fwrite(buf, 1, len, f);
		fputs("    </byte_runs>\n", f);
	}
	return ret;
}

/* The names of an inode's xattrs, hidden ones included (every byte on disk). */
struct dx_names {
	char **v;
	size_t n, cap;
};

static int dx_collect(const char *name, uint64_t size, void *ctx)
{
	struct dx_names *l = ctx;
	char **nv;

	(void)size;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		if (!(nv = realloc(l->v, l->cap * sizeof(*nv))))
			return -ENOMEM;
		l->v = nv;
	}
	return (l->v[l->n] = strdup(name)) ? (l->n++, 0) : -ENOMEM;
}

static int dx_xrun(const struct apfsi_byte_run *r, void *ctx)
{
	fprintf(ctx, "      <ai:byte_run file_offset='%llu' fs_offset='%llu' img_offset='%llu' "
		"len='%llu'%s/>\n", (unsigned long long)r->file_offset,
		(unsigned long long)r->fs_offset, (unsigned long long)r->img_offset,
		(unsigned long long)r->len, r->encrypted ? " encrypted='1'" : "");
	return 0;
}

/* <ai:xattr name size [resident]> with the runs of a value kept in a stream. */
static int dx_xattr(FILE *f, const struct tl_entry *e, const char *name)
{
	uint64_t size = 0;
	size_t got, len = 0;
	const char *buf = "";
	int resident = 1;
	FILE *m = cli_scratch_begin();
	int ret = m ? cli_api_errno(apfsi_fs_getxattr(e->fs, e->st->ino, name, 0, NULL, 0, &got,
						      &size)) : -ENOMEM;

	if (!ret)
		ret = cli_api_errno(apfsi_fs_xattr_runs(e->fs, e->st->ino, name, dx_xrun, m,
							&resident));
	if (m && cli_scratch_end(&buf, &len) && (!ret || ret == -APFS_EINCOMPLETE))
		ret = -ENOMEM;
	/* INCOMPLETE: every run there is, bytes without one named (records lost) */
	if (!ret || ret == -APFS_EINCOMPLETE) {
		fputs("    <ai:xattr name='", f);
		tl_put_name(f, name, XML_ENTS);
		fputc('\'', f);
		if (tl_name_escaped(name))
			dx_hex(f, "hex", name);
		fprintf(f, " size='%llu'%s>\n", (unsigned long long)size,
			resident ? " resident='1'" : "");
		fwrite(buf, 1, len, f);
		fputs("    </ai:xattr>\n", f);
	}
	return ret;
}

static int dx_xattrs(FILE *f, const struct tl_entry *e)
{
	struct dx_names l = { 0 };
	int ret = cli_api_errno(apfsi_fs_listxattr(e->fs, e->st->ino, APFSI_XATTR_HIDDEN, dx_collect,
						   &l));

	for (size_t i = 0; i < l.n; i++) {
		int rx = ret && ret != -APFS_EINCOMPLETE ? 0 : dx_xattr(f, e, l.v[i]);

		/* an attribute whose runs lack some: the others still given */
		if (!ret || rx)
			ret = rx;
		free(l.v[i]);
	}
	free(l.v);
	return ret;
}

static int dx_entry(FILE *f, const struct tl_entry *e)
{
	const struct apfsi_stat *st = e->st;
	int ret = 0, rx;

	fputs("  <fileobject>\n", f);
	dx_name(f, "filename", e->path + (e->path[0] == '/'));
	dx_elem(f, "name_type", (char[]){ fs_type_char(st->mode), '\0' });
	dx_num(f, "filesize", st->size);
	if (st->compression)
		fputs("    <compressed>1</compressed>\n", f);
	dx_num(f, "inode", st->ino);
	dx_num(f, "mode", st->mode & 07777);
	dx_num(f, "nlink", st->nlink);
	dx_num(f, "uid", st->uid);
	dx_num(f, "gid", st->gid);
	dx_time(f, "mtime", st->mtime);
	dx_time(f, "ctime", st->ctime);
	dx_time(f, "atime", st->atime);
	dx_time(f, "crtime", st->crtime);
	if (e->target)
		dx_name(f, "link_target", e->target);
	if (S_ISREG(st->mode))
		ret = dx_runs(f, e);
	for (unsigned i = 0; e->dig && i < e->hash->n; i++)
		fprintf(f, "    <hashdigest type='%s'>%s</hashdigest>\n", e->hash->name[i],
			e->dig->hex[i]);
	if (st->added)
		dx_time(f, "ai:date_added", st->added);
	dx_num(f, "ai:bsd_flags", st->bsd_flags);
	if (st->compression)
		dx_num(f, "ai:compression", st->compression);
	rx = dx_xattrs(f, e);
	fputs("  </fileobject>\n", f);
	return ret ? ret : rx;
}

static void dx_end(FILE *f)
{
	fputs("  </volume>\n</dfxml>\n", f);
	cli_scratch_free();
}

const struct tl_format tl_dfxml = { "dfxml", dx_begin, dx_entry, dx_end };
