/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c - `apfsinspect diff`: what was added, removed, renamed or
 * changed between two snapshots of a volume, or a snapshot and the live
 * tree (apfs/fs_diff.h does the work; this prints it).  Text: one line per
 * change, names escaped as GNU ls -b does; --json: one JSON object a line
 * with the keys of `stat --json`.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apfs/fs_diff.h"
#include "cmd_fs.h"
#include "credential.h"

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
	"  --json: one object a line (code, change, inode, path, old_path, fields, before,\n"
	"  after, xattrs with sha256_before/sha256_after).\n";

struct diff_out {
	const struct cli_opts *o;
	struct apfs_fs *a, *b;
	int err;
};

static const char *type_word(uint16_t mode)
{
	switch (fs_type_char(mode)) {
	case 'r': return "file";
	case 'd': return "dir";
	case 'l': return "symlink";
	case 'p': return "fifo";
	case 's': return "socket";
	case 'c': return "char";
	case 'b': return "block";
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
 * escaped path can look like.
 */
static void path_of(struct diff_out *d, struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap,
		    bool *ok)
{
	int ret;

	/* The private directory has no path from the root (its parent is 1, as the root's). */
	if (ino == APFS_PRIV_DIR_INO_NUM) {
		snprintf(buf, cap, "private-dir");
		*ok = false;
		return;
	}
	ret = apfs_fs_path(fs, ino, buf, cap);
	*ok = !ret;
	if (ret) {
		snprintf(buf, cap, "inode %llu", (unsigned long long)ino);
		d->err = fs_fail(buf, ret);
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

	for (int f = APFS_DIFF_TYPE; f < APFS_DIFF_NFIELDS; f++)
		if (what & (1u << f)) {
			printf("%s%s", sep, apfs_diff_field_name((enum apfs_diff_field)f));
			sep = ",";
		}
}

static void text_xattrs(const struct apfs_diff *c, const char *path, bool ok)
{
	for (size_t i = 0; i < c->nxattrs; i++) {
		printf("X %c", c->xattrs[i].kind);
		put_name(c->xattrs[i].name);
		text_path(path, ok);
		putchar('\n');
	}
}

struct diff_paths {
	char a[4096], b[4096];
	bool ok_a, ok_b;
	struct apfs_stat sa, sb;
};

static void text_change(const struct apfs_diff *c, const struct diff_paths *p)
{
	const struct apfs_stat *st = c->kind == 'D' ? &p->sa : &p->sb;

	if (c->kind != 'M') {
		printf("%c %s", c->kind, type_word(st->mode));
		text_path(c->kind == 'D' ? p->a : p->b, c->kind == 'D' ? p->ok_a : p->ok_b);
		putchar('\n');
		return;
	}
	if (c->what & (1u << APFS_DIFF_PATH)) {
		printf("R %s", type_word(st->mode));
		text_path(p->a, p->ok_a);
		text_path(p->b, p->ok_b);
		putchar('\n');
	}
	if (c->what & ~(1u << APFS_DIFF_PATH) & ~(1u << APFS_DIFF_XATTR)) {
		printf("M ");
		text_fields(c->what & ~(1u << APFS_DIFF_XATTR));
		text_path(p->b, p->ok_b);
		putchar('\n');
	}
	text_xattrs(c, p->b, p->ok_b);
}

static void json_time(struct json *j, const char *key, uint64_t ns)
{
	char t[64];

	fmt_iso_ns(ns, t, sizeof(t));
	json_str(j, key, t);
}

struct link_json {
	struct json *j;
	struct apfs_fs *fs;
};

/* One name of a hard-linked file: its parent's path, then the name. */
static int link_json(uint64_t parent, const char *name, void *ctx)
{
	struct link_json *l = ctx;
	char dir[4096];
	int ret = apfs_fs_path(l->fs, parent, dir, sizeof(dir));
	char *p;

	if (ret)
		return ret;
	if (asprintf(&p, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name) < 0)
		return -ENOMEM;
	json_str(l->j, NULL, p);
	free(p);
	return 0;
}

/* stat --json's keys; links[] (every name) when those changed. */
static void json_attrs(struct json *j, const char *key, const struct apfs_stat *st,
		       struct apfs_fs *links_fs)
{
	struct link_json l = { j, links_fs };

	json_obj_open(j, key);
	fs_json_attrs(j, st);
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
		if (apfs_fs_links(links_fs, st->ino, link_json, &l))
			fprintf(stderr, "apfsinspect: inode %llu: its names could not all be "
				"listed (see above)\n", (unsigned long long)st->ino);
		json_arr_close(j);
	}
	json_obj_close(j);
}

static void json_sha(struct json *j, const char *key, bool hashed, const uint8_t sha[32])
{
	char hex[65];

	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	json_str(j, key, hashed ? hex : NULL);
}

static void json_xattrs(struct json *j, const struct apfs_diff *c)
{
	static const char *const kinds[] = { "added", "removed", "changed" };

	json_arr_open(j, "xattrs");
	for (size_t i = 0; i < c->nxattrs; i++) {
		const struct apfs_diff_xattr *x = &c->xattrs[i];

		json_obj_open(j, NULL);
		json_str(j, "name", x->name);
		json_str(j, "change", kinds[x->kind == '+' ? 0 : x->kind == '-' ? 1 : 2]);
		if (x->kind != '+') {
			json_u64(j, "size_before", x->size_a);
			json_sha(j, "sha256_before", x->hashed_a, x->sha_a);
		}
		if (x->kind != '-') {
			json_u64(j, "size_after", x->size_b);
			json_sha(j, "sha256_after", x->hashed_b, x->sha_b);
		}
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_fields(struct json *j, const struct apfs_diff *c)
{
	json_arr_open(j, "fields");
	for (int f = 0; f < APFS_DIFF_NFIELDS; f++)
		if (c->what & (1u << f))
			json_str(j, NULL, apfs_diff_field_name((enum apfs_diff_field)f));
	json_arr_close(j);
	if (c->what & (1u << APFS_DIFF_CONTENT))
		json_str(j, "content_compared", c->content_by_extents ? "extents" : "bytes");
}

static void json_body(struct json *j, const struct apfs_diff *c, const struct diff_paths *p,
		      struct diff_out *d)
{
	bool links = c->what & (1u << APFS_DIFF_LINKS);

	static const char *const names[] = { "added", "removed", "renamed", "modified" };
	bool moved = c->kind == 'M' && (c->what & (1u << APFS_DIFF_PATH));
	char code[2] = { moved ? 'R' : c->kind, 0 };

	json_str(j, "code", code);
	json_str(j, "change", names[c->kind == 'A' ? 0 : c->kind == 'D' ? 1 : moved ? 2 : 3]);
	json_u64(j, "inode", c->ino);
	json_str(j, "path", c->kind == 'D' ? (p->ok_a ? p->a : NULL) : (p->ok_b ? p->b : NULL));
	if (moved)
		json_str(j, "old_path", p->ok_a ? p->a : NULL);
	json_str(j, "type", type_word(c->kind == 'D' ? p->sa.mode : p->sb.mode));
	if (c->kind == 'M')
		json_fields(j, c);
	if (c->kind != 'A')
		json_attrs(j, "before", &p->sa, links ? d->a : NULL);
	if (c->kind != 'D')
		json_attrs(j, "after", &p->sb, links ? d->b : NULL);
	if (c->kind == 'M')
		json_xattrs(j, c);
}

/*
 * One object on one line: the writer indents, and its strings hold no raw
 * newline (escaped as \n), so every newline and the indent after it is
 * layout, dropped here.
 */
static int json_change(const struct apfs_diff *c, const struct diff_paths *p,
		       struct diff_out *d)
{
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return -ENOMEM;
	json_begin(&j, m);
	json_body(&j, c, p, d);
	json_end(&j);
	fclose(m);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			putchar(buf[i]);
			continue;
		}
		while (i + 1 < len && buf[i + 1] == ' ')
			i++;
	}
	putchar('\n');
	free(buf);
	return 0;
}

static int stat_side(struct diff_out *d, struct apfs_fs *fs, uint64_t ino, const char *path,
		     struct apfs_stat *st)
{
	int ret = apfs_fs_stat(fs, ino, st);

	if (ret) {
		memset(st, 0, sizeof(*st));
		st->ino = ino;
		d->err = fs_fail(path, ret);
	}
	return 0;
}

static int on_change(const struct apfs_diff *c, void *ctx)
{
	struct diff_out *d = ctx;
	struct diff_paths *p = calloc(1, sizeof(*p));
	int ret = p ? 0 : -ENOMEM;

	if (!ret && c->kind != 'A') {
		path_of(d, d->a, c->ino, p->a, sizeof(p->a), &p->ok_a);
		stat_side(d, d->a, c->ino, p->a, &p->sa);
		p->sa.added = c->added_a;
	}
	if (!ret && c->kind != 'D') {
		path_of(d, d->b, c->ino, p->b, sizeof(p->b), &p->ok_b);
		stat_side(d, d->b, c->ino, p->b, &p->sb);
		p->sb.added = c->added_b;
	}
	if (!ret && d->o->json)
		ret = json_change(c, p, d);
	else if (!ret)
		text_change(c, p);
	free(p);
	/* Output that cannot be written stops the walk. */
	return ret ? ret : ferror(stdout) ? -EIO : 0;
}

/* A snapshot argument: its xid, or an exit code. */
static int pick(struct cli_volume *cv, const char *sel, uint64_t *xid)
{
	struct apfs_snapshot snap;
	int ret = apfs_snapshot_find(cv->v, sel, &snap);

	if (ret == -ENOENT) {
		fprintf(stderr, "apfsinspect: '%s': no such snapshot on volume '%s'\n",
			cli_safe_str(sel), cli_safe_str(cv->v->name));
		return EXIT_USAGE;
	}
	if (ret)
		return fs_fail("snapshot metadata", ret);
	*xid = snap.xid;
	return 0;
}

static int diff_views(const struct cli_opts *o, struct cli_volume *cv)
{
	struct diff_out d = { .o = o };
	uint64_t xa = 0, xb = 0;
	int ret = pick(cv, o->args[0], &xa);

	if (!ret && !o->live)
		ret = pick(cv, o->args[1], &xb);
	if (ret)
		return ret;
	if ((ret = apfs_fs_open(cv->v, xa, &d.a)) || (ret = apfs_fs_open(cv->v, xb, &d.b))) {
		apfs_fs_close(d.a);
		return fs_fail(cv->v->name, ret);
	}
	ret = apfs_fs_diff(d.a, d.b, fs_size_cap(o, d.a), on_change, &d);
	apfs_fs_close(d.a);
	apfs_fs_close(d.b);
	if (ret == -EIO && ferror(stdout))
		return EXIT_ERROR;  /* cli_out_close() says why */
	return ret ? fs_fail("diff", ret) : d.err;
}

int cmd_diff(int argc, char **argv)
{
	struct cli_image img;
	struct cli_volume *cv;
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
	ret = cli_image_open(&o, &img);
	if (ret)
		return cli_exit_code(ret);
	ret = cli_select_volume(&o, &img, &cv);
	if (!ret)
		ret = cli_unlock_if_needed(&o, cv);
	if (!ret)
		ret = diff_views(&o, cv);
	cli_image_close(&img);
	return ret;
}
