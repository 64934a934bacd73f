/* SPDX-License-Identifier: MIT */
/*
 * scen_sealed.c - the `sealed` scenario: one sealed System volume as macOS
 * 11+ makes it (hashed headerless fs tree, file extents in the fext tree,
 * an integrity_meta object).  /many has enough entries for the fs tree to
 * have index levels, whose 72-byte values carry the children's hashes;
 * /big.bin is split into several extents so the fext tree has a stream
 * with more than one record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mk.h"

#define SEALED_FILES 3000
#define SEALED_BIG (1048576 + 100)
#define SEALED_BIG_EXTENT 64 /* blocks */

/* /many/f0000.txt ... /many/f2999.txt, each "sealed file NNNN\n". */
static int many(struct mk_vol *v)
{
	char name[16], body[32];
	uint64_t dir;
	int rc = mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, "many", &dir);

	for (unsigned i = 0; !rc && i < SEALED_FILES; i++) {
		int len = snprintf(body, sizeof(body), "sealed file %04u\n", i);

		snprintf(name, sizeof(name), "f%04u.txt", i);
		rc = mk_fs_file(v, dir, name, body, (uint64_t)len, NULL);
	}
	return rc;
}

/* /big.bin: 1 MiB + 100 bytes of pattern in extents of SEALED_BIG_EXTENT blocks. */
static int big(struct mk_vol *v)
{
	uint8_t *data = mk_pattern(v->img, SEALED_BIG);
	int rc;

	if (!data)
		return -ENOMEM;
	v->max_extent_blocks = SEALED_BIG_EXTENT;
	rc = mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "big.bin", data, SEALED_BIG, NULL);
	v->max_extent_blocks = 1ull << 20;
	free(data);
	return rc;
}

/* One unencrypted, case-insensitive, sealed volume `Sealed` with role System. */
int mk_fill_sealed(struct mk_image *img)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Sealed", APFS_VOL_ROLE_SYSTEM, true);

	v.sealed = true;
	if (!rc)
		rc = mk_small_tree(&v);
	if (!rc)
		rc = many(&v);
	if (!rc)
		rc = big(&v);
	return rc ? rc : mk_vol_finish(&v);
}
