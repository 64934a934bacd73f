/* SPDX-License-Identifier: MIT */
/*
 * file.c - the bottom layer: a file or block device, read with pread.
 *
 * It also shows its bytes in place (struct apfs_dev's view) to a layer that only
 * transforms them, the decrypting one: the file is mapped read-only once,
 * when first asked, and a view is its page cache.  Decrypting from there
 * into the reader's buffer skips pread's copy, which costs as much CPU
 * time as AES-CBC itself (BENCHMARKS.md, encrypted disk images).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fdio.h"
#include "image/dev.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14; older kernels say EINVAL and get reads */
#endif

struct file_priv {
	int fd;
	pthread_mutex_t lock; /* for making the map */
	int map_tried;        /* read and set with atomics: the map is final once set */
	uint8_t *map;         /* the whole file read-only, or NULL */
	int no_populate;      /* set (atomic) when the kernel lacks MADV_POPULATE_READ */
};

static int file_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct file_priv *fp = dev->priv;
	int ret = apfs_pread_full(fp->fd, buf, len, off);

	/* The OS's error named here, in its words (the layers above name what they read:
	 * the probe says nothing of a first sector it cannot read); then mapped. */
	if (ret)
		apfs_err("'%s': read of %zu bytes at %llu failed: %s", dev->path, len,
			 (unsigned long long)off, strerror(-ret));
	return apfs_os_ret(ret);
}

/* The whole file mapped, made by the first caller (NULL if it cannot be). */
static uint8_t *file_map(struct apfs_dev *dev)
{
	struct file_priv *fp = dev->priv;
	void *m;

	if (__atomic_load_n(&fp->map_tried, __ATOMIC_ACQUIRE))
		return fp->map;
	pthread_mutex_lock(&fp->lock);
	if (!fp->map_tried && dev->size && dev->size <= SIZE_MAX) {
		m = mmap(NULL, (size_t)dev->size, PROT_READ, MAP_SHARED, fp->fd, 0);
		fp->map = m == MAP_FAILED ? NULL : m;
	}
	__atomic_store_n(&fp->map_tried, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&fp->lock);
	return fp->map;
}

/*
 * A view is handed out only once its pages are in memory and mapped: the
 * populate fails (EFAULT) where touching them would raise SIGBUS, a file
 * shorter than when it was opened, so such a range is read instead and
 * its error named.  It also maps a range in one call rather than a fault
 * per page.
 */
static const uint8_t *file_view(struct apfs_dev *dev, size_t len, uint64_t off, void **hold)
{
	struct file_priv *fp = dev->priv;
	uint8_t *m = file_map(dev);
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start = off / page * page;

	(void)hold;
	if (!m || __atomic_load_n(&fp->no_populate, __ATOMIC_RELAXED))
		return NULL;
	if (!madvise(m + start, (size_t)(off + len - start), MADV_POPULATE_READ))
		return m + off;
	if (errno == EINVAL) /* a kernel without it: read from now on, no call per view */
		__atomic_store_n(&fp->no_populate, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void file_close(struct apfs_dev *dev)
{
	struct file_priv *fp = dev->priv;

	if (fp->map)
		munmap(fp->map, (size_t)dev->size);
	pthread_mutex_destroy(&fp->lock);
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
	pthread_mutex_init(&fp->lock, NULL);
	dev->view = file_view;
	snprintf(dev->summary, sizeof(dev->summary), "raw (%llu bytes)",
		 (unsigned long long)size);
	*out = dev;
	return 0;
}
