/* SPDX-License-Identifier: MIT */
/*
 * fz_sparseimage.c - the sparse image reader (image/sparseimage.c): the
 * header node, the index-node chain and every band id, then reads spread
 * over the logical disk and the APFS containers in it.  The input is the
 * whole .sparseimage, handed over as an in-memory file.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/probe.h"
#include "tests/fuzz/fuzz.h"

#define READ_MAX (4u << 20)

static void container(struct apfs_container *c)
{
	(void)c;
}

/* The first 4 MiB in 64 KiB reads (across bands), then reads at spread offsets. */
static void read_disk(struct apfs_dev *dev)
{
	uint8_t *buf = malloc(65536);

	for (uint64_t off = 0; buf && off < dev->size && off < READ_MAX; off += 65536)
		apfs_dev_read(dev, buf, dev->size - off < 65536 ? (size_t)(dev->size - off) : 65536,
			      off);
	for (unsigned i = 1; buf && i < 16 && dev->size; i++)
		apfs_dev_read(dev, buf, 1, dev->size / 16 * i + i);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.sparseimage", 0);
	struct apfs_dev *lower = NULL, *dev = NULL;

	fuzz_quiet();
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size ||
	    apfs_dev_fd_open(fd, size, "fuzz.sparseimage", &lower)) {
		close(fd);
		return 0;
	}
	if (apfs_sparseimage_probe(lower, &dev) != 1) {
		apfs_dev_close(lower);
		return 0;
	}
	read_disk(dev);
	fuzz_each_container(dev, container);
	apfs_dev_close(dev);
	return 0;
}
