/* SPDX-License-Identifier: MIT */
/*
 * cmd_fs_extract.c - `apfsinspect extract` (copy a file or tree out, with
 * modes and times, printing a SHA-256 manifest) and `apfsinspect bodyfile`
 * (TSK mactime body format, with crtime and optional MD5).
 *
 * extract never writes outside DEST: every file is created relative to an
 * open directory descriptor with O_NOFOLLOW | O_EXCL, and names holding '/'
 * or equal to "." or ".." are rewritten before use.  It never changes what
 * it did not create: a directory that already exists keeps its mode, owner
 * and times.
 *
 * Work is bounded by what the image holds, not by what it claims: holes are
 * skipped in the output (sparse files), every directory is walked once
 * (walkguard.c), and a file whose logical size is beyond the plausibility
 * cap (size_cap below) is reported and skipped unless --max-file-size says
 * otherwise.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_fs.h"

struct hash_sink {
	EVP_MD_CTX *ctx;
	struct apfs_file *f;
	int fd;               /* -1: hash only */
	uint64_t pos;         /* file offset of the next byte handed in */
	struct progress prog;
};

static int write_at(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

/* Write the data runs of [pos, pos + n); holes are skipped, never written as zeros. */
static int write_sparse(struct hash_sink *h, const uint8_t *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		uint64_t run;
		bool hole;
		int ret;

		apfs_file_span(h->f, h->pos + done, &hole, &run);
		if (run == 0 || run > n - done)
			run = n - done;
		if (!hole && (ret = write_at(h->fd, p + done, (size_t)run, h->pos + done)))
			return ret;
		done += (size_t)run;
	}
	return 0;
}

static int hash_and_write(const uint8_t *p, size_t n, void *arg)
{
	struct hash_sink *h = arg;
	int ret = 0;

	if (!EVP_DigestUpdate(h->ctx, p, n))
		return -EIO;
	if (h->fd >= 0)
		ret = write_sparse(h, p, n);
	h->pos += n;
	progress_add(&h->prog, n);
	return ret;
}

/*
 * Hash a file's data with md (SHA-256, MD5) read by rd, optionally copying
 * it to fd (sparse: holes left as holes, the size set by ftruncate).
 */
static int hash_file(struct apfs_fs *fs, struct fs_reader *rd, uint64_t ino, const EVP_MD *md,
		     int fd, const char *path, char *hex)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	struct hash_sink h = { EVP_MD_CTX_new(), NULL, fd, 0, { 0 } };
	unsigned dl = 0;
	int ret = !h.ctx ? -ENOMEM : apfs_file_open(fs, ino, &h.f);

	if (!ret && !EVP_DigestInit_ex(h.ctx, md, NULL))
		ret = -EIO;
	if (!ret) {
		progress_start(&h.prog, path, apfs_file_size(h.f));
		ret = fs_reader_read(rd, h.f, hash_and_write, &h);
		progress_end(&h.prog);
	}
	if (!ret && fd >= 0 && ftruncate(fd, (off_t)apfs_file_size(h.f)))
		ret = -errno;
	if (!ret && !EVP_DigestFinal_ex(h.ctx, dig, &dl))
		ret = -EIO;
	for (unsigned i = 0; !ret && i < dl; i++)
		sprintf(hex + 2 * i, "%02x", dig[i]);
	apfs_file_close(h.f);
	EVP_MD_CTX_free(h.ctx);
	return ret;
}

/* ---- extract ------------------------------------------------------------ */

static const char extract_help[] =
	"usage: apfsinspect extract [--volume SEL] [credential] [--snapshot NAME|XID]\n"
	"                           [--manifest FILE] [--max-file-size SIZE|none]\n"
	"                           IMAGE PATH DEST\n"
	"  Copy PATH (recursively for a directory) into the directory DEST, keeping\n"
	"  permission bits and times, and write a SHA-256 manifest (sha256sum -c format,\n"
	"  relative to DEST) to stdout, or to FILE with --manifest FILE (a new file: an\n"
	"  existing one is never overwritten).  Nothing is ever written outside DEST,\n"
	"  and nothing that already exists there is changed (an existing directory keeps\n"
	"  its mode, owner and times).  Holes stay holes (sparse files).  A directory\n"
	"  cycle or a directory listed twice is reported and not followed.\n"
	"  --max-file-size: files whose logical size is beyond SIZE (bytes, or with K,\n"
	"  M, G, T, P; none for no cap) are reported and skipped; the default cap is\n"
	"  4 times the container's size, at least 64 GiB.  Progress goes to stderr when\n"
	"  it is a terminal.\n";

struct ex_run {
	struct apfs_fs *fs;
	struct fs_reader *rd;
	FILE *manifest;
	uint64_t cap;
	struct walk_guard g;
	int err;
};

/* A name that is safe as one path component. */
static void safe_name(const char *in, char *out, size_t cap)
{
	size_t i;

	if (!strcmp(in, ".") || !strcmp(in, "..") || !*in) {
		snprintf(out, cap, "_%s", in);
		return;
	}
	for (i = 0; in[i] && i + 1 < cap; i++)
		out[i] = in[i] == '/' ? '_' : in[i];
	out[i] = '\0';
}

static void set_times(int dirfd, const char *name, const struct apfs_stat *st, int flags)
{
	struct timespec ts[2] = {
		{ (time_t)(st->atime / 1000000000u), (long)(st->atime % 1000000000u) },
		{ (time_t)(st->mtime / 1000000000u), (long)(st->mtime % 1000000000u) },
	};

	utimensat(dirfd, name, ts, flags);
}

static int ex_fail(struct ex_run *r, const char *path, int err)
{
	r->err = fs_fail(path, err);
	return 0;
}

/*
 * A manifest line as GNU sha256sum writes it (coreutils 9.1, digest.c): a
 * name holding '\', newline or CR has them written as \\, \n and \r and
 * the line starts with '\'; every other byte is written as it is, so
 * `sha256sum -c` reads the exact name back.
 */
static void manifest_line(FILE *f, const char *hex, const char *rel)
{
	static const struct cli_escape sha = { .letters = "nr" };

	if (strpbrk(rel, "\\\n\r"))
		fputc('\\', f);
	fprintf(f, "%s  ", hex);
	cli_put_escaped(f, rel, &sha);
	fputc('\n', f);
}

static int ex_file(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   const struct apfs_stat *st)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	int fd, ret;

	if (fs_over_cap(rel, st, r->cap)) {
		r->err = EXIT_ERROR;
		return 0;
	}
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ex_fail(r, rel, -errno);
	ret = hash_file(r->fs, r->rd, st->ino, EVP_sha256(), fd, rel, hex);
	fchmod(fd, st->mode & 0777);
	close(fd);
	if (ret)
		return ex_fail(r, rel, ret);
	set_times(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
	manifest_line(r->manifest, hex, rel);
	return 0;
}

static int ex_entry(struct ex_run *r, int dirfd, const char *name, const char *rel,
		    uint64_t parent, const struct apfs_stat *st, int depth);

static void ex_children(struct ex_run *r, int fd, const char *rel, uint64_t ino, int depth)
{
	struct fs_names nm = { 0 };
	struct fs_stats sb = { 0 };
	char sub[APFS_NAME_MAX], *subrel;
	int ret = fs_names_read(r->fs, ino, &nm);

	if (ret)
		ex_fail(r, rel, ret);
	for (size_t i = 0; !ret && i < nm.n && !ferror(r->manifest); i++) {
		size_t w = i % FS_STATS_WINDOW;

		/* The window's stats in inode order: each fs-tree leaf read once. */
		if (!w && (ret = fs_stats_read(r->fs, &nm, i, &sb))) {
			ex_fail(r, rel, ret);
			break;
		}
		safe_name(nm.e[i].name, sub, sizeof(sub));
		if (asprintf(&subrel, "%s/%s", rel, sub) < 0)
			break;
		if (sb.err[w])
			ex_fail(r, subrel, sb.err[w]);
		else
			ex_entry(r, fd, sub, subrel, ino, &sb.st[w], depth + 1);
		free(subrel);
	}
	fs_stats_free(&sb);
	fs_names_free(&nm);
}

/*
 * An existing directory's times, put back after entries were added to it:
 * the kernel moves its mtime, and extract changes nothing it did not make.
 */
static void keep_times(int fd, const struct stat *before)
{
	struct timespec ts[2] = { before->st_atim, before->st_mtim };

	futimens(fd, ts);
}

/*
 * A directory: made (or, if it exists, entered as it is), filled, and only
 * when made here given the image's mode and times.
 */
static int ex_dir(struct ex_run *r, int dirfd, const char *name, const char *rel,
		  uint64_t parent, const struct apfs_stat *st, int depth)
{
	struct stat before;
	bool made;
	int fd, ret = walk_enter(&r->g, r->fs, rel, parent, st->ino, depth);

	if (ret) {
		r->err = ret < 0 ? cli_exit_code(ret) : r->err;
		return 0;
	}
	made = !mkdirat(dirfd, name, 0700);
	if (!made && errno != EEXIST)
		return ex_fail(r, rel, -errno);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* ELOOP here is a symlink in DEST where a directory goes: never followed. */
	if (fd < 0)
		return ex_fail(r, rel, errno == ELOOP ? -ENOTDIR : -errno);
	if (!made && fstat(fd, &before)) {
		close(fd);
		return ex_fail(r, rel, -errno);
	}
	ex_children(r, fd, rel, st->ino, depth);
	if (made)
		fchmod(fd, st->mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID));
	else
		keep_times(fd, &before);
	close(fd);
	if (made)
		set_times(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int ex_entry(struct ex_run *r, int dirfd, const char *name, const char *rel,
		    uint64_t parent, const struct apfs_stat *st, int depth)
{
	char target[4096];
	int ret;

	if (S_ISDIR(st->mode))
		return ex_dir(r, dirfd, name, rel, parent, st, depth);
	if (S_ISREG(st->mode))
		return ex_file(r, dirfd, name, rel, st);
	if (S_ISLNK(st->mode)) {
		ret = apfs_fs_readlink(r->fs, st->ino, target, sizeof(target));
		if (!ret && symlinkat(target, dirfd, name))
			ret = -errno;
		if (ret)
			return ex_fail(r, rel, ret);
		set_times(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	fprintf(stderr, "apfsinspect: %s: special file not extracted\n", cli_safe_str(rel));
	return 0;
}

static int ex_tree(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   uint64_t parent, uint64_t ino, int depth)
{
	struct apfs_stat st;
	int ret = apfs_fs_stat(r->fs, ino, &st);

	return ret ? ex_fail(r, rel, ret) : ex_entry(r, dirfd, name, rel, parent, &st, depth);
}

int cmd_extract(int argc, char **argv)
{
	struct ex_run r = { 0 };
	struct apfs_dirent de;
	struct fs_session s;
	struct cli_opts o;
	struct stat dest;
	bool made;
	char name[APFS_NAME_MAX];
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_MAX_SIZE, 2, 2,
			    extract_help, &o);
	int dfd;

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	r.manifest = o.manifest ? fopen(o.manifest, "wx") : stdout;
	if (!r.manifest)
		return fs_fail(o.manifest, -errno);
	made = !mkdir(o.args[1], 0755);
	if (!made && errno != EEXIST)
		return fs_fail(o.args[1], -errno);
	dfd = open(o.args[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &dest))
		return fs_fail(o.args[1], -errno);
	ret = fs_session_open(&o, &s);
	if (!ret && (ret = apfs_fs_lookup(s.fs, o.args[0], &de)))
		ret = fs_fail(o.args[0], ret);
	if (!ret && !(r.rd = fs_reader_new()))
		ret = fs_fail(o.args[0], -ENOMEM);
	if (!ret) {
		r.fs = s.fs;
		r.cap = fs_size_cap(&o, s.fs);
		safe_name(de.ino == APFS_ROOT_DIR_INO_NUM ? "root" : de.name, name, sizeof(name));
		ex_tree(&r, dfd, name, name, 0, de.ino, 0);
		ret = r.err;
	}
	walk_guard_free(&r.g);
	fs_reader_free(r.rd);
	if (!made)
		keep_times(dfd, &dest);
	close(dfd);
	fs_session_close(&s);
	/* Errors writing stdout are main's to report (cli_out_close); the file's are ours. */
	if (o.manifest && (fflush(r.manifest) | ferror(r.manifest) | fclose(r.manifest)))
		ret = fs_fail(o.manifest, -EIO);
	return ret;
}

/* ---- bodyfile ----------------------------------------------------------- */

static const char body_help[] =
	"usage: apfsinspect bodyfile [--md5] [--max-file-size SIZE|none] [--volume SEL]\n"
	"                            [credential] [--snapshot NAME|XID] IMAGE\n"
	"  Every file and directory in TSK body format (as fls -m / prints):\n"
	"  MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime (seconds, UTC).\n"
	"  A directory cycle or a directory listed twice is reported and not followed.\n"
	"  --md5 skips (MD5 0, reported) files whose logical size is beyond SIZE (bytes,\n"
	"  or with K, M, G, T, P; none for no cap); the default cap is 4 times the\n"
	"  container's size, at least 64 GiB.  Progress goes to stderr when it is a\n"
	"  terminal.\n";

struct bf_run {
	struct apfs_fs *fs;
	struct fs_reader *rd;
	bool md5;
	uint64_t cap;
	struct walk_guard g;
	int err;
};

static void bf_line(struct bf_run *r, const char *path, const struct apfs_stat *st)
{
	char md5[2 * EVP_MAX_MD_SIZE + 1] = "0", m[11], target[4096];
	int ret;

	if (r->md5 && S_ISREG(st->mode) && fs_over_cap(path, st, r->cap)) {
		r->err = EXIT_ERROR;
	} else if (r->md5 && S_ISREG(st->mode)) {
		ret = hash_file(r->fs, r->rd, st->ino, EVP_md5(), -1, path, md5);
		if (ret) {
			r->err = fs_fail(path, ret);
			strcpy(md5, "0");
		}
	}
	fs_mode_str(st->mode, m);
	m[0] = fs_type_char(st->mode); /* TSK writes "r/rrw-r--r--" */
	/* Names as TSK writes them (C0 controls as '^'); the target too, which TSK leaves raw. */
	printf("%s|", md5);
	cli_put_tsk(stdout, path);
	if (S_ISLNK(st->mode) && !apfs_fs_readlink(r->fs, st->ino, target, sizeof(target))) {
		fputs(" -> ", stdout);
		cli_put_tsk(stdout, target);
	}
	printf("|%llu|%c/%s|%u|%u|%llu|%llu|%llu|%llu|%llu\n", (unsigned long long)st->ino,
	       fs_type_char(st->mode), m, st->uid, st->gid, (unsigned long long)st->size,
	       (unsigned long long)(st->atime / 1000000000u),
	       (unsigned long long)(st->mtime / 1000000000u),
	       (unsigned long long)(st->ctime / 1000000000u),
	       (unsigned long long)(st->crtime / 1000000000u));
}

static void bf_dir(struct bf_run *r, const char *dir, uint64_t parent, uint64_t ino, int depth);

/* Entries [from, from + n) of nm, their stats read together (fs_stats_new). */
static int bf_entries(struct bf_run *r, const char *dir, uint64_t ino, int depth,
		      const struct fs_names *nm, size_t from, struct fs_stats *sb)
{
	char *path;
	int ret = fs_stats_read(r->fs, nm, from, sb);

	/* A stdout that cannot be written stops the walk (main: cli_out_failed). */
	for (size_t i = 0; !ret && i < sb->n && !ferror(stdout); i++) {
		const struct fs_name *e = &nm->e[from + i];

		if (asprintf(&path, "%s/%s", dir, e->name) < 0)
			return -ENOMEM;
		if (sb->err[i]) {
			r->err = fs_fail(path, sb->err[i]);
		} else {
			bf_line(r, path, &sb->st[i]);
			if (S_ISDIR(sb->st[i].mode))
				bf_dir(r, path, ino, e->ino, depth + 1);
		}
		free(path);
	}
	return ret;
}

/*
 * A directory BF_WINDOW names at a time: memory bounded by the depth, not
 * by the largest directory.  A directory longer than one window is read
 * through once first, so that a damaged record fails it before anything
 * of it is printed, as when it was read whole.
 */
#define BF_WINDOW 1024

static void bf_dir(struct bf_run *r, const char *dir, uint64_t parent, uint64_t ino, int depth)
{
	struct fs_names nm = { 0 };
	struct fs_stats sb = { 0 };
	struct apfs_dir_pos *pos;
	size_t n = 0;
	int ret = walk_enter(&r->g, r->fs, *dir ? dir : "/", parent, ino, depth);

	if (ret) {
		r->err = ret < 0 ? cli_exit_code(ret) : r->err;
		return;
	}
	pos = calloc(1, sizeof(*pos));
	ret = pos ? fs_names_read_from(r->fs, ino, pos, BF_WINDOW, &nm) : -ENOMEM;
	if (!ret && nm.n == BF_WINDOW)
		ret = fs_names_check_from(r->fs, ino, pos);
	while (!ret && nm.n && !ferror(stdout)) {
		ret = bf_entries(r, dir, ino, depth, &nm, 0, &sb);
		n = nm.n;
		fs_names_free(&nm);
		if (!ret && n == BF_WINDOW)
			ret = fs_names_read_from(r->fs, ino, pos, BF_WINDOW, &nm);
	}
	if (ret)
		r->err = fs_fail(*dir ? dir : "/", ret);
	fs_stats_free(&sb);
	fs_names_free(&nm);
	free(pos);
}

int cmd_bodyfile(int argc, char **argv)
{
	struct fs_session s;
	struct cli_opts o;
	struct bf_run r = { 0 };
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_MAX_SIZE, 0, 0,
			    body_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = fs_session_open(&o, &s);
	if (!ret && !(r.rd = fs_reader_new()))
		ret = fs_fail("bodyfile", -ENOMEM);
	if (!ret) {
		r.fs = s.fs;
		r.md5 = o.md5;
		r.cap = fs_size_cap(&o, s.fs);
		bf_dir(&r, "", 0, APFS_ROOT_DIR_INO_NUM, 0);
		ret = r.err;
	}
	walk_guard_free(&r.g);
	fs_reader_free(r.rd);
	fs_session_close(&s);
	return ret;
}
