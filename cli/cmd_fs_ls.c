/* SPDX-License-Identifier: MIT */
/*
 * cmd_fs_ls.c - `apfsinspect ls`: directory listings (sorted by name like
 * ls, -l long form, -a hidden names, -R recursion, --json).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_fs.h"
#include "dirwin.h"

static const char ls_help[] =
	"usage: apfsinspect ls [-l] [-a] [-R] [-U] [-N] [--json] [--volume SEL] [credential]\n"
	"                      [--snapshot NAME|XID] IMAGE [PATH]\n"
	"  List a directory (default /). -l long form, -a include names starting with '.',\n"
	"  -R recurse, --json one object per entry with all attributes.\n"
	"  -U (--unsorted): entries as the directory stores them, read a window at a\n"
	"  time in inode order, not sorted by name: memory stays bounded however large\n"
	"  the directory (sorting holds a whole directory's names and attributes).\n"
	"  Names and link targets are written as GNU ls -b does (C escapes: \\n, \\t,\n"
	"  \\033, \\ , \\\\), so each entry is one line whatever its name holds;\n"
	"  -N (--literal) writes their bytes as they are.\n"
	"  A volume group's System volume (or --volume group) is read as the Mac's root,\n"
	"  firmlinks resolved into the Data volume; --no-firmlinks reads it alone.\n";


/* out[*at..] = the bytes of s, as many as fit before the NUL cap leaves room for. */
static void put_part(char *out, size_t cap, size_t *at, const char *s, size_t n)
{
	if (n > cap - 1 - *at)
		n = cap - 1 - *at;
	memcpy(out + *at, s, n);
	*at += n;
}

/*
 * dir "/" name into out (cap bytes, cut as snprintf cuts).  By hand: a
 * printf-family call cost a third of `ls -R`'s instructions when every
 * entry's path was built this way.
 */
static void join(char *out, size_t cap, const char *dir, const char *name)
{
	size_t n = strlen(dir), at = 0;

	/* dir is "" for a single file or the root asked for as "". */
	put_part(out, cap, &at, dir, n);
	if (!n || dir[n - 1] != '/')
		put_part(out, cap, &at, "/", 1);
	put_part(out, cap, &at, name, strlen(name));
	out[at] = '\0';
}

/* The directory part of a file's path as given ("" for one with none: join adds the '/'). */
static const char *dir_of(const char *path, char *buf, size_t cap)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')  /* "a/b/" names b */
		n--;
	while (n && path[n - 1] != '/')
		n--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	snprintf(buf, cap, "%.*s", (int)n, path);
	return buf;
}

static void json_time(struct json *j, const char *key, uint64_t ns)
{
	char t[64];

	fmt_iso_ns(ns, t, sizeof(t));
	json_str(j, key, t);
}

/* The same keys as `stat --json` (README), so one parser reads both. */
static void json_entry(struct json *j, apfsi_fs *fs, const char *path,
		       const struct fs_name *d, const struct apfsi_stat *st)
{
	char target[4096];

	json_obj_open(j, NULL);
	json_str(j, "name", d->name);
	json_str(j, "path", path);
	cli_api_json_attrs(j, st);
	json_time(j, "created", st->crtime);
	json_time(j, "modified", st->mtime);
	json_time(j, "changed", st->ctime);
	json_time(j, "accessed", st->atime);
	json_time(j, "added", d->date_added);
	if (S_ISLNK(st->mode) && !apfsi_fs_readlink(fs, d->ino, target, sizeof(target)))
		json_str(j, "target", target);
	json_obj_close(j);
}

struct ls_run {
	const struct cli_opts *o;
	apfsi_fs *fs;
	struct json j;
	struct walk_guard g;
	size_t held;     /* -U: bytes of windows the levels above hold (dirwin.h) */
	int err;
};

/*
 * A name or link target as GNU ls -b writes it (quotearg.c's escape style,
 * coreutils 9.1, in a UTF-8 locale): \a \b \t \n \v \f \r, other controls,
 * DEL, C1 controls and bytes that are not UTF-8 as \ooo, '\' as \\ and a
 * space as '\ '; with -N the bytes as they are.
 */
static void put_name(const struct ls_run *r, const char *s)
{
	static const struct cli_escape gnu_b = { .letters = "abtnvfr", .ctl = "\\%03o",
						 .c1 = true, .space = true };

	if (r->o->literal)
		fputs(s, stdout);
	else
		cli_put_escaped(stdout, s, &gnu_b);
}

/*
 * A long line's fields before the name: the mode, four numbers (each taken
 * as a u64, 20 digits, whatever their type today), the time, their spaces.
 */
#define LONG_HEAD_MAX (11 + 4 * 21 + 20)

static void long_line(const struct ls_run *r, const struct fs_name *d,
		      const struct apfsi_stat *st)
{
	char b[LONG_HEAD_MAX], t[64], target[4096], *p = b;

	/* "%s %3u %5u %5u %12llu %s " by hand: printf was a fifth of `ls -R -l` */
	cli_mode_str(st->mode, p);
	p[10] = ' ';
	p = cli_fmt_u64_w(p + 11, st->nlink, 3);
	*p++ = ' ';
	p = cli_fmt_u64_w(p, st->uid, 5);
	*p++ = ' ';
	p = cli_fmt_u64_w(p, st->gid, 5);
	*p++ = ' ';
	p = cli_fmt_u64_w(p, st->size, 12);
	*p++ = ' ';
	fmt_iso_ns(st->mtime, t, sizeof(t));
	memcpy(p, t, 19);  /* to the second: "2026-01-01T00:00:00" */
	p[19] = ' ';
	fwrite(b, 1, (size_t)(p + 20 - b), stdout);
	put_name(r, d->name);
	if (S_ISLNK(st->mode) && !apfsi_fs_readlink(r->fs, d->ino, target, sizeof(target))) {
		fputs(" -> ", stdout);
		put_name(r, target);
	}
	if ((st->flags & APFSI_STAT_FIRMLINK) &&
	    !apfsi_fs_firmlink(r->fs, d->ino, target, sizeof(target))) {
		fputs(" => firmlink ", stdout);
		put_name(r, target);
	}
	putchar('\n');
}

/* st and ret: the entry's stat and its result, for -l and --json. */
static int show_entry(struct ls_run *r, const char *dir, const struct fs_name *d,
		      const struct apfsi_stat *st, int ret)
{
	char path[4096];

	/* the path only where it is written: a listing gives the name alone */
	if (ret || r->o->json)
		join(path, sizeof(path), dir, d->name);
	if (ret) {
		r->err = fs_fail(path, ret);
		return 0;
	}
	/* shown, but not whole: what it lost is named above (the library's log) */
	if (st && (st->flags & APFSI_STAT_PARTIAL) && !r->err)
		r->err = EXIT_ERROR;
	if (r->o->json)
		json_entry(&r->j, r->fs, path, d, st);
	else if (r->o->long_fmt)
		long_line(r, d, st);
	else {
		put_name(r, d->name);
		putchar('\n');
	}
	return 0;
}

/* Names starting with '.' out of nm (ls without -a neither shows nor enters them). */
static void drop_hidden(struct fs_names *nm)
{
	size_t k = 0;

	for (size_t i = 0; i < nm->n; i++) {
		if (nm->e[i].name[0] == '.')
			free(nm->e[i].name);
		else
			nm->e[k++] = nm->e[i];
	}
	nm->n = k;
}

/* The entries in name order, their attributes read first for the whole directory. */
static int show_sorted(struct ls_run *r, const char *dir, const struct fs_names *nm)
{
	struct fs_attr *a = NULL;
	struct apfsi_stat st;
	bool need_stat = r->o->long_fmt || r->o->json;
	int ret = need_stat ? fs_attrs_read(r->fs, nm, &a) : 0;

	if (ret)
		return fs_fail(dir, ret);
	/* Output that cannot be written stops the walk (cli_out_failed). */
	for (size_t i = 0; i < nm->n && !ferror(stdout); i++) {
		if (need_stat)
			fs_attr_stat(&a[i], nm->e[i].ino, &st);
		show_entry(r, dir, &nm->e[i], need_stat ? &st : NULL, need_stat ? a[i].err : 0);
	}
	free(a);
	return 0;
}

/* "\nDIR:\n" before a directory's entries below the first, as ls -R writes it. */
static void dir_header(const struct ls_run *r, const char *dir, int depth)
{
	if (r->o->recursive && !r->o->json && depth) {
		fputs("\n", stdout);
		put_name(r, dir);
		fputs(":\n", stdout);
	}
}

static int list_dir(struct ls_run *r, const char *dir, const char *name, uint64_t parent,
		    uint64_t ino, int depth);

static bool shown(const struct ls_run *r, const char *name)
{
	return r->o->all_files || name[0] != '.';
}

/* -U: one window's entries as they come (inode order: each leaf of their inodes once). */
static void stream_window(struct ls_run *r, const char *dir, const struct dirwin *w)
{
	bool need_stat = r->o->long_fmt || r->o->json;
	struct apfsi_stat st;

	for (size_t i = 0; i < w->n && !ferror(stdout); i++) {
		struct fs_name d = { w->e[i].ino, w->keep_added ? dirwin_added(w, i) : 0,
				     w->e[i].type, w->names + w->e[i].off };
		int ret;

		if (!shown(r, d.name))
			continue;
		ret = need_stat ? cli_api_errno(apfsi_fs_stat(r->fs, d.ino, &st)) : 0;
		show_entry(r, dir, &d, need_stat ? &st : NULL, ret);
	}
}

/* -R -U: the subdirectories of one window, each listed whole before the next. */
static void stream_subdirs(struct ls_run *r, const char *dir, uint64_t ino, int depth,
			   const struct dirwin *w)
{
	char path[4096];
	size_t held = dirwin_bytes(w);

	r->held += held;
	for (size_t i = 0; i < w->n && !ferror(stdout); i++) {
		if (w->e[i].type != APFSI_TYPE_DIR || !shown(r, dirwin_name(w, i)))
			continue;
		join(path, sizeof(path), dir, dirwin_name(w, i));
		list_dir(r, path, dirwin_name(w, i), ino, w->e[i].ino, depth + 1);
	}
	r->held -= held;
}

/* -U -l or --json of a directory read whole in inode order (dirwin_by_ino). */
struct ls_at {
	struct ls_run *r;
	const char *dir;
	int depth;
};

static void by_ino_header(void *ctx)
{
	struct ls_at *a = ctx;

	dir_header(a->r, a->dir, a->depth);
}

static int by_ino_entry(void *ctx, const struct apfsi_dirent *e)
{
	struct ls_at *a = ctx;
	struct apfsi_stat st;
	char name[FS_NAME_MAX];
	struct fs_name n = { e->ino, (uint64_t)e->date_added, e->type, name };

	snprintf(name, sizeof(name), "%s", e->name);
	if (shown(a->r, name))
		show_entry(a->r, a->dir, &n, &st, cli_api_errno(apfsi_fs_stat(a->r->fs, n.ino, &st)));
	return 0;
}

/*
 * Read dir a window at a time from its start, handing each to fn (first
 * pass: the entries) or to stream_subdirs (second pass, -R).  A directory
 * longer than one window is read through first, so that a damaged record
 * fails it before any of it is printed, as in the sorted listing.
 */
static int stream_pass(struct ls_run *r, const char *dir, uint64_t ino, int depth, bool subdirs)
{
	struct dirwin w = { .keep_added = r->o->json && !subdirs };
	struct dirwin_pos pos = { 0 };
	size_t budget = r->held < DIRWIN_BUDGET ? DIRWIN_BUDGET - r->held : 0;
	int ret = dirwin_read(r->fs, ino, &pos, budget, &w);

	/*
	 * --json shows the date added, which only the directory's records
	 * hold: the library joins it in (APFSI_DIR_ADDED) in bounded memory.
	 */
	if (!ret && w.full && !subdirs && (r->o->long_fmt || r->o->json)) {
		struct ls_at a = { r, dir, depth };
		unsigned flags = r->o->json ? APFSI_DIR_ADDED : 0;

		dirwin_free(&w);
		if ((ret = dirwin_by_ino(r->fs, ino, flags, by_ino_header, by_ino_entry, &a)) <= 0)
			return ret;
		pos = (struct dirwin_pos){ 0 };
		ret = dirwin_read(r->fs, ino, &pos, budget, &w);
	}
	if (!ret && w.full && !subdirs)
		ret = fs_names_check_from(r->fs, ino, &pos);
	if (!ret && !subdirs)
		dir_header(r, dir, depth);
	while (!ret && w.n && !ferror(stdout)) {
		if (subdirs)
			stream_subdirs(r, dir, ino, depth, &w);
		else
			stream_window(r, dir, &w);
		if (w.full)
			ret = dirwin_read(r->fs, ino, &pos, budget, &w);
		else
			w.n = 0;
	}
	dirwin_free(&w);
	/* said once, in the first pass (the entries); -R's second only takes its subdirectories */
	return ret ? ret : pos.incomplete && !subdirs && !ferror(stdout) ? -APFS_EINCOMPLETE : 0;
}

/*
 * -U (--unsorted): the directory as it is stored, a window at a time
 * (dirwin.h, each window in inode order), so memory is bounded by
 * DIRWIN_BUDGET over all levels instead of growing with the largest
 * directory; with -R its subdirectories follow all its entries, as ls -R
 * lists them, found by reading it a second time.
 */
static int ls_stream_dir(struct ls_run *r, const char *dir, uint64_t ino, int depth)
{
	int ret = stream_pass(r, dir, ino, depth, false);

	if (!ret && r->o->recursive && !ferror(stdout))
		ret = stream_pass(r, dir, ino, depth, true);
	if (ret)
		r->err = fs_fail(dir, ret);
	return 0;
}

static int list_dir(struct ls_run *r, const char *dir, const char *name, uint64_t parent,
		    uint64_t ino, int depth)
{
	struct fs_names nm = { 0 };
	char path[4096];
	int incomplete, ret = walk_enter(&r->g, r->fs, dir, name, parent, ino, depth);

	if (ret) {
		r->err = ret < 0 ? cli_exit_code(ret) : r->err;
		return 0;
	}
	if (r->o->unsorted)
		return ls_stream_dir(r, dir, ino, depth);
	ret = fs_names_read(r->fs, ino, &nm);
	if (ret && ret != -APFS_EINCOMPLETE) {
		fs_names_free(&nm);
		r->err = fs_fail(dir, ret);
		return 0;
	}
	incomplete = ret;  /* every entry that could be read is shown, then the failure */
	fs_names_sort(&nm);
	dir_header(r, dir, depth);
	if (!r->o->all_files)
		drop_hidden(&nm);
	if ((ret = show_sorted(r, dir, &nm)))
		r->err = ret;
	if (incomplete)
		r->err = fs_fail(dir, incomplete);
	for (size_t i = 0; r->o->recursive && i < nm.n && !ferror(stdout); i++) {
		if (nm.e[i].type != APFSI_TYPE_DIR)
			continue;
		join(path, sizeof(path), dir, nm.e[i].name);
		list_dir(r, path, nm.e[i].name, ino, nm.e[i].ino, depth + 1);
	}
	fs_names_free(&nm);
	return 0;
}

static int do_ls(const struct cli_opts *o, apfsi_fs *fs)
{
	const char *path = o->nargs ? o->args[0] : fs_top(o);
	struct ls_run r = { .o = o, .fs = fs, .g.private_dir = o->private_dir };
	struct apfsi_dirent de;
	char name[FS_NAME_MAX], rooted[4096];
	int ret = fs_lookup(o, fs, path, &de, name);

	/* a path of the root's tree written from '/' ("a/b" is "/a/b"), none of private-dir's */
	if (!o->private_dir && *path != '/' && strlen(path) + 1 < sizeof(rooted)) {
		snprintf(rooted, sizeof(rooted), "/%s", path);
		path = rooted;
	}

	if (ret)
		return fs_fail(path, ret);
	if (o->json) {
		json_begin(&r.j, stdout);
		json_str(&r.j, "path", path);
		json_arr_open(&r.j, "entries");
	}
	if (de.type == APFSI_TYPE_DIR) {
		list_dir(&r, path, NULL, 0, de.ino, 0);
	} else {
		struct fs_name one = { de.ino, (uint64_t)de.date_added, de.type, name };
		bool need_stat = o->long_fmt || o->json;
		struct apfsi_stat st;
		char dir[4096];

		ret = need_stat ? cli_api_errno(apfsi_fs_stat(fs, de.ino, &st)) : 0;
		show_entry(&r, dir_of(path, dir, sizeof(dir)), &one, need_stat ? &st : NULL, ret);
	}
	if (o->json) {
		json_arr_close(&r.j);
		json_end(&r.j);
	}
	walk_guard_free(&r.g);
	return r.err;
}

int cmd_ls(int argc, char **argv)
{
	return fs_command(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_JSON, 0, 1, ls_help,
			  do_ls);
}
