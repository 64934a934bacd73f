/* SPDX-License-Identifier: MIT */
/*
 * extract_facts.c - the facts file and the summary line of extract.
 *
 * The manifest stays what `sha256sum -c` reads (a comment or an extra
 * field there is an "improperly formatted line"), so everything else about
 * an extracted path goes into a second file, one JSON document: for each
 * path the keys `stat --json` uses (inode, mode, uid, gid, nlink, size,
 * flags = BSD flags, the five times to the nanosecond), the digest, the
 * first name of a hard link, a symlink's target, every xattr with its
 * size, SHA-256 and whether the target holds it, and for a file whose bytes
 * could not all be read ("sha256" null) what the target holds of it.  Names go through the
 * JSON writer, which escapes every byte that is not valid UTF-8 text.
 */
#include <string.h>

#include "extract.h"

int ex_facts_open(struct ex_facts *fa, const char *path)
{
	fa->f = fopen(path, "wx");
	if (!fa->f)
		return fs_fail(path, cli_errno(errno));
	json_begin(&fa->j, fa->f);
	json_str(&fa->j, "format", "apfsinspect extract facts");
	json_arr_open(&fa->j, "files");
	return 0;
}

int ex_facts_close(struct ex_facts *fa, const char *path)
{
	if (!fa->f)
		return 0;
	json_arr_close(&fa->j);
	json_end(&fa->j);
	if (fflush(fa->f) | ferror(fa->f) | fclose(fa->f)) {
		fa->f = NULL;
		return fs_fail(path, -EIO);
	}
	fa->f = NULL;
	return 0;
}

static void put_time(struct json *j, const char *key, uint64_t ns, bool known)
{
	char t[64];

	fmt_iso_ns(ns, t, sizeof(t));
	json_str(j, key, known ? t : NULL);
}

static void put_xattrs(struct json *j, const struct ex_xattrs *xs)
{
	json_arr_open(j, "xattrs");
	for (size_t i = 0; xs && i < xs->n; i++) {
		const struct ex_xattr *x = &xs->e[i];

		json_obj_open(j, NULL);
		json_str(j, "name", x->name);
		json_u64(j, "size", x->size);
		json_str(j, "sha256", *x->sha256 ? x->sha256 : NULL);
		json_bool(j, "resource_fork", x->fork);
		json_bool(j, "kept", ex_xattr_kept(x) && x->val && !x->err);
		if (x->cmp_fork)
			json_str(j, "note", "compressed data of the file (decmpfs): decompressed "
				 "into its bytes");
		else if (x->err && x->val)
			json_str(j, "note", strerror(-x->err));
		else if (x->why)
			json_str(j, "note", x->why);
		else if (x->encoded)
			json_str(j, "note", "the archive holds it under its %-encoded name");
		json_obj_close(j);
	}
	json_arr_close(j);
}

/* What the target holds of a file whose bytes could not all be read. */
static void put_part(struct json *j, const struct ex_part *part)
{
	json_obj_open(j, "incomplete");
	json_u64(j, "bytes", part->bytes);
	json_str(j, "sha256", part->hex);
	json_u64(j, "zeros_after", part->zeros);
	json_obj_close(j);
}

static void facts_put(struct ex_facts *fa, const char *rel, const struct apfsi_stat *st,
		      const char *hex, const char *link_to, const char *target,
		      const struct ex_xattrs *xs, const struct ex_part *part)
{
	struct json *j = &fa->j;

	if (!fa->f)
		return;
	json_obj_open(j, NULL);
	json_str(j, "path", rel);
	cli_api_json_attrs(j, st);
	put_time(j, "created", st->crtime, true);
	put_time(j, "modified", st->mtime, true);
	put_time(j, "changed", st->ctime, true);
	put_time(j, "accessed", st->atime, true);
	put_time(j, "added", st->added, st->added != 0);
	json_str(j, "sha256", hex);
	json_str(j, "hard_link_to", link_to);
	json_str(j, "target", target);
	if (part && part->lost)
		put_part(j, part);
	if (part)
		json_u64(j, "unstored", part->unstored);
	put_xattrs(j, xs);
	json_obj_close(j);
}

void ex_facts_add(struct ex_facts *fa, const char *rel, const struct apfsi_stat *st,
		  const char *hex, const char *link_to, const char *target,
		  const struct ex_xattrs *xs)
{
	facts_put(fa, rel, st, hex, link_to, target, xs, NULL);
}

void ex_facts_file(struct ex_facts *fa, const char *rel, const struct apfsi_stat *st,
		   const char *hex, const char *link_to, const struct ex_xattrs *xs,
		   const struct ex_part *part)
{
	facts_put(fa, rel, st, hex, link_to, NULL, xs, part);
}

/*
 * An archive member's header promises its size before a byte is read: zeros
 * fill it where the read then came short (libarchive pads an entry), and
 * they are named here, as not the file's.
 */
void ex_facts_part(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
		   const struct ex_xattrs *xs, const struct ex_part *part)
{
	char zeros[64] = "";

	if (part->zeros)
		snprintf(zeros, sizeof(zeros), ", then %llu zero bytes that are not the file's",
			 (unsigned long long)part->zeros);
	fprintf(stderr, "apfsinspect: %s: incomplete: %s holds its first %llu bytes of %llu%s%s%s\n",
		cli_safe_str(rel), r->tar ? "the archive's member" : "the copy",
		(unsigned long long)part->bytes, (unsigned long long)st->size, zeros,
		r->manifest ? "; the manifest leaves it out" : "",
		r->facts.f ? " (the facts file marks it)" : "");
	facts_put(&r->facts, rel, st, NULL, NULL, NULL, xs, part);
}

struct tally_item {
	uint64_t n;
	const char *what;
};

void ex_tally_print(const struct ex_tally *t, bool tar, bool facts)
{
	const struct tally_item it[] = {
		{ t->xattrs, "xattrs refused" }, { t->xattrs_big, "of them too large" },
		{ t->xattrs_unread, "xattrs too big to copy or unreadable" },
		{ t->xattr_names, "xattr names %-encoded" },
		{ t->forks, "resource forks not held" },
		{ t->links, "hard links written as copies" },
		{ t->owners, "owners not set (not root)" }, { t->modes, "setuid/setgid bits left out" },
		{ t->crtimes, "creation times" }, { t->added, "dates added" },
		{ t->flags, "BSD flags" }, { t->specials, "special files" },
		{ t->appledouble, "AppleDouble files not written" },
	};
	bool any = false;

	for (size_t i = 0; i < sizeof(it) / sizeof(it[0]); i++) {
		if (!it[i].n)
			continue;
		fprintf(stderr, "%s%llu %s", any ? ", " : tar ? "apfsinspect: extract: the archive "
			"could not hold: " : "apfsinspect: extract: the target could not hold: ",
			(unsigned long long)it[i].n, it[i].what);
		any = true;
	}
	if (any)
		fprintf(stderr, " (%s)\n", facts ? "the facts file keeps them" :
			"--facts FILE keeps them");
}
