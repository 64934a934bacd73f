/* SPDX-License-Identifier: MIT */
/* dev.c - what every layer shares: creation, bounded reads, closing, the chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "image/dev.h"

/* Per thread: a library opening images on several threads gives each open its own source. */
static _Thread_local apfs_passphrase_fn passphrase_fn;
static _Thread_local void *passphrase_arg;

void apfs_dev_set_passphrase_cb(apfs_passphrase_fn fn, void *arg)
{
	passphrase_fn = fn;
	passphrase_arg = arg;
}

int apfs_dev_passphrase(const char *image, unsigned attempt, char *buf, size_t cap, size_t *len)
{
	if (!passphrase_fn) {
		if (attempt == 0)
			apfs_err("'%s' is an encrypted disk image and no passphrase source is set",
				 image);
		return attempt == 0 ? -APFS_ELOCKED : 1;
	}
	return passphrase_fn(passphrase_arg, image, attempt, buf, cap, len);
}

struct apfs_dev *apfs_dev_new(const struct apfs_dev_ops *ops, void *priv, uint64_t size,
			      struct apfs_dev *lower, const char *path)
{
	struct apfs_dev *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return NULL;
	dev->path = strdup(path ? path : "");
	if (!dev->path) {
		free(dev);
		return NULL;
	}
	dev->ops = ops;
	dev->priv = priv;
	dev->size = size;
	dev->lower = lower;
	return dev;
}

void apfs_dev_close(struct apfs_dev *dev)
{
	/* Iterative: a hostile stack of layers must not exhaust the C stack. */
	while (dev) {
		struct apfs_dev *lower = dev->lower;

		if (dev->ops->close)
			dev->ops->close(dev);
		free(dev->path);
		free(dev);
		dev = lower;
	}
}

int apfs_dev_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	if (!range_ok(off, len, dev->size))
		return -APFS_ETRUNC;
	return dev->ops->read(dev, buf, len, off);
}

const uint8_t *apfs_dev_view(struct apfs_dev *dev, size_t len, uint64_t off, void **hold)
{
	*hold = NULL;
	if (!dev->view || !len || !range_ok(off, len, dev->size))
		return NULL;
	return dev->view(dev, len, off, hold);
}

void apfs_dev_unview(struct apfs_dev *dev, void *hold)
{
	if (dev->unview)
		dev->unview(dev, hold);
}

void apfs_fmt_size(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)n;
	int u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 6)
		v /= 1024, u++;
	snprintf(buf, len, "%.1f %s", v, unit[u]);
}
