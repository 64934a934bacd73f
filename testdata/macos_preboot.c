/* SPDX-License-Identifier: MIT */
/*
 * macos_preboot.c - the Preboot volume: one folder named after the volume
 * group (= the Data volume's UUID, docs/macos-boot.md §1) holding what the
 * FileVault login window reads before any volume is unlocked: the crypto
 * users' names (var/db/CryptoUserInfo.plist, AllUsersInfo.plist), the
 * SecureAccessToken, the CoreStorage-era EncryptedRoot.plist.wipekey,
 * restore/BuildManifest.plist and SystemVersion.plist.
 */
#include <errno.h>
#include <plist/plist.h>
#include <stdio.h>
#include <stdlib.h>

#include "apfs/apfs.h"
#include "macos.h"

/*
 * A 1 x 1 grey TIFF (little-endian, uncompressed, 8 IFD entries), written by
 * hand: the user picture CryptoUserInfo.plist carries as PictureData.
 */
static const uint8_t tiff_1x1[] = {
	'I', 'I', 42, 0, 8, 0, 0, 0, 8, 0,
	0x00, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* ImageWidth 1 */
	0x01, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* ImageLength 1 */
	0x02, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0,   /* BitsPerSample 8 */
	0x03, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* Compression none */
	0x06, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* BlackIsZero */
	0x11, 0x01, 4, 0, 1, 0, 0, 0, 110, 0, 0, 0, /* StripOffsets */
	0x16, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* RowsPerStrip 1 */
	0x17, 0x01, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* StripByteCounts 1 */
	0, 0, 0, 0,                                 /* no next IFD */
	0x80,                                       /* the pixel, at byte 110 */
};

/*
 * CryptoUserInfo.plist: keyed by crypto-user UUID (the user's
 * generateduid); FullName, ShortName, PasswordHint, UserType strings and
 * PictureData data (docs/apfs-format.md §6.2 step 4).
 */
static plist_t crypto_user_info(const struct mac_group *g)
{
	plist_t root = plist_new_dict();
	char id[37];

	for (unsigned i = 0; i < g->nusers; i++) {
		const struct mac_user *u = &g->users[i];
		plist_t d = plist_new_dict();

		plist_dict_set_item(d, "FullName", plist_new_string(u->realname));
		plist_dict_set_item(d, "ShortName", plist_new_string(u->name));
		plist_dict_set_item(d, "PasswordHint", plist_new_string(u->hint));
		if (u->picture)
			plist_dict_set_item(d, "PictureData",
					    plist_new_data((const char *)tiff_1x1, sizeof(tiff_1x1)));
		plist_dict_set_item(d, "UserType", plist_new_string("OpenDirectory"));
		apfs_uuid_str(u->guid, id);
		plist_dict_set_item(root, id, d);
	}
	if (g->hostile)
		mac_hostile_crypto_user_info(root, g);
	return root;
}

/*
 * AllUsersInfo.plist: keyed by short name; GeneratedUID, RealName and
 * HomeDir strings, UID an integer and Admin a boolean (the types are a
 * choice: authd names the keys only), AuthenticationAuthority an array of
 * strings as in dslocal.
 */
static plist_t all_users_info(const struct mac_group *g)
{
	plist_t root = plist_new_dict();
	char s[64];

	for (unsigned i = 0; i < g->nusers; i++) {
		const struct mac_user *u = &g->users[i];
		plist_t d = plist_new_dict(), aa = plist_new_array();

		apfs_uuid_str(u->guid, s);
		plist_dict_set_item(d, "GeneratedUID", plist_new_string(s));
		plist_dict_set_item(d, "RealName", plist_new_string(u->realname));
		plist_dict_set_item(d, "UID", plist_new_uint(u->uid));
		plist_dict_set_item(d, "Admin", plist_new_bool(u->admin));
		snprintf(s, sizeof(s), "/Users/%s", u->name);
		plist_dict_set_item(d, "HomeDir", plist_new_string(s));
		plist_array_append_item(aa, plist_new_string(";SecureToken;"));
		plist_dict_set_item(d, "AuthenticationAuthority", aa);
		plist_dict_set_item(root, u->name, d);
	}
	if (g->hostile)
		mac_hostile_all_users_info(root, g);
	return root;
}

/*
 * EncryptedRoot.plist.wipekey, plain (not encrypted) on APFS: CryptoUsers
 * with UserIdent, UserFullName, PassphraseHint and UserType "268828674"
 * (docs/macos-boot.md §1), and an empty WrappedVolumeKeys.
 */
static plist_t wipekey(const struct mac_group *g)
{
	plist_t root = plist_new_dict(), users = plist_new_array();
	char id[37];

	for (unsigned i = 0; i < g->nusers; i++) {
		const struct mac_user *u = &g->users[i];
		plist_t d = plist_new_dict();

		apfs_uuid_str(u->guid, id);
		plist_dict_set_item(d, "UserIdent", plist_new_string(id));
		plist_dict_set_item(d, "UserFullName", plist_new_string(u->realname));
		plist_dict_set_item(d, "PassphraseHint", plist_new_string(u->hint));
		plist_dict_set_item(d, "UserType", plist_new_string("268828674"));
		plist_array_append_item(users, d);
	}
	plist_dict_set_item(root, "CryptoUsers", users);
	plist_dict_set_item(root, "WrappedVolumeKeys", plist_new_array());
	return root;
}

static plist_t build_manifest(void)
{
	plist_t d = plist_new_dict();

	plist_dict_set_item(d, "ProductBuildVersion", plist_new_string("23G93"));
	plist_dict_set_item(d, "ProductVersion", plist_new_string("14.6.1"));
	plist_dict_set_item(d, "BuildIdentities", plist_new_array());
	return d;
}

/* Write plist p (freed here) as DIR/NAME under the group folder. */
static int put(struct mk_vol *v, const struct mac_group *g, const char *dir, const char *name,
	       plist_t p, bool binary)
{
	char path[256];
	uint64_t ino;
	int rc;

	snprintf(path, sizeof(path), "/%s/%s", g->group_str, dir);
	rc = mk_fs_mkdirs(v, path, &ino);
	/* macOS writes these in either form (apfs-format.md §6.2): --preboot-xml gives XML. */
	if (!rc)
		rc = mk_fs_plist(v, ino, name, p, binary && !v->img->preboot_xml, NULL);
	plist_free(p);
	return rc;
}

static int secure_token(struct mk_vol *v, const struct mac_group *g)
{
	plist_t tok = plist_new_dict();

	plist_dict_set_item(tok, "SecureAccessToken",
			    plist_new_data((const char *)g->token, sizeof(g->token)));
	return put(v, g, "var/db", "secureaccesstoken.plist", tok, true);
}

/**
 * mac_preboot_volume() - write "Preboot" (role Preboot, never encrypted).
 * @img: the image
 * @g: the group
 */
int mac_preboot_volume(struct mk_image *img, const struct mac_group *g)
{
	struct mk_vol v;
	char path[128];
	int rc = mk_vol_init(&v, img, "Preboot", APFS_VOL_ROLE_PREBOOT, true);

	mac_root_owned(&v);
	if (!rc)
		rc = put(&v, g, "var/db", "CryptoUserInfo.plist", crypto_user_info(g), true);
	if (!rc)
		rc = put(&v, g, "var/db", "AllUsersInfo.plist", all_users_info(g), true);
	if (!rc)
		rc = secure_token(&v, g);
	if (!rc)
		rc = put(&v, g, "System/Library/Caches/com.apple.corestorage",
			 "EncryptedRoot.plist.wipekey", wipekey(g), false);
	if (!rc)
		rc = put(&v, g, "restore", "BuildManifest.plist", build_manifest(), false);
	if (!rc)
		rc = put(&v, g, "System/Library/CoreServices", "SystemVersion.plist",
			 mac_system_version(), false);
	snprintf(path, sizeof(path), "/%s/usr/standalone/i386/EfiLoginUI", g->group_str);
	if (!rc)
		rc = mk_fs_mkdirs(&v, path, NULL);
	return rc ? rc : mk_vol_finish(&v);
}
