/* SPDX-License-Identifier: MIT */
/*
 * cmd_bodyfile.c - `apfsinspect bodyfile`: every file and directory in TSK's
 * mactime body format (as `fls -r -m /` prints it), with crtime and an
 * optional digest of each regular file's data.  The walk reads each
 * directory a window at a time (dirwin.c), in key order where the tree
 * allows, and enters every directory once (walkguard.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_fs.h"
#include "digest.h"
#include "dirwin.h"
#include "util/pathjoin.h"

static const char body_help[] =
	"usage: apfsinspect bodyfile [--md5 | --hash ALGO] [--fractional]\n"
	"                            [--max-file-size SIZE|none] [--volume SEL]\n"
	"                            [credential] [--snapshot NAME|XID] IMAGE\n"
	"  Every file and directory in TSK body format (as fls -m / prints):\n"
	"  MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime (seconds, UTC).\n"
	"  A directory cycle or a directory listed twice is reported and not followed.\n"
	"  --hash md5|sha1|sha256: that digest of each regular file's data in the first\n"
	"  field (--md5 is --hash md5; TSK's format has one such field).\n"
	"  --fractional: every time as seconds.nanoseconds (1767225601.100000001), as\n"
	"  plaso's bodyfile parser reads it; TSK 4.11's mactime reads it to the second.\n"
	"  Hashing skips (writes 0, reported) files whose logical size is beyond SIZE\n"
	"  (bytes, or with K, M, G, T, P; none for no cap); the default cap is 4 times\n"
	"  the container's size, at least 64 GiB.  Progress goes to stderr when it is a\n"
	"  terminal.\n";

struct bf_run {
	apfsi_fs *fs;
	struct digest_set hash;   /* at most one algorithm: the first field */
	bool fractional;
	uint64_t cap;
	struct walk_guard g;
	size_t held;              /* bytes in the windows of the levels being walked */
	int err;
};

/*
 * A time field at p: whole seconds as TSK writes them, or
 * seconds.nanoseconds; the end.  The line's numbers are written by hand
 * into one buffer: printf was a third of the walk's instructions.
 */
static char *bf_time(const struct bf_run *r, char *p, uint64_t ns)
{
	*p++ = '|';
	p = cli_fmt_u64(p, ns / 1000000000u);
	if (r->fractional) {
		*p++ = '.';
		p = cli_fmt_digits(p, ns % 1000000000u, 9);
	}
	return p;
}

/* "|" and v in decimal at p: a numeric field of the line; the end. */
static char *bf_num(char *p, uint64_t v)
{
	*p++ = '|';
	return cli_fmt_u64(p, v);
}

/*
 * The line's fields after the name: |inode|t/mode|uid|gid|size|atime|
 * mtime|ctime|crtime and its newline: 4 numbers of 21 bytes at most (each
 * taken as a u64), the mode's 13 and 4 times of 31.
 */
#define BF_TAIL_MAX (4 * 21 + 13 + 4 * 31 + 1)

static void bf_tail(const struct bf_run *r, const struct apfsi_stat *st, const char *m)
{
	char t[BF_TAIL_MAX], *p = bf_num(t, st->ino);

	*p++ = '|';
	*p++ = fs_type_char(st->mode);
	*p++ = '/';
	memcpy(p, m, 10);  /* cli_mode_str's ten characters */
	p = bf_num(p + 10, st->uid);
	p = bf_num(p, st->gid);
	p = bf_num(p, st->size);
	p = bf_time(r, p, st->atime);
	p = bf_time(r, p, st->mtime);
	p = bf_time(r, p, st->ctime);
	p = bf_time(r, p, st->crtime);
	*p++ = '\n';
	fwrite(t, 1, (size_t)(p - t), stdout);
	cli_out_note();
}

/* The first field: the digest asked for, or "0" (none asked, not a file, not read). */
static void bf_hash(struct bf_run *r, const char *path, const struct apfsi_stat *st,
		    char *hex)
{
	struct digest_out d;
	int ret;

	strcpy(hex, "0");
	if (!r->hash.n || !S_ISREG(st->mode))
		return;
	if (fs_over_cap(path, st, r->cap)) {
		r->err = EXIT_ERROR;
		return;
	}
	ret = digest_file(r->fs, st->ino, &r->hash, path, st, &d);
	if (ret)
		r->err = fs_fail(path, ret);
	else
		strcpy(hex, d.hex[0]);
}

/*
 * The directory's part of a path as the body file writes it, made once per
 * directory: each line then escapes its name only, so a line costs the same
 * however deep it is.  Escaping "dir/name" whole gives the same bytes: what
 * cli_put_tsk looks ahead at (a UTF-8 sequence, the two bytes after a '%')
 * ends at the '/', neither a continuation byte nor a hex digit.  Made only
 * where it saves more than it costs (a memory stream, a few thousand
 * instructions: more than escaping ten short paths); s NULL: none.
 */
#define BF_PREFIX_MIN 4096  /* bytes of directory path the window's lines repeat */
#define BF_PREFIX_LINES 4096 /* a directory larger than a window has at least so many */

struct bf_prefix {
	char *s;
	size_t n;
};

static int bf_prefix_make(const char *dir, size_t lines, struct bf_prefix *p)
{
	FILE *m;

	*p = (struct bf_prefix){ 0 };
	if (strlen(dir) * lines < BF_PREFIX_MIN)
		return 0;
	m = open_memstream(&p->s, &p->n);

	if (!m)
		return -ENOMEM;
	cli_put_tsk(m, dir);
	return fclose(m) ? -ENOMEM : 0;
}

static void bf_line(struct bf_run *r, const char *path, const struct bf_prefix *dir,
		    const char *name, const struct apfsi_stat *st)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1], m[11], target[4096];

	/* given, but not whole: what it lost is named above (the library's log) */
	if ((st->flags & APFSI_STAT_PARTIAL) && !r->err)
		r->err = EXIT_ERROR;
	bf_hash(r, path, st, hex);
	cli_mode_str(st->mode, m);
	m[0] = fs_type_char(st->mode); /* TSK writes "r/rrw-r--r--" */
	/* Names as TSK writes them (C0 controls as '^'); the target too, which TSK leaves raw. */
	fputs(hex, stdout);
	putchar('|');
	if (dir->s) {
		fwrite(dir->s, 1, dir->n, stdout);
		putchar('/');
		cli_put_tsk(stdout, name);
	} else {
		cli_put_tsk(stdout, path);
	}
	if (S_ISLNK(st->mode) && !apfsi_fs_readlink(r->fs, st->ino, target, sizeof(target))) {
		fputs(" -> ", stdout);
		cli_put_tsk(stdout, target);
	}
	bf_tail(r, st, m);
}

static void bf_dir(struct bf_run *r, const char *dir, const char *name, uint64_t parent,
		   uint64_t ino, int depth);

/* One entry of dir: its line, then what is below it. */
static int bf_entry(struct bf_run *r, const char *dir, uint64_t ino, int depth,
		    const struct bf_prefix *pre, const char *name, uint64_t child)
{
	struct apfsi_stat st;
	char *path;
	int err;

	if (!(path = apfs_path_join(dir, name)))
		return -ENOMEM;
	err = cli_api_errno(apfsi_fs_stat(r->fs, child, &st));
	if (err) {
		r->err = fs_fail(path, err);
	} else {
		bf_line(r, path, pre, name, &st);
		if (S_ISDIR(st.mode))
			bf_dir(r, path, name, ino, child, depth + 1);
	}
	free(path);
	return 0;
}

/* The window's entries, in inode order: each fs-tree leaf of their inodes read once. */
static int bf_entries(struct bf_run *r, const char *dir, uint64_t ino, int depth,
		      const struct dirwin *w)
{
	struct bf_prefix pre;
	int err = bf_prefix_make(dir, w->n, &pre);

	/* A stdout that cannot be written stops the walk (main: cli_out_failed). */
	for (size_t i = 0; i < w->n && !err && !ferror(stdout); i++)
		err = bf_entry(r, dir, ino, depth, &pre, dirwin_name(w, i), w->e[i].ino);
	free(pre.s);
	return err;
}

/* Where bodyfile's walk stands: one directory (dirwin_each's context). */
struct bf_at {
	struct bf_run *r;
	const char *dir;
	uint64_t ino;
	int depth;
	struct bf_prefix pre;   /* of a directory read whole in inode order */
};

static int bf_by_ino_entry(void *ctx, const struct apfsi_dirent *e)
{
	struct bf_at *a = ctx;

	return bf_entry(a->r, a->dir, a->ino, a->depth, &a->pre, e->name, e->ino);
}

/* A directory larger than a window: whole in inode order if it can be (dirwin_by_ino). */
static int bf_whole(void *ctx)
{
	struct bf_at *a = ctx;
	int ret = bf_prefix_make(a->dir, BF_PREFIX_LINES, &a->pre);

	if (!ret)
		ret = dirwin_by_ino(a->r->fs, a->ino, 0, NULL, bf_by_ino_entry, a);
	free(a->pre.s);
	a->pre.s = NULL;
	return ret;
}

static int bf_window(void *ctx, const struct dirwin *w)
{
	struct bf_at *a = ctx;

	return bf_entries(a->r, a->dir, a->ino, a->depth, w);
}

/* A directory a window at a time (dirwin_each), or whole in inode order (bf_by_ino). */
static void bf_dir(struct bf_run *r, const char *dir, const char *name, uint64_t parent,
		   uint64_t ino, int depth)
{
	struct bf_at a = { r, dir, ino, depth, { 0 } };
	const struct dirwin_walk wk = { .held = &r->held, .whole = bf_whole, .window = bf_window,
					.stopped = dirwin_stdout_failed };
	int ret = dirwin_enter_each(&r->g, r->fs, *dir ? dir : "/", name, parent, ino, depth, &wk,
				    &a);

	r->err = ret ? ret : r->err;
}

/* --md5 or --hash ALGO: one algorithm, for TSK's one hash field. */
static int bf_hash_opt(const struct cli_opts *o, struct digest_set *set)
{
	int ret;

	if (o->md5 && o->hash) {
		fprintf(stderr, "apfsinspect: bodyfile: give --md5 or --hash, not both\n");
		return EXIT_USAGE;
	}
	ret = digest_parse(o->md5 ? "md5" : o->hash, set);
	if (!ret && set->n > 1) {
		fprintf(stderr, "apfsinspect: bodyfile: --hash takes one algorithm (the body "
			"format has one hash field); timeline --format csv takes several\n");
		ret = EXIT_USAGE;
	}
	return ret;
}

int cmd_bodyfile(int argc, char **argv)
{
	struct fs_session s;
	struct cli_opts o;
	struct bf_run r = { 0 };
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_MAX_SIZE |
			    OPT_HASH | OPT_FRACTIONAL, 0, 0, body_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if ((ret = bf_hash_opt(&o, &r.hash)))
		return ret;
	ret = fs_session_open(&o, &s);
	if (!ret) {
		r.fs = s.view;
		r.fractional = o.fractional;
		r.g.private_dir = o.private_dir;
		r.cap = fs_size_cap(&o, s.view);
		bf_dir(&r, o.private_dir ? fs_top(&o) : "", NULL, 0, fs_top_ino(&o), 0);
		ret = r.err;
	}
	walk_guard_free(&r.g);
	fs_session_close(&s);
	return ret;
}
