/* SPDX-License-Identifier: MIT */
/*
 * bridge.c - the handles' internal forms, for the commands of cli/ that
 * still read through apfs/ directly while they move onto the public API
 * (lib/internal.h says which and what they wait for).  Not exported.
 */
#include <stdlib.h>

#include "internal.h"
#include "users.h"

struct apfs_fs *apfsi_fs_internal(apfsi_fs *fs)
{
	return fs ? fs->fs : NULL;
}


/*
 * A one-volume image handle around a volume a command opened below the API
 * (cmd_diff's, through cli/image.c), so that it unlocks through the same
 * calls as the others.  The container and volume stay the command's: only
 * what the handles loaded (keybags, names, the kept VEK) goes at the close.
 */
int apfsi_bridge_open(struct apfs_volume *v, apfsi_image **img, apfsi_volume **vol)
{
	struct apfsi_image *b = calloc(1, sizeof(*b));
	struct apfsi_volume *bv = calloc(1, sizeof(*bv));
	struct apfs_container **cont = calloc(1, sizeof(*cont));

	if (!b || !bv || !cont) {
		free(b);
		free(bv);
		free(cont);
		return -ENOMEM;
	}
	cont[0] = v->c;
	*b = (struct apfsi_image){ .cont = cont, .ncont = 1, .vols = bv, .nvols = 1 };
	*bv = (struct apfsi_volume){ .img = b, .v = v, .number = 1 };
	pthread_mutex_init(&bv->lock, NULL);
	apfsi_volume_note_ids(bv);
	*img = b;
	*vol = bv;
	return 0;
}

void apfsi_bridge_close(apfsi_image *img)
{
	if (!img)
		return;
	apfsi_volume_users_free(&img->vols[0]);
	pthread_mutex_destroy(&img->vols[0].lock);
	free(img->vols);
	free(img->cont);
	free(img);
}
