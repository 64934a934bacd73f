/* SPDX-License-Identifier: MIT */
/*
 * vhdi.c - Microsoft VHD and VHDX through libvhdi.  Signatures: VHDX
 * "vhdxfile" at 0; VHD the "conectix" footer in the last 512 bytes (a
 * dynamic disk also copies it to 0) - Microsoft's VHD and VHDX
 * specifications.  A differencing disk is refused by name: without its
 * parent it is only the changed blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "image/libyal.h"
#include "image/libyal_dl.h"
#include "image/probe.h"

static int vhdi_err(const struct apfs_dev *dev, const char *what, libvhdi_error_t *err)
{
	char msg[2048] = "";

	if (err) {
		libvhdi_error_backtrace_sprint(err, msg, sizeof(msg));
		libvhdi_error_free(&err);
	}
	yal_message(msg, "libvhdi_");
	apfs_err("'%s': %s image: %s: %s", dev->path, dev->ops ? dev->ops->kind : "VHD", what,
		 msg[0] ? msg : "failed");
	return -APFS_ECORRUPT;
}

static int vhdi_read(struct apfs_dev *dev, void *h, void *buf, size_t len, uint64_t off)
{
	libvhdi_error_t *err = NULL;
	char what[96];

	if (libvhdi_file_read_buffer_at_offset(h, buf, len, (off64_t)off, &err) == (ssize_t)len)
		return 0;
	snprintf(what, sizeof(what), "read of %zu bytes at %llu", len, (unsigned long long)off);
	return vhdi_err(dev, what, err);
}

static void vhdi_close(void *h)
{
	libvhdi_file_t *f = h;

	libvhdi_file_close(f, NULL);
	libvhdi_file_free(&f, NULL);
}

static int vhdi_open_one(const char *path, void **h)
{
	libvhdi_file_t *f = NULL;

	if (libvhdi_file_initialize(&f, NULL) == 1 &&
	    libvhdi_file_open(f, path, LIBVHDI_OPEN_READ, NULL) == 1) {
		*h = f;
		return 0;
	}
	if (f)
		libvhdi_file_free(&f, NULL);
	return -EIO;
}

static const struct yal_lib vhdi_lib = { vhdi_open_one, vhdi_read, vhdi_close };
static const struct apfs_dev_ops vhd_ops = { "VHD", yal_read, yal_close };
static const struct apfs_dev_ops vhdx_ops = { "VHDX", yal_read, yal_close };

static const char *disk_type(uint32_t t)
{
	return t == LIBVHDI_DISK_TYPE_FIXED ? "fixed" :
	       t == LIBVHDI_DISK_TYPE_DYNAMIC ? "dynamic" :
	       t == LIBVHDI_DISK_TYPE_DIFFERENTIAL ? "differencing" : "unknown type";
}

static int vhdi_open(struct apfs_dev *lower, const char *path, bool x, struct apfs_dev **out)
{
	struct apfs_dev named = { .ops = x ? &vhdx_ops : &vhd_ops, .path = lower->path };
	libvhdi_file_t *f = NULL;
	libvhdi_error_t *err = NULL;
	uint32_t type = 0;
	size64_t size = 0;
	char sz[32];
	int ret;

	if (libvhdi_file_initialize(&f, &err) != 1 ||
	    libvhdi_file_open(f, path, LIBVHDI_OPEN_READ, &err) != 1 ||
	    libvhdi_file_get_media_size(f, &size, &err) != 1) {
		ret = vhdi_err(&named, "header or block table cannot be read", err);
		goto fail;
	}
	libvhdi_file_get_disk_type(f, &type, NULL);
	if (type == LIBVHDI_DISK_TYPE_DIFFERENTIAL) {
		apfs_err("'%s': differencing %s image: it holds only the changes to its parent "
			 "disk; merge it first (qemu-img convert -O raw)", path, named.ops->kind);
		ret = -ENOTSUP;
		goto fail;
	}
	ret = yal_dev_new(named.ops, &vhdi_lib, lower, f, size, out);
	if (ret)
		goto fail;
	apfs_fmt_size(size, sz, sizeof(sz));
	snprintf((*out)->summary, sizeof((*out)->summary), "%s (%s, %s)", named.ops->kind,
		 disk_type(type), sz);
	return 1;
fail:
	if (f)
		vhdi_close(f);
	return ret;
}

int apfs_vhdi_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	uint8_t head[8], foot[8];
	const char *path;
	bool x, vhd;
	int ret;

	if (lower->size < 512 || apfs_dev_read(lower, head, 8, 0) ||
	    apfs_dev_read(lower, foot, 8, lower->size - 512))
		return 0;
	x = !memcmp(head, "vhdxfile", 8);
	vhd = !memcmp(head, "conectix", 8) || !memcmp(foot, "conectix", 8);
	if (!x && !vhd)
		return 0;
	ret = yal_need_file(lower, x ? "VHDX" : "VHD", &path);
	if (ret == 0)
		ret = yal_dl_load(&yal_libvhdi, lower->path, x ? "VHDX" : "VHD");
	return ret ? ret : vhdi_open(lower, path, x, out);
}
