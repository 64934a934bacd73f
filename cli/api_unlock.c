/* SPDX-License-Identifier: MIT */
/*
 * api_unlock.c - the unlock of the commands that are clients of the
 * library, with the credential the options give: the session's
 * (session_view.c), whose messages, prompts and exit codes every reading
 * command shares.
 */
#include "api_fs.h"
#include "session_int.h"

int cli_api_unlock(const struct cli_opts *o, apfsi_volume *vol)
{
	return fs_unlock_volume(o, vol, NULL);
}
