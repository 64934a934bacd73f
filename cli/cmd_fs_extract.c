/* SPDX-License-Identifier: MIT */
/*
 * cmd_fs_extract.c - `apfsinspect extract` (copy a file or tree out, with
 * modes, times, owners, xattrs and hard links, printing a SHA-256 manifest;
 * or write it as a pax archive).  The pieces of extract are in
 * extract.h: xattrs (extract_xattr.c), hard links (extract_links.c), the
 * directory target (extract_disk.c), AppleDouble files
 * (extract_appledouble.c), the archive (extract_tar.c), and the facts file
 * and summary line (extract_facts.c).
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
 * cap (sizecap.c) is reported and skipped unless --max-file-size says
 * otherwise.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "dirwin.h"
#include "extract.h"
#include "util/fdio.h"
#include "util/pathjoin.h"

struct hash_sink {
	EVP_MD_CTX *ctx;
	apfsi_file *f;
	int fd;
	uint64_t pos;         /* file offset of the next byte handed in */
	int write_err;        /* the target refused a write: the image is not at fault */
	struct progress prog;
};

/* Write the data runs of [pos, pos + n); holes are skipped, never written as zeros. */
static int write_sparse(struct hash_sink *h, const uint8_t *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		uint64_t run;
		int hole, ret;

		apfsi_file_span(h->f, h->pos + done, &hole, &run);
		if (run == 0 || run > n - done)
			run = n - done;
		if (!hole && (ret = apfs_pwrite_full(h->fd, p + done, (size_t)run, h->pos + done)))
			return cli_errno(-ret);
		done += (size_t)run;
	}
	return 0;
}

static int hash_and_write(const uint8_t *p, size_t n, void *arg)
{
	struct hash_sink *h = arg;

	if (!EVP_DigestUpdate(h->ctx, p, n))
		return h->write_err = -EIO;
	if ((h->write_err = write_sparse(h, p, n)))
		return h->write_err;
	h->pos += n;
	progress_add(&h->prog, n);
	return 0;
}

/*
 * Copy f's data to fd (sparse: holes left as holes, the size set by
 * ftruncate), its SHA-256 into hex.  A read that fails keeps what it gave
 * before (every byte is evidence): fd holds those, part their count and
 * SHA-256 (part->lost); the error is still returned.  A write the target
 * refused is not that: fd is left as it is.
 */
static int copy_file(apfsi_file *f, int fd, const char *path, char *hex, struct ex_part *part)
{
	struct hash_sink h = { EVP_MD_CTX_new(), f, fd, 0, 0, { 0 } };
	int ret = h.ctx && EVP_DigestInit_ex(h.ctx, EVP_sha256(), NULL) ? 0 : -ENOMEM;

	if (!ret) {
		progress_start(&h.prog, path, apfsi_file_size(f));
		ret = fs_read_all(f, hash_and_write, &h);
		progress_end(&h.prog);
		part->lost = ret && !h.write_err;
	}
	part->bytes = h.pos;
	if ((!ret || part->lost) && ftruncate(fd, (off_t)(ret ? h.pos : apfsi_file_size(f)))) {
		ret = cli_errno(errno);
		part->lost = false;
	}
	if ((!ret || part->lost) && digest_hex(h.ctx, part->lost ? part->hex : hex)) {
		ret = -EIO;
		part->lost = false;
	}
	EVP_MD_CTX_free(h.ctx);
	return ret;
}

/* ---- extract ------------------------------------------------------------ */

static const char extract_help[] =
	"usage: apfsinspect extract [--volume SEL] [credential] [--snapshot NAME|XID]\n"
	"                           [--manifest FILE] [--facts FILE] [--appledouble]\n"
	"                           [--hash md5,sha1,sha256] [--max-file-size SIZE|none]\n"
	"                           IMAGE PATH DEST\n"
	"       apfsinspect extract [options] --tar FILE|- IMAGE PATH\n"
	"  Copy PATH (recursively for a directory) into the directory DEST and write a\n"
	"  SHA-256 manifest (sha256sum -c format, relative to DEST) to stdout, or to FILE\n"
	"  with --manifest FILE (a new file: an existing one is never overwritten).\n"
	"  Kept: bytes (holes stay holes), permission bits (setuid, setgid and sticky\n"
	"  left out), access and modification times to the nanosecond, hard links (as\n"
	"  hard links), symlinks, the owner when run as root, and every extended\n"
	"  attribute as user.NAME (the resource fork as user.com.apple.ResourceFork);\n"
	"  --appledouble also writes a ._NAME AppleDouble file beside each file or\n"
	"  directory that has xattrs, as macOS does on other file systems.\n"
	"  --facts FILE (default: the manifest FILE with .facts appended, when --manifest\n"
	"  is given) is a JSON document with, for each path, what the target cannot hold:\n"
	"  creation time, date added, BSD flags, owner, mode, and every xattr's size and\n"
	"  SHA-256.  A summary on stderr counts what the target could not hold.\n"
	"  --tar FILE (- for stdout) writes a pax archive instead of a tree, with the\n"
	"  full mode, owners, ns times, creation time, xattrs as SCHILY.xattr.user.NAME,\n"
	"  hard links, symlinks and sparse files; the manifest and facts name the\n"
	"  archive's paths (with --tar -, the manifest only with --manifest FILE).\n"
	"  Nothing is ever written outside DEST, and nothing that already exists there\n"
	"  is changed (an existing directory keeps its mode, owner and times).  A\n"
	"  directory cycle or a directory listed twice is reported and not followed.\n"
	"  --max-file-size: files and xattrs whose logical size is beyond SIZE (bytes,\n"
	"  or with K, M, G, T, P; none for no cap) are reported and skipped; the default\n"
	"  cap is 4 times the container's size, at least 64 GiB.  Progress goes to\n"
	"  stderr when it is a terminal.\n"
	"  --hash md5,sha1,sha256: the manifest in GNU's tagged form instead, a line per\n"
	"  file and algorithm (\"SHA1 (NAME) = HEX\", names escaped as sha256sum does),\n"
	"  which `cksum -c` checks; each file is read once more for these digests.\n";

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

static void set_times(int dirfd, const char *name, const struct apfsi_stat *st, int flags)
{
	struct timespec ts[2] = {
		{ (time_t)((uint64_t)st->atime / 1000000000u), (long)((uint64_t)st->atime % 1000000000u) },
		{ (time_t)((uint64_t)st->mtime / 1000000000u), (long)((uint64_t)st->mtime % 1000000000u) },
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

	if (!f)
		return;
	if (strpbrk(rel, "\\\n\r"))
		fputc('\\', f);
	fprintf(f, "%s  ", hex);
	cli_put_escaped(f, rel, &sha);
	fputc('\n', f);
}

/*
 * --hash: GNU's tagged lines (coreutils 9.1 `sha256sum --tag`, `cksum -a md5
 * --tag`): "ALGO (NAME) = HEX", the name escaped as in manifest_line, the
 * digests read from the image (what was just written from it).
 */
static int manifest_tagged(struct ex_run *r, const char *rel, uint64_t ino)
{
	static const struct cli_escape sha = { .letters = "nr" };
	struct digest_out d;
	int ret = digest_file(r->fs, ino, &r->hash, rel, NULL, &d);

	for (unsigned i = 0; !ret && i < r->hash.n; i++) {
		if (strpbrk(rel, "\\\n\r"))
			fputc('\\', r->manifest);
		for (const char *a = r->hash.name[i]; *a; a++)
			fputc(*a >= 'a' && *a <= 'z' ? *a - 'a' + 'A' : *a, r->manifest);
		fputs(" (", r->manifest);
		cli_put_escaped(r->manifest, rel, &sha);
		fprintf(r->manifest, ") = %s\n", d.hex[i]);
	}
	return ret;
}

/* The manifest's line(s) for one name: sha256sum's, or the tagged ones of --hash. */
static int manifest_entry(struct ex_run *r, const char *hex, const char *rel, uint64_t ino)
{
	if (!r->manifest)
		return 0;
	if (!r->hash.n) {
		manifest_line(r->manifest, hex, rel);
		return 0;
	}
	return manifest_tagged(r, rel, ino);
}

/*
 * The xattrs of an inode; one that cannot be read is reported by its name
 * (a compressed file's fork failing read as the file's data did, twice),
 * the rest kept.
 */
static void ex_read_xattrs(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
			   struct ex_xattrs *xs)
{
	int ret = ex_xattrs_read(r->fs, st, r->cap, xs);
	char *what = NULL;

	if (!ret)
		return;
	if (xs->failed && asprintf(&what, "%s: extended attribute %s", rel, xs->failed) < 0)
		what = NULL;
	ex_fail(r, what ? what : rel, ret);
	free(what);
}

/* The `._name` file of --appledouble (not for symlinks: macOS writes none). */
static void ex_disk_rest_ad(struct ex_run *r, int dirfd, const char *name, const char *rel,
			    const struct apfsi_stat *st, const struct ex_xattrs *xs)
{
	int ret;

	if (!r->appledouble || S_ISLNK(st->mode))
		return;
	ret = ex_appledouble_write(dirfd, name, st, xs);
	if (ret) {
		r->tally.appledouble++;
		fprintf(stderr, "apfsinspect: %s: AppleDouble file: %s\n", cli_safe_str(rel),
			strerror(-ret));
	}
}

/* What a Linux directory tree cannot hold of a file, a directory or a symlink. */
static void ex_disk_rest(struct ex_run *r, int dirfd, const char *name, const char *rel,
			 const struct apfsi_stat *st, const struct ex_xattrs *xs)
{
	ex_disk_count_times(r, st);
	r->tally.modes += (st->mode & 07000) != 0;
	ex_disk_rest_ad(r, dirfd, name, rel, st, xs);
}

/*
 * A file to the tree; one kept incomplete (part->lost) gets its mode, times
 * and xattrs too.  One that cannot be opened (its compression unknown, its
 * header damaged) gets no file, as it gets no archive member.
 */
static int ex_disk_file(struct ex_run *r, int dirfd, const char *name, const char *rel,
			const struct apfsi_stat *st, struct ex_xattrs *xs, char *hex,
			struct ex_part *part)
{
	apfsi_file *f;
	int fd, ret = cli_api_errno(apfsi_file_open(r->fs, st->ino, &f));

	if (ret)
		return ret;
	part->unstored = apfsi_file_unstored(f);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	ret = fd < 0 ? cli_errno(errno) : copy_file(f, fd, rel, hex, part);
	if (!ret)
		fs_unstored_note(rel, st, part->unstored);
	apfsi_file_close(f);
	if (fd < 0)
		return ret;
	if (!ret || part->lost) {
		ex_disk_xattrs(r, fd, xs);
		ex_disk_owner(r, dirfd, name, st);
		fchmod(fd, st->mode & 0777);
	}
	close(fd);
	if (ret && !part->lost)
		return ret;
	set_times(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
	ex_disk_rest(r, dirfd, name, rel, st, xs);
	return ret;
}

static int ex_copy(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   const struct apfsi_stat *st);

/*
 * A target without hard links (exFAT, FAT, some network shares): the later
 * name becomes a copy of its own (in the manifest and the facts as a
 * file), counted in the summary.  Any other refusal is an error.
 */
static int ex_link_copy(struct ex_run *r, int dirfd, const char *name, const char *rel,
			const struct apfsi_stat *st, int err)
{
	if (err != -EPERM && err != -EXDEV && err != -EMLINK && err != -EOPNOTSUPP)
		return ex_fail(r, rel, err);
	r->tally.links++;
	return ex_copy(r, dirfd, name, rel, st);
}

/* A later name of a hard-linked inode: a link to the first name extracted. */
static int ex_hard_link(struct ex_run *r, int dirfd, const char *name, const char *rel,
			const struct apfsi_stat *st, const struct ex_link *first)
{
	struct ex_xattrs xs = { 0 };
	int ret = 0;

	if (r->tar)
		ret = ex_tar_link(r, rel, st, first->path, NULL);
	else if (linkat(r->destfd, first->path, dirfd, name, 0))
		return ex_link_copy(r, dirfd, name, rel, st, cli_errno(errno));
	if (ret) {
		r->err = ret;
		return 0;
	}
	/* Every name gets its facts and its `._` file: macOS reads xattrs by name. */
	ex_read_xattrs(r, rel, st, &xs);
	if (!r->tar) {
		ex_disk_probe_xattrs(dirfd, name, &xs);
		ex_disk_rest_ad(r, dirfd, name, rel, st, &xs);
	}
	if ((ret = manifest_entry(r, first->hex, rel, st->ino)))
		ex_fail(r, rel, ret);
	ex_facts_file(&r->facts, rel, st, first->hex, first->path, &xs,
		      &(struct ex_part){ .unstored = first->unstored });
	ex_xattrs_free(&xs);
	return 0;
}

static int ex_file(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   const struct apfsi_stat *st)
{
	const struct ex_link *first = st->nlink > 1 ? ex_link_find(&r->links, st->ino) : NULL;

	if (first)
		return ex_hard_link(r, dirfd, name, rel, st, first);
	return ex_copy(r, dirfd, name, rel, st);
}

/* A regular file's bytes, xattrs and the rest, to the tree or the archive. */
static int ex_copy(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   const struct apfsi_stat *st)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
	struct ex_xattrs xs = { 0 };
	struct ex_part part = { 0 };
	int ret;

	if (fs_over_cap(rel, st, r->cap)) {
		r->err = EXIT_ERROR;
		return 0;
	}
	ex_read_xattrs(r, rel, st, &xs);
	if (r->tar && (ret = ex_tar_file(r, rel, st, &xs, hex, &part)))
		r->err = ret;
	else if (!r->tar && (ret = ex_disk_file(r, dirfd, name, rel, st, &xs, hex, &part)))
		ex_fail(r, rel, ret);
	if (part.lost)
		ex_facts_part(r, rel, st, &xs, &part);
	else if (!ret && (ret = manifest_entry(r, hex, rel, st->ino)))
		ex_fail(r, rel, ret);
	else if (!ret) {
		progress_running_add(&r->prog, 1, st->size);
		ex_facts_file(&r->facts, rel, st, hex, NULL, &xs, &part);
		if (st->nlink > 1 && !ex_link_find(&r->links, st->ino) &&
		    ex_link_add(&r->links, st->ino, rel, hex, part.unstored))
			ex_fail(r, rel, -ENOMEM);
	}
	ex_xattrs_free(&xs);
	return 0;
}

static int ex_entry(struct ex_run *r, int dirfd, const char *name, const char *rel,
		    const char *own, uint64_t parent, const struct apfsi_stat *st, int depth);

static bool ex_stopped(struct ex_run *r)
{
	return (r->manifest && ferror(r->manifest)) || ex_tar_dead(r);
}

/* One entry: its inode read (the leaf is in hand: entries come in inode order). */
static void ex_one(struct ex_run *r, int fd, const char *rel, uint64_t dir, int depth,
		   const char *name, uint64_t ino, int64_t added)
{
	char sub[FS_NAME_MAX], *subrel;
	struct apfsi_stat st;
	int ret = cli_api_errno(apfsi_fs_stat(r->fs, ino, &st));

	safe_name(name, sub, sizeof(sub));
	if (!(subrel = apfs_path_join(rel, sub)))
		return;
	if (ret) {
		ex_fail(r, subrel, ret);
	} else {
		st.added = added;
		ex_entry(r, fd, sub, subrel, name, dir, &st, depth + 1);
	}
	free(subrel);
}

/* One window's entries, in inode order: each fs-tree leaf of their inodes read once. */
static void ex_window(struct ex_run *r, int fd, const char *rel, uint64_t ino, int depth,
		      const struct dirwin *w)
{
	for (size_t i = 0; i < w->n && !ex_stopped(r); i++)
		ex_one(r, fd, rel, ino, depth, dirwin_name(w, i), w->e[i].ino,
		       (int64_t)dirwin_added(w, i));
}

/* Where extract's walk stands: one directory (dirwin_each's context). */
struct ex_at {
	struct ex_run *r;
	int fd;
	const char *rel;
	uint64_t ino;
	int depth;
};

static int ex_window_of(void *ctx, const struct dirwin *w)
{
	struct ex_at *a = ctx;

	ex_window(a->r, a->fd, a->rel, a->ino, a->depth, w);
	return 0;
}

static bool ex_walk_stopped(void *ctx)
{
	return ex_stopped(((struct ex_at *)ctx)->r);
}

/* The tar or manifest failed: the rest of the directory is not read (not 1: read windows). */
#define EX_BY_INO_STOP 2

static int ex_by_ino_entry(void *ctx, const struct apfsi_dirent *e)
{
	struct ex_at *a = ctx;

	if (ex_stopped(a->r))
		return EX_BY_INO_STOP;
	ex_one(a->r, a->fd, a->rel, a->ino, a->depth, e->name, e->ino, e->date_added);
	return 0;
}

/* A directory larger than a window: whole in inode order with its dates added, if it can be. */
static int ex_whole(void *ctx)
{
	struct ex_at *a = ctx;
	int ret = dirwin_by_ino(a->r->fs, a->ino, APFSI_DIR_ADDED, NULL, ex_by_ino_entry, a);

	return ret == EX_BY_INO_STOP ? 0 : ret;
}

/*
 * A directory's entries a window at a time (dirwin_each), as bodyfile
 * reads them, with their dates added (for the facts file): memory bounded
 * however large the directory, and each leaf of its inodes read once a
 * window; or, larger than one window, whole in inode order (ex_whole:
 * each leaf once, 16 bytes an entry of that directory for its dates).
 */
static void ex_children(struct ex_run *r, int fd, const char *rel, uint64_t ino, int depth)
{
	struct ex_at a = { r, fd, rel, ino, depth };
	const struct dirwin_walk wk = { .held = &r->held, .keep_added = true, .whole = ex_whole,
					.window = ex_window_of,
					.stopped = ex_walk_stopped };
	int ret = dirwin_each(r->fs, ino, &wk, &a);

	if (ret)
		ex_fail(r, rel, ret);
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

/* A directory in the archive: its entry, then what it holds. */
static void ex_tar_tree(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
			struct ex_xattrs *xs, int depth)
{
	int ret = ex_tar_dir(r, rel, st, xs);

	if (ret)
		r->err = ret;
	ex_facts_add(&r->facts, rel, st, NULL, NULL, NULL, xs);
	ex_children(r, -1, rel, st->ino, depth);
}

/* A directory made here gets the image's xattrs, owner and mode once it is filled. */
static void ex_dir_meta(struct ex_run *r, int fd, const struct apfsi_stat *st,
			struct ex_xattrs *xs)
{
	ex_disk_xattrs(r, fd, xs);
	ex_disk_owner(r, fd, "", st);
	fchmod(fd, st->mode & 0777);
}

/*
 * A directory: made (or, if it exists, entered as it is), filled, and only
 * when made here given the image's mode, owner, xattrs and times.  name is
 * made safe for the target; own is the entry's name in the image.
 */
static int ex_dir(struct ex_run *r, int dirfd, const char *name, const char *rel,
		  const char *own, uint64_t parent, const struct apfsi_stat *st, int depth)
{
	struct ex_xattrs xs = { 0 };
	struct stat before;
	bool made;
	int fd, ret = walk_enter(&r->g, r->fs, rel, own, parent, st->ino, depth);

	if (ret) {
		r->err = ret < 0 ? cli_exit_code(ret) : r->err;
		return 0;
	}
	ex_read_xattrs(r, rel, st, &xs);
	if (r->tar) {
		ex_tar_tree(r, rel, st, &xs, depth);
		ex_xattrs_free(&xs);
		return 0;
	}
	made = !mkdirat(dirfd, name, 0700);
	fd = made || errno == EEXIST ? openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						      O_CLOEXEC) : -1;
	/* ELOOP here is a symlink in DEST where a directory goes: never followed. */
	if (fd < 0 || (!made && fstat(fd, &before))) {
		ret = errno == ELOOP ? -ENOTDIR : cli_errno(errno);
		if (fd >= 0)
			close(fd);
		ex_xattrs_free(&xs);
		return ex_fail(r, rel, ret);
	}
	ex_facts_add(&r->facts, rel, st, NULL, NULL, NULL, &xs);
	ex_children(r, fd, rel, st->ino, depth);
	if (made)
		ex_dir_meta(r, fd, st, &xs);
	else
		keep_times(fd, &before);
	close(fd);
	if (made) {
		set_times(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
		ex_disk_rest(r, dirfd, name, rel, st, &xs);
	}
	ex_xattrs_free(&xs);
	return 0;
}

static int ex_symlink(struct ex_run *r, int dirfd, const char *name, const char *rel,
		      const struct apfsi_stat *st)
{
	struct ex_xattrs xs = { 0 };
	char target[4096];
	int ret = cli_api_errno(apfsi_fs_readlink(r->fs, st->ino, target, sizeof(target)));

	if (ret)
		return ex_fail(r, rel, ret);
	ex_read_xattrs(r, rel, st, &xs);
	if (r->tar) {
		if ((ret = ex_tar_symlink(r, rel, st, target, &xs)))
			r->err = ret;
	} else if (symlinkat(target, dirfd, name)) {
		ex_fail(r, rel, cli_errno(errno));
		ret = 1;
	} else {
		ex_disk_xattrs(r, -1, &xs);
		ex_disk_owner(r, dirfd, name, st);
		set_times(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
		ex_disk_rest(r, dirfd, name, rel, st, &xs);
	}
	if (!ret)
		ex_facts_add(&r->facts, rel, st, NULL, NULL, target, &xs);
	ex_xattrs_free(&xs);
	return 0;
}

static int ex_entry(struct ex_run *r, int dirfd, const char *name, const char *rel,
		    const char *own, uint64_t parent, const struct apfsi_stat *st, int depth)
{
	if (S_ISDIR(st->mode))
		return ex_dir(r, dirfd, name, rel, own, parent, st, depth);
	if (S_ISREG(st->mode))
		return ex_file(r, dirfd, name, rel, st);
	if (S_ISLNK(st->mode))
		return ex_symlink(r, dirfd, name, rel, st);
	r->tally.specials++;
	fprintf(stderr, "apfsinspect: %s: special file not extracted\n", cli_safe_str(rel));
	return 0;
}

/* The top of the tree: its stat read by itself (the rest come in windows). */
static int ex_tree(struct ex_run *r, int dirfd, const char *name, const char *rel,
		   uint64_t parent, const struct fs_name *e, int depth)
{
	struct apfsi_stat st;
	int ret = cli_api_errno(apfsi_fs_stat(r->fs, e->ino, &st));

	if (ret)
		return ex_fail(r, rel, ret);
	if (S_ISDIR(st.mode) && walk_top(rel, e->type, e->ino)) {
		r->err = EXIT_ERROR;
		return 0;
	}
	st.added = e->date_added;
	return ex_entry(r, dirfd, name, rel, e->name, parent, &st, depth);
}

/* The options that only make sense together (usage errors otherwise). */
static int ex_check_opts(const struct cli_opts *o)
{
	const char *why = NULL;

	if (o->tar && o->nargs != 1)
		why = "with --tar give IMAGE PATH (no DEST)";
	else if (!o->tar && o->nargs != 2)
		why = "give IMAGE PATH DEST";
	else if (o->tar && o->appledouble)
		why = "--appledouble is for a directory target, not --tar";
	if (!why)
		return 0;
	fprintf(stderr, "apfsinspect: extract: %s\n%s", why, extract_help);
	return EXIT_USAGE;
}

/* The facts file: --facts FILE, else MANIFEST.facts beside --manifest; *facts NULL: none. */
static int ex_facts_path(const struct cli_opts *o, char **facts)
{
	*facts = NULL;
	if (o->facts && !(*facts = strdup(o->facts)))
		return fs_fail("extract", -ENOMEM);
	if (!o->facts && o->manifest && asprintf(facts, "%s.facts", o->manifest) < 0) {
		*facts = NULL;
		return fs_fail("extract", -ENOMEM);
	}
	return 0;
}

/* Where a new file will be: its directory's device and inode, and its name there. */
struct ex_place {
	dev_t dev;
	ino_t ino;
	const char *base;
};

/*
 * A new file's place: it must not exist, and its directory must exist and
 * take a new entry (search and write).  0, or an exit code (named).
 */
static int ex_new_place(const char *path, struct ex_place *pl)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	struct stat sb = { 0 };
	int err = 0;

	if (!dir)
		return fs_fail(path, -ENOMEM);
	pl->base = slash ? path + (slash - dir) + 1 : path;
	if (slash)
		slash[slash == dir] = '\0';  /* "/name": the directory is "/" */
	if (!lstat(path, &sb))
		err = EEXIST;
	else if (errno != ENOENT)
		err = errno;
	else if (stat(slash ? dir : ".", &sb))
		err = errno;
	else if (!S_ISDIR(sb.st_mode))
		err = ENOTDIR;
	else if (access(slash ? dir : ".", W_OK | X_OK))
		err = errno;
	pl->dev = sb.st_dev;
	pl->ino = sb.st_ino;
	free(dir);
	return err ? fs_fail(path, cli_errno(err)) : 0;
}

static bool ex_same_place(const struct ex_place *a, const struct ex_place *b)
{
	return a->dev == b->dev && a->ino == b->ino && !strcmp(a->base, b->base);
}

/*
 * Before the session opens (a password asked, a key derived), what the run
 * will write is checked, so that a mistake is told at once: each new file
 * (manifest, facts file, archive; a DEST not there yet) must not exist, its
 * directory must take it, and no two may be one; an existing DEST must be a
 * directory; --tar needs libarchive.  Nothing is created until PATH is
 * found (ex_open_outputs): a wrong password, a PATH not found or a run
 * stopped at the prompt leaves nothing behind, and the same command given
 * again is not refused by the first one's manifest.
 */
static int ex_outputs_free(const struct cli_opts *o, const char *facts)
{
	const char *f[4] = { o->manifest, facts, o->tar && strcmp(o->tar, "-") ? o->tar : NULL,
			     NULL };
	struct ex_place pl[4];
	struct stat sb;
	int ret;

	if (!o->tar && lstat(o->args[1], &sb))
		f[3] = o->args[1];  /* DEST, made by the run */
	else if (!o->tar && stat(o->args[1], &sb))  /* a symbolic link to nothing */
		return fs_fail(o->args[1], cli_errno(errno));
	else if (!o->tar && !S_ISDIR(sb.st_mode))
		return fs_fail(o->args[1], cli_errno(ENOTDIR));
	for (int i = 0; i < 4; i++) {
		if (!f[i])
			continue;
		if ((ret = ex_new_place(f[i], &pl[i])))
			return ret;
		for (int k = 0; k < i; k++)
			if (f[k] && ex_same_place(&pl[k], &pl[i]))
				return fs_fail(f[i], cli_errno(EEXIST));
	}
	return o->tar && ex_tar_usable() ? EXIT_ERROR : 0;
}

/*
 * Everything before the outputs are made: the facts file's name, the
 * outputs checked (ex_outputs_free), the session opened, PATH found.
 */
static int ex_begin(const struct cli_opts *o, struct fs_session *s, char **facts,
		    struct apfsi_dirent *de, char name[FS_NAME_MAX])
{
	int ret;

	if ((ret = ex_facts_path(o, facts)) || (ret = ex_outputs_free(o, *facts)))
		return ret;
	if ((ret = fs_session_open(o, s)))
		return ret;
	ret = fs_lookup(o, s->view, o->args[0], de, name);
	return ret ? fs_fail(o->args[0], ret) : 0;
}

/* The manifest and facts files (new files only) and the archive: an exit code. */
static int ex_open_outputs(const struct cli_opts *o, struct ex_run *r, const char *facts)
{
	bool to_stdout = o->tar && !strcmp(o->tar, "-");

	r->manifest = o->manifest ? fopen(o->manifest, "wx") : to_stdout ? NULL : stdout;
	if (o->manifest && !r->manifest)
		return fs_fail(o->manifest, cli_errno(errno));
	if (facts && ex_facts_open(&r->facts, facts))
		return EXIT_ERROR;
	return o->tar ? ex_tar_open(r, o->tar) : 0;
}

/*
 * The files ex_open_outputs created (O_EXCL: this run's own, no other's)
 * where one of them or DEST then failed, before anything was written to
 * them: removed, so that the command given again is not refused by them.
 */
static void ex_unmake(const struct cli_opts *o, const char *facts, bool manifest, bool fa,
		      bool tar)
{
	if (manifest)
		unlink(o->manifest);
	if (fa)
		unlink(facts);
	if (tar)
		unlink(o->tar);
}

/* DEST made or entered; its times are put back at the end when it existed. */
static int ex_open_dest(const char *dest, struct ex_run *r, struct stat *before, bool *made)
{
	*made = !mkdir(dest, 0755);
	if (!*made && errno != EEXIST)
		return fs_fail(dest, cli_errno(errno));
	r->destfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->destfd < 0 || fstat(r->destfd, before))
		return fs_fail(dest, cli_errno(errno));
	return 0;
}

static int ex_run_tree(const struct cli_opts *o, struct ex_run *r, struct fs_session *s,
		       const struct apfsi_dirent *de)
{
	struct fs_name top;
	char top_name[FS_NAME_MAX];

	r->fs = s->view;
	r->cap = fs_size_cap(o, s->view);
	r->root = geteuid() == 0;
	r->appledouble = o->appledouble;
	safe_name(de->ino == APFSI_ROOT_INO ? "root" : de->name, top_name, sizeof(top_name));
	top = (struct fs_name){ de->ino, (uint64_t)de->date_added, de->type, top_name };
	progress_start_running(&r->prog, "extract", "files");
	ex_tree(r, r->destfd, top_name, top_name, 0, &top, 0);
	progress_end(&r->prog);
	return r->err;
}

static int ex_close_outputs(const struct cli_opts *o, struct ex_run *r, const char *facts,
			    int ret)
{
	int c = ex_tar_close(r);

	ret = ret ? ret : c;
	c = ex_facts_close(&r->facts, facts);
	ret = ret ? ret : c;
	/* Errors writing stdout are main's to report (cli_out_close); the file's are ours. */
	if (o->manifest && r->manifest &&
	    (fflush(r->manifest) | ferror(r->manifest) | fclose(r->manifest)))
		ret = fs_fail(o->manifest, -EIO);
	return ret;
}

/*
 * A manifest that could not be written ends the command with that message
 * alone, as coreutils do (no summary after it).  For stdout the message is
 * given here, naming the errno of the failed flush, which a later flush in
 * main (cli_out_close) could no longer tell.
 */
static bool ex_manifest_failed(struct ex_run *r, int *ret)
{
	int err = 0;

	if (!r->manifest)
		return false;
	errno = 0;
	if (fflush(r->manifest))
		err = errno ? errno : EIO;
	if (!err && !ferror(r->manifest))
		return false;
	if (r->manifest == stdout) {
		fprintf(stderr, "apfsinspect: write error: %s\n", strerror(err ? err : EIO));
		clearerr(stdout);
		*ret = EXIT_ERROR;
	}
	return true;
}

int cmd_extract(int argc, char **argv)
{
	struct ex_run r = { .destfd = -1 };
	struct fs_session s = { 0 };
	struct apfsi_dirent de;
	struct cli_opts o;
	struct stat dest;
	char *facts = NULL, name[FS_NAME_MAX];
	bool made = false, undo[3] = { false };
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_MAX_SIZE |
			    OPT_HASH, 1, 2, extract_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if ((ret = ex_check_opts(&o)) || (ret = digest_parse(o.hash, &r.hash)))
		return ret;
	r.g.private_dir = o.private_dir;
	ret = ex_begin(&o, &s, &facts, &de, name);
	if (!ret && (ret = ex_open_outputs(&o, &r, facts)) == 0 && !o.tar)
		ret = ex_open_dest(o.args[1], &r, &dest, &made);
	/* what the outputs' opening made, should it fail: taken back below */
	undo[0] = ret && o.manifest && r.manifest;
	undo[1] = ret && r.facts.f;
	undo[2] = ret && r.tar && strcmp(o.tar, "-");
	if (!ret)
		ret = ex_run_tree(&o, &r, &s, &de);
	if (!ex_manifest_failed(&r, &ret))
		ex_tally_print(&r.tally, o.tar != NULL, facts != NULL);
	walk_guard_free(&r.g);
	ex_links_free(&r.links);
	if (r.destfd >= 0 && !made)
		keep_times(r.destfd, &dest);
	if (r.destfd >= 0)
		close(r.destfd);
	fs_session_close(&s);
	ret = ex_close_outputs(&o, &r, facts, ret);
	ex_unmake(&o, facts, undo[0], undo[1], undo[2]);
	free(facts);
	return ret;
}
