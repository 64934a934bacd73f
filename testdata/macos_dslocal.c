/* SPDX-License-Identifier: MIT */
/*
 * macos_dslocal.c - the local directory node of the Data volume,
 * /private/var/db/dslocal/nodes/Default: one binary plist per record,
 * every attribute an array of strings (as dslocal keeps them).  Users:
 * alice and bob, and the system accounts root, daemon and nobody, whose
 * generateduids are no crypto users (a reader must match names to the
 * keybag by UUID, not take every record); the group admin (alice is a
 * member); and secureaccesstoken.plist, which Preboot copies.
 */
#include <errno.h>
#include <plist/plist.h>
#include <stdio.h>
#include <stdlib.h>

#include "apfs/apfs.h"
#include "macos.h"

#define DSLOCAL "/private/var/db/dslocal/nodes/Default"

/* A system account: generateduid FFFFEEEE-DDDD-CCCC-BBBB-AAAA + the uid in 8 hex digits. */
struct sys_user {
	const char *name, *realname, *uid, *guid, *home, *shell;
};

static const struct sys_user sys_users[] = {
	{ "root", "System Administrator", "0", "FFFFEEEE-DDDD-CCCC-BBBB-AAAA00000000", "/var/root",
	  "/bin/sh" },
	{ "daemon", "System Services", "1", "FFFFEEEE-DDDD-CCCC-BBBB-AAAA00000001", "/var/root",
	  "/usr/bin/false" },
	{ "nobody", "Unprivileged User", "-2", "FFFFEEEE-DDDD-CCCC-BBBB-AAAAFFFFFFFE",
	  "/var/empty", "/usr/bin/false" },
};

/* dslocal keeps every attribute as an array of strings. */
static void ds_attr(plist_t d, const char *key, const char *val)
{
	plist_t a = plist_new_array();

	plist_array_append_item(a, plist_new_string(val));
	plist_dict_set_item(d, key, a);
}

void *mac_dslocal_record(const struct mac_user *u)
{
	plist_t d = plist_new_dict();
	char s[64];

	apfs_uuid_str(u->guid, s);
	ds_attr(d, "generateduid", s);
	ds_attr(d, "name", u->name);
	ds_attr(d, "realname", u->realname);
	snprintf(s, sizeof(s), "%u", u->uid);
	ds_attr(d, "uid", s);
	ds_attr(d, "gid", "20");
	snprintf(s, sizeof(s), "/Users/%s", u->name);
	ds_attr(d, "home", s);
	ds_attr(d, "shell", "/bin/zsh");
	if (*u->hint)
		ds_attr(d, "hint", u->hint);
	return d;
}

static plist_t sys_record(const struct sys_user *u)
{
	plist_t d = plist_new_dict();

	ds_attr(d, "generateduid", u->guid);
	ds_attr(d, "name", u->name);
	ds_attr(d, "realname", u->realname);
	ds_attr(d, "uid", u->uid);
	ds_attr(d, "gid", !strcmp(u->name, "nobody") ? "-2" : u->uid);
	ds_attr(d, "home", u->home);
	ds_attr(d, "shell", u->shell);
	return d;
}

/*
 * A group: name, gid, generateduid ABCDEFAB-CDEF-ABCD-EFAB-CDEF + the gid in
 * 8 hex digits, and its members by name (users) and generateduid
 * (groupmembers): root and the admin users.
 */
static plist_t group(const struct mac_group *g, const char *name, unsigned gid)
{
	plist_t d = plist_new_dict(), users = plist_new_array(), members = plist_new_array();
	char s[64];

	ds_attr(d, "name", name);
	snprintf(s, sizeof(s), "%u", gid);
	ds_attr(d, "gid", s);
	snprintf(s, sizeof(s), "ABCDEFAB-CDEF-ABCD-EFAB-CDEF%08X", gid);
	ds_attr(d, "generateduid", s);
	plist_array_append_item(users, plist_new_string("root"));
	plist_array_append_item(members, plist_new_string(sys_users[0].guid));
	for (unsigned i = 0; i < g->nusers; i++) {
		if (!g->users[i].admin)
			continue;
		apfs_uuid_str(g->users[i].guid, s);
		plist_array_append_item(users, plist_new_string(g->users[i].name));
		plist_array_append_item(members, plist_new_string(s));
	}
	plist_dict_set_item(d, "users", users);
	plist_dict_set_item(d, "groupmembers", members);
	return d;
}

/* Write p (freed here) as DSLOCAL/dir/name.plist, binary. */
static int put(struct mk_vol *v, const char *dir, const char *name, plist_t p)
{
	char path[128], file[64];
	uint64_t ino;
	int rc;

	snprintf(path, sizeof(path), "%s%s", DSLOCAL, dir);
	snprintf(file, sizeof(file), "%s.plist", name);
	rc = mk_fs_mkdirs(v, path, &ino);
	if (!rc)
		rc = mk_fs_plist(v, ino, file, p, true, NULL);
	plist_free(p);
	return rc;
}

/**
 * mac_dslocal() - write the node's users, groups and secureaccesstoken.plist.
 * @v: the Data volume
 * @g: the group
 */
int mac_dslocal(struct mk_vol *v, const struct mac_group *g)
{
	plist_t tok = plist_new_dict();
	int rc = 0;

	for (unsigned i = 0; !rc && i < g->nusers; i++)
		rc = put(v, "/users", g->users[i].name, mac_dslocal_record(&g->users[i]));
	for (unsigned i = 0; !rc && i < sizeof(sys_users) / sizeof(sys_users[0]); i++)
		rc = put(v, "/users", sys_users[i].name, sys_record(&sys_users[i]));
	if (!rc)
		rc = put(v, "/groups", "admin", group(g, "admin", 80));
	plist_dict_set_item(tok, "SecureAccessToken",
			    plist_new_data((const char *)g->token, sizeof(g->token)));
	return rc ? rc : put(v, "", "secureaccesstoken", tok);
}
