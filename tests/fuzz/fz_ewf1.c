/* SPDX-License-Identifier: MIT */
/*
 * fz_ewf1.c - the E01 reader of our own (image/ewf1_open.c, ewf1_read.c):
 * the section walk, the volume and table headers, the chunk offsets, then
 * reads spread over the media (zlib and uncompressed chunks).  The input
 * is one segment file.  A mutated descriptor would fail its Adler-32 and
 * end the walk at once, so the target first makes every Adler-32 it can
 * find right again (descriptors, volume, table header and offsets, hash
 * and digest), walking the sections as the reader does; the fuzzer then
 * reaches the checks behind them.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/bytes.h"
#include "image/ewf1.h"
#include "tests/fuzz/fuzz.h"

#define READ_MAX (4u << 20)

static void reseal(uint8_t *d, size_t size, size_t at, size_t n)
{
	if (at <= size && n >= 4 && n - 4 <= size - at && 4 <= size - at - (n - 4))
		st_le32(d + at + n - 4, (uint32_t)adler32(adler32(0, NULL, 0), d + at, (uInt)(n - 4)));
}

/* The Adler-32s of section at (its descriptor and the data the reader checks) made right. */
static void reseal_section(uint8_t *d, size_t size, size_t at)
{
	const char *t = (const char *)d + at;

	reseal(d, size, at, 76);
	if (!strncmp(t, "volume", 16) || !strncmp(t, "disk", 16))
		reseal(d, size, at + 76, 1052);
	else if (!strncmp(t, "hash", 16))
		reseal(d, size, at + 76, 36);
	else if (!strncmp(t, "digest", 16))
		reseal(d, size, at + 76, 80);
	else if (!strncmp(t, "table", 16) && at + 100 <= size) {
		uint64_t n = ld_le32(d + at + 76);

		reseal(d, size, at + 76, 24);
		if (n <= (size - at - 100) / 4)
			reseal(d, size, at + 100, (size_t)n * 4 + 4);
	}
}

static void reseal_all(uint8_t *d, size_t size)
{
	size_t at = 13;

	for (unsigned i = 0; i < 256 && at + 76 <= size; i++) {
		uint64_t next = ld_le64(d + at + 16);

		reseal_section(d, size, at);
		if (next <= at || next > size)
			return;
		at = (size_t)next;
	}
}

/* The input, resealed, as a memfd: the reader opens segments by name (/proc/self/fd/N). */
static int segment_fd(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	int fd = memfd_create("fuzz.E01", 0);

	if (copy && fd >= 0) {
		memcpy(copy, data, size);
		reseal_all(copy, size);
		if (write(fd, copy, size) != (ssize_t)size) {
			close(fd);
			fd = -1;
		}
	}
	free(copy);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apfs_dev *lower = NULL, *dev = NULL;
	char name[64], *names[1] = { name };
	int fd, lfd;

	fuzz_quiet();
	fd = segment_fd(data, size);
	if (fd < 0)
		return 0;
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	lfd = dup(fd);
	if (lfd < 0 || apfs_dev_fd_open(lfd, size, name, &lower)) {
		if (lfd >= 0)
			close(lfd);
		close(fd);
		return 0;
	}
	if (apfs_ewf1_open(lower, names, 1, &dev) == 1) {
		fuzz_read_dev(dev, READ_MAX, 16, 4096);
		apfs_dev_close(dev);
	} else {
		apfs_dev_close(lower);
	}
	close(fd);
	return 0;
}
