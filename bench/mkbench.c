/* SPDX-License-Identifier: MIT */
/*
 * mkbench.c - the image for the mount throughput benchmark (bench/fuse.sh),
 * written with testdata's generator: volume "Plain" and volume "Enc"
 * (encrypted, Disk User password "bench"), each holding /big.bin, MIB
 * MiB of seeded random bytes in 8 MiB extents.  No generator scenario holds
 * a big file on an encrypted volume, and tests do not need one.
 *
 *   mkbench OUT.img MIB
 */
#include <stdio.h>
#include <stdlib.h>

#include "testdata/mk.h"

static int add_vol(struct mk_image *img, const char *name, bool enc, const uint8_t *d,
		   uint64_t len)
{
	static const struct mk_user disk = { NULL, "bench", NULL, MK_KEK_256, false, 0 };
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, name, APFS_VOL_ROLE_NONE, true);

	if (!rc && enc)
		rc = mk_vol_encrypt(&v, false, 32);
	if (!rc && enc)
		rc = mk_vol_add_user(&v, &disk);
	if (!rc) {
		v.max_extent_blocks = (8u << 20) / img->bs;
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, "big.bin", d, len, NULL);
	}
	return rc ? rc : mk_vol_finish(&v);
}

int main(int argc, char **argv)
{
	struct mk_image img;
	uint64_t len;
	uint8_t *d;
	int rc;

	if (argc != 3 || !(len = strtoull(argv[2], NULL, 10) << 20)) {
		fprintf(stderr, "usage: mkbench OUT.img MIB\n");
		return 2;
	}
	d = malloc(len);
	rc = d ? mk_image_init(&img, 4096, (2 * len + (64u << 20)) / 4096, 1) : -1;
	if (rc) {
		fprintf(stderr, "mkbench: out of memory\n");
		return 1;
	}
	img.iterations = 1000;
	mk_rng_bytes(&img.rng, img.sep_id, 16);
	mk_rng_bytes(&img.rng, d, len);
	rc = add_vol(&img, "Plain", false, d, len);
	if (!rc)
		rc = add_vol(&img, "Enc", true, d, len);
	if (!rc)
		rc = mk_container_finish(&img);
	if (!rc)
		rc = mk_image_write(&img, argv[1], false);
	if (rc)
		fprintf(stderr, "mkbench: cannot write %s (%d)\n", argv[1], rc);
	free(d);
	mk_kb_free(img.ckb);
	free(img.ckb);
	mk_image_free(&img);
	return rc ? 1 : 0;
}
