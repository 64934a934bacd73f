/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the command-line front end's own view of an open image, for the
 * commands that still reach below the library (apfs/); the rest of the
 * shared pieces are in clibase.h.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include "clibase.h"
#include "apfs/apfs.h"

/* An open image: every container in it and every volume in each. */
struct cli_volume {
	struct apfs_volume *v;
	unsigned cidx;    /* index into cli_image.cont */
	unsigned number;  /* 1-based, across the image: what --volume N means */
};

struct cli_image {
	struct apfs_dev *dev;
	struct apfs_part *parts;
	unsigned nparts;
	struct apfs_container **cont;
	unsigned ncont;
	struct cli_volume *vols;
	unsigned nvols;
	int partial_err;  /* first error of a container or volume that did not open */
};

int cli_image_open(const struct cli_opts *o, struct cli_image *img);
void cli_image_close(struct cli_image *img);

/* Choose the volume --volume names, or the default (README: "--volume"). */
int cli_select_volume(const struct cli_opts *o, struct cli_image *img,
		      struct cli_volume **out);

#endif
