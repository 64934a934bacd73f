/* SPDX-License-Identifier: MIT */
/*
 * keybags.c - the crypto users of an encrypted volume in detail: where its
 * keybags are, each wrapped key's blob (flags, metadata, HMAC, PBKDF2
 * parameters: never key bytes), and the user databases that name the
 * users, file by file, with their disagreements and warnings.  What
 * `listcryptousers --json` shows, for any program.
 */
#include <string.h>

#include "keybag/keybag.h"
#include "users.h"

_Static_assert(sizeof(struct apfsi_user_info) == 16 + 8 + 4 * sizeof(void *) + 8 + 8 +
		       8 + 8 + 8 + 8 + 2 * sizeof(void *) + 8 + 6 * 8,
	       "apfsi_user_info changed size");
_Static_assert(APFSI_MAX_PBKDF2_ITERATIONS == KB_MAX_ITERATIONS, "the header's limit is the keybag's");

static void fill_blob(const struct kb_blob *b, struct apfsi_key_blob *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->uuid, b->uuid, 16);
	out->flags = b->flags;
	kb_flags_str(b, out->flags_text, sizeof(out->flags_text));
	out->metadata_len = b->meta_len <= sizeof(out->metadata) ? b->meta_len : 0;
	memcpy(out->metadata, b->meta, out->metadata_len);
	out->wrapped_len = b->wrapped_len;
	out->hmac = b->hmac == 1 ? APFSI_HMAC_OK : b->hmac == 0 ? APFSI_HMAC_MISMATCH :
		    APFSI_HMAC_ABSENT;
	out->has_kdf = b->has_kdf;
	if (b->has_kdf) {
		out->iterations = b->iterations;
		out->salt_len = b->salt_len <= sizeof(out->salt) ? b->salt_len : 0;
		memcpy(out->salt, b->salt, out->salt_len);
	}
}

/* vol's keybags, and user i among them (i < 0: none asked for). */
static int keys_for(apfsi_volume *vol, int i, const void *arg, const char *fn,
		    const struct kb_volume_keys **k)
{
	int ret;

	apfsi_enter();
	if (!vol || !arg)
		return apfsi_fail(APFSI_ERR_INVALID, "%s: NULL argument", fn);
	if ((ret = apfsi_volume_keys(vol, k)))
		return ret;
	if (i >= 0 && (unsigned)i >= (*k)->nusers)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' has %u crypto users: no "
				  "user %d", vol->v->name, (*k)->nusers, i);
	return APFSI_OK;
}

int apfsi_volume_user_key(apfsi_volume *vol, unsigned i, struct apfsi_key_blob *blob)
{
	const struct kb_volume_keys *k;
	const struct kb_user *u;
	int ret = keys_for(vol, i > (unsigned)INT32_MAX ? INT32_MAX : (int)i, blob,
			   "apfsi_volume_user_key", &k);

	if (ret)
		return ret;
	u = &k->users[i];
	if (!u->parsed)
		return apfsi_fail(APFSI_ERR_CORRUPT, "volume '%s': crypto user %u: %s",
				  vol->v->name, i, u->why);
	fill_blob(&u->kek, blob);
	return APFSI_OK;
}

int apfsi_volume_keybags(apfsi_volume *vol, struct apfsi_keybags *kb)
{
	const struct kb_volume_keys *k;
	int ret = keys_for(vol, -1, kb, "apfsi_volume_keybags", &k);

	if (ret)
		return ret;
	memset(kb, 0, sizeof(*kb));
	kb->container_block = k->ckb_block;
	kb->container_blocks = k->ckb_count;
	kb->container_plaintext = k->ckb_plaintext;
	kb->has_vek = k->have_vek;
	kb->vek_entry = k->ckb_vek_index;
	kb->volume_block = k->vkb_block;
	kb->volume_blocks = k->vkb_count;
	kb->volume_plaintext = k->vkb_plaintext;
	return APFSI_OK;
}

int apfsi_volume_vek_blob(apfsi_volume *vol, struct apfsi_key_blob *blob)
{
	const struct kb_volume_keys *k;
	int ret = keys_for(vol, -1, blob, "apfsi_volume_vek_blob", &k);

	if (ret)
		return ret;
	if (!k->have_vek)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s': the container keybag holds "
				  "no VEK for it", vol->v->name);
	fill_blob(&k->vek, blob);
	return APFSI_OK;
}

/* The name record of user i, or NULL (and *ret set) when none or on error. */
static const struct kb_name *name_of(apfsi_volume *vol, unsigned i, const void *arg,
				     const char *fn, int *ret)
{
	const struct kb_volume_keys *k;
	const struct kb_name *n;

	*ret = keys_for(vol, i > (unsigned)INT32_MAX ? INT32_MAX : (int)i, arg, fn, &k);
	if (*ret)
		return NULL;
	n = kb_names_find(apfsi_volume_names(vol), k->users[i].uuid);
	if (!n)
		*ret = apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s': no user database names "
				  "crypto user %u", vol->v->name, i);
	return n;
}

static unsigned conflicts(unsigned kb)
{
	static const unsigned map[][2] = {
		{ KB_F_SHORT, APFSI_NAME_SHORT }, { KB_F_FULL, APFSI_NAME_FULL },
		{ KB_F_HINT, APFSI_NAME_HINT },   { KB_F_ADMIN, APFSI_NAME_ADMIN },
		{ KB_F_UID, APFSI_NAME_UID },     { KB_F_TYPE, APFSI_NAME_TYPE },
	};
	unsigned out = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (kb & (1u << map[i][0]))
			out |= map[i][1];
	return out;
}

int apfsi_volume_user_names(apfsi_volume *vol, unsigned i, struct apfsi_user_names *names)
{
	int ret;
	const struct kb_name *n = name_of(vol, i, names, "apfsi_volume_user_names", &ret);

	if (!n)
		return ret;
	memset(names, 0, sizeof(*names));
	names->short_name = n->short_name;
	names->full_name = n->full_name;
	names->hint = n->hint;
	names->od_user_type = n->user_type;
	names->admin = n->admin;
	names->has_uid = n->has_uid;
	names->uid = n->uid;
	names->picture = n->picture;
	names->sources = n->nsources;
	names->conflicts = conflicts(n->conflicts);
	return APFSI_OK;
}

int apfsi_volume_user_name_source(apfsi_volume *vol, unsigned i, unsigned k, const char **source)
{
	int ret;
	const struct kb_name *n = name_of(vol, i, source, "apfsi_volume_user_name_source", &ret);

	if (!n)
		return ret;
	if (k >= n->nsources)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "crypto user %u is named by %u files: no "
				  "file %u", i, n->nsources, k);
	*source = n->sources[k];
	return APFSI_OK;
}

/* vol's user databases (after its keybags: their users are what the names are checked against). */
static const struct kb_names *name_db(apfsi_volume *vol, const void *arg, const char *fn,
				      int *ret)
{
	const struct kb_volume_keys *k;

	*ret = keys_for(vol, -1, arg, fn, &k);
	return *ret ? NULL : apfsi_volume_names(vol);
}

int apfsi_volume_name_db(apfsi_volume *vol, struct apfsi_name_db_info *info)
{
	int ret;
	const struct kb_names *db = name_db(vol, info, "apfsi_volume_name_db", &ret);

	if (!db)
		return ret;
	memset(info, 0, sizeof(*info));
	info->sources = db->nsrc;
	info->warnings = db->nwarn;
	return APFSI_OK;
}

static int db_string(apfsi_volume *vol, unsigned i, const char **out, bool warning)
{
	int ret;
	const struct kb_names *db = name_db(vol, out, "apfsi_volume_name_db_source", &ret);
	unsigned n;

	if (!db)
		return ret;
	n = warning ? db->nwarn : db->nsrc;
	if (i >= n)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s': %u name %s: no %u",
				  vol->v->name, n, warning ? "warnings" : "sources", i);
	*out = warning ? db->warnings[i] : db->sources[i];
	return APFSI_OK;
}

int apfsi_volume_name_db_source(apfsi_volume *vol, unsigned i, const char **source)
{
	return db_string(vol, i, source, false);
}

int apfsi_volume_name_db_warning(apfsi_volume *vol, unsigned i, const char **warning)
{
	return db_string(vol, i, warning, true);
}
