/* SPDX-License-Identifier: MIT */
/*
 * unlock_cv.c - cli_unlock_if_needed for a volume opened below the API
 * (struct cli_volume, cli/image.c: cmd_diff's), through a one-volume
 * handle of the library's bridge (lib/internal.h), so that it unlocks and
 * explains as every other command.  Goes when the last such command moves.
 */
#include "cli.h"
#include "credential.h"
#include "lib/internal.h"

int cli_unlock_if_needed(const struct cli_opts *o, struct cli_volume *cv)
{
	apfsi_image *img;
	apfsi_volume *vol;
	int ret;

	if (!apfs_volume_encrypted(cv->v) || cv->v->xts)
		return 0;
	if (apfsi_bridge_open(cv->v, &img, &vol))
		return EXIT_ERROR;
	ret = cli_unlock_volume_if_needed(o, vol);
	apfsi_bridge_close(img);
	return ret;
}
