/* SPDX-License-Identifier: MIT */
/*
 * users.c - the crypto users of an encrypted volume through the public API
 * (apfsi_volume_user_count, apfsi_volume_user): its volume keybag, with
 * names from Preboot's user databases and, once unlocked, its own dslocal
 * records.  Loaded on first use, under the volume's lock; what the structs
 * point to lives until the image is closed.
 */
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/secmem.h"
#include "unlock_engine.h"
#include "lib/usernames.h"
#include "users.h"

/* The hashcat line of every user ("" when not crackable). */
static int load_hash_lines(struct apfsi_volume *vol)
{
	const struct kb_volume_keys *k = vol->keys;

	vol->hash_lines = calloc(k->nusers ? k->nusers : 1, sizeof(*vol->hash_lines));
	if (!vol->hash_lines)
		return apfsi_fail(APFSI_ERR_NOMEM, "volume '%s': out of memory", vol->v->name);
	for (unsigned i = 0; i < k->nusers; i++)
		if (kb_hash_line(&k->users[i], vol->hash_lines[i]))
			vol->hash_lines[i][0] = '\0';
	return APFSI_OK;
}

static int load_keys(struct apfsi_volume *vol)
{
	int ret;

	if (!apfs_volume_encrypted(vol->v))
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' is not encrypted: it has no "
				  "crypto users", vol->v->name);
	ret = kb_load(vol->v->c, vol->v->uuid, &vol->keys);
	if (ret == -ENOENT)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' is encrypted but the container "
				  "keybag holds no keys for it", vol->v->name);
	if (ret)
		return apfsi_fail(apfsi_code(ret), "volume '%s': its keybags cannot be read (%s)",
				  vol->v->name, apfs_strerror(ret));
	ret = load_hash_lines(vol);
	if (ret) {
		kb_free(vol->keys);
		vol->keys = NULL;
	}
	return ret;
}

int apfsi_volume_keys(struct apfsi_volume *vol, const struct kb_volume_keys **out)
{
	int ret = APFSI_OK;

	pthread_mutex_lock(&vol->lock);
	if (!vol->keys)
		ret = load_keys(vol);
	*out = vol->keys;
	pthread_mutex_unlock(&vol->lock);
	return ret;
}

/* The volumes of vol's container (vol among them), in the image's order. */
static unsigned siblings(const struct apfsi_volume *vol, struct apfs_volume **sibs)
{
	const struct apfsi_image *img = vol->img;
	unsigned n = 0;

	for (unsigned i = 0; i < img->nvols; i++)
		if (img->vols[i].cidx == vol->cidx)
			sibs[n++] = img->vols[i].v;
	return n;
}

/* Read the names into db (an unpublished slot) and pass their warnings to the log. */
static void read_names(struct apfsi_volume *vol, struct kb_names *db)
{
	struct apfs_volume **sibs = calloc(vol->img->nvols, sizeof(*sibs));

	memset(db, 0, sizeof(*db));
	if (!sibs)
		return;
	apfsi_names_read(sibs, siblings(vol, sibs), vol->v, db);
	free(sibs);
	/* No user database at all (not a Mac's disk): nothing to compare. */
	if (vol->keys && db->nsrc)
		kb_names_check(db, vol->keys);
	for (unsigned i = 0; i < db->nwarn; i++)
		apfs_warn("volume '%s': %s", vol->v->name, db->warnings[i]);
}

const struct kb_names *apfsi_volume_names(struct apfsi_volume *vol)
{
	bool readable;

	pthread_mutex_lock(&vol->v->key_lock);
	readable = !apfs_volume_encrypted(vol->v) || vol->v->xts;
	pthread_mutex_unlock(&vol->v->key_lock);
	pthread_mutex_lock(&vol->lock);
	if (!vol->names_loaded) {
		read_names(vol, &vol->names_slot[0]);
		vol->names = &vol->names_slot[0];
		vol->names_loaded = true;
		vol->names_unlocked = readable;
	} else if (!vol->names_unlocked && readable) {
		/* Unlocked since: dslocal too, in the other slot (the first may be in use). */
		read_names(vol, &vol->names_slot[1]);
		vol->names = &vol->names_slot[1];
		vol->names_unlocked = true;
	}
	pthread_mutex_unlock(&vol->lock);
	return vol->names;
}

int apfsi_volume_user_count(apfsi_volume *vol, unsigned *n)
{
	const struct kb_volume_keys *k;
	int ret;

	apfsi_enter();
	if (!vol || !n)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_user_count: NULL argument");
	ret = apfsi_volume_keys(vol, &k);
	*n = ret ? 0 : k->nusers;
	return ret;
}

static enum apfsi_user_type user_type(enum kb_user_type t)
{
	switch (t) {
	case KB_USER_LOCAL_OD: return APFSI_USER_LOCAL_OPEN_DIRECTORY;
	case KB_USER_PERSONAL_RECOVERY: return APFSI_USER_PERSONAL_RECOVERY;
	case KB_USER_ICLOUD_RECOVERY: return APFSI_USER_ICLOUD_RECOVERY;
	case KB_USER_ICLOUD_EXTERNAL: return APFSI_USER_ICLOUD_RECOVERY_EXTERNAL;
	case KB_USER_INSTITUTIONAL_RECOVERY: return APFSI_USER_INSTITUTIONAL_RECOVERY;
	case KB_USER_INSTITUTIONAL_EXTERNAL: return APFSI_USER_INSTITUTIONAL_RECOVERY_EXTERNAL;
	case KB_USER_MDM_BOOTSTRAP: return APFSI_USER_MDM_BOOTSTRAP_TOKEN_EXTERNAL;
	case KB_USER_DISK: return APFSI_USER_DISK;
	}
	return APFSI_USER_LOCAL_OPEN_DIRECTORY;
}

static void fill_user(const struct kb_user *u, const struct kb_name *nm, const char *hash,
		      struct apfsi_user_info *info)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->uuid, u->uuid, 16);
	info->type = user_type(u->type);
	info->type_name = kb_type_name(u->type);
	info->hint = u->hint;
	info->short_name = nm ? nm->short_name : NULL;
	info->full_name = nm ? nm->full_name : NULL;
	info->admin = nm ? nm->admin : -1;
	info->parsed = u->parsed;
	info->parse_error = u->parsed ? NULL : u->why;
	info->hardware_bound = u->hw_bound;
	info->offline_unlockable = u->offline_unlockable;
	info->pbkdf2_iterations = u->parsed && u->kek.has_kdf ? u->kek.iterations : 0;
	info->keybag_block = u->keybag_block;
	info->keybag_entry = u->entry_index;
	info->hash_line = hash[0] ? hash : NULL;
	info->plist_type = kb_type_plist(u->type);
	info->hash_mode = kb_hash_mode(u);
	info->damaged = apfsi_record_damaged(u);
}

/* The keybags of vol, which has a user i; APFSI_OK or the failure named for fn. */
static int keys_with_user(apfsi_volume *vol, unsigned i, bool args, const char *fn,
			  const struct kb_volume_keys **k)
{
	int ret;

	if (!vol || !args)
		return apfsi_fail(APFSI_ERR_INVALID, "%s: NULL argument", fn);
	ret = apfsi_volume_keys(vol, k);
	if (!ret && i >= (*k)->nusers)
		ret = apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' has %u crypto users: no "
				 "user %u", vol->v->name, (*k)->nusers, i);
	return ret;
}

int apfsi_volume_user(apfsi_volume *vol, unsigned i, struct apfsi_user_info *info)
{
	const struct kb_volume_keys *k;
	const struct kb_names *db;
	int ret;

	apfsi_enter();
	ret = keys_with_user(vol, i, info, "apfsi_volume_user", &k);
	if (ret)
		return ret;
	db = apfsi_volume_names(vol);
	fill_user(&k->users[i], kb_names_find(db, k->users[i].uuid), vol->hash_lines[i], info);
	return APFSI_OK;
}

int apfsi_volume_user_id(apfsi_volume *vol, unsigned i, uint8_t uuid[16],
			 enum apfsi_user_type *type)
{
	const struct kb_volume_keys *k;
	int ret;

	apfsi_enter();
	ret = keys_with_user(vol, i, uuid && type, "apfsi_volume_user_id", &k);
	if (ret)
		return ret;
	memcpy(uuid, k->users[i].uuid, 16);
	*type = user_type(k->users[i].type);
	return APFSI_OK;
}

const char *apfsi_user_type_name(enum apfsi_user_type type)
{
	for (enum kb_user_type t = KB_USER_LOCAL_OD; t <= KB_USER_DISK; t++)
		if (user_type(t) == type)
			return kb_type_name(t);
	return "unknown";
}

void apfsi_volume_users_free(struct apfsi_volume *vol)
{
	kb_free(vol->keys);
	vol->keys = NULL;
	free(vol->hash_lines);
	vol->hash_lines = NULL;
	kb_names_free(&vol->names_slot[0]);
	kb_names_free(&vol->names_slot[1]);
	vol->names = NULL;
	vol->names_loaded = vol->names_unlocked = false;
	apfs_secret_free(vol->vek);
	vol->vek = NULL;
	vol->veklen = 0;
	free(vol->outcomes);
	vol->outcomes = NULL;
	vol->noutcomes = 0;
}
