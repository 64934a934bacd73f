/* SPDX-License-Identifier: MIT */
/*
 * names_unlock.c - the unlock that lets a volume's dslocal user records be
 * read by listcryptousers and fdesetup-list: only with a credential given
 * on the command line (usernames.h).
 */
#include "api.h"
#include "credential.h"
#include "usernames.h"

int cli_names_unlock(const struct cli_opts *o, apfsi_volume *vol)
{
	struct apfsi_unlock_result res;
	struct apfsi_volume_info vi;
	struct cli_cred cr = { 0 };
	int ret;

	if (apfsi_volume_info(vol, &vi) || !vi.locked ||
	    !(o->passphrase || o->stdin_passphrase || o->passphrase_file || o->recovery_key ||
	      o->vek_hex))
		return 0;
	ret = cli_cred_get(o, false, &cr);
	if (!ret)
		ret = cli_unlock(o, vol, &cr, &res);
	cli_cred_wipe(&cr);
	return ret;
}
