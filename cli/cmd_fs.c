/* SPDX-License-Identifier: MIT */
/*
 * cmd_fs.c - what the file-system commands share: the frame of a command
 * over the session (session.c), type letters; and the two smallest
 * commands, `cat` and `snapshots`.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_fs.h"
#include "credential.h"
#include "session_int.h"

int fs_command(int argc, char **argv, unsigned flags, int nmin, int nmax, const char *help,
	       fs_cmd_fn fn)
{
	struct fs_session s;
	struct cli_opts o;
	int ret = cli_parse(argc, argv, flags, nmin, nmax, help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = fs_session_open(&o, &s);
	if (!ret)
		ret = fn(&o, s.view);
	fs_session_close(&s);
	return ret;
}

char fs_type_char(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return 'd';
	case S_IFLNK: return 'l';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	case S_IFIFO: return 'p';
	case S_IFSOCK: return 's';
	case S_IFREG: return 'r';
	default: return '-';
	}
}


/* ---- cat ---------------------------------------------------------------- */

static const char cat_help[] =
	"usage: apfsinspect cat [--fork rsrc] [--volume SEL] [credential] [--snapshot NAME|XID]\n"
	"                       [--max-file-size SIZE|none] IMAGE PATH\n"
	"  Write a file's contents (decompressed, decrypted) to stdout.  A file whose\n"
	"  logical size is beyond SIZE (bytes, or with K, M, G, T, P; none for no cap) is\n"
	"  refused; the default cap is 4 times the container's size, at least 64 GiB.\n"
	"  --fork rsrc: the resource fork instead (the xattr com.apple.ResourceFork, as\n"
	"  stored: for a file compressed into its fork, the compressed chunks, never the\n"
	"  file's data); exit 1 when the file has none.\n"

	"  Progress goes to stderr when it is a terminal.\n";

/* ctx: the progress of a big file (cat > file), shown while stderr is a terminal. */
static int to_stdout(const uint8_t *p, size_t n, void *ctx)
{
	progress_add(ctx, n);
	return fwrite(p, 1, n, stdout) == n ? 0 : -EIO;
}

static int cat_file(const struct cli_opts *o, apfsi_fs *fs, const char *path)
{
	struct progress prog;
	struct apfsi_stat st;
	apfsi_file *f;
	struct apfsi_dirent de;
	char name[FS_NAME_MAX];
	int ret = fs_lookup(o, fs, path, &de, name);

	if (!ret)
		ret = cli_api_errno(apfsi_fs_stat(fs, de.ino, &st));
	if (!ret && fs_over_cap(path, &st, fs_size_cap(o, fs)))
		return EXIT_ERROR;
	if (!ret)
		ret = cli_api_errno(apfsi_file_open(fs, st.ino, &f));
	if (ret)
		return fs_fail(path, ret);
	fs_unstored_note(path, &st, apfsi_file_unstored(f));
	progress_start(&prog, path, apfsi_file_size(f));
	ret = fs_read_all(f, to_stdout, &prog);
	progress_end(&prog);
	apfsi_file_close(f);
	return ret ? fs_fail(path, ret) : EXIT_OK;
}

/* cat --fork rsrc: the resource fork's bytes, not the data. */
static int cat_fork(const struct cli_opts *o, apfsi_fs *fs, const char *path)
{
	struct apfsi_dirent de;
	char name[FS_NAME_MAX];
	int ret = fs_lookup(o, fs, path, &de, name);

	/* Only the entry: a fork is read even of an inode whose attributes are damaged. */
	if (!ret)
		ret = fs_xattr_out(o, fs, de.ino, path, FS_XATTR_RESOURCE_FORK, false);
	if (ret == -ENODATA) {
		fprintf(stderr, "apfsinspect: %s: no resource fork\n", cli_safe_str(path));
		return EXIT_ERROR;
	}
	return ret > 0 ? ret : ret ? fs_fail(path, ret) : EXIT_OK;
}

static int cat_run(const struct cli_opts *o, apfsi_fs *fs)
{
	int ret;

	if (o->fork && strcmp(o->fork, "rsrc")) {
		fprintf(stderr, "apfsinspect: cat: --fork '%s': the one named fork is rsrc\n",
			cli_safe_str(o->fork));
		return EXIT_USAGE;
	}
	ret = o->fork ? cat_fork(o, fs, o->args[0]) : cat_file(o, fs, o->args[0]);

	return fflush(stdout) ? EXIT_ERROR : ret;
}

int cmd_cat(int argc, char **argv)
{
	return fs_command(argc, argv,
			  OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_MAX_SIZE | OPT_FORK, 1, 1,
			  cat_help, cat_run);
}

/* ---- snapshots ---------------------------------------------------------- */

static const char snap_help[] =
	"usage: apfsinspect snapshots [--volume SEL] [--json] IMAGE\n"
	"  List the snapshots of a volume: xid, creation time (UTC), name.\n";

static void snap_json(const struct apfsi_volume_info *vi, apfsi_volume *vol, unsigned n)
{
	struct apfsi_snapshot_info si;
	struct json j;
	char t[64];

	json_begin(&j, stdout);
	json_str(&j, "volume", vi->name);
	json_uuid(&j, "volume_uuid", vi->uuid);
	json_arr_open(&j, "snapshots");
	for (unsigned i = 0; i < n && !apfsi_volume_snapshot(vol, i, &si); i++) {
		fmt_iso_ns((uint64_t)si.create_time, t, sizeof(t));
		json_obj_open(&j, NULL);
		json_str(&j, "snapshot", si.name);
		json_u64(&j, "xid", si.xid);
		json_str(&j, "created", t);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_end(&j);
}

static void snap_text(const struct apfsi_volume_info *vi, apfsi_volume *vol, unsigned n)
{
	struct apfsi_snapshot_info si;
	char t[64];

	printf("Snapshots of volume '%s' (%u found)\n", cli_safe_str(vi->name), n);
	for (unsigned i = 0; i < n && !apfsi_volume_snapshot(vol, i, &si); i++) {
		fmt_iso_ns((uint64_t)si.create_time, t, sizeof(t));
		printf("%llu\t%s\t%s\n", (unsigned long long)si.xid, t, cli_safe_str(si.name));
	}
}

int cmd_snapshots(int argc, char **argv)
{
	struct apfsi_volume_info vi;
	struct fs_session s;
	struct cli_opts o;
	unsigned n = 0;
	char why[512] = "";
	int code = 0, ret = cli_parse(argc, argv, OPT_VOLUME | OPT_JSON, 0, 0, snap_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = fs_volume_open(&o, &s);
	/* INCOMPLETE: the snapshots the tree holds are given, then why, and the exit says so */
	if (!ret && (code = apfsi_volume_snapshot_count(s.vol, &n)) != APFSI_ERR_INCOMPLETE &&
	    code)
		ret = fs_fail("snapshot metadata", cli_api_errno(code));
	if (code == APFSI_ERR_INCOMPLETE)
		snprintf(why, sizeof(why), "%s", apfsi_last_message());
	if (!ret && (ret = apfsi_volume_info(s.vol, &vi)))
		ret = fs_fail("volume", cli_api_errno(ret));
	if (!ret && o.json)
		snap_json(&vi, s.vol, n);
	else if (!ret)
		snap_text(&vi, s.vol, n);
	if (!ret && code) {
		fprintf(stderr, "apfsinspect: %s\n", cli_safe_str(why));
		ret = cli_exit_code(cli_api_errno(code));
	}
	fs_session_close(&s);
	return ret;
}

int fs_names_add(const struct apfsi_dirent *d, void *ctx)
{
	struct fs_names *nm = ctx;

	if (nm->n == nm->cap) {
		size_t nc = nm->cap ? nm->cap * 2 : 64;
		struct fs_name *ne = realloc(nm->e, nc * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		nm->e = ne;
		nm->cap = nc;
	}
	nm->e[nm->n].name = strdup(d->name);
	if (!nm->e[nm->n].name)
		return -ENOMEM;
	nm->e[nm->n].ino = d->ino;
	nm->e[nm->n].date_added = (uint64_t)d->date_added;
	nm->e[nm->n].type = d->type;
	nm->n++;
	return 0;
}

int fs_names_read(apfsi_fs *fs, uint64_t dir, struct fs_names *nm)
{
	return cli_api_errno(apfsi_fs_readdir(fs, dir, 0, fs_names_add, nm));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct fs_name *)a)->name, ((const struct fs_name *)b)->name);
}

void fs_names_sort(struct fs_names *nm)
{
	if (nm->n)
		qsort(nm->e, nm->n, sizeof(*nm->e), by_name);
}

void fs_names_free(struct fs_names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->e[i].name);
	free(nm->e);
	memset(nm, 0, sizeof(*nm));
}
