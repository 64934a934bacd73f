/* SPDX-License-Identifier: MIT */
/*
 * fz_udif.c - the UDIF (.dmg) reader: koly, the XML plist, mish tables,
 * then reads through every chunk kind (zlib, bzip2, ADC, LZFSE, raw, zero)
 * and the APFS containers found in the flat disk.  The input is the whole
 * .dmg, handed over as an in-memory file (memfd: the reader takes an fd).
 */

#include "tests/fuzz/fuzz.h"

#define UDIF_READ_MAX (4u << 20)

static void container(struct apfs_container *c)
{
	(void)c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apfs_dev *lower, *dev = NULL;

	fuzz_quiet();
	lower = fuzz_file_dev(data, size, "fuzz.dmg");
	if (!lower)
		return 0;
	if (apfs_udif_probe(lower, &dev) != 1) {
		apfs_dev_close(lower);
		return 0;
	}
	fuzz_read_dev(dev, UDIF_READ_MAX, 8, 1);
	fuzz_each_container(dev, container);
	apfs_dev_close(dev);
	return 0;
}
