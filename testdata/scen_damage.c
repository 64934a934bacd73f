/* SPDX-License-Identifier: MIT */
/*
 * scen_damage.c - damaged scenarios (README "Damaged scenarios"): an
 * encrypted volume `Damaged` (user `demo-user`, password `damaged-password`)
 * with one broken structure each, a looping fs tree and a truncated image.
 */
#include <errno.h>
#include <stdio.h>

#include "mk.h"

static int damaged_vol(struct mk_image *img, enum mk_damage d, uint64_t iterations)
{
	struct mk_user u = { "6B1F2E3D-4C5B-4A69-8877-665544332211", "damaged-password",
			     "damaged hint", MK_KEK_256, false, iterations };
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Damaged", APFS_VOL_ROLE_DATA, true);

	img->damage = d;
	if (!rc)
		rc = mk_vol_encrypt(&v, false, 32);
	if (!rc)
		rc = mk_vol_add_user(&v, &u);
	if (!rc)
		rc = mk_small_tree(&v);
	return rc ? rc : mk_vol_finish(&v);
}

int mk_fill_bad_keybag_checksum(struct mk_image *img)
{
	return damaged_vol(img, MK_DAMAGE_KEYBAG_CKSUM, 0);
}

int mk_fill_entry_overrun(struct mk_image *img)
{
	return damaged_vol(img, MK_DAMAGE_ENTRY_OVERRUN, 0);
}

int mk_fill_der_length(struct mk_image *img)
{
	return damaged_vol(img, MK_DAMAGE_DER_LENGTH, 0);
}

int mk_fill_huge_iterations(struct mk_image *img)
{
	return damaged_vol(img, MK_DAMAGE_NONE, 1ull << 32);
}

/* Plain volume `Loop` with 2000 files, so its fs tree has an index root. */
int mk_fill_btree_loop(struct mk_image *img)
{
	struct mk_vol v;
	char name[32];
	int rc = mk_vol_init(&v, img, "Loop", APFS_VOL_ROLE_NONE, true);

	img->damage = MK_DAMAGE_BTREE_LOOP;
	for (unsigned i = 0; !rc && i < 2000; i++) {
		snprintf(name, sizeof(name), "file%04u.txt", i);
		rc = mk_fs_file(&v, APFS_ROOT_DIR_INO_NUM, name, NULL, 0, NULL);
	}
	return rc ? rc : mk_vol_finish(&v);
}

/* The basic volume, with the image cut in the middle of the volume's blocks. */
int mk_fill_truncated(struct mk_image *img)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Basic", APFS_VOL_ROLE_NONE, true);

	if (!rc)
		rc = mk_small_tree(&v);
	if (!rc)
		rc = mk_vol_finish(&v);
	img->truncate_to = img->next_paddr / 2 * img->bs;
	return rc;
}
