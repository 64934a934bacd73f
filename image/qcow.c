/* SPDX-License-Identifier: MIT */
/*
 * qcow.c - QEMU copy-on-write images (qcow, qcow2) through libqcow.
 * Signature "QFI\xfb" (QEMU's qcow2 specification).  Encrypted images and
 * images with a backing file are refused by name: reading one without its
 * key or parent would show the wrong disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "image/libyal.h"
#include "image/libyal_dl.h"
#include "image/probe.h"

static int qcow_err(const struct apfs_dev *dev, const char *what, libqcow_error_t *err)
{
	char msg[2048] = "";

	if (err) {
		libqcow_error_backtrace_sprint(err, msg, sizeof(msg));
		libqcow_error_free(&err);
	}
	yal_message(msg, "libqcow_");
	apfs_err("'%s': qcow image: %s: %s", dev->path, what, msg[0] ? msg : "failed");
	return -APFS_ECORRUPT;
}

static int qcow_read(struct apfs_dev *dev, void *h, void *buf, size_t len, uint64_t off)
{
	libqcow_error_t *err = NULL;
	char what[96];

	if (libqcow_file_read_buffer_at_offset(h, buf, len, (off64_t)off, &err) == (ssize_t)len)
		return 0;
	snprintf(what, sizeof(what), "read of %zu bytes at %llu", len, (unsigned long long)off);
	return qcow_err(dev, what, err);
}

static void qcow_close(void *h)
{
	libqcow_file_t *f = h;

	libqcow_file_close(f, NULL);
	libqcow_file_free(&f, NULL);
}

static int qcow_open_one(const char *path, void **h)
{
	libqcow_file_t *f = NULL;

	if (libqcow_file_initialize(&f, NULL) == 1 &&
	    libqcow_file_open(f, path, LIBQCOW_OPEN_READ, NULL) == 1) {
		*h = f;
		return 0;
	}
	if (f)
		libqcow_file_free(&f, NULL);
	return -EIO;
}

static const struct yal_lib qcow_lib = { qcow_open_one, qcow_read, qcow_close };
static const struct apfs_dev_ops qcow_ops = { "qcow", yal_read, yal_close };

/* Refuse what would read as the wrong disk: encryption, a backing file. */
static int qcow_check(const struct apfs_dev *lower, libqcow_file_t *f)
{
	uint32_t method = 0;
	size_t blen = 0;

	if (libqcow_file_get_encryption_method(f, &method, NULL) == 1 &&
	    method != LIBQCOW_ENCRYPTION_METHOD_NONE) {
		apfs_err("'%s': encrypted qcow image (%s) is not supported", lower->path,
			 method == LIBQCOW_ENCRYPTION_METHOD_LUKS ? "LUKS" : "AES-128-CBC");
		return -ENOTSUP;
	}
	if (libqcow_file_get_utf8_backing_filename_size(f, &blen, NULL) == 1 && blen > 1) {
		char *name = calloc(1, blen + 1);

		if (name)
			libqcow_file_get_utf8_backing_filename(f, (uint8_t *)name, blen, NULL);
		apfs_err("'%s': qcow image with a backing file ('%s'): it holds only the changes; "
			 "flatten it first (qemu-img convert -O raw)", lower->path,
			 name ? name : "?");
		free(name);
		return -ENOTSUP;
	}
	return 0;
}

static int qcow_open(struct apfs_dev *lower, const char *path, struct apfs_dev **out)
{
	libqcow_file_t *f = NULL;
	libqcow_error_t *err = NULL;
	size64_t size = 0;
	uint32_t version = 0;
	int ret;
	char sz[32];

	if (libqcow_file_initialize(&f, &err) != 1 ||
	    libqcow_file_open(f, path, LIBQCOW_OPEN_READ, &err) != 1 ||
	    libqcow_file_get_media_size(f, &size, &err) != 1) {
		ret = qcow_err(lower, "header or tables cannot be read", err);
		goto fail;
	}
	ret = qcow_check(lower, f);
	if (ret == 0)
		ret = yal_dev_new(&qcow_ops, &qcow_lib, lower, f, size, out);
	if (ret)
		goto fail;
	libqcow_file_get_format_version(f, &version, NULL);
	apfs_fmt_size(size, sz, sizeof(sz));
	snprintf((*out)->summary, sizeof((*out)->summary), "qcow%s (version %u, %s)",
		 version >= 2 ? "2" : "", version, sz);
	return 1;
fail:
	if (f)
		qcow_close(f);
	return ret;
}

int apfs_qcow_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	static const uint8_t sig[4] = { 'Q', 'F', 'I', 0xfb };
	const char *path;
	uint8_t b[4];
	int ret;

	if (apfs_dev_read(lower, b, 4, 0) || memcmp(b, sig, 4))
		return 0;
	ret = yal_need_file(lower, "qcow", &path);
	if (ret == 0)
		ret = yal_dl_load(&yal_libqcow, lower->path, "qcow");
	return ret ? ret : qcow_open(lower, path, out);
}
