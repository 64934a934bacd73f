/* SPDX-License-Identifier: MIT */
/*
 * cmd_fs_extract.c - `apfsinspect extract` (copy a file or tree out, with
 * modes and times, printing a SHA-256 manifest) and `apfsinspect bodyfile`
 * (TSK mactime body format, with crtime and optional MD5).
 *
 * extract never writes outside DEST: every file is created relative to an
 * open directory descriptor with O_NOFOLLOW | O_EXCL, and names holding '/'
 * or equal to "." or ".." are rewritten before use.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_fs.h"

#define MAX_TREE_DEPTH 256
#define IOBUF (1u << 20)

struct hash_sink {
	EVP_MD_CTX *ctx;
	int fd;
};

static int hash_and_write(const uint8_t *p, size_t n, void *arg)
{
	struct hash_sink *h = arg;

	if (!EVP_DigestUpdate(h->ctx, p, n))
		return -EIO;
	while (h->fd >= 0 && n) {
		ssize_t w = write(h->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Hash a file's data with md (SHA-256, MD5) read by rd, optionally copying it to fd. */
static int hash_file(struct apfs_fs *fs, struct fs_reader *rd, uint64_t ino, const EVP_MD *md,
		     int fd, char *hex)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	struct hash_sink h = { EVP_MD_CTX_new(), fd };
	struct apfs_file *f = NULL;
	unsigned dl = 0;
	int ret = !h.ctx ? -ENOMEM : apfs_file_open(fs, ino, &f);

	if (!ret && !EVP_DigestInit_ex(h.ctx, md, NULL))
		ret = -EIO;
	if (!ret)
		ret = fs_reader_read(rd, f, hash_and_write, &h);
	if (!ret && !EVP_DigestFinal_ex(h.ctx, dig, &dl))
		ret = -EIO;
	for (unsigned i = 0; !ret && i < dl; i++)
		sprintf(hex + 2 * i, "%02x", dig[i]);
	apfs_file_close(f);
	EVP_MD_CTX_free(h.ctx);
	return ret;
}

/* ---- extract ------------------------------------------------------------ */

static const char extract_help[] =
	"usage: apfsinspect extract [--volume SEL] [credential] [--snapshot NAME|XID]\n"
	"                           [--manifest FILE] IMAGE PATH DEST\n"
	"  Copy PATH (recursively for a directory) into the directory DEST, keeping\n"
	"  permission bits and times, and write a SHA-256 manifest (sha256sum -c format,\n"
	"  relative to DEST) to stdout, or to FILE with --manifest FILE (a new file: an\n"
	"  existing one is never overwritten).  Nothing is ever written outside DEST.\n";

struct ex_run {
	struct apfs_fs *fs;
	struct fs_reader *rd;
	FILE *manifest;
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

static int ex_file(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   const struct apfs_stat *st)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int ret;

	if (fd < 0)
		return ex_fail(r, rel, -errno);
	ret = hash_file(r->fs, r->rd, st->ino, EVP_sha256(), fd, hex);
	fchmod(fd, st->mode & 0777);
	close(fd);
	if (ret)
		return ex_fail(r, rel, ret);
	set_times(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
	fprintf(r->manifest, "%s  %s\n", hex, rel);
	return 0;
}

static int ex_tree(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   uint64_t ino, int depth);

static int ex_dir(struct ex_run *r, int dirfd, const char *name, const char *rel, uint64_t ino,
		  const struct apfs_stat *st, int depth)
{
	struct fs_names nm = { 0 };
	char sub[APFS_NAME_MAX], *subrel;
	int fd, ret;

	if (mkdirat(dirfd, name, 0700) && errno != EEXIST)
		return ex_fail(r, rel, -errno);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ex_fail(r, rel, -errno);
	ret = fs_names_read(r->fs, ino, &nm);
	if (ret)
		ex_fail(r, rel, ret);
	for (size_t i = 0; !ret && i < nm.n && depth < MAX_TREE_DEPTH; i++) {
		safe_name(nm.e[i].name, sub, sizeof(sub));
		if (asprintf(&subrel, "%s/%s", rel, sub) < 0)
			break;
		ex_tree(r, fd, sub, subrel, nm.e[i].ino, depth + 1);
		free(subrel);
	}
	fs_names_free(&nm);
	fchmod(fd, st->mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID));
	close(fd);
	set_times(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int ex_tree(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   uint64_t ino, int depth)
{
	char target[4096];
	struct apfs_stat st;
	int ret = apfs_fs_stat(r->fs, ino, &st);

	if (ret)
		return ex_fail(r, rel, ret);
	if (S_ISDIR(st.mode))
		return ex_dir(r, dirfd, name, rel, ino, &st, depth);
	if (S_ISREG(st.mode))
		return ex_file(r, dirfd, name, rel, &st);
	if (S_ISLNK(st.mode)) {
		ret = apfs_fs_readlink(r->fs, ino, target, sizeof(target));
		if (!ret && symlinkat(target, dirfd, name))
			ret = -errno;
		if (ret)
			return ex_fail(r, rel, ret);
		set_times(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	fprintf(stderr, "apfsinspect: %s: special file not extracted\n", rel);
	return 0;
}

int cmd_extract(int argc, char **argv)
{
	struct ex_run r = { 0 };
	struct apfs_dirent de;
	struct fs_session s;
	struct cli_opts o;
	char name[APFS_NAME_MAX];
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT, 2, 2, extract_help,
			    &o);
	int dfd;

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	r.manifest = o.manifest ? fopen(o.manifest, "wx") : stdout;
	if (!r.manifest)
		return fs_fail(o.manifest, -errno);
	if (mkdir(o.args[1], 0755) && errno != EEXIST)
		return fs_fail(o.args[1], -errno);
	dfd = open(o.args[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fs_fail(o.args[1], -errno);
	ret = fs_session_open(&o, &s);
	if (!ret && (ret = apfs_fs_lookup(s.fs, o.args[0], &de)))
		ret = fs_fail(o.args[0], ret);
	if (!ret && !(r.rd = fs_reader_new()))
		ret = fs_fail(o.args[0], -ENOMEM);
	if (!ret) {
		r.fs = s.fs;
		safe_name(de.ino == APFS_ROOT_DIR_INO_NUM ? "root" : de.name, name, sizeof(name));
		ex_tree(&r, dfd, name, name, de.ino, 0);
		ret = r.err;
	}
	fs_reader_free(r.rd);
	close(dfd);
	fs_session_close(&s);
	if (fflush(r.manifest) || (o.manifest && fclose(r.manifest)))
		ret = fs_fail(o.manifest ? o.manifest : "manifest", -EIO);
	return ret;
}

/* ---- bodyfile ----------------------------------------------------------- */

static const char body_help[] =
	"usage: apfsinspect bodyfile [--md5] [--volume SEL] [credential] [--snapshot NAME|XID]\n"
	"                            IMAGE\n"
	"  Every file and directory in TSK body format (as fls -m / prints):\n"
	"  MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime (seconds, UTC).\n";

struct bf_run {
	struct apfs_fs *fs;
	struct fs_reader *rd;
	bool md5;
	int err;
};

static void bf_line(struct bf_run *r, const char *path, const struct apfs_stat *st)
{
	char md5[2 * EVP_MAX_MD_SIZE + 1] = "0", m[11], target[4096];
	int ret;

	if (r->md5 && S_ISREG(st->mode)) {
		ret = hash_file(r->fs, r->rd, st->ino, EVP_md5(), -1, md5);
		if (ret) {
			r->err = fs_fail(path, ret);
			strcpy(md5, "0");
		}
	}
	fs_mode_str(st->mode, m);
	m[0] = fs_type_char(st->mode); /* TSK writes "r/rrw-r--r--" */
	printf("%s|%s", md5, path);
	if (S_ISLNK(st->mode) && !apfs_fs_readlink(r->fs, st->ino, target, sizeof(target)))
		printf(" -> %s", target);
	printf("|%llu|%c/%s|%u|%u|%llu|%llu|%llu|%llu|%llu\n", (unsigned long long)st->ino,
	       fs_type_char(st->mode), m, st->uid, st->gid, (unsigned long long)st->size,
	       (unsigned long long)(st->atime / 1000000000u),
	       (unsigned long long)(st->mtime / 1000000000u),
	       (unsigned long long)(st->ctime / 1000000000u),
	       (unsigned long long)(st->crtime / 1000000000u));
}

static void bf_dir(struct bf_run *r, const char *dir, uint64_t ino, int depth)
{
	struct fs_names nm = { 0 };
	struct apfs_stat st;
	char *path;
	int ret = fs_names_read(r->fs, ino, &nm);

	if (ret)
		r->err = fs_fail(*dir ? dir : "/", ret);
	for (size_t i = 0; !ret && i < nm.n; i++) {
		if (asprintf(&path, "%s/%s", dir, nm.e[i].name) < 0)
			break;
		ret = apfs_fs_stat(r->fs, nm.e[i].ino, &st);
		if (ret) {
			r->err = fs_fail(path, ret);
			ret = 0;
		} else {
			bf_line(r, path, &st);
			if (S_ISDIR(st.mode) && depth < MAX_TREE_DEPTH)
				bf_dir(r, path, nm.e[i].ino, depth + 1);
		}
		free(path);
	}
	fs_names_free(&nm);
}

int cmd_bodyfile(int argc, char **argv)
{
	struct fs_session s;
	struct cli_opts o;
	struct bf_run r = { 0 };
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT, 0, 0, body_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = fs_session_open(&o, &s);
	if (!ret && !(r.rd = fs_reader_new()))
		ret = fs_fail("bodyfile", -ENOMEM);
	if (!ret) {
		r.fs = s.fs;
		r.md5 = o.md5;
		bf_dir(&r, "", APFS_ROOT_DIR_INO_NUM, 0);
		ret = r.err;
	}
	fs_reader_free(r.rd);
	fs_session_close(&s);
	return ret;
}
