/* SPDX-License-Identifier: MIT */
/*
 * fz_names.c - the crypto users' names from property lists: the structural
 * check (util/plistcheck.c), libplist behind it, and keybag/names.c's
 * reading of CryptoUserInfo, AllUsersInfo, dslocal user records and the admin group, then the
 * comparison with a small keybag.  Byte 0: which file (mod 4); the rest:
 * the file.
 */
#include <string.h>

#include "keybag/names.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_user users[2] = { { .type = KB_USER_LOCAL_OD }, { .type = KB_USER_LOCAL_OD } };
	struct kb_volume_keys k = { .users = users, .nusers = 2 };
	struct kb_names db = { 0 };

	if (!size)
		return 0;
	fuzz_quiet();
	memset(users[1].uuid, 0xd1, 16);
	kb_names_add(&db, (enum kb_names_kind)(data[0] % 4), data + 1, size - 1, "fuzz");
	kb_names_check(&db, &k);
	kb_names_free(&db);
	return 0;
}
