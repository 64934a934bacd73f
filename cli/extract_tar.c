/* SPDX-License-Identifier: MIT */
/*
 * extract_tar.c - `extract --tar FILE`: the tree as a pax archive, written
 * through libarchive, for an examiner to carry and restore elsewhere.
 *
 * Each entry holds the path (UTF-8, or its bytes under hdrcharset=BINARY when
 * it is not UTF-8), the full mode, uid and gid, the
 * four times to the nanosecond (creation time as LIBARCHIVE.creationtime,
 * which libarchive writes only when it is earlier than the mtime),
 * every xattr as SCHILY.xattr.user.NAME (the `user.` namespace, as the
 * directory target names them, so that GNU tar and bsdtar restore them on
 * Linux; the writer option pax:xattrheader=SCHILY, else libarchive 3.6
 * writes each one twice and GNU tar warns on the LIBARCHIVE.xattr copy),
 * a hard link as a link to the first name, a symlink's target, and a file
 * with holes as a GNU sparse 1.0 entry whose map lists the data runs.
 * Date added and BSD flags have no pax field: the facts file keeps them, as
 * it keeps the exact name of an xattr whose name libarchive %-encodes.
 * The archive is always a new file (O_EXCL) or stdout, never the evidence.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <locale.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_dl.h"
#include "extract.h"

struct ex_tar {
	struct archive *a;
	int fd;
	bool own_fd;
	bool dead;             /* a fatal write error: every later entry is refused */
	const char *path;
	char *ctype;           /* LC_CTYPE before the archive, put back after it */
};

static int tar_fail(struct ex_tar *t, const char *what)
{
	if (t->dead)
		return EXIT_ERROR;
	t->dead = archive_errno(t->a) == ENOSPC || archive_errno(t->a) == EPIPE ||
		  archive_errno(t->a) == EIO;
	fprintf(stderr, "apfsinspect: %s: archive: %s\n", cli_safe_str(what),
		archive_error_string(t->a) ? archive_error_string(t->a) : "write error");
	return EXIT_ERROR;
}

int ex_tar_usable(void)
{
	return archive_dl_load();
}

int ex_tar_open(struct ex_run *r, const char *path)
{
	struct ex_tar *t = calloc(1, sizeof(*t));

	if (!t)
		return fs_fail(path, -ENOMEM);
	if (archive_dl_load()) {
		free(t);
		return EXIT_ERROR;
	}
	t->path = path;
	t->own_fd = strcmp(path, "-") != 0;
	t->fd = t->own_fd ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : 1;
	if (t->fd < 0) {
		free(t);
		return fs_fail(path, cli_errno(errno));
	}
	r->tar = t;
	/*
	 * libarchive converts names through the locale's charset to the UTF-8 of
	 * pax headers; in the C locale every non-ASCII name would be marked
	 * hdrcharset=BINARY.  Under C.UTF-8 a UTF-8 name is written as UTF-8 and
	 * only a name that is not UTF-8 goes as BINARY bytes.
	 */
	t->ctype = strdup(setlocale(LC_CTYPE, NULL) ? setlocale(LC_CTYPE, NULL) : "C");
	setlocale(LC_CTYPE, "C.UTF-8");
	t->a = archive_write_new();
	if (!t->a)
		return fs_fail(path, -ENOMEM);
	if (archive_write_set_format_pax(t->a) != ARCHIVE_OK ||
	    archive_write_set_options(t->a, "pax:xattrheader=SCHILY") != ARCHIVE_OK ||
	    archive_write_open_fd(t->a, t->fd) != ARCHIVE_OK)
		return tar_fail(t, path);
	return 0;
}

bool ex_tar_dead(const struct ex_run *r)
{
	return r->tar && r->tar->dead;
}

int ex_tar_close(struct ex_run *r)
{
	struct ex_tar *t = r->tar;
	int ret = 0;

	if (!t)
		return 0;
	if (t->a && archive_write_close(t->a) != ARCHIVE_OK)
		ret = tar_fail(t, t->path);
	archive_write_free(t->a);
	if (t->own_fd && close(t->fd) && !ret)
		ret = fs_fail(t->path, cli_errno(errno));
	setlocale(LC_CTYPE, t->ctype ? t->ctype : "C");
	free(t->ctype);
	free(t);
	r->tar = NULL;
	return ret;
}

/*
 * A name given to libarchive as UTF-8 when it is (so the pax header holds it
 * as pax says, whatever our locale), else as its bytes: libarchive then
 * writes hdrcharset=BINARY and the bytes as they are.
 */
static void set_name(struct archive_entry *e, const char *name,
		     int (*utf8)(struct archive_entry *, const char *),
		     void (*raw)(struct archive_entry *, const char *))
{
	if (!utf8(e, name))
		raw(e, name);
}

/* An entry with what every type shares: path, mode, owner, times, xattrs. */
static struct archive_entry *entry_new(const char *rel, const struct apfsi_stat *st,
				       const struct ex_xattrs *xs)
{
	struct archive_entry *e = archive_entry_new();

	if (!e)
		return NULL;
	set_name(e, rel, archive_entry_update_pathname_utf8, archive_entry_copy_pathname);
	archive_entry_set_mode(e, st->mode);
	archive_entry_set_uid(e, st->uid);
	archive_entry_set_gid(e, st->gid);
	archive_entry_set_mtime(e, (time_t)((uint64_t)st->mtime / 1000000000u), (long)((uint64_t)st->mtime % 1000000000u));
	archive_entry_set_atime(e, (time_t)((uint64_t)st->atime / 1000000000u), (long)((uint64_t)st->atime % 1000000000u));
	archive_entry_set_ctime(e, (time_t)((uint64_t)st->ctime / 1000000000u), (long)((uint64_t)st->ctime % 1000000000u));
	archive_entry_set_birthtime(e, (time_t)((uint64_t)st->crtime / 1000000000u),
				    (long)((uint64_t)st->crtime % 1000000000u));
	for (size_t i = 0; xs && i < xs->n; i++) {
		char *name;

		if (!ex_xattr_kept(&xs->e[i]) || !xs->e[i].val ||
		    asprintf(&name, "user.%s", xs->e[i].name) < 0)
			continue;
		archive_entry_xattr_add_entry(e, name, xs->e[i].val, (size_t)xs->e[i].size);
		free(name);
	}
	return e;
}

/*
 * What the archive cannot carry.  libarchive 3.6 writes LIBARCHIVE.creationtime
 * only for a creation time in an earlier second than the mtime (a file
 * copied onto a Mac keeps its old mtime and gets a new, later creation time:
 * that one is lost), so those are counted too.
 */
/*
 * libarchive writes an xattr name with a byte outside '!'..'~', or with '%'
 * or '=', %-encoded (%1B, %0A) in the SCHILY.xattr key, and neither GNU tar
 * nor bsdtar decodes it: such a name comes back changed.
 */
static bool name_encoded(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 33 || *p > 126 || *p == '%' || *p == '=')
			return true;
	return false;
}

static void count_lost(struct ex_run *r, const struct apfsi_stat *st, struct ex_xattrs *xs)
{
	r->tally.crtimes += (uint64_t)st->crtime / 1000000000u >= (uint64_t)st->mtime / 1000000000u;
	r->tally.added += st->added != 0;
	r->tally.flags += st->bsd_flags != 0;
	for (size_t i = 0; xs && i < xs->n; i++) {
		if (ex_xattr_kept(&xs->e[i]) && !xs->e[i].val) {
			r->tally.xattrs_unread++;
			r->tally.forks += xs->e[i].fork;
		} else if (ex_xattr_kept(&xs->e[i]) && name_encoded(xs->e[i].name)) {
			r->tally.xattr_names++;
			xs->e[i].encoded = true;
		}
	}
}

static int put_header(struct ex_run *r, const char *rel, struct archive_entry *e)
{
	int ret = r->tar->dead ? ARCHIVE_FATAL : archive_write_header(r->tar->a, e);

	archive_entry_free(e);
	if (ret < ARCHIVE_WARN)
		return tar_fail(r->tar, rel);
	return 0;
}

int ex_tar_dir(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
	       struct ex_xattrs *xs)
{
	struct archive_entry *e = entry_new(rel, st, xs);

	if (!e)
		return fs_fail(rel, -ENOMEM);
	count_lost(r, st, xs);
	archive_entry_set_size(e, 0);
	return put_header(r, rel, e);
}

int ex_tar_symlink(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
		   const char *target, struct ex_xattrs *xs)
{
	struct archive_entry *e = entry_new(rel, st, xs);

	if (!e)
		return fs_fail(rel, -ENOMEM);
	count_lost(r, st, xs);
	archive_entry_set_size(e, 0);
	set_name(e, target, archive_entry_update_symlink_utf8, archive_entry_copy_symlink);
	return put_header(r, rel, e);
}

int ex_tar_link(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
		const char *first, struct ex_xattrs *xs)
{
	struct archive_entry *e = entry_new(rel, st, NULL);

	(void)xs; /* the first name's entry carries them */
	if (!e)
		return fs_fail(rel, -ENOMEM);
	archive_entry_set_size(e, 0);
	set_name(e, first, archive_entry_update_hardlink_utf8, archive_entry_copy_hardlink);
	return put_header(r, rel, e);
}

/*
 * The data runs of f as the entry's sparse map; none when f has no hole
 * (a plain entry).  One span per extent or hole: bounded by the image.
 */
static void sparse_map(struct archive_entry *e, const apfsi_file *f, uint64_t size)
{
	uint64_t off = 0, len;
	int hole;
	bool any = false;

	for (off = 0; off < size && !any; off += len) {
		apfsi_file_span(f, off, &hole, &len);
		if (len == 0 || len > size - off)
			len = size - off;
		any = hole;
	}
	for (off = 0; any && off < size; off += len) {
		apfsi_file_span(f, off, &hole, &len);
		if (len == 0 || len > size - off)
			len = size - off;
		if (!hole)
			archive_entry_sparse_add_entry(e, (la_int64_t)off, (la_int64_t)len);
	}
}

struct tar_sink {
	struct archive *a;
	EVP_MD_CTX *ctx;
	uint64_t pos, size;    /* bytes handed in; the member's size */
	bool write_err;        /* the archive (or the digest) failed: not the image */
	struct progress prog;
};

/*
 * Every byte below the member's size goes in, holes included: libarchive
 * drops what the sparse map skips.  None is past it unless the records
 * misjudged the read (apfsi_file_readable): those are left out.
 */
static int tar_data(const uint8_t *p, size_t n, void *arg)
{
	struct tar_sink *s = arg;
	size_t in = s->pos >= s->size ? 0 : s->size - s->pos < n ? (size_t)(s->size - s->pos) : n;

	s->pos += n;
	progress_add(&s->prog, n);
	s->write_err = !EVP_DigestUpdate(s->ctx, p, in);
	for (size_t done = 0; done < in && !s->write_err;) {
		la_ssize_t w = archive_write_data(s->a, p + done, in - done);

		s->write_err = w <= 0;
		done += w > 0 ? (size_t)w : 0;
	}
	return s->write_err ? -EIO : 0;
}

/*
 * The member's bytes (size of them) and their SHA-256.  A file that is not
 * read whole is kept as far as it was read (part): libarchive fills the
 * member to its size with zeros, counted as not the file's.
 */
static int tar_body(struct ex_run *r, const char *rel, apfsi_file *f, uint64_t size,
		    char *hex, struct ex_part *part)
{
	struct tar_sink s = { r->tar->a, EVP_MD_CTX_new(), 0, size, false, { 0 } };
	int ret = s.ctx && EVP_DigestInit_ex(s.ctx, EVP_sha256(), NULL) ? 0 : -ENOMEM;

	if (!ret) {
		progress_start(&s.prog, rel, apfsi_file_size(f));
		ret = fs_read_all(f, tar_data, &s);
		progress_end(&s.prog);
	}
	if (s.write_err) {
		EVP_MD_CTX_free(s.ctx);
		return tar_fail(r->tar, rel);
	}
	part->lost = ret || size < apfsi_file_size(f);
	part->bytes = s.pos < size ? s.pos : size;
	part->zeros = size - part->bytes;
	if ((!ret || part->lost) && digest_hex(s.ctx, part->lost ? part->hex : hex)) {
		ret = -EIO;
		part->lost = false;
	}
	EVP_MD_CTX_free(s.ctx);
	return ret ? fs_fail(rel, ret) : part->lost ? EXIT_ERROR : 0;
}

/*
 * A file's member.  Its header gives the size before a byte is read: the
 * bytes a read can give as the records tell (apfsi_file_readable), so that
 * a file whose records lost bytes, or whose blocks lie past a truncated
 * image, is a member of the bytes there are and not padded with zeros.
 */
int ex_tar_file(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
		struct ex_xattrs *xs, char *hex, struct ex_part *part)
{
	struct archive_entry *e;
	apfsi_file *f;
	uint64_t size;
	int ret = cli_api_errno(apfsi_file_open(r->fs, st->ino, &f));

	if (ret)
		return fs_fail(rel, ret);
	part->unstored = apfsi_file_unstored(f);
	e = entry_new(rel, st, xs);
	if (!e) {
		apfsi_file_close(f);
		return fs_fail(rel, -ENOMEM);
	}
	count_lost(r, st, xs);
	size = apfsi_file_readable(f);
	archive_entry_set_size(e, (la_int64_t)size);
	sparse_map(e, f, size);
	ret = put_header(r, rel, e);
	if (!ret)
		ret = tar_body(r, rel, f, size, hex, part);
	if (!ret)
		fs_unstored_note(rel, st, part->unstored);
	apfsi_file_close(f);
	/* The zeros of an incomplete member are written here: a failure is the
	 * archive's, and the member is not what part says (found in review). */
	if (!r->tar->dead && archive_write_finish_entry(r->tar->a) < ARCHIVE_WARN &&
	    (!ret || part->lost)) {
		ret = tar_fail(r->tar, rel);
		part->lost = false;
	}
	return ret;
}
