/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point, a quiet
 * log, and the "sparse image" input that the image targets decode into an
 * in-memory device (fuzz_image.c; the format is described there).
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "apfs/apfs.h"

/* Every target defines this; libFuzzer or tests/fuzz/driver.c calls it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Silence the library's messages (formatting them still runs). */
void fuzz_quiet(void);

/* The input as an in-memory file, the bottom layer of an image; NULL on failure (fuzz_file.c). */
struct apfs_dev *fuzz_file_dev(const uint8_t *data, size_t size, const char *name);
/* dev's first seq_max bytes in 64 KiB reads, then spread reads of len bytes across it. */
void fuzz_read_dev(struct apfs_dev *dev, uint64_t seq_max, unsigned spread, size_t len);

/* An image made from a sparse-image input; NULL when the input holds none. */
struct apfs_dev *fuzz_image_dev(const uint8_t *data, size_t size);
void fuzz_image_free(struct apfs_dev *dev);
/* The same image as a sparse in-memory file (memfd) for APIs that open paths; -1 on failure. */
int fuzz_image_memfd(const uint8_t *data, size_t size);

/* Visit every container of dev: open it as apfs_container_open does. */
typedef void (*fuzz_container_fn)(struct apfs_container *c);
void fuzz_each_container(struct apfs_dev *dev, fuzz_container_fn fn);

/* Visit every volume of c that opens, unlocked or not. */
typedef void (*fuzz_volume_fn)(struct apfs_volume *v);
void fuzz_each_volume(struct apfs_container *c, fuzz_volume_fn fn);

/* Open the sparse image in data and visit every volume (the image targets). */
void fuzz_image_volumes(const uint8_t *data, size_t size, fuzz_volume_fn fn);

/* Unlock v with the generator's known passwords (cheap PBKDF2 only). */
void fuzz_try_unlock(struct apfs_volume *v);

/* Walk the view like `ls -R`, reading every file and xattr (fuzz_walk.c). */
struct apfs_fs;
#define FUZZ_WALK_COMPRESSED 0x1  /* read only decmpfs-compressed files */
void fuzz_walk(struct apfs_fs *fs, unsigned flags);

#endif
