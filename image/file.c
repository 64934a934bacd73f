/* SPDX-License-Identifier: MIT */
/* file.c - the bottom layer: a file or block device, read with pread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "image/dev.h"

struct file_priv {
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

static int file_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct file_priv *fp = dev->priv;

	return apfs_pread_full(fp->fd, buf, len, off);
}

static void file_close(struct apfs_dev *dev)
{
	struct file_priv *fp = dev->priv;

	close(fp->fd);
	free(fp);
}

static const struct apfs_dev_ops file_ops = { "raw", file_read, file_close };

const char *apfs_dev_file_path(const struct apfs_dev *dev)
{
	return dev && dev->ops == &file_ops ? dev->path : NULL;
}

int apfs_dev_fd_open(int fd, uint64_t size, const char *path, struct apfs_dev **out)
{
	struct file_priv *fp = calloc(1, sizeof(*fp));
	struct apfs_dev *dev = fp ? apfs_dev_new(&file_ops, fp, size, NULL, path) : NULL;

	if (!dev) {
		free(fp);
		return -ENOMEM;
	}
	fp->fd = fd;
	snprintf(dev->summary, sizeof(dev->summary), "raw (%llu bytes)",
		 (unsigned long long)size);
	*out = dev;
	return 0;
}
