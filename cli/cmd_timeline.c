/* SPDX-License-Identifier: MIT */
/*
 * cmd_timeline.c - `apfsinspect timeline`: every entry under a directory
 * (the volume's root by default) with all five APFS timestamps in ns, its
 * attributes and, with --hash, the digests of each regular file's data;
 * as CSV, JSON lines or DFXML (timeline.h).  The walk is bodyfile's: each
 * directory entered once (walkguard.c), stopped by an unwritable stdout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "session_int.h"
#include "dirwin.h"
#include "timeline.h"
#include "util/pathjoin.h"

static const char tl_help[] =
	"usage: apfsinspect timeline [--format csv|jsonl|dfxml] [--hash md5,sha1,sha256]\n"
	"                            [--max-file-size SIZE|none] [--volume SEL] [credential]\n"
	"                            [--snapshot NAME|XID] IMAGE [DIR]\n"
	"  Every file and directory under DIR (default /) with inode, type, mode, owner,\n"
	"  link count, sizes, BSD flags, compression and the five timestamps in ns since\n"
	"  1970 UTC: created, modified, changed, accessed, added (date added; empty/null\n"
	"  where the record keeps none), and a symlink's target.\n"
	"  --format csv (default): RFC 4180, a header line, CRLF, every text field quoted;\n"
	"  a name's control bytes, DEL, bytes that are not UTF-8, U+FFFE/U+FFFF and '\\'\n"
	"  are written \\xNN, so no name can add a line or a field.\n"
	"  --format jsonl: one JSON object a line with stat --json's keys, each time\n"
	"  also in ns (created_ns ...).\n"
	"  --format dfxml: DFXML 2.0.0-beta.0, one fileobject per entry with the byte\n"
	"  runs of its data on disk (README \"Reports\").\n"
	"  --hash: those digests of each regular file (columns or keys md5, sha1, sha256).\n"
	"  Hashing skips (reported, exit 1) files beyond the size cap (extract --help).\n";

struct tl_run {
	apfsi_fs *fs;
	const struct tl_format *fmt;
	struct digest_set hash;
	uint64_t cap;
	struct walk_guard g;
	size_t held;              /* bytes in the windows of the levels being walked */
	int err;
};

/* The digests of a regular file, when asked and possible: NULL otherwise. */
static const struct digest_out *tl_hash(struct tl_run *r, const char *path,
					const struct apfsi_stat *st, struct digest_out *d)
{
	int ret;

	if (!r->hash.n || !S_ISREG(st->mode))
		return NULL;
	if (fs_over_cap(path, st, r->cap)) {
		r->err = EXIT_ERROR;
		return NULL;
	}
	ret = digest_file(r->fs, st->ino, &r->hash, path, st, d);
	if (ret) {
		r->err = fs_fail(path, ret);
		return NULL;
	}
	return d;
}

static void tl_one(struct tl_run *r, const char *path, const struct apfsi_stat *st)
{
	char target[4096];
	struct digest_out d;
	struct tl_entry e = { r->fs, path, st, NULL, &r->hash, NULL };
	int ret;

	if (S_ISLNK(st->mode) && !apfsi_fs_readlink(r->fs, st->ino, target, sizeof(target)))
		e.target = target;
	/* given, but not whole: what it lost is named above (the library's log) */
	if ((st->flags & APFSI_STAT_PARTIAL) && !r->err)
		r->err = EXIT_ERROR;
	e.dig = tl_hash(r, path, st, &d);
	ret = r->fmt->entry(stdout, &e);
	cli_out_note();
	/* an entry's INCOMPLETE is DFXML's byte runs, not a listing's entries */
	if (ret == -APFS_EINCOMPLETE) {
		fprintf(stderr, "apfsinspect: %s: byte runs are missing (see above)\n",
			cli_safe_str(path));
		r->err = EXIT_ERROR;
	} else if (ret) {
		r->err = fs_fail(path, ret);
	}
}

static void tl_dir(struct tl_run *r, const char *dir, const char *name, uint64_t parent,
		   uint64_t ino, int depth);

/* Where the walk stands: one directory (dirwin_each's context). */
struct tl_at {
	struct tl_run *r;
	const char *dir;
	uint64_t ino;
	int depth;
};

/* One entry: its inode read (the leaf is in hand: entries come in inode order). */
static int tl_entry(struct tl_at *a, const char *name, uint64_t ino, int64_t added)
{
	struct apfsi_stat st;
	char *path;
	int ret;

	if (!(path = apfs_path_join(a->dir, name)))
		return -ENOMEM;
	if ((ret = cli_api_errno(apfsi_fs_stat(a->r->fs, ino, &st)))) {
		a->r->err = fs_fail(path, ret);
	} else {
		st.added = added;
		tl_one(a->r, path, &st);
		if (S_ISDIR(st.mode))
			tl_dir(a->r, path, name, a->ino, ino, a->depth + 1);
	}
	free(path);
	return 0;
}

/* One window's entries, in inode order: each fs-tree leaf of their inodes read once. */
static int tl_window(void *ctx, const struct dirwin *w)
{
	int ret = 0;

	for (size_t i = 0; i < w->n && !ret && !ferror(stdout); i++)
		ret = tl_entry(ctx, dirwin_name(w, i), w->e[i].ino, (int64_t)dirwin_added(w, i));
	return ret;
}

static int tl_by_ino_entry(void *ctx, const struct apfsi_dirent *e)
{
	return tl_entry(ctx, e->name, e->ino, e->date_added);
}

/*
 * A directory larger than a window: whole in inode order if it can be,
 * with the dates added the library joins in (APFSI_DIR_ADDED, in bounded
 * memory): linear, where windows read the range of its inodes once a window.
 */
static int tl_whole(void *ctx)
{
	struct tl_at *a = ctx;

	return dirwin_by_ino(a->r->fs, a->ino, APFSI_DIR_ADDED, NULL, tl_by_ino_entry, a);
}

/*
 * A directory a window at a time (dirwin_each), or whole in inode order
 * (tl_whole), as bodyfile reads it.
 */
static void tl_dir(struct tl_run *r, const char *dir, const char *name, uint64_t parent,
		   uint64_t ino, int depth)
{
	struct tl_at a = { r, dir, ino, depth };
	const struct dirwin_walk wk = { .held = &r->held, .keep_added = true, .whole = tl_whole,
					.window = tl_window,
					.stopped = dirwin_stdout_failed };
	int ret = dirwin_enter_each(&r->g, r->fs, *dir ? dir : "/", name, parent, ino, depth, &wk,
				    &a);

	r->err = ret ? ret : r->err;
}

static const struct tl_format *tl_pick(const char *name)
{
	static const struct tl_format *const all[] = { &tl_csv, &tl_jsonl, &tl_dfxml };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(name ? name : "csv", all[i]->name))
			return all[i];
	fprintf(stderr, "apfsinspect: timeline: --format '%s': give csv, jsonl or dfxml\n",
		cli_safe_str(name));
	return NULL;
}

/*
 * The walk from DIR: its path as the entries' prefix ("" for the root;
 * --private-dir's form as it is, which has no leading '/').
 */
static int tl_start(struct tl_run *r, const struct cli_opts *o, const struct tl_source *src)
{
	const char *arg = o->nargs ? o->args[0] : fs_top(o);
	struct apfsi_dirent de;
	struct apfsi_stat st;
	char *prefix;
	char name[FS_NAME_MAX];
	int ret = fs_lookup(o, r->fs, arg, &de, name);

	if (!ret)
		ret = cli_api_errno(apfsi_fs_stat(r->fs, de.ino, &st));
	if (!ret && !S_ISDIR(st.mode))
		ret = -ENOTDIR;
	if (ret)
		return fs_fail(arg, ret);
	if (walk_top(arg, de.type, de.ino))
		return EXIT_ERROR;
	if (asprintf(&prefix, "%s%s", *arg == '/' || o->private_dir ? "" : "/", arg) < 0)
		return fs_fail(arg, -ENOMEM);
	/* "/a/b/" and "a/b" alike become "/a/b"; "/" becomes "". */
	while (*prefix && prefix[strlen(prefix) - 1] == '/')
		prefix[strlen(prefix) - 1] = '\0';
	r->fmt->begin(stdout, &r->hash, src);
	tl_dir(r, prefix, NULL, st.parent, de.ino, 0);
	r->fmt->end(stdout);
	free(prefix);
	return r->err;
}

/* DFXML's source: the volume's name and UUID, its container's place and size. */
static int tl_source_of(struct fs_session *s, struct apfsi_volume_info *vi,
			struct apfsi_container_info *ci)
{
	int ret = apfsi_volume_info(s->vol, vi);

	if (!ret)
		ret = apfsi_container_info(s->img, vi->container, ci);
	return ret ? fs_fail("volume", cli_api_errno(ret)) : 0;
}

int cmd_timeline(int argc, char **argv)
{
	struct apfsi_container_info ci;
	struct apfsi_volume_info vi;
	struct fs_session s;
	struct cli_opts o;
	struct tl_run r = { 0 };
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_MAX_SIZE |
			    OPT_HASH, 0, 1, tl_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (!(r.fmt = tl_pick(o.format)))
		return EXIT_USAGE;
	o.format = NULL; /* here it named the output; --image-format names the image */
	if ((ret = digest_parse(o.hash, &r.hash)))
		return ret;
	ret = fs_session_open(&o, &s);
	if (!ret)
		ret = tl_source_of(&s, &vi, &ci);
	if (!ret) {
		struct tl_source src = { o.image, &vi, &ci };

		r.fs = s.view;
		r.g.private_dir = o.private_dir;
		r.cap = fs_size_cap(&o, s.view);
		ret = tl_start(&r, &o, &src);
	}
	walk_guard_free(&r.g);
	fs_session_close(&s);
	return ret;
}
