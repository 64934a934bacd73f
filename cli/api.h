/* SPDX-License-Identifier: MIT */
/*
 * api.h - the commands that are clients of libapfsinspect (include/
 * apfsinspect.h) open their image here: the options as the library takes
 * them, its messages on stderr as the layers below print theirs, its
 * error codes as the CLI's exit codes.
 */
#ifndef CLI_API_H
#define CLI_API_H

#include "clibase.h"
#include "apfsinspect.h"

/*
 * Open o->image with --format, --offset, --xid and the image passphrase
 * (imagecred.c), noted in the audit log.  0, or the exit code (the reason
 * printed by the library's log).
 */
int cli_api_open(const struct cli_opts *o, apfsi_image **img);

/* An APFSI_ERR_* as an exit code (README "Exit codes"). */
int cli_api_exit(int err);

#endif
