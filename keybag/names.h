/* SPDX-License-Identifier: MIT */
/*
 * names.h - who the crypto users are: the names macOS records for them
 * outside the keybag, read from property lists the caller found
 * (docs/apfs-format.md §6.2 step 4):
 *
 *   Preboot /<UUID>/var/db/CryptoUserInfo.plist  keyed by crypto-user UUID
 *       (ShortName, FullName, PasswordHint, PictureData, UserType)
 *   Preboot /<UUID>/var/db/AllUsersInfo.plist    keyed by short name
 *       (GeneratedUID, RealName, Admin, UID)
 *   Data /private/var/db/dslocal/nodes/Default/users/NAME.plist
 *       (generateduid, name, realname, uid, hint: arrays of strings)
 *   Data /private/var/db/dslocal/nodes/Default/groups/admin.plist
 *       (groupmembers: the generateduids of the admins; add it after the users)
 *
 * Every file is untrusted: structure checked before libplist parses it
 * (util/plistcheck.h), every value type-checked.  A name is attached only
 * to the UUID the file records it for; files that disagree about a field
 * leave it unset, with a warning naming both.  Warnings are collected in
 * the database (the caller prints them), never silently dropped.
 */
#ifndef KB_NAMES_H
#define KB_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keybag/keybag.h"

/* Property lists bigger than this are not read (a picture is tens of KiB). */
#define KB_NAMES_MAX_FILE (8u << 20)
#define KB_NAMES_MAX_DEPTH 16
#define KB_NAMES_MAX_NODES 200000
#define KB_NAMES_MAX_SOURCES 4
#define KB_NAMES_MAX_WARNINGS 100  /* then one line saying more were dropped */

enum kb_names_kind {
	KB_NAMES_CRYPTOUSERINFO,
	KB_NAMES_ALLUSERSINFO,
	KB_NAMES_DSLOCAL,
	KB_NAMES_DSLOCAL_ADMIN,  /* groups/admin.plist: groupmembers (generateduids) */
};

/* Fields that can conflict between files (bit numbers of kb_name.conflicts). */
enum { KB_F_SHORT, KB_F_FULL, KB_F_HINT, KB_F_ADMIN, KB_F_UID, KB_F_TYPE };

struct kb_name {
	uint8_t uuid[16];
	char *short_name, *full_name, *hint, *user_type;
	int admin;             /* -1 not recorded, 0 no, 1 yes */
	bool has_uid;
	long long uid;
	bool picture;          /* PictureData present and not empty */
	const char *sources[KB_NAMES_MAX_SOURCES]; /* files naming this UUID (the db owns them) */
	unsigned nsources;
	unsigned conflicts;    /* 1 << KB_F_*: files disagreed; that field is left unset */
	unsigned kinds;        /* 1 << kb_names_kind of the files naming it */
};

struct kb_names {
	struct kb_name *v;
	unsigned n, cap;
	char **sources;        /* every file added, in order */
	unsigned nsrc;
	char **warnings;
	unsigned nwarn;
};

/*
 * Add what one file says.  source names it for the output (e.g.
 * "Preboot:/UUID/var/db/CryptoUserInfo.plist").  A file that cannot be
 * used adds a warning and returns -EINVAL; 0 otherwise (warnings about
 * single entries do not fail the file); -ENOMEM.
 */
int kb_names_add(struct kb_names *db, enum kb_names_kind kind, const void *buf, size_t len,
		 const char *source);

/* Add a warning of the caller's (printf style). */
void kb_names_warn(struct kb_names *db, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const struct kb_name *kb_names_find(const struct kb_names *db, const uint8_t uuid[16]);

/*
 * Compare with the keybag: warn about named UUIDs without a crypto-user
 * record, Local Open Directory users without a name, and a short name
 * recorded for more than one UUID.  Call once, after every kb_names_add().
 */
void kb_names_check(struct kb_names *db, const struct kb_volume_keys *k);

void kb_names_free(struct kb_names *db);

#endif
