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

int fs_view_fail(apfsi_volume *vol, const char *what, const char *sel, int ret)
{
	struct apfsi_volume_info vi;

	if (apfsi_volume_info(vol, &vi))
		vi.name = "volume";
	if (ret == APFSI_ERR_NOT_FOUND && sel) {
		fprintf(stderr, "apfsinspect: %s'%s': no such snapshot on volume '%s'\n", what,
			cli_safe_str(sel), cli_safe_str(vi.name));
		return EXIT_USAGE;
	}
	/* the tree lacks snapshots the volume counts (named above): this may be one */
	if (ret == APFSI_ERR_INCOMPLETE && sel) {
		fprintf(stderr, "apfsinspect: %s'%s': no such snapshot among those the snapshot "
			"metadata tree of volume '%s' holds, which lacks some (see above)\n", what,
			cli_safe_str(sel), cli_safe_str(vi.name));
		return cli_exit_code(cli_api_errno(ret));
	}
	return fs_fail(vi.name, cli_api_errno(ret));
}

int fs_open_view(const struct cli_opts *o, struct fs_session *s, unsigned flags)
{
	int ret = apfsi_fs_open(s->vol, o->snapshot, flags, &s->view);

	return ret ? fs_view_fail(s->vol, "--snapshot ", o->snapshot, ret) : 0;
}
