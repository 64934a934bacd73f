/* SPDX-License-Identifier: MIT */
/*
 * imagecred_dev.c - the image passphrase callback (imagecred.c) installed
 * in image/ itself, for the commands that still open their image below the
 * API (cli/image.c); the others hand it to apfsi_image_open.
 */
#include "cli.h"
#include "credential.h"

void cli_image_cred_install(const struct cli_opts *o)
{
	cli_image_cred_begin(o);
	apfs_dev_set_passphrase_cb(cli_image_cred_give, NULL);
}
