/* SPDX-License-Identifier: MIT */
/*
 * cmd_fs_stat.c - `apfsinspect stat`: every attribute of one inode, every
 * name it has (hard links), its extended attributes and, for directories
 * that keep them, their statistics.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_fs.h"
#include "digest.h"

static const char stat_help[] =
	"usage: apfsinspect stat [--json] [--hash md5,sha1,sha256] [--max-file-size SIZE|none]\n"
	"                        [--volume SEL] [credential] [--snapshot NAME|XID] IMAGE PATH\n"
	"  Every attribute of one file: inode, mode, owner, sizes, the five timestamps\n"
	"  (UTC, nanoseconds), BSD flags, link count, every path of a hard-linked file,\n"
	"  xattrs, compression, directory statistics.  An xattr the inode's flags say it\n"
	"  has and the tree holds no record of is named (\"xattr missing: NAME\", JSON\n"
	"  \"xattrs_missing\"): a record lost, exit 1.\n"
	"  --hash: those digests of a regular file's data (what cat writes), as lines\n"
	"  \"md5: HEX\" or JSON keys \"md5\", \"sha1\", \"sha256\"; a file beyond the size cap\n"
	"  (see extract --help), or whose data cannot be read whole, is not hashed: its\n"
	"  other attributes are given, the digests left out (JSON null), exit 1.\n";

/* A growing list of strings with a number each (xattr sizes; 0 for paths). */
struct str_list {
	char **s;
	uint64_t *n;
	size_t len, cap;
	int err;
};

static void list_add(struct str_list *l, const char *s, uint64_t n)
{
	if (l->err)
		return;
	if (l->len == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 8;
		char **ns = realloc(l->s, nc * sizeof(*ns));
		uint64_t *nn = ns ? realloc(l->n, nc * sizeof(*nn)) : NULL;

		if (ns)
			l->s = ns;
		if (!nn) {
			l->err = -ENOMEM;
			return;
		}
		l->n = nn;
		l->cap = nc;
	}
	if (!(l->s[l->len] = strdup(s))) {
		l->err = -ENOMEM;
		return;
	}
	l->n[l->len++] = n;
}

static void list_free(struct str_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->s[i]);
	free(l->s);
	free(l->n);
}

struct stat_info {
	apfsi_fs *fs;
	const char *path;
	struct apfsi_stat st;
	char target[4096];
	bool has_target;
	struct str_list xattrs;  /* name, size */
	struct str_list links;   /* every path of the inode */
	struct apfsi_dir_stats ds;
	bool has_ds;
	bool orphan;             /* an entry of the private directory itself (private_dir.c) */
	bool in_private;         /* read with --private-dir: its old directories may be gone */
	int unstored_err;        /* a regular file's bytes not on disk: 0, or why not known */
	uint64_t unstored;       /* (apfsi_file_unstored; unstored.c) */
	const char *origin;      /* a merged root's: the name of the object's own volume */
	uint64_t origin_ino;
	struct digest_set hash;   /* --hash */
	struct digest_out dig;
	bool hashed;
	int xattrs_lost;          /* -APFS_EINCOMPLETE: a record the inode's flags witness is missing */
	struct str_list missing;  /* the names of those records */
};

static int xa_collect(const char *name, uint64_t size, void *ctx)
{
	struct stat_info *si = ctx;

	list_add(&si->xattrs, name, size);
	return si->xattrs.err;
}

static int missing_collect(const char *name, uint64_t size, void *ctx)
{
	struct stat_info *si = ctx;

	(void)size;
	list_add(&si->missing, name, 0);
	return si->missing.err;
}

/* One name of the inode: its parent's path, then the name. */
static int link_collect(uint64_t parent, const char *name, void *ctx)
{
	struct stat_info *si = ctx;
	char dir[4096], *p;
	int ret = parent == APFSI_PRIVATE_DIR_INO ? 0 :
		  cli_api_errno(apfsi_fs_path(si->fs, parent, dir, sizeof(dir)));

	if (parent == APFSI_PRIVATE_DIR_INO)
		snprintf(dir, sizeof(dir), "%s", FS_PRIVATE_TOP);
	/* An orphan's old directory may be gone since: its number, where its path was. */
	if (ret == -ENOENT && si->in_private)
		ret = snprintf(dir, sizeof(dir), "(directory %llu)", (unsigned long long)parent) < 0;
	if (ret)
		return ret;
	if (asprintf(&p, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name) < 0)
		return -ENOMEM;
	list_add(&si->links, p, 0);
	free(p);
	return si->links.err;
}

/* A merged root's: the name of the volume the object lives on, and its inode there. */
static int stat_origin(struct stat_info *si, uint64_t ino)
{
	struct apfsi_volume_info vi;
	apfsi_volume *vol;
	int ret = apfsi_fs_origin(si->fs, ino, &vol, &si->origin_ino);

	if (!ret)
		ret = apfsi_volume_info(vol, &vi);
	if (!ret)
		si->origin = vi.name;
	return cli_api_errno(ret);
}

static int stat_gather(struct stat_info *si, uint64_t ino)
{
	int ret = cli_api_errno(apfsi_fs_stat(si->fs, ino, &si->st));

	if (!ret)
		ret = cli_api_errno(apfsi_fs_listxattr(si->fs, ino, 0, xa_collect, si));
	/* one missing (named): the others are given, then those missing, and stat fails after */
	if (ret == -APFS_EINCOMPLETE) {
		si->xattrs_lost = ret;
		ret = cli_api_errno(apfsi_fs_xattrs_missing(si->fs, ino, missing_collect, si));
	}
	if (!ret && ino == APFSI_ROOT_INO)
		list_add(&si->links, "/", 0);
	else if (!ret && ino == APFSI_PRIVATE_DIR_INO) /* under inode 1 too, beside the root */
		list_add(&si->links, FS_PRIVATE_TOP, 0);
	else if (!ret)
		ret = cli_api_errno(apfsi_fs_links(si->fs, ino, link_collect, si));
	if (!ret)
		ret = si->links.err;
	if (!ret && S_ISDIR(si->st.mode)) {
		ret = cli_api_errno(apfsi_fs_dir_stats(si->fs, ino, &si->ds));
		si->has_ds = !ret;
		if (ret == -ENOENT)
			ret = 0;
	}
	if (!ret && S_ISLNK(si->st.mode))
		si->has_target = !apfsi_fs_readlink(si->fs, ino, si->target, sizeof(si->target));
	if (!ret && apfsi_fs_is_group(si->fs))
		ret = stat_origin(si, ino);
	return ret;
}

static const char *const time_names[5] = { "created", "modified", "changed", "accessed", "added" };


/* The library's name of the decmpfs type ("none": not compressed). */
static const char *cmp_name(const struct apfsi_stat *st)
{
	return st->compression_name ? st->compression_name : "none";
}

static void stat_text(const struct stat_info *si)
{
	const struct apfsi_stat *st = &si->st;
	const uint64_t tv[5] = { st->crtime, st->mtime, st->ctime, st->atime, st->added };
	char m[11], t[64];

	cli_mode_str(st->mode, m);
	printf("path: %s\ninode: %llu\nmode: %04o (%s)\nuid: %u\ngid: %u\n", cli_safe_str(si->path),
	       (unsigned long long)st->ino, st->mode & 07777, m, st->uid, st->gid);
	printf("size: %llu\nallocated: %llu\nnlink: %u\nflags: 0x%x\ncompression: %u (%s)\n",
	       (unsigned long long)st->size, (unsigned long long)st->allocated, st->nlink,
	       st->bsd_flags, st->compression, cmp_name(st));
	for (int i = 0; i < 5; i++) {
		fmt_iso_ns(tv[i], t, sizeof(t));
		printf("%s: %s\n", time_names[i], tv[i] || i < 4 ? t : "-");
	}
	if (si->origin)
		printf("volume: %s, inode %llu\n", cli_safe_str(si->origin),
		       (unsigned long long)si->origin_ino);
	if (si->has_target)
		printf("target: %s\n", cli_safe_str(si->target));
	/* An orphan's inode keeps the name it had, which no entry holds now. */
	if (si->orphan)
		printf("orphan: deleted while open; its name before: %s\n",
		       si->links.len ? cli_safe_str(si->links.s[0]) : "-");
	if (si->unstored)
		printf("not on disk: %llu of its %llu bytes (%s): they read as zeros\n",
		       (unsigned long long)si->unstored, (unsigned long long)st->size,
		       fs_unstored_why(st));
	/* A file of one name needs no list of them. */
	for (size_t i = 0; !si->orphan && si->links.len > 1 && i < si->links.len; i++)
		printf("link: %s\n", cli_safe_str(si->links.s[i]));
	if (si->has_ds)
		printf("dir stats: %llu children, %llu bytes, chained key %llu, generation %llu%s\n",
		       (unsigned long long)si->ds.num_children,
		       (unsigned long long)si->ds.total_size,
		       (unsigned long long)si->ds.chained_key,
		       (unsigned long long)si->ds.gen_count, si->ds.origin ? " (origin)" : "");
	for (size_t i = 0; i < si->xattrs.len; i++)
		printf("xattr: %s (%llu bytes)\n", cli_safe_str(si->xattrs.s[i]),
		       (unsigned long long)si->xattrs.n[i]);
	for (size_t i = 0; i < si->missing.len; i++)
		printf("xattr missing: %s\n", cli_safe_str(si->missing.s[i]));
	for (unsigned i = 0; si->hashed && i < si->hash.n; i++)
		printf("%s: %s\n", si->hash.name[i], si->dig.hex[i]);
}

static void json_dir_stats(struct json *j, const struct stat_info *si)
{
	if (!si->has_ds) {
		json_str(j, "dir_stats", NULL);
		return;
	}
	json_obj_open(j, "dir_stats");
	json_u64(j, "num_children", si->ds.num_children);
	json_u64(j, "total_size", si->ds.total_size);
	json_u64(j, "chained_key", si->ds.chained_key);
	json_u64(j, "gen_count", si->ds.gen_count);
	json_bool(j, "origin", si->ds.origin);
	json_obj_close(j);
}

static void stat_json(const struct stat_info *si)
{
	const struct apfsi_stat *st = &si->st;
	const uint64_t tv[5] = { st->crtime, st->mtime, st->ctime, st->atime, st->added };
	struct json j;
	char t[64];

	json_begin(&j, stdout);
	json_str(&j, "path", si->path);
	cli_api_json_attrs(&j, st);
	json_str(&j, "compression_name", cmp_name(st));
	for (int i = 0; i < 5; i++) {
		fmt_iso_ns(tv[i], t, sizeof(t));
		json_str(&j, time_names[i], tv[i] || i < 4 ? t : NULL);
	}
	json_str(&j, "target", si->has_target ? si->target : NULL);
	if (si->origin) {
		json_str(&j, "volume", si->origin);
		json_u64(&j, "volume_inode", si->origin_ino);
	}
	json_bool(&j, "orphan", si->orphan);
	/* null: not a regular file, or its extents could not be read (cat says why) */
	if (S_ISREG(st->mode) && !si->unstored_err)
		json_u64(&j, "unstored", si->unstored);
	else
		json_str(&j, "unstored", NULL);
	json_arr_open(&j, "links");
	for (size_t i = 0; i < si->links.len; i++)
		json_str(&j, NULL, si->links.s[i]);
	json_arr_close(&j);
	json_dir_stats(&j, si);
	json_arr_open(&j, "xattrs");
	for (size_t i = 0; i < si->xattrs.len; i++) {
		json_obj_open(&j, NULL);
		json_str(&j, "name", si->xattrs.s[i]);
		json_u64(&j, "size", si->xattrs.n[i]);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_arr_open(&j, "xattrs_missing");
	for (size_t i = 0; i < si->missing.len; i++)
		json_str(&j, NULL, si->missing.s[i]);
	json_arr_close(&j);
	for (unsigned i = 0; S_ISREG(si->st.mode) && i < si->hash.n; i++)
		json_str(&j, si->hash.name[i], si->hashed ? si->dig.hex[i] : NULL);
	json_end(&j);
	putchar('\n');
}

/*
 * A regular file's bytes not on disk.  Only an orphan's stream (link count
 * 0) or a dataless file's may lack extents, so only theirs are opened:
 * every other file's count is 0 without a read of its extents.
 */
static void stat_unstored(struct stat_info *si)
{
	apfsi_file *f;

	si->unstored = 0;
	if (!S_ISREG(si->st.mode) || (si->st.nlink && !(si->st.bsd_flags & APFSI_SF_DATALESS)))
		return;
	cli_api_quiet(true);
	si->unstored_err = cli_api_errno(apfsi_file_open(si->fs, si->st.ino, &f));
	cli_api_quiet(false);
	if (!si->unstored_err)
		si->unstored = apfsi_file_unstored(f);
	if (!si->unstored_err)
		apfsi_file_close(f);
}

/* --hash: a regular file's digests, unless its size is beyond the cap. */
static int stat_hash(const struct cli_opts *o, struct stat_info *si)
{
	int ret;

	if (!si->hash.n || !S_ISREG(si->st.mode))
		return 0;
	if (fs_over_cap(si->path, &si->st, fs_size_cap(o, si->fs)))
		return -EFBIG;
	ret = digest_file(si->fs, si->st.ino, &si->hash, si->path, NULL, &si->dig);
	si->hashed = !ret;
	return ret;
}

static int do_stat(const struct cli_opts *o, apfsi_fs *fs, const char *path)
{
	struct stat_info si = { .fs = fs, .path = path, .orphan = fs_private_entry(o, path),
				.in_private = o->private_dir };
	struct apfsi_dirent de;
	char name[FS_NAME_MAX];
	int ret = digest_parse(o->hash, &si.hash), hashed = 0;

	if (ret)
		return ret;
	ret = fs_lookup(o, fs, path, &de, name);
	if (!ret)
		ret = stat_gather(&si, de.ino);
	/* A digest that cannot be made (the data damaged, beyond the cap) takes
	 * no attribute with it: they are given, the digest left out (JSON null). */
	if (!ret)
		stat_unstored(&si);
	if (!ret)
		hashed = stat_hash(o, &si);
	if (!ret) {
		si.st.added = de.date_added;
		if (o->json)
			stat_json(&si);
		else
			stat_text(&si);
	}
	list_free(&si.xattrs);
	list_free(&si.missing);
	list_free(&si.links);
	if (ret)
		return fs_fail(path, ret);
	if (si.xattrs_lost)
		fs_fail(path, si.xattrs_lost);
	if (hashed)
		return hashed == -EFBIG ? EXIT_ERROR : fs_fail(path, hashed);
	return si.xattrs_lost ? EXIT_ERROR : EXIT_OK;
}

static int stat_run(const struct cli_opts *o, apfsi_fs *fs)
{
	return do_stat(o, fs, o->args[0]);
}

int cmd_stat(int argc, char **argv)
{
	return fs_command(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_JSON | OPT_HASH |
			  OPT_MAX_SIZE, 1, 1,
			  stat_help, stat_run);
}
