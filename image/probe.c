/* SPDX-License-Identifier: MIT */
/*
 * probe.c - open an image: the file, then one container layer after
 * another, each found by content through the probe table below.
 *
 * The table is the only place that knows every format; a format's file
 * knows nothing of the others, so a layer can sit on any other (a split
 * .dmg set is a split layer under a UDIF layer).  Order matters only where
 * one signature could be mistaken for another: formats named by a header
 * magic come first, UDIF (a trailer) after them, the refusals of formats
 * recognised but not read last.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "image/dev.h"
#include "image/probe.h"

#define DEPTH_MAX 8 /* nested containers; real evidence has two or three */
#define BUNDLE "sparsebundle" /* a directory, not bytes: opened before the probes */

static const struct apfs_probe probes[] = {
	{ "split", NULL, apfs_split_probe, false },
	{ "e01", "ewf", apfs_ewf_probe, true },
	{ "vmdk", NULL, apfs_vmdk_probe, true },
	{ "vhd", "vhdx", apfs_vhdi_probe, true },
	{ "qcow2", "qcow", apfs_qcow_probe, true },
	{ "encrypted", "encrcdsa", apfs_encrcdsa_probe, false }, /* holds a UDIF, sprs, disk */
	{ "sparseimage", "sprs", apfs_sparseimage_probe, false },
	{ "udif", "dmg", apfs_udif_probe, true },
	{ NULL, NULL, apfs_refuse_probe, false }, /* recognised, unsupported: say which */
};

#define NPROBES (sizeof(probes) / sizeof(probes[0]))

static const struct apfs_probe *probe_named(const char *name)
{
	for (size_t i = 0; i < NPROBES; i++)
		if (probes[i].name && (!strcasecmp(name, probes[i].name) ||
				       (probes[i].alias && !strcasecmp(name, probes[i].alias))))
			return &probes[i];
	return NULL;
}

static void list_names(char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "raw");

	for (size_t i = 0; i < NPROBES && o < len; i++)
		if (probes[i].name)
			o += (size_t)snprintf(buf + o, len - o, ", %s", probes[i].name);
	if (o < len)
		snprintf(buf + o, len - o, ", %s", BUNDLE);
}

/*
 * One layer: 1 and *out when a format claims dev, 0 when none does.  A
 * layer whose first sector cannot be read (its reader has said why) is
 * probed no further: every probe would fail and say it again.
 */
static int probe_layer(struct apfs_dev *dev, struct apfs_dev **out, bool *disk)
{
	uint8_t b[512];

	if (apfs_dev_read(dev, b, dev->size < sizeof(b) ? (size_t)dev->size : sizeof(b), 0))
		return 0;
	for (size_t i = 0; i < NPROBES; i++) {
		int ret = probes[i].probe(dev, out);

		*disk = probes[i].holds_disk;
		if (ret)
			return ret;
	}
	return 0;
}

static int probe_forced(struct apfs_dev *dev, const char *format, struct apfs_dev **out,
			bool *disk)
{
	const struct apfs_probe *p = probe_named(format);
	char names[256];
	int ret;

	if (!p) {
		list_names(names, sizeof(names));
		apfs_err("--format %s: unknown image format (known: %s)", format, names);
		return -EINVAL;
	}
	ret = p->probe(dev, out);
	*disk = p->holds_disk;
	if (ret == 0) {
		apfs_err("'%s' is not in the %s format (--format %s)", dev->path, p->name, format);
		return -APFS_ECORRUPT;
	}
	return ret;
}

static int file_size(int fd, const char *path, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		apfs_err("cannot stat '%s': %s", path, strerror(errno));
		return -apfs_os_errno(errno);
	}
	if (S_ISDIR(st.st_mode))
		return apfs_refuse_dir(path);
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);

		if (end < 0)
			return -apfs_os_errno(errno);
		*size = (uint64_t)end;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		apfs_err("'%s' is not a regular file or block device", path);
		return -EINVAL;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

static int open_file(const char *path, struct apfs_dev **out)
{
	uint64_t size = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -apfs_os_errno(errno);
		apfs_err("cannot open '%s': %s", path, strerror(errno));
		return ret;
	}
	ret = file_size(fd, path, &size);
	if (ret == 0)
		ret = apfs_dev_fd_open(fd, size, path, out);
	if (ret)
		close(fd);
	return ret;
}

/* Peel layers until no format claims the top one, or the top one is a disk. */
static int open_layers(struct apfs_dev **top, const char *format)
{
	struct apfs_dev *next = NULL;
	bool disk = false;
	int ret = 1;

	if (format && !strcasecmp(format, "raw"))
		return 0;
	for (int depth = 0; ret == 1 && !disk; depth++) {
		if (depth == DEPTH_MAX) {
			apfs_err("'%s': more than %d containers nested inside each other",
				 (*top)->path, DEPTH_MAX);
			return -APFS_ECORRUPT;
		}
		ret = depth == 0 && format ? probe_forced(*top, format, &next, &disk)
					   : probe_layer(*top, &next, &disk);
		if (ret == 1)
			*top = next;
	}
	return ret < 0 ? ret : 0;
}

/* A directory: a sparse bundle, or refused naming what it is. */
static int open_dir(const char *path, const char *format, struct apfs_dev **out)
{
	int ret;

	if (format && strcasecmp(format, BUNDLE)) {
		apfs_err("'%s' is a directory, not in the %s format (--format %s)", path, format,
			 format);
		return -EINVAL;
	}
	ret = apfs_sparsebundle_open(path, out);
	if (ret == 0)
		return apfs_refuse_dir(path);
	return ret < 0 ? ret : 0;
}

/* The bottom layer: a bundle directory, or the file. */
static int open_base(const char *path, const char **format, struct apfs_dev **out)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		int ret = open_dir(path, *format, out);

		*format = NULL; /* applied */
		return ret;
	}
	if (*format && !strcasecmp(*format, BUNDLE)) {
		apfs_err("'%s' is not a directory: a sparse bundle is one (--format %s)", path,
			 *format);
		return -EINVAL;
	}
	return open_file(path, out);
}

int apfs_dev_open_format(const char *path, const char *format, struct apfs_dev **out)
{
	struct apfs_dev *dev = NULL;
	int ret = open_base(path, &format, &dev);

	if (ret)
		return ret;
	ret = open_layers(&dev, format);
	if (ret) {
		apfs_dev_close(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

int apfs_dev_open(const char *path, struct apfs_dev **out)
{
	return apfs_dev_open_format(path, NULL, out);
}
