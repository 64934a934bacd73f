/* SPDX-License-Identifier: MIT */
/*
 * usernames.h - the names of a volume's crypto users, which the library
 * reads from the image without a credential (the Preboot volume's user
 * databases) and, once the volume is readable, from its dslocal user
 * records: the unlock that lets dslocal be read, and the warnings printed.
 */
#ifndef CLI_USERNAMES_H
#define CLI_USERNAMES_H

#include "clibase.h"
#include "apfsinspect.h"

/*
 * names_unlock.c: with a credential on the command line (never a prompt:
 * listing needs none), unlock vol so that its dslocal records can be
 * read.  0, or the exit code of a failed unlock (its reason printed).
 */
int cli_names_unlock(const struct cli_opts *o, apfsi_volume *vol);

/*
 * Read vol's names (quietly: the library's log would word their warnings
 * its own way) and print "apfsinspect: warning: ..." for each warning,
 * names escaped.  The number of user databases read, or 0.
 */
unsigned cli_names_load(apfsi_volume *vol);

/*
 * User i as apfsi_volume_user describes it, quietly: the names it reads
 * along warn through cli_names_load, in listcryptousers and fdesetup-list
 * only.  False when it cannot be described.
 */
bool cli_user_info(apfsi_volume *vol, unsigned i, struct apfsi_user_info *u);

/* One more warning of the commands' own, worded as the library's are. */
void cli_names_warn(const char *warning);

#endif
