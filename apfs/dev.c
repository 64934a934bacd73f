/* SPDX-License-Identifier: MIT */
/* dev.c - open an image read-only, detect its format, bounded reads. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "dev.h"
#include "err.h"

struct raw_priv {
	int fd;
};

int apfs_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	/* A pread that returns 0 is EOF: never loop on it (apfs-label did). */
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int raw_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct raw_priv *rp = dev->priv;

	return apfs_pread_full(rp->fd, buf, len, off);
}

static void raw_close(struct apfs_dev *dev)
{
	struct raw_priv *rp = dev->priv;

	close(rp->fd);
	free(rp);
}

static const struct apfs_dev_ops raw_ops = { "raw", raw_read, raw_close };

static int raw_open(int fd, uint64_t size, struct apfs_dev **out)
{
	struct apfs_dev *dev = calloc(1, sizeof(*dev));
	struct raw_priv *rp = calloc(1, sizeof(*rp));

	if (!dev || !rp) {
		free(dev);
		free(rp);
		return -ENOMEM;
	}
	rp->fd = fd;
	dev->ops = &raw_ops;
	dev->priv = rp;
	dev->size = size;
	*out = dev;
	return 0;
}

static int file_size(int fd, const char *path, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		apfs_err("cannot stat '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		apfs_err("'%s' is a directory, not an image", path);
		return -EISDIR;
	}
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);

		if (end < 0)
			return -errno;
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

int apfs_dev_open(const char *path, struct apfs_dev **out)
{
	struct apfs_dev *dev = NULL;
	uint64_t size = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		apfs_err("cannot open '%s': %s", path, strerror(errno));
		return ret;
	}
	ret = file_size(fd, path, &size);
	if (ret)
		goto fail;
	ret = apfs_udif_probe(fd, size, path, &dev);
	if (ret < 0)
		goto fail;
	if (ret == 0)
		ret = raw_open(fd, size, &dev);
	if (ret < 0)
		goto fail;
	dev->path = strdup(path);
	if (!dev->path) {
		apfs_dev_close(dev);
		return -ENOMEM;
	}
	*out = dev;
	return 0;
fail:
	close(fd);
	return ret;
}

void apfs_dev_close(struct apfs_dev *dev)
{
	if (!dev)
		return;
	dev->ops->close(dev);
	free(dev->path);
	free(dev);
}

int apfs_dev_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	if (!range_ok(off, len, dev->size))
		return -APFS_ETRUNC;
	return dev->ops->read(dev, buf, len, off);
}
