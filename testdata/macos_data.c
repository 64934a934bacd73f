/* SPDX-License-Identifier: MIT */
/*
 * macos_data.c - the group's Data volume "Macintosh HD - Data": FileVault
 * (alice, bob and any --users, a Personal Recovery Key, the MDM
 * Bootstrap Token External Key, the iCloud Recovery User and External
 * Key; every KEK Secure-Enclave-bound with --hardware), the firmlinks'
 * targets, the users' homes and (macos_dslocal.c) their dslocal records.
 */
#include <errno.h>
#include <inttypes.h>
#include <plist/plist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/apfs.h"
#include "macos.h"

/* The crypto users after the two Local OD ones, in keybag order (README). */
static const struct mk_user recovery_users[] = {
	{ "EBC6C064-0000-11AA-AA11-00306543ECAC", "QWER-TYUI-OPAS-DFGH-JKLZ-XCVB", NULL,
	  MK_KEK_256, false, 0 },
	{ "2457711A-523C-4604-B75A-F48A571D5036", "macos-boot-bootstrap-token", NULL, MK_KEK_256,
	  false, 0 },
	{ "EC1C2AD9-B618-4ED6-BD8D-50F361C27507", "macos-boot-icloud-secret", NULL, MK_KEK_256,
	  false, 0 },
	{ "64C0C6EB-0000-11AA-AA11-00306543ECAC", "macos-boot-icloud-external", NULL, MK_KEK_256,
	  true, 0 },
};

/* One crypto user; on a --hardware image its KEK is bound to the Secure Enclave. */
static int add_user(struct mk_vol *v, struct mk_user u)
{
	if (v->img->hardware)
		u.kind = MK_KEK_HW;
	return mk_vol_add_user(v, &u);
}

static int crypto_users(struct mk_vol *v, const struct mac_group *g)
{
	char id[MAC_MAX_USERS][37];
	int rc = mk_vol_encrypt(v, false, 32);

	for (unsigned i = 0; !rc && i < g->nusers; i++) {
		const struct mac_user *u = &g->users[i];

		apfs_uuid_str(u->guid, id[i]);
		rc = add_user(v, (struct mk_user){ id[i], u->password, *u->hint ? u->hint : NULL,
						   MK_KEK_256, false, 0 });
	}
	for (unsigned i = 0; !rc && i < sizeof(recovery_users) / sizeof(recovery_users[0]); i++)
		rc = add_user(v, recovery_users[i]);
	return rc;
}

/**
 * mac_doc_text() - /Users/NAME/Documents/file-NNNNN.txt: one line,
 * "NAME file NNNNN seed S\n" (S = --seed), so tests recompute it.
 */
int mac_doc_text(const struct mac_user *u, uint64_t n, uint64_t seed, char *buf, size_t len)
{
	return snprintf(buf, len, "%s file %05" PRIu64 " seed %" PRIu64 "\n", u->name, n, seed);
}

/*
 * The access control list macOS gives each of a home's usual folders, as
 * `ls -le` shows it: "0: group:everyone deny delete".  A kauth_filesec
 * (xnu bsd/sys/kauth.h), in disk order, big-endian
 * (kauth_filesec_acl_setendian): magic KAUTH_FILESEC_MAGIC, owner and
 * group GUIDs none (zero: our choice, no shared image shows what macOS
 * writes there), one entry: everyone's well-known GUID
 * (ABCDEFAB-CDEF-ABCD-EFAB-CDEF0000000C, group 12), KAUTH_ACE_DENY,
 * KAUTH_VNODE_DELETE.  The xattr com.apple.system.Security (KAUTH_FILESEC_XATTR).
 */
static int deny_delete(struct mk_vol *v, uint64_t dir)
{
	static const uint8_t everyone[16] = { 0xab, 0xcd, 0xef, 0xab, 0xcd, 0xef, 0xab, 0xcd,
					      0xef, 0xab, 0xcd, 0xef, 0x00, 0x00, 0x00, 0x0c };
	uint8_t fsec[4 + 16 + 16 + 8 + 24] = { 0 };

	st_be32(fsec, 0x012cc16d);       /* fsec_magic */
	st_be32(fsec + 36, 1);           /* acl_entrycount; acl_flags 0 */
	memcpy(fsec + 44, everyone, 16);  /* ace_applicable */
	st_be32(fsec + 60, 2);           /* ace_flags: KAUTH_ACE_DENY */
	st_be32(fsec + 64, 1u << 4);     /* ace_rights: KAUTH_VNODE_DELETE */
	return mk_fs_xattr(v, dir, "com.apple.system.Security", fsec, sizeof(fsec));
}

/* /Users/NAME: the usual folders, a welcome note, --files documents. */
static int home(struct mk_vol *v, const struct mac_group *g, const struct mac_user *u)
{
	static const char *const sub[] = { "Desktop", "Documents", "Downloads", "Library",
					   "Library/Preferences", "Pictures", "Public" };
	char path[128], name[32], text[128];
	uint64_t dir;
	int rc = mk_fs_mkdirs(v, "/Users", NULL), n;

	/* A home and what is in it belong to its user, group staff (20). */
	v->uid = u->uid;
	v->gid = 20;
	for (unsigned i = 0; !rc && i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "/Users/%s/%s", u->name, sub[i]);
		rc = mk_fs_mkdirs(v, path, &dir);
		if (!rc && !strchr(sub[i], '/'))
			rc = deny_delete(v, dir);
	}
	snprintf(path, sizeof(path), "/Users/%s/Desktop", u->name);
	n = snprintf(text, sizeof(text), "Welcome, %s\n", u->realname);
	if (!rc)
		rc = mk_fs_mkdirs(v, path, &dir);
	if (!rc)
		rc = mk_fs_file(v, dir, "welcome.txt", text, (uint64_t)n, NULL);
	snprintf(path, sizeof(path), "/Users/%s/Documents", u->name);
	if (!rc)
		rc = mk_fs_mkdirs(v, path, &dir);
	for (uint64_t i = 0; !rc && i < g->files; i++) {
		n = mac_doc_text(u, i, g->seed, text, sizeof(text));
		snprintf(name, sizeof(name), "file-%05" PRIu64 ".txt", i);
		rc = mk_fs_file(v, dir, name, text, (uint64_t)n, NULL);
	}
	mac_root_owned(v);
	return rc;
}

static int data_tree(struct mk_vol *v, const struct mac_group *g)
{
	static const char *const dirs[] = { "/Applications/Utilities", "/Library/Preferences",
					    "/Users/Shared", "/private/etc", "/private/tmp",
					    "/private/var/log", "/private/var/vm" };
	plist_t lw = plist_new_dict();
	uint64_t dir;
	int rc = 0;

	for (unsigned i = 0; !rc && i < mac_nfirmlinks; i++)
		rc = mk_fs_mkdirs(v, mac_firmlinks[i], NULL);
	for (unsigned i = 0; !rc && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		rc = mk_fs_mkdirs(v, dirs[i], NULL);
	for (unsigned i = 0; !rc && i < g->nusers; i++)
		rc = home(v, g, &g->users[i]);
	if (!rc)
		rc = mac_dslocal(v, g);
	plist_dict_set_item(lw, "lastUserName", plist_new_string(g->users[0].name));
	if (!rc)
		rc = mk_fs_mkdirs(v, "/Library/Preferences", &dir);
	if (!rc)
		rc = mk_fs_plist(v, dir, "com.apple.loginwindow.plist", lw, true, NULL);
	plist_free(lw);
	return rc;
}

/**
 * mac_data_volume() - write "Macintosh HD - Data", whose UUID is the group's.
 * @img: the image
 * @g: the group
 */
int mac_data_volume(struct mk_image *img, const struct mac_group *g)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Macintosh HD - Data", APFS_VOL_ROLE_DATA, true);

	if (rc)
		return rc;
	memcpy(v.uuid, g->group_id, 16);
	mac_join_group(&v, g);
	mac_root_owned(&v);
	rc = crypto_users(&v, g);
	if (!rc)
		rc = data_tree(&v, g);
	return rc ? rc : mk_vol_finish(&v);
}
