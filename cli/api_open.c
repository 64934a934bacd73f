/* SPDX-License-Identifier: MIT */
/*
 * api_open.c - open an image through libapfsinspect for a command.  The
 * library keeps its messages unless given a log callback: liblog.c's, which
 * every command uses, so the two kinds of command say the same things the
 * same way.
 */
#include <stdio.h>

#include "api.h"
#include "audit.h"
#include "liblog.h"

void cli_api_quiet(bool quiet)
{
	apfsi_set_log(quiet ? NULL : cli_lib_log, APFSI_LOG_WARNING, NULL);
}

int cli_api_exit(int err)
{
	switch (err) {
	case APFSI_OK: return EXIT_OK;
	case APFSI_ERR_LOCKED:
	case APFSI_ERR_WRONG_CREDENTIAL:
	case APFSI_ERR_IMAGE_LOCKED: return EXIT_LOCKED;
	case APFSI_ERR_HW_BOUND: return EXIT_HWBOUND;
	default: return EXIT_ERROR;
	}
}

int cli_api_open(const struct cli_opts *o, apfsi_image **img)
{
	return cli_api_open_flags(o, 0, img);
}

int cli_api_open_flags(const struct cli_opts *o, uint64_t flags, apfsi_image **img)
{
	struct apfsi_open_options opts = {
		.format = o->image_format ? o->image_format : o->format,
		.at_offset = o->offset_set,
		.offset = o->offset,
		.checkpoint_xid = o->xid,
		.passphrase = cli_image_cred_give,
		.flags = flags,
	};
	int ret, cred;

	cli_api_quiet(false);
	ret = apfsi_image_open(o->image, &opts, img);
	cred = cli_image_cred_status();
	cli_image_cred_wipe();  /* the layer holds its keys now */
	if (ret)
		return ret == APFSI_ERR_IMAGE_LOCKED && cred ? cred : cli_api_exit(ret);
	cli_audit_api_image(*img);
	return 0;
}
