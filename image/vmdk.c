/* SPDX-License-Identifier: MIT */
/*
 * vmdk.c - VMware virtual disks through libvmdk: a descriptor file naming
 * its extents (split "twoGbMaxExtent" disks, flat disks), or a sparse
 * extent with the descriptor inside it (monolithic sparse, stream
 * optimised).  Signatures (VMware's Virtual Disk Format 5.0): "KDMV" (sparse
 * extent), "COWD" (ESX sparse), "# Disk DescriptorFile" (descriptor).  A
 * delta disk (with a parent) is refused: alone it is only the changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "image/libyal.h"
#include "image/libyal_dl.h"
#include "image/probe.h"

static int vmdk_err(const struct apfs_dev *dev, const char *what, libvmdk_error_t *err)
{
	char msg[2048] = "";

	if (err) {
		libvmdk_error_backtrace_sprint(err, msg, sizeof(msg));
		libvmdk_error_free(&err);
	}
	yal_message(msg, "libvmdk_");
	apfs_err("'%s': VMDK image: %s: %s", dev->path, what, msg[0] ? msg : "failed");
	return -APFS_ECORRUPT;
}

static int vmdk_read(struct apfs_dev *dev, void *h, void *buf, size_t len, uint64_t off)
{
	libvmdk_error_t *err = NULL;
	char what[96];

	if (libvmdk_handle_read_buffer_at_offset(h, buf, len, (off64_t)off, &err) == (ssize_t)len)
		return 0;
	snprintf(what, sizeof(what), "read of %zu bytes at %llu", len, (unsigned long long)off);
	return vmdk_err(dev, what, err);
}

static void vmdk_close(void *h)
{
	libvmdk_handle_t *v = h;

	libvmdk_handle_close(v, NULL);
	libvmdk_handle_free(&v, NULL);
}

static int vmdk_open_one(const char *path, void **h)
{
	libvmdk_handle_t *v = NULL;

	if (libvmdk_handle_initialize(&v, NULL) == 1 &&
	    libvmdk_handle_open(v, path, LIBVMDK_OPEN_READ, NULL) == 1 &&
	    libvmdk_handle_open_extent_data_files(v, NULL) == 1) {
		*h = v;
		return 0;
	}
	if (v)
		vmdk_close(v);
	return -EIO;
}

static const struct yal_lib vmdk_lib = { vmdk_open_one, vmdk_read, vmdk_close };
static const struct apfs_dev_ops vmdk_ops = { "VMDK", yal_read, yal_close };

static const char *disk_type(int t)
{
	switch (t) {
	case LIBVMDK_DISK_TYPE_MONOLITHIC_SPARSE: return "monolithic sparse";
	case LIBVMDK_DISK_TYPE_MONOLITHIC_FLAT: return "monolithic flat";
	case LIBVMDK_DISK_TYPE_2GB_EXTENT_SPARSE: return "split sparse";
	case LIBVMDK_DISK_TYPE_2GB_EXTENT_FLAT: return "split flat";
	case LIBVMDK_DISK_TYPE_STREAM_OPTIMIZED: return "stream optimized";
	case LIBVMDK_DISK_TYPE_VMFS_FLAT: return "VMFS flat";
	case LIBVMDK_DISK_TYPE_VMFS_SPARSE: return "VMFS sparse";
	default: return "other type";
	}
}

/* A delta disk names its parent's content id; a base disk has 0xffffffff. */
static int vmdk_check(const struct apfs_dev *lower, libvmdk_handle_t *h)
{
	uint32_t parent = 0xffffffffu;

	if (libvmdk_handle_get_parent_content_identifier(h, &parent, NULL) == 1 &&
	    parent != 0xffffffffu) {
		apfs_err("'%s': VMDK delta disk (parent content id %08x): it holds only the "
			 "changes to its parent; convert the whole chain first (qemu-img convert)",
			 lower->path, parent);
		return -ENOTSUP;
	}
	return 0;
}

static int vmdk_open(struct apfs_dev *lower, const char *path, struct apfs_dev **out)
{
	libvmdk_handle_t *h = NULL;
	libvmdk_error_t *err = NULL;
	size64_t size = 0;
	int type = 0, n = 0, ret;
	char sz[32];

	if (libvmdk_handle_initialize(&h, &err) != 1 ||
	    libvmdk_handle_open(h, path, LIBVMDK_OPEN_READ, &err) != 1 ||
	    libvmdk_handle_open_extent_data_files(h, &err) != 1 ||
	    libvmdk_handle_get_media_size(h, &size, &err) != 1) {
		ret = vmdk_err(lower, "descriptor or extent files cannot be opened", err);
		goto fail;
	}
	ret = vmdk_check(lower, h);
	if (ret == 0)
		ret = yal_dev_new(&vmdk_ops, &vmdk_lib, lower, h, size, out);
	if (ret)
		goto fail;
	libvmdk_handle_get_disk_type(h, &type, NULL);
	libvmdk_handle_get_number_of_extents(h, &n, NULL);
	apfs_fmt_size(size, sz, sizeof(sz));
	snprintf((*out)->summary, sizeof((*out)->summary), "VMDK (%s, %d extent%s, %s)",
		 disk_type(type), n, n == 1 ? "" : "s", sz);
	return 1;
fail:
	if (h)
		vmdk_close(h);
	return ret;
}

int apfs_vmdk_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	static const char desc[] = "# Disk DescriptorFile";
	const char *path;
	uint8_t b[sizeof(desc) - 1];
	int ret;

	if (apfs_dev_read(lower, b, sizeof(b), 0))
		return 0;
	if (memcmp(b, "KDMV", 4) && memcmp(b, "COWD", 4) && memcmp(b, desc, sizeof(b)))
		return 0;
	ret = yal_need_file(lower, "VMDK", &path);
	if (ret == 0)
		ret = yal_dl_load(&yal_libvmdk, lower->path, "VMDK");
	return ret ? ret : vmdk_open(lower, path, out);
}
