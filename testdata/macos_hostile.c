/* SPDX-License-Identifier: MIT */
/*
 * macos_hostile.c - `macos-boot --preboot-hostile`: the Preboot user
 * plists also hold what a reader must not believe (issue 12, item 7):
 * users the keybag does not have, a short name given twice, a key that is
 * no UUID, values of the wrong type, and a second name for bob's UUID.
 * Every genuine entry stays as it is; testdata/README.md lists the rest.
 */
#include <plist/plist.h>

#include "apfs/apfs.h"
#include "macos.h"

#define MALLORY "5A5A5A5A-0000-4000-8000-00000000BEEF"
#define IMPOSTOR "5A5A5A5A-0000-4000-8000-00000000A11C"

static plist_t od_user(const char *full, const char *short_name)
{
	plist_t d = plist_new_dict();

	plist_dict_set_item(d, "FullName", plist_new_string(full));
	plist_dict_set_item(d, "ShortName", plist_new_string(short_name));
	plist_dict_set_item(d, "PasswordHint", plist_new_string(""));
	plist_dict_set_item(d, "UserType", plist_new_string("OpenDirectory"));
	return d;
}

/*
 * CryptoUserInfo.plist: mallory and a second "alice" under UUIDs no crypto
 * user has, "eve" under a key that is no UUID, a string where a dictionary
 * belongs, and bob's FullName an integer.
 */
void mac_hostile_crypto_user_info(void *root, const struct mac_group *g)
{
	plist_t bob;
	char id[37];

	plist_dict_set_item(root, MALLORY, od_user("Mallory Notinkeybag", "mallory"));
	plist_dict_set_item(root, IMPOSTOR, od_user("Alice Impostor", "alice"));
	plist_dict_set_item(root, "not-a-uuid", od_user("Eve Nokey", "eve"));
	plist_dict_set_item(root, "0BAD0BAD-0000-4000-8000-000000000000",
			    plist_new_string("not a dictionary"));
	apfs_uuid_str(g->users[1].guid, id);
	bob = plist_dict_get_item(root, id);
	if (bob)
		plist_dict_set_item(bob, "FullName", plist_new_uint(42));
}

/* AllUsersInfo.plist: mallory (not in the keybag) and carol, claiming bob's UUID. */
void mac_hostile_all_users_info(void *root, const struct mac_group *g)
{
	plist_t m = plist_new_dict(), c = plist_new_dict();
	char id[37];

	plist_dict_set_item(m, "GeneratedUID", plist_new_string(MALLORY));
	plist_dict_set_item(m, "RealName", plist_new_string("Mallory Notinkeybag"));
	plist_dict_set_item(root, "mallory", m);
	apfs_uuid_str(g->users[1].guid, id);
	plist_dict_set_item(c, "GeneratedUID", plist_new_string(id));
	plist_dict_set_item(c, "RealName", plist_new_string("Carol Claimsbob"));
	plist_dict_set_item(root, "carol", c);
}
