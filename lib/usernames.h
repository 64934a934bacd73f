/* SPDX-License-Identifier: MIT */
/*
 * usernames.h - the names of a volume's crypto users, read from the image
 * without a credential (the Preboot volume's user databases) and, once the
 * volume is readable, from its dslocal user records (keybag/names.h parses
 * them; this finds and reads them).  For lib/users.c and the CLI's
 * listcryptousers, fdesetup-list and unlock messages.
 */
#ifndef LIB_USERNAMES_H
#define LIB_USERNAMES_H

#include "apfs/apfs.h"
#include "keybag/names.h"

#define DSLOCAL_USERS "/private/var/db/dslocal/nodes/Default/users"
#define DSLOCAL_ADMIN "/private/var/db/dslocal/nodes/Default/groups/admin.plist"
#define DSLOCAL_MAX_RECORDS 100000u   /* directory entries looked at */
#define DSLOCAL_MAX_BYTES (64u << 20)  /* user records read, all together */

/* A member of a volume group (System + Data of one macOS install). */
bool apfsi_in_group(const struct apfs_volume *v);

/*
 * Fill db for v (a Data or other encrypted volume), given the volumes of
 * its container (sibs, v among them): Preboot's
 * /<UUID>/var/db/{CryptoUserInfo,AllUsersInfo}.plist, the folder named by
 * the group UUID, else the volume's, else the group's System volume's
 * (authd's order, docs/macos-boot.md §1); then v's dslocal records when v
 * is unencrypted or unlocked.  Problems become warnings in db; returns 0.
 */
int apfsi_names_read(struct apfs_volume *const *sibs, unsigned nsibs, struct apfs_volume *v,
		     struct kb_names *db);

#endif
