/* SPDX-License-Identifier: MIT */
/*
 * fuzz_file.c - what the container-format targets (udif, sparseimage,
 * encrcdsa) share: the input as an in-memory file under the bottom layer,
 * and reads spread over the layer a format's probe made of it.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

struct apfs_dev *fuzz_file_dev(const uint8_t *data, size_t size, const char *name)
{
	int fd = memfd_create(name, 0);
	struct apfs_dev *dev = NULL;

	if (fd < 0)
		return NULL;
	if (write(fd, data, size) != (ssize_t)size || apfs_dev_fd_open(fd, size, name, &dev)) {
		close(fd);
		return NULL;
	}
	return dev;
}

void fuzz_read_dev(struct apfs_dev *dev, uint64_t seq_max, unsigned spread, size_t len)
{
	uint8_t *buf = malloc(65536);

	for (uint64_t off = 0; buf && off < dev->size && off < seq_max; off += 65536)
		apfs_dev_read(dev, buf, dev->size - off < 65536 ? (size_t)(dev->size - off) : 65536,
			      off);
	for (unsigned i = 1; buf && i < spread && dev->size > len; i++)
		apfs_dev_read(dev, buf, len, (dev->size - len) / spread * i + i);
	free(buf);
}
