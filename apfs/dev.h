/* SPDX-License-Identifier: MIT */
/*
 * dev.h - read-only access to an image, whatever its container format.
 *
 * A format (raw file, UDIF .dmg, later sparse bundles or E01) supplies a
 * struct apfs_dev_ops; everything above sees a flat, byte-addressed disk of
 * `size` bytes.  Nothing here can write: images are opened O_RDONLY.
 */
#ifndef APFS_DEV_H
#define APFS_DEV_H

#include <stdint.h>
#include <stddef.h>

struct apfs_dev;

struct apfs_dev_ops {
	const char *kind; /* "raw", "UDIF (zlib)", ... for messages and JSON */
	/*
	 * Read exactly len bytes at off.  The caller guarantees
	 * off + len <= dev->size.  Returns 0 or a negative errno; must be safe
	 * to call from several threads at once.
	 */
	int (*read)(struct apfs_dev *dev, void *buf, size_t len, uint64_t off);
	void (*close)(struct apfs_dev *dev);
};

struct apfs_dev {
	const struct apfs_dev_ops *ops;
	void *priv;
	uint64_t size; /* readable bytes */
	char *path;
};

/*
 * Open an image read-only and detect its format.  Returns 0, -errno for
 * system errors, or -APFS_ENOTAPFS-style codes from format probes.
 */
int apfs_dev_open(const char *path, struct apfs_dev **out);
void apfs_dev_close(struct apfs_dev *dev);

/*
 * Bounded read: fails with -APFS_ETRUNC (and no message) when any byte of
 * [off, off+len) lies at or past dev->size.  Callers name the structure.
 */
int apfs_dev_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off);

/* Full pread loop on fd: 0, -EIO on a short read (EOF), -errno otherwise. */
int apfs_pread_full(int fd, void *buf, size_t len, uint64_t off);

/*
 * Format probes.  Each returns 1 and sets *out when the file is of its
 * format, 0 when it is not, or a negative errno when it is but cannot be
 * opened (the probe has then logged why).  The probe takes over fd only on 1.
 */
int apfs_udif_probe(int fd, uint64_t file_size, const char *path, struct apfs_dev **out);

#endif
