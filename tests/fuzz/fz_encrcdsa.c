/* SPDX-License-Identifier: MIT */
/*
 * fz_encrcdsa.c - the encrypted disk image layer (image/encrcdsa*.c): the
 * encrcdsa header, its key pointers and password entries, the unwrap with
 * the passphrase "fuzz" (the seeds are `mkimage wrap ... --image-passphrase
 * fuzz --image-iterations 1`), then reads across the decrypted stream.  The
 * input is the whole file, handed over as an in-memory file.  `make fuzz`
 * lowers the iteration bound to 2000 (ENCR_ITER_MAX) so that PBKDF2 cannot
 * eat the time budget; the bound itself is checked by the unit tests.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/probe.h"
#include "tests/fuzz/fuzz.h"

#define READ_MAX (1u << 20)

static int give(void *arg, const char *image, unsigned attempt, char *buf, size_t cap,
		size_t *len)
{
	(void)arg, (void)image, (void)cap;
	if (attempt)
		return 1;
	memcpy(buf, "fuzz", 4);
	*len = 4;
	return 0;
}

/* The start in 64 KiB reads, then unaligned reads spread over the stream. */
static void read_stream(struct apfs_dev *dev)
{
	uint8_t *buf = malloc(65536);
	uint64_t off;

	for (off = 0; buf && off < dev->size && off < READ_MAX; off += 65536)
		apfs_dev_read(dev, buf, dev->size - off < 65536 ? (size_t)(dev->size - off) : 65536,
			      off);
	for (unsigned i = 1; buf && i < 8 && dev->size > 5000; i++)
		apfs_dev_read(dev, buf, 5000, (dev->size - 5000) / 8 * i + i);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.dmg", 0);
	struct apfs_dev *lower = NULL, *dev = NULL;

	fuzz_quiet();
	apfs_dev_set_passphrase_cb(give, NULL);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size ||
	    apfs_dev_fd_open(fd, size, "fuzz.dmg", &lower)) {
		close(fd);
		return 0;
	}
	if (apfs_encrcdsa_probe(lower, &dev) != 1) {
		apfs_dev_close(lower);
		return 0;
	}
	read_stream(dev);
	apfs_dev_close(dev);
	return 0;
}
