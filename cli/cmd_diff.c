/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c - `apfsinspect diff`: what was added, removed, renamed or
 * changed between two snapshots of a volume, or a snapshot and the live
 * tree (the library's apfsi_fs_diff does the work; this prints it).  Text:
 * one line per change, names escaped as GNU ls -b does; --json: one JSON
 * object a line with the keys of `stat --json`.  A client of apfsinspect.h
 * only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api_fs.h"
#include "session.h"

static const char diff_help[] =
	"usage: apfsinspect diff [--json] [--volume SEL] [credential] [--max-file-size SIZE|none]\n"
	"                        IMAGE SNAP_A SNAP_B\n"
	"       apfsinspect diff [options] --live IMAGE SNAP_A\n"
	"  What changed from snapshot SNAP_A (name or xid) to SNAP_B, or with --live to the\n"
	"  live tree; one line per change, in inode order:\n"
	"    A TYPE PATH           added (TYPE: file, dir, symlink, fifo, socket, char, block)\n"
	"    D TYPE PATH           removed (its path in SNAP_A)\n"
	"    R TYPE OLD NEW        same inode, another name or parent (renamed or moved)\n"
	"    M FIELD,... PATH      changed: type mode uid gid flags nlink links size\n"
	"                          created modified changed accessed added content\n"
	"    X +NAME|-NAME|~NAME PATH  an extended attribute added, removed or changed\n"
	"  Names are escaped as GNU ls -b does (a space as '\\ '), so fields never hold a raw\n"
	"  space.  Content is judged by size and extents, and read and compared only where\n"
	"  those differ; files beyond --max-file-size are judged by their extents alone.\n"
	"  A view that lacks records a sound tree holds is named on stderr (exit 1); an A, D\n"
	"  or M line that may come of them ends with (may-be-lost:WHY): inode_record,\n"
	"  directory_entries, directory_above (A, D); directory_entry, file_extents,\n"
	"  sibling_links (M).  A file deleted while open, kept in the private directory\n"
	"  until its last close (see --private-dir of ls), is shown under the name it had,\n"
	"  then (orphan:before), (orphan:after) or (orphan:before,after): the views where\n"
	"  it is one (before may-be-lost).\n"
	"  --json: one object a line (code, change, inode, path, old_path, may_be_lost, orphan,\n"
	"  fields, before, after, xattrs with sha256_before/sha256_after).\n";

struct diff_out {
	const struct cli_opts *o;
	apfsi_fs *a, *b;
	int err;
};

static const char *type_word(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	default: return "other";
	}
}

/* A name or path as GNU ls -b writes it (see cmd_fs_ls.c). */
static void put_name(const char *s)
{
	static const struct cli_escape gnu_b = { .letters = "abtnvfr", .ctl = "\\%03o",
						 .c1 = true, .space = true };

	cli_put_escaped(stdout, s, &gnu_b);
}

/*
 * The inode's path in a view (always starting with '/'); a damaged chain
 * names the inode instead, "(inode N)" (stderr says why), which no
 * escaped path can look like; so does an orphan's whose old directory is
 * gone, "(orphan: inode N)", which is no damage.
 */
static void path_of(struct diff_out *d, apfsi_fs *fs, uint64_t ino, bool orphan, char *buf,
		    size_t cap, bool *ok)
{
	int ret;

	/* The private directory has no path from the root (its parent is 1, as the root's). */
	if (ino == APFSI_PRIVATE_DIR_INO) {
		snprintf(buf, cap, "private-dir");
		*ok = false;
		return;
	}
	ret = apfsi_fs_path(fs, ino, buf, cap);
	*ok = !ret;
	/* An orphan's old directory may be gone since (apfsck: its parent id is stale). */
	if (ret == APFSI_ERR_NOT_FOUND && orphan) {
		snprintf(buf, cap, "orphan: inode %llu", (unsigned long long)ino);
		return;
	}
	if (ret) {
		snprintf(buf, cap, "inode %llu", (unsigned long long)ino);
		d->err = cli_api_fail(buf, ret);
	}
}

static void text_path(const char *p, bool ok)
{
	putchar(' ');
	if (ok)
		put_name(p);
	else
		printf("(%s)", p);  /* a raw space: no escaped name looks like it */
}

static void text_fields(uint32_t what)
{
	const char *sep = "";

	for (unsigned f = APFSI_DIFF_TYPE; apfsi_diff_field_name(f); f++)
		if (what & (1u << f)) {
			printf("%s%s", sep, apfsi_diff_field_name(f));
			sep = ",";
		}
}

static void text_xattrs(const struct apfsi_diff *c, const char *path, bool ok)
{
	for (size_t i = 0; i < c->nxattrs; i++) {
		printf("X %c", c->xattrs[i].change);
		put_name(c->xattrs[i].name);
		text_path(path, ok);
		putchar('\n');
	}
}

/* Where the inode is an orphan: "before", "after", "before,after", or NULL. */
static const char *orphan_word(const struct apfsi_diff *c)
{
	static const char *const words[] = { NULL, "before", "after", "before,after" };

	return words[c->orphan & 3];
}

/* Fields of their own past a raw space, which no escaped path holds. */
static void text_lost(const struct apfsi_diff *c)
{
	if (orphan_word(c))
		printf(" (orphan:%s)", orphan_word(c));
	if (c->may_be_lost)
		printf(" (may-be-lost:%s)", apfsi_diff_lost_name((unsigned)c->may_be_lost));
}

struct diff_paths {
	char a[4096], b[4096];
	bool ok_a, ok_b;
	struct apfsi_stat sa, sb;
};

static void text_change(const struct apfsi_diff *c, const struct diff_paths *p)
{
	const struct apfsi_stat *st = c->change == 'D' ? &p->sa : &p->sb;

	if (c->change != 'M') {
		printf("%c %s", c->change, type_word(st->mode));
		text_path(c->change == 'D' ? p->a : p->b, c->change == 'D' ? p->ok_a : p->ok_b);
		text_lost(c);
		putchar('\n');
		return;
	}
	if (c->fields & (1u << APFSI_DIFF_PATH)) {
		printf("R %s", type_word(st->mode));
		text_path(p->a, p->ok_a);
		text_path(p->b, p->ok_b);
		putchar('\n');
	}
	if (c->fields & ~(1u << APFSI_DIFF_PATH) & ~(1u << APFSI_DIFF_XATTR)) {
		printf("M ");
		text_fields(c->fields & ~(1u << APFSI_DIFF_XATTR));
		text_path(p->b, p->ok_b);
		text_lost(c);
		putchar('\n');
	}
	text_xattrs(c, p->b, p->ok_b);
}

static void json_time(struct json *j, const char *key, int64_t ns)
{
	char t[64];

	fmt_iso_ns((uint64_t)ns, t, sizeof(t));
	json_str(j, key, t);
}

struct link_json {
	struct json *j;
	apfsi_fs *fs;
};

/* One name of a hard-linked file: its parent's path, then the name. */
static int link_json(uint64_t parent, const char *name, void *ctx)
{
	struct link_json *l = ctx;
	char dir[4096];
	int ret = apfsi_fs_path(l->fs, parent, dir, sizeof(dir));
	char *p;

	if (ret)
		return ret;
	if (asprintf(&p, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name) < 0)
		return APFSI_ERR_NOMEM;
	json_str(l->j, NULL, p);
	free(p);
	return 0;
}

/* stat --json's keys; links[] (every name) when those changed. */
static void json_attrs(struct json *j, const char *key, const struct apfsi_stat *st,
		       apfsi_fs *links_fs)
{
	struct link_json l = { j, links_fs };

	json_obj_open(j, key);
	cli_api_json_attrs(j, st);
	json_time(j, "created", st->crtime);
	json_time(j, "modified", st->mtime);
	json_time(j, "changed", st->ctime);
	json_time(j, "accessed", st->atime);
	if (st->added)
		json_time(j, "added", st->added);
	else
		json_null(j, "added");
	if (links_fs) {
		json_arr_open(j, "links");
		if (apfsi_fs_links(links_fs, st->ino, link_json, &l))
			fprintf(stderr, "apfsinspect: inode %llu: its names could not all be "
				"listed (see above)\n", (unsigned long long)st->ino);
		json_arr_close(j);
	}
	json_obj_close(j);
}

static void json_sha(struct json *j, const char *key, bool hashed, const uint8_t sha[32])
{
	char hex[65];

	cli_hex(hex, sha, 32);
	json_str(j, key, hashed ? hex : NULL);
}

static void json_xattrs(struct json *j, const struct apfsi_diff *c)
{
	static const char *const kinds[] = { "added", "removed", "changed" };

	json_arr_open(j, "xattrs");
	for (size_t i = 0; i < c->nxattrs; i++) {
		const struct apfsi_diff_xattr *x = &c->xattrs[i];

		json_obj_open(j, NULL);
		json_str(j, "name", x->name);
		json_str(j, "change", kinds[x->change == '+' ? 0 : x->change == '-' ? 1 : 2]);
		if (x->change != '+') {
			json_u64(j, "size_before", x->size_before);
			json_sha(j, "sha256_before", x->hashed_before, x->sha256_before);
		}
		if (x->change != '-') {
			json_u64(j, "size_after", x->size_after);
			json_sha(j, "sha256_after", x->hashed_after, x->sha256_after);
		}
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_fields(struct json *j, const struct apfsi_diff *c)
{
	json_arr_open(j, "fields");
	for (unsigned f = 0; apfsi_diff_field_name(f); f++)
		if (c->fields & (1u << f))
			json_str(j, NULL, apfsi_diff_field_name(f));
	json_arr_close(j);
	if (c->fields & (1u << APFSI_DIFF_CONTENT))
		json_str(j, "content_compared", c->content_by_extents ? "extents" : "bytes");
}

static void json_body(struct json *j, const struct apfsi_diff *c, const struct diff_paths *p,
		      struct diff_out *d)
{
	bool links = c->fields & (1u << APFSI_DIFF_LINKS);

	static const char *const names[] = { "added", "removed", "renamed", "modified" };
	bool moved = c->change == 'M' && (c->fields & (1u << APFSI_DIFF_PATH));
	char code[2] = { moved ? 'R' : c->change, 0 };

	json_str(j, "code", code);
	json_str(j, "change", names[c->change == 'A' ? 0 : c->change == 'D' ? 1 : moved ? 2 : 3]);
	json_u64(j, "inode", c->ino);
	json_str(j, "path", c->change == 'D' ? (p->ok_a ? p->a : NULL) : (p->ok_b ? p->b : NULL));
	if (moved)
		json_str(j, "old_path", p->ok_a ? p->a : NULL);
	json_str(j, "type", type_word(c->change == 'D' ? p->sa.mode : p->sb.mode));
	json_str(j, "may_be_lost", apfsi_diff_lost_name((unsigned)c->may_be_lost));
	json_str(j, "orphan", orphan_word(c));
	if (c->change == 'M')
		json_fields(j, c);
	if (c->change != 'A')
		json_attrs(j, "before", &p->sa, links ? d->a : NULL);
	if (c->change != 'D')
		json_attrs(j, "after", &p->sb, links ? d->b : NULL);
	if (c->change == 'M')
		json_xattrs(j, c);
}

/* One object on one line (json_line_end). */
static int json_change(const struct apfsi_diff *c, const struct diff_paths *p,
		       struct diff_out *d)
{
	struct json j;

	if (json_line_begin(&j))
		return APFSI_ERR_NOMEM;
	json_body(&j, c, p, d);
	return json_line_end(&j, stdout) ? APFSI_ERR_NOMEM : 0;
}

static int stat_side(struct diff_out *d, apfsi_fs *fs, uint64_t ino, const char *path,
		     struct apfsi_stat *st)
{
	int ret = apfsi_fs_stat(fs, ino, st);

	if (ret) {
		memset(st, 0, sizeof(*st));
		st->ino = ino;
		d->err = cli_api_fail(path, ret);
	}
	return 0;
}

static int on_change(const struct apfsi_diff *c, void *ctx)
{
	struct diff_out *d = ctx;
	struct diff_paths *p = calloc(1, sizeof(*p));
	int ret = p ? 0 : APFSI_ERR_NOMEM;

	if (!ret && c->change != 'A') {
		path_of(d, d->a, c->ino, c->orphan & APFSI_DIFF_ORPHAN_BEFORE, p->a, sizeof(p->a),
			&p->ok_a);
		stat_side(d, d->a, c->ino, p->a, &p->sa);
		p->sa.added = c->added_before;
	}
	if (!ret && c->change != 'D') {
		path_of(d, d->b, c->ino, c->orphan & APFSI_DIFF_ORPHAN_AFTER, p->b, sizeof(p->b),
			&p->ok_b);
		stat_side(d, d->b, c->ino, p->b, &p->sb);
		p->sb.added = c->added_after;
	}
	if (!ret && d->o->json)
		ret = json_change(c, p, d);
	else if (!ret)
		text_change(c, p);
	free(p);
	/* Output that cannot be written stops the walk. */
	return ret ? ret : ferror(stdout) ? APFSI_ERR_IO : 0;
}

/*
 * A view of vol itself (a group's System volume without its Data volume's
 * firmlinks): the snapshot sel (name or xid), or the live tree (sel NULL);
 * or the exit code.
 */
static int view(apfsi_volume *vol, const char *sel, apfsi_fs **out)
{
	int ret = apfsi_fs_open(vol, sel, APFSI_FS_NO_FIRMLINKS, out);

	return ret ? fs_view_fail(vol, "", sel, ret) : 0;
}

static int run_diff(const struct cli_opts *o, struct fs_session *s, struct diff_out *d)
{
	int ret = apfsi_fs_diff(d->a, d->b, cli_api_size_cap(o, s->img, s->vol), on_change, d);

	if (ret == APFSI_ERR_IO && ferror(stdout))
		return EXIT_ERROR;  /* cli_out_close() says why */
	if (ret == APFSI_ERR_INCOMPLETE) {  /* every change found was given */
		fprintf(stderr, "apfsinspect: diff: records are missing from a view (see above): "
			"a change may be missing, or be one of records lost\n");
		return cli_exit_code(cli_api_errno(ret));
	}
	return ret ? cli_api_fail("diff", ret) : d->err;
}

static int diff_views(const struct cli_opts *o, struct fs_session *s)
{
	struct diff_out d = { .o = o };
	unsigned n;
	int code = apfsi_volume_snapshot_count(s->vol, &n), ret;

	/*
	 * Unreadable snapshot metadata is said as such before either snapshot
	 * is looked for.  A tree lacking some the volume counts is no matter
	 * where both are found, as for `ls --snapshot`; where one is not, the
	 * lookup says it may be one of those lost.
	 */
	if (code && code != APFSI_ERR_INCOMPLETE)
		return cli_api_fail("snapshot metadata", code);
	ret = view(s->vol, o->args[0], &d.a);

	if (!ret)
		ret = view(s->vol, o->live ? NULL : o->args[1], &d.b);
	if (!ret)
		ret = run_diff(o, s, &d);
	cli_scratch_free();
	apfsi_fs_close(d.a);
	apfsi_fs_close(d.b);
	return ret;
}

int cmd_diff(int argc, char **argv)
{
	struct fs_session s;
	struct cli_opts o;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_JSON | OPT_MAX_SIZE | OPT_LIVE,
			    1, 2, diff_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (o.nargs != (o.live ? 1 : 2)) {
		fprintf(stderr, "apfsinspect: diff takes %s\n%s", o.live ?
			"one snapshot with --live" : "two snapshots (or one and --live)", diff_help);
		return EXIT_USAGE;
	}
	ret = fs_volume_open(&o, &s);
	if (!ret)
		ret = cli_api_unlock(&o, s.vol);
	if (!ret)
		ret = diff_views(&o, &s);
	fs_session_close(&s);
	return ret;
}
