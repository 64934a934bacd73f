/* SPDX-License-Identifier: MIT */
/*
 * users.h - what lib/users.c and lib/unlock.c share about a volume's
 * crypto users: its keybags and names, loaded on first use under vol->lock.
 */
#ifndef LIB_USERS_H
#define LIB_USERS_H

#include "internal.h"

/*
 * vol's keybags (vol->keys), read once: APFSI_OK, APFSI_ERR_NOT_FOUND for
 * a volume that is not encrypted or whose container keybag holds nothing
 * for it, or the error of the read.
 */
int apfsi_volume_keys(struct apfsi_volume *vol, const struct kb_volume_keys **out);

/* vol's names (vol->names), read once, and again once after it is unlocked. */
const struct kb_names *apfsi_volume_names(struct apfsi_volume *vol);

/* What users.c and unlock.c loaded for vol, freed and wiped (by the volume's close). */
void apfsi_volume_users_free(struct apfsi_volume *vol);

#endif
