/* SPDX-License-Identifier: MIT */
/*
 * macos.h - what the parts of the `macos-boot` scenario share: the Local
 * Open Directory users and the volume group (testdata/README.md
 * "macos-boot" lists every value).
 */
#ifndef MK_MACOS_H
#define MK_MACOS_H

#include "mk.h"

struct mac_user {
	char name[32];            /* short name */
	char realname[64];        /* UTF-8 */
	char password[48];
	char hint[48];            /* "" when none */
	unsigned uid;
	bool admin;
	bool picture;             /* PictureData in CryptoUserInfo.plist */
	uint8_t guid[16];         /* generateduid = crypto-user UUID, from the seed */
};

/* alice and bob, then --users N makes N - 2 more (README "macos-boot"). */
#define MAC_MAX_USERS 32

struct mac_group {
	struct mac_user users[MAC_MAX_USERS];
	unsigned nusers;
	uint8_t group_id[16];     /* = the Data volume's UUID */
	char group_str[37];
	uint8_t token[32];        /* SecureAccessToken (dslocal and Preboot copies) */
	char snap_name[MK_SNAP_NAME_MAX];      /* com.apple.os.update-<64 hex> */
	uint64_t files;           /* files in each user's Documents */
	bool hostile;             /* --preboot-hostile */
	uint64_t seed;
};

/* "Macintosh HD": sealed, role System, its tree and /usr/share/firmlinks (macos_system.c). */
int mac_system_volume(struct mk_image *img, const struct mac_group *g);
/* "Macintosh HD - Data": FileVault users and their homes (macos_data.c). */
int mac_data_volume(struct mk_image *img, const struct mac_group *g);
/* "Preboot": /<group>/var/db/... (macos_preboot.c). */
int mac_preboot_volume(struct mk_image *img, const struct mac_group *g);
/* The 18 firmlinks of /usr/share/firmlinks, absolute paths on System. */
extern const char *const mac_firmlinks[];
extern const unsigned mac_nfirmlinks;
/* /System/Library/CoreServices/SystemVersion.plist's dictionary (a plist_t). */
void *mac_system_version(void);
/* Inodes made from now on belong to root:wheel. */
void mac_root_owned(struct mk_vol *v);
/* --preboot-hostile: entries a reader must not believe, added to the plists' roots. */
void mac_hostile_crypto_user_info(void *root, const struct mac_group *g);
void mac_hostile_all_users_info(void *root, const struct mac_group *g);
/* A volume of the group: its id and VOLGRP_SYSTEM_INO_SPACE set. */
void mac_join_group(struct mk_vol *v, const struct mac_group *g);
/* A dictionary of the user's dslocal record (arrays of strings, as dslocal keeps them). */
void *mac_dslocal_record(const struct mac_user *u);
/* /private/var/db/dslocal/nodes/Default on the Data volume (macos_dslocal.c). */
int mac_dslocal(struct mk_vol *v, const struct mac_group *g);
/* The text of /Users/NAME/Documents/file-NNNNN.txt. */
int mac_doc_text(const struct mac_user *u, uint64_t n, uint64_t seed, char *buf, size_t len);

#endif
