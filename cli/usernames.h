/* SPDX-License-Identifier: MIT */
/*
 * usernames.h - the names of a volume's crypto users, read from the image
 * without a credential (the Preboot volume's user databases) and, once the
 * volume is readable, from its dslocal user records (keybag/names.h).
 */
#ifndef CLI_USERNAMES_H
#define CLI_USERNAMES_H

#include "cli.h"
#include "keybag/names.h"
#include "lib/usernames.h"

/*
 * Fill db for cv (a Data or other encrypted volume): Preboot's
 * /<UUID>/var/db/{CryptoUserInfo,AllUsersInfo}.plist, the folder named by
 * the group UUID, else the volume's, else the group's System volume's
 * (authd's order, docs/macos-boot.md §1); then cv's dslocal records when
 * cv is unencrypted or unlocked.  Problems become warnings in db; returns
 * 0 or -ENOMEM.
 */
int cli_names_load(struct cli_image *img, struct cli_volume *cv, struct kb_names *db);

/*
 * With a credential on the command line (never a prompt: listing needs
 * none), unlock cv so that its dslocal records can be read.  0, or the
 * exit code of a failed unlock (its reason printed).
 */
int cli_names_unlock(const struct cli_opts *o, struct cli_volume *cv);

/* "apfsinspect: warning: ..." for each warning, names escaped. */
void cli_names_warn(const struct kb_names *db);

#endif
