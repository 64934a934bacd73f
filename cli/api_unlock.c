/* SPDX-License-Identifier: MIT */
/*
 * api_unlock.c - the unlock of the commands that are clients of the
 * library, with the credential the options give: the session's
 * (session_view.c), whose messages, prompts and exit codes every reading
 * command shares.  It still reaches below the API for the unlock's
 * messages; this file is the one place such a command depends on that, so
 * that the command itself includes nothing of it.
 */
#include "api_fs.h"
#include "session_int.h"

int cli_api_unlock(const struct cli_opts *o, apfsi_volume *vol)
{
	return fs_unlock_volume(o, vol, NULL);
}
