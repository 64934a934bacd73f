/* SPDX-License-Identifier: MIT */
/*
 * fz_sparseimage.c - the sparse image reader (image/sparseimage.c): the
 * header node, the index-node chain and every band id, then reads spread
 * over the logical disk and the APFS containers in it.  The input is the
 * whole .sparseimage, handed over as an in-memory file.
 */

#include "image/probe.h"
#include "tests/fuzz/fuzz.h"

#define READ_MAX (4u << 20)

static void container(struct apfs_container *c)
{
	(void)c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apfs_dev *lower, *dev = NULL;

	fuzz_quiet();
	lower = fuzz_file_dev(data, size, "fuzz.sparseimage");
	if (!lower)
		return 0;
	if (apfs_sparseimage_probe(lower, &dev) != 1) {
		apfs_dev_close(lower);
		return 0;
	}
	fuzz_read_dev(dev, READ_MAX, 16, 1);
	fuzz_each_container(dev, container);
	apfs_dev_close(dev);
	return 0;
}
