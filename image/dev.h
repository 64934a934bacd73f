/* SPDX-License-Identifier: MIT */
/*
 * dev.h - read-only access to an image, whatever its container format.
 *
 * A format (raw file, UDIF .dmg, E01, split raw, VMDK, ...) supplies a
 * struct apfs_dev_ops; everything above sees a flat, byte-addressed disk of
 * `size` bytes.  Nothing here can write: images are opened O_RDONLY.
 *
 * Containers nest: each format reads its bytes from a lower device (the
 * file, or the stream another format produced), so a chain such as
 * "encrypted image -> UDIF -> disk" is a stack of devices, each holding the
 * one below in `lower`.  apfs_dev_open() builds the stack by probing
 * (image/probe.c), one layer at a time, until no format claims the top.
 */
#ifndef IMAGE_DEV_H
#define IMAGE_DEV_H

#include <stdbool.h>
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

#define APFS_DEV_SUMMARY 160

/* A hash the container stores of the data it holds (E01: MD5, SHA-1). */
struct apfs_dev_hash {
	const char *name; /* "MD5", "SHA1": OpenSSL digest names */
	unsigned len;
	uint8_t value[64];
};

#define APFS_DEV_HASHES 2

struct apfs_dev {
	const struct apfs_dev_ops *ops;
	void *priv;
	uint64_t size; /* readable bytes */
	char *path;
	/* The layer this one reads from (owned; closed with it), or NULL. */
	struct apfs_dev *lower;
	/* One line for `list`: "E01 (3 segments, 4.0 GiB, MD5 stored)". */
	char summary[APFS_DEV_SUMMARY];
	/* Hashes stored by the container over all `size` bytes of this layer. */
	struct apfs_dev_hash hashes[APFS_DEV_HASHES];
	unsigned nhashes;
	/*
	 * Optional, set by the layer after apfs_dev_new (NULL: reads only):
	 * the len bytes at off where they already are in memory (a mapped
	 * file's page cache), read-only, or NULL when they are not at hand;
	 * then the caller reads them.  What *hold is set to goes back to
	 * unview (optional) when the caller is done with them.  A layer that
	 * only transforms bytes (decryption) reads its input from there
	 * instead of copying it first: apfs_dev_view().
	 */
	const uint8_t *(*view)(struct apfs_dev *dev, size_t len, uint64_t off, void **hold);
	void (*unview)(struct apfs_dev *dev, void *hold);
};

/*
 * Open an image read-only and detect its format by content, layer after
 * layer.  Returns 0, -errno for system errors, or -APFS_ECORRUPT/-ENOTSUP
 * (logged) when a recognised container cannot be read.
 */
int apfs_dev_open(const char *path, struct apfs_dev **out);

/*
 * The same with the outermost format forced (--format NAME): only that
 * format's probe runs on the file; "raw" reads the file as the disk.  An
 * unknown NAME, or a file that is not of that format, is an error (logged).
 * format NULL means detect.
 */
int apfs_dev_open_format(const char *path, const char *format, struct apfs_dev **out);

/*
 * Where an encrypted layer (encrcdsa) gets its image's passphrase: image/
 * knows nothing of options, prompts or terminals, so the program installs
 * a callback before opening.  The layer calls it only when an image turns
 * out to be encrypted, with attempt = 0, 1, 2 ... until one opens the
 * image: the callback copies candidate `attempt` into buf (cap bytes of key
 * memory the layer owns and wipes; no NUL needed), sets *len and returns 0;
 * returns 1 when there is no further candidate, or a negative errno having
 * said why (-APFS_ELOCKED: no passphrase given and none can be asked for).
 * `image` is the image's name, for a prompt or a message.  With no
 * callback installed, an encrypted image is -APFS_ELOCKED.  The callback is
 * the calling thread's (an image is unlocked while it is opened, on the
 * opening thread): set it on the thread that opens, before the open; fn
 * NULL removes it.
 */
typedef int (*apfs_passphrase_fn)(void *arg, const char *image, unsigned attempt, char *buf,
				  size_t cap, size_t *len);

void apfs_dev_set_passphrase_cb(apfs_passphrase_fn fn, void *arg);

/* For the layers: ask the installed callback (see above). */
int apfs_dev_passphrase(const char *image, unsigned attempt, char *buf, size_t cap, size_t *len);

/* Close dev and every layer below it. */
void apfs_dev_close(struct apfs_dev *dev);

/*
 * Bounded read: fails with -APFS_ETRUNC (and no message) when any byte of
 * [off, off+len) lies at or past dev->size.  Callers name the structure.
 */
int apfs_dev_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off);

/*
 * The bytes [off, off+len) of dev in place (see view in struct apfs_dev),
 * NULL when the device cannot show them so or the range is not inside it;
 * release with apfs_dev_unview(dev, *hold) once done.  Never an error: the
 * caller reads instead.
 */
const uint8_t *apfs_dev_view(struct apfs_dev *dev, size_t len, uint64_t off, void **hold);
void apfs_dev_unview(struct apfs_dev *dev, void *hold);

/*
 * A device over an open file descriptor (the bottom layer); takes over fd
 * on success.  path is copied, for messages.
 */
int apfs_dev_fd_open(int fd, uint64_t size, const char *path, struct apfs_dev **out);

/* The file name when dev is a plain file (the bottom layer), else NULL. */
const char *apfs_dev_file_path(const struct apfs_dev *dev);

/*
 * A new device of the given ops over lower (which it then owns), with the
 * lower's path; NULL on ENOMEM.  For the formats' open functions.
 */
struct apfs_dev *apfs_dev_new(const struct apfs_dev_ops *ops, void *priv, uint64_t size,
			      struct apfs_dev *lower, const char *path);

/*
 * The chain of layers opened, outermost (the file) first: up to max
 * devices into layers[]; returns how many.  The plain file under another
 * format is not a layer of its own (it is just where the bytes are).
 */
size_t apfs_dev_chain(const struct apfs_dev *dev, const struct apfs_dev **layers, size_t max);

/* "4.0 GiB", "512 B": binary units, one decimal, for summaries. */
void apfs_fmt_size(uint64_t n, char *buf, size_t len);

/*
 * Format probes (image/probe.c holds the table).  A probe looks at lower
 * and returns 1 with *out set (the new device then owns lower) when the
 * bytes are of its format, 0 when they are not (lower untouched), or a
 * negative errno, logged, when they are but cannot be opened.
 */
typedef int (*apfs_probe_fn)(struct apfs_dev *lower, struct apfs_dev **out);

int apfs_udif_probe(struct apfs_dev *lower, struct apfs_dev **out);

#endif
