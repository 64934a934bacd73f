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
/* The same with APFSI_OPEN_* flags (verify: APFSI_OPEN_WITHOUT_APFS). */
int cli_api_open_flags(const struct cli_opts *o, uint64_t flags, apfsi_image **img);

/*
 * The volume --volume names (number, name, UUID, role, "group"), or the
 * default, as cli_select_volume() chooses and explains it (the choices
 * listed on stderr); noted in the audit log.  0, EXIT_USAGE or EXIT_ERROR.
 */
int cli_api_select_volume(const struct cli_opts *o, apfsi_image *img, apfsi_volume **out);
/* vi is a volume group's System volume (what `--volume group` and the Mac's root take). */
bool cli_group_system(const struct apfsi_volume_info *vi);

/*
 * Quiet: the library's messages are dropped (still kept for
 * apfsi_last_message) until cli_api_quiet(false).  For what a command reads
 * only because the library reads it along (the names apfsi_volume_user
 * adds, which `hashes` does not show), whose warnings were never its own.
 */
void cli_api_quiet(bool quiet);

/* An APFSI_ERR_* as an exit code (README "Exit codes"). */
int cli_api_exit(int err);

#endif
