/* SPDX-License-Identifier: MIT */
/*
 * fz_udif.c - the UDIF (.dmg) reader: koly, the XML plist, mish tables,
 * then reads through every chunk kind (zlib, bzip2, ADC, LZFSE, raw, zero)
 * and the APFS containers found in the flat disk.  The input is the whole
 * .dmg, handed over as an in-memory file (memfd: the reader takes an fd).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#define UDIF_READ_MAX (4u << 20)

static void container(struct apfs_container *c)
{
	(void)c;
}

/* The flat disk's first bytes, then a few reads at spread offsets. */
static void read_disk(struct apfs_dev *dev)
{
	uint8_t *buf = malloc(65536);
	uint64_t off;

	for (off = 0; buf && off < dev->size && off < UDIF_READ_MAX; off += 65536)
		apfs_dev_read(dev, buf, dev->size - off < 65536 ? (size_t)(dev->size - off) : 65536,
			      off);
	for (unsigned i = 1; buf && i < 8 && dev->size; i++)
		apfs_dev_read(dev, buf, 1, dev->size / 8 * i + i);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.dmg", 0);
	struct apfs_dev *lower = NULL, *dev = NULL;

	fuzz_quiet();
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size ||
	    apfs_dev_fd_open(fd, size, "fuzz.dmg", &lower)) {
		close(fd);
		return 0;
	}
	if (apfs_udif_probe(lower, &dev) != 1) {
		apfs_dev_close(lower);
		return 0;
	}
	read_disk(dev);
	fuzz_each_container(dev, container);
	apfs_dev_close(dev);
	return 0;
}
