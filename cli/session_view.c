/* SPDX-License-Identifier: MIT */
/*
 * session_view.c - the last steps of the file-system session, which a
 * volume group's Mac root (group_root.c) takes too: a chosen volume
 * unlocked (through the CLI's own unlock, credential.h, whose messages name
 * each crypto user not tried and why), and its view opened with the CLI's
 * messages.
 */
#include <string.h>

#include "audit.h"
#include "cmd_fs.h"
#include "credential.h"
#include "session_int.h"

int fs_unlock_volume(const struct cli_opts *o, apfsi_volume *vol, struct cli_cred *cr)
{
	struct apfsi_volume_info vi;
	struct apfsi_unlock_result res;
	int ret = apfsi_volume_info(vol, &vi);

	if (ret)
		return fs_fail("volume", cli_api_errno(ret));
	if (!vi.locked)
		return 0;
	return cr ? cli_unlock(o, vol, cr, &res) : cli_unlock_volume_if_needed(o, vol);
}

int fs_open_view(const struct cli_opts *o, struct fs_session *s, unsigned flags)
{
	struct apfsi_volume_info vi;
	int ret = apfsi_fs_open(s->vol, o->snapshot, flags, &s->view);

	if (!ret)
		return 0;
	if (apfsi_volume_info(s->vol, &vi))
		vi.name = "volume";
	if (ret == APFSI_ERR_NOT_FOUND && o->snapshot) {
		fprintf(stderr, "apfsinspect: --snapshot '%s': no such snapshot on volume '%s'\n",
			cli_safe_str(o->snapshot), cli_safe_str(vi.name));
		return EXIT_USAGE;
	}
	return fs_fail(vi.name, cli_api_errno(ret));
}
