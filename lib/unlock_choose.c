/* SPDX-License-Identifier: MIT */
/*
 * unlock_choose.c - which crypto users a credential is tried on, and why
 * each other one is passed over (unlock_engine.h).  A recovery key only
 * fits the Personal Recovery User; a password is tried on every user that
 * can take one offline, whatever its type: the MDM bootstrap token and the
 * generator's iCloud/institutional records unwrap with a password too
 * (docs/apfs-format.md §6.3), and the type alone never refuses a record.
 */
#include <string.h>

#include "unlock_engine.h"

bool apfsi_record_damaged(const struct kb_user *u)
{
	return !u->parsed ||
	       (u->kek.has_kdf && (u->kek.iterations == 0 || u->kek.iterations > KB_MAX_ITERATIONS));
}

static bool escrow_type(enum kb_user_type t)
{
	return t == KB_USER_ICLOUD_RECOVERY || t == KB_USER_ICLOUD_EXTERNAL ||
	       t == KB_USER_INSTITUTIONAL_RECOVERY || t == KB_USER_INSTITUTIONAL_EXTERNAL;
}

enum apfsi_user_fit apfsi_skip_reason(const uint8_t *want, bool recovery, const struct kb_user *u)
{
	if (want && memcmp(u->uuid, want, 16))
		return APFSI_FIT_OTHER_USER;
	if (recovery && u->type != KB_USER_PERSONAL_RECOVERY)
		return APFSI_FIT_NOT_PRK;
	if (apfsi_record_damaged(u))
		return APFSI_FIT_DAMAGED;
	if (u->hw_bound)
		return APFSI_FIT_HW_BOUND;
	if (!u->offline_unlockable)
		return escrow_type(u->type) ? APFSI_FIT_ESCROW : APFSI_FIT_NO_KDF;
	return APFSI_FIT_TRY;
}

unsigned apfsi_choose_users(const struct kb_volume_keys *k, const uint8_t *want, bool recovery,
			    unsigned *idx, struct apfsi_unlock_result *res)
{
	unsigned n = 0;

	for (unsigned i = 0; i < k->nusers; i++) {
		switch (apfsi_skip_reason(want, recovery, &k->users[i])) {
		case APFSI_FIT_TRY: idx[n++] = i; break;
		case APFSI_FIT_DAMAGED: res->damaged++; break;
		case APFSI_FIT_HW_BOUND: res->hardware_bound++; break;
		case APFSI_FIT_ESCROW:
		case APFSI_FIT_NO_KDF: res->unusable++; break;
		default: break;
		}
	}
	return n;
}
