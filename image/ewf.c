/* SPDX-License-Identifier: MIT */
/*
 * ewf.c - Expert Witness Format (E01, S01): libewf finds the segment set
 * (E01, E02, ... EAA ...) from the first file; a set of the common E01
 * layout is then read by ewf1.c directly (far cheaper to open), anything
 * else through libewf, which decompresses chunks and checks each chunk's
 * Adler-32.
 *
 * A chunk whose checksum fails is an error naming its sectors, never data:
 * libewf hands the bytes over and only records the failure, so every read
 * is checked against its list.  libewf handles are not safe to share
 * between threads (one seek-and-read state): the handle pool of libyal.c
 * gives each reading thread its own.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "image/dev.h"
#include "image/ewf1.h"
#include "image/libyal.h"
#include "image/libyal_dl.h"
#include "image/probe.h"

static const uint8_t evf_sig[8] = { 'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00 };

/* libewf's message for err (its own, then freed), for ours. */
static void ewf_msg(libewf_error_t *err, char *buf, size_t len)
{
	buf[0] = '\0';
	if (err && libewf_error_backtrace_sprint(err, buf, len) < 0)
		snprintf(buf, len, "libewf error");
	if (err)
		libewf_error_free(&err);
	yal_message(buf, "libewf_");
}

/* Any recorded checksum error of h overlapping [off, off+len): log it, -APFS_ECORRUPT. */
static int ewf_check_errors(struct apfs_dev *dev, libewf_handle_t *h, uint64_t off, size_t len)
{
	struct yal_priv *p = dev->priv;
	uint32_t n = 0;
	uint64_t first = off / p->sector, last = (off + len - 1) / p->sector;

	if (libewf_handle_get_number_of_checksum_errors(h, &n, NULL) != 1)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = 0, c = 0;

		if (libewf_handle_get_checksum_error(h, i, &s, &c, NULL) != 1 || c == 0)
			continue;
		if (s <= last && first < s + c) {
			apfs_err("'%s': E01 chunk holding sectors %llu-%llu fails its checksum "
				 "(damaged segment file)", dev->path, (unsigned long long)s,
				 (unsigned long long)(s + c - 1));
			return -APFS_ECORRUPT;
		}
	}
	return 0;
}

static int ewf_read(struct apfs_dev *dev, void *h, void *buf, size_t len, uint64_t off)
{
	libewf_error_t *err = NULL;
	char msg[2048];

	if (libewf_handle_read_random(h, buf, len, (off64_t)off, &err) == (ssize_t)len)
		return ewf_check_errors(dev, h, off, len);
	ewf_msg(err, msg, sizeof(msg));
	apfs_err("'%s': E01 read of %zu bytes at %llu failed: %s", dev->path, len,
		 (unsigned long long)off, msg[0] ? msg : "short read");
	return -EIO;
}

static void ewf_close(void *h)
{
	libewf_handle_t *e = h;

	libewf_handle_close(e, NULL);
	libewf_handle_free(&e, NULL);
}

/*
 * The segment files, found by libewf from the first one's name (E01, E02,
 * ... EAA; s01; e01).  A file of EWF content under another name (an E01
 * renamed .bin) is taken alone: the file is what it holds, whatever its
 * name, and ewf_complete() refuses it if it was only the first of several.
 * *globbed says which of the two made *names, for ewf_segments_free().
 */
static int ewf_segments(const char *path, char ***names, int *n, bool *globbed)
{
	*globbed = libewf_glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, names, n, NULL) == 1 &&
		   *n >= 1;
	if (*globbed)
		return 0;
	*n = 1;
	*names = calloc(2, sizeof(**names));
	if (*names)
		(*names)[0] = strdup(path);
	if (!*names || !(*names)[0]) {
		free(*names);
		*names = NULL;
		*n = 0;
		return -ENOMEM;
	}
	return 0;
}

static void ewf_segments_free(char **names, int n, bool globbed)
{
	if (globbed) {
		libewf_glob_free(names, n, NULL);
	} else if (names) {
		free(names[0]);
		free(names);
	}
}

/* One more handle on a set already opened and checked once. */
static int ewf_open_one(const char *path, void **h)
{
	libewf_handle_t *e = NULL;
	char **names = NULL;
	bool globbed;
	int n = 0, ret = -EIO;

	if (ewf_segments(path, &names, &n, &globbed))
		return -ENOMEM;
	if (libewf_handle_initialize(&e, NULL) == 1 &&
	    libewf_handle_open(e, names, n, libewf_get_access_flags_read(), NULL) == 1) {
		*h = e;
		ret = 0;
	} else if (e) {
		libewf_handle_free(&e, NULL);
	}
	ewf_segments_free(names, n, globbed);
	return ret;
}

static const struct yal_lib ewf_lib = { ewf_open_one, ewf_read, ewf_close };
static const struct apfs_dev_ops ewf_ops = { "E01", yal_read, yal_close };
static const struct apfs_dev_ops smart_ops = { "S01 (SMART)", yal_read, yal_close };

static void ewf_hashes(struct apfs_dev *dev, libewf_handle_t *h)
{
	struct apfs_dev_hash *md5 = &dev->hashes[dev->nhashes];

	if (libewf_handle_get_md5_hash(h, md5->value, 16, NULL) == 1) {
		md5->name = "MD5";
		md5->len = 16;
		dev->nhashes++;
	}
	struct apfs_dev_hash *sha1 = &dev->hashes[dev->nhashes];

	if (libewf_handle_get_sha1_hash(h, sha1->value, 20, NULL) == 1) {
		sha1->name = "SHA1";
		sha1->len = 20;
		dev->nhashes++;
	}
}

static int ewf_handle(const char *path, char **names, int n, libewf_handle_t **out)
{
	libewf_error_t *err = NULL;
	libewf_handle_t *h = NULL;
	char msg[2048];

	if (libewf_handle_initialize(&h, &err) != 1 ||
	    libewf_handle_open(h, names, n, libewf_get_access_flags_read(), &err) != 1) {
		ewf_msg(err, msg, sizeof(msg));
		apfs_err("'%s': E01 segment set (%d file%s found: %s ... %s) cannot be opened: %s",
			 path, n, n == 1 ? "" : "s", names[0], names[n - 1], msg);
		if (h)
			libewf_handle_free(&h, NULL);
		return -APFS_ECORRUPT;
	}
	*out = h;
	return 0;
}

/* The name after last in the E01..E99 (S01, L01) sequence, or "" past it. */
static void ewf_next_name(const char *last, char *buf, size_t len)
{
	size_t l = strlen(last);
	int num;

	buf[0] = '\0';
	if (l < 3 || l + 1 > len || last[l - 2] < '0' || last[l - 2] > '9' ||
	    last[l - 1] < '0' || last[l - 1] > '9')
		return;
	num = (last[l - 2] - '0') * 10 + last[l - 1] - '0' + 1;
	if (num > 99)
		return;
	memcpy(buf, last, l + 1);
	buf[l - 2] = (char)('0' + num / 10);
	buf[l - 1] = (char)('0' + num % 10);
}

/*
 * libewf 20140813 opens an incomplete set without complaint: with a segment
 * missing it stops globbing there and reports the full media size; with one
 * cut short it reads zeros.  The set must end in a segment holding the
 * "done" section, which libewf reports as "not corrupted".
 */
static int ewf_complete(const char *path, libewf_handle_t *h, char **names, int n)
{
	char next[4096];

	if (libewf_handle_segment_files_corrupted(h, NULL) == 0)
		return 0;
	ewf_next_name(names[n - 1], next, sizeof(next));
	apfs_err("'%s': E01 segment set is incomplete: the %d segment%s found (%s%s%s) do "
		 "not end with the set's last segment: %s%s%s is missing, or one of them is "
		 "truncated", path, n, n == 1 ? "" : "s", names[0], n > 1 ? " ... " : "",
		 n > 1 ? names[n - 1] : "", next[0] ? "segment '" : "the next segment",
		 next, next[0] ? "'" : " (its name is not of the E01, E02 ... scheme)");
	return -APFS_ECORRUPT;
}

static int ewf_new(struct apfs_dev *lower, libewf_handle_t *h, int nseg, struct apfs_dev **out)
{
	size64_t size = 0;
	uint32_t bps = 0;
	uint8_t fmt = 0;
	int ret;

	if (libewf_handle_get_media_size(h, &size, NULL) != 1 ||
	    libewf_handle_get_bytes_per_sector(h, &bps, NULL) != 1 || bps == 0) {
		apfs_err("'%s': E01 media size or sector size unreadable", lower->path);
		return -APFS_ECORRUPT;
	}
	libewf_handle_get_format(h, &fmt, NULL);
	ret = yal_dev_new(fmt == LIBEWF_FORMAT_SMART ? &smart_ops : &ewf_ops, &ewf_lib, lower, h,
			  size, out);
	if (ret)
		return ret;
	((struct yal_priv *)(*out)->priv)->sector = bps;
	ewf_hashes(*out, h);
	apfs_ewf_summary(*out, (unsigned)nseg);
	return 0;
}

/*
 * APFSINSPECT_EWF, for tests: "libewf" reads every set through libewf, as
 * before ewf1.c, so that the two readers can be compared byte for byte;
 * "direct" makes a set that ewf1.c declines an error, so that a test knows
 * which reader it checked.
 */
static bool ewf_forced(const char *how)
{
	const char *e = getenv("APFSINSPECT_EWF");

	return e && !strcmp(e, how);
}

/* ewf1.c's reading of the set: 1 (taken), 0 (declined: libewf's turn), or -errno. */
static int ewf_direct(struct apfs_dev *lower, char **names, int n, struct apfs_dev **out)
{
	int ret = ewf_forced("libewf") ? 0 : apfs_ewf1_open(lower, names, n, out);

	if (ret == 0 && ewf_forced("direct")) {
		apfs_err("'%s': E01 set is not of the layout read without libewf "
			 "(APFSINSPECT_EWF=direct)", lower->path);
		return -ENOTSUP;
	}
	return ret;
}

int apfs_ewf_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	const char *path = apfs_dev_file_path(lower);
	libewf_handle_t *h = NULL;
	char **names = NULL;
	bool globbed = false;
	uint8_t sig[8];
	int n = 0, ret;

	if (apfs_dev_read(lower, sig, sizeof(sig), 0) || memcmp(sig, evf_sig, sizeof(sig)))
		return 0;
	if (!path) {
		apfs_err("'%s': an E01 image inside another container is not supported "
			 "(libewf reads segment files by name)", lower->path);
		return -ENOTSUP;
	}
	ret = yal_dl_load(&yal_libewf, lower->path, "E01");
	if (ret)
		return ret;
	ret = ewf_segments(path, &names, &n, &globbed);
	if (ret == 0) {
		ret = ewf_direct(lower, names, n, out);
		if (ret) {
			ewf_segments_free(names, n, globbed);
			return ret;
		}
	}
	if (ret == 0)
		ret = ewf_handle(path, names, n, &h);
	if (ret == 0)
		ret = ewf_complete(path, h, names, n);
	if (ret == 0)
		ret = ewf_new(lower, h, n, out);
	if (ret && h)
		ewf_close(h);
	ewf_segments_free(names, n, globbed);
	return ret ? ret : 1;
}
