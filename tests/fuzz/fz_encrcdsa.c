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
#include <string.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apfs_dev *lower, *dev = NULL;

	fuzz_quiet();
	apfs_dev_set_passphrase_cb(give, NULL);
	lower = fuzz_file_dev(data, size, "fuzz.dmg");
	if (!lower)
		return 0;
	if (apfs_encrcdsa_probe(lower, &dev) != 1) {
		apfs_dev_close(lower);
		return 0;
	}
	fuzz_read_dev(dev, READ_MAX, 8, 5000);
	apfs_dev_close(dev);
	return 0;
}
