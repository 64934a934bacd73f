/* SPDX-License-Identifier: MIT */
/*
 * usernames.c - find and read the user databases named in usernames.h.
 * Every file is bounded (KB_NAMES_MAX_FILE) before a byte of it is read,
 * every directory walk by DSLOCAL_MAX_RECORDS.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/fs.h"
#include "util/bytes.h"
#include "util/err.h"
#include "lib/usernames.h"

static const uint8_t zero_uuid[16];

bool apfsi_in_group(const struct apfs_volume *v)
{
	return memcmp(v->sb.apfs_volume_group_id, zero_uuid, 16) != 0;
}

/* Read a whole file of at most KB_NAMES_MAX_FILE bytes; else a warning. */
static int read_small(struct apfs_fs *fs, uint64_t ino, const char *src, struct kb_names *db,
		      uint8_t **out, size_t *len)
{
	struct apfs_file *f = NULL;
	uint64_t size;
	size_t got = 0;
	int ret = apfs_file_open(fs, ino, &f);

	*out = NULL;
	if (ret) {
		kb_names_warn(db, "%s: cannot be opened (%s)", src, apfs_strerror(ret));
		return ret;
	}
	size = apfs_file_size(f);
	if (size > KB_NAMES_MAX_FILE) {
		kb_names_warn(db, "%s: %llu bytes, more than the %u a user database may have; "
				  "not read", src, (unsigned long long)size, KB_NAMES_MAX_FILE);
		apfs_file_close(f);
		return -EFBIG;
	}
	*out = malloc(size ? (size_t)size : 1);
	ret = *out ? apfs_file_read(f, 0, *out, (size_t)size, &got) : -ENOMEM;
	apfs_file_close(f);
	if (!ret && got != size)
		ret = -APFS_ECORRUPT;
	if (ret) {
		kb_names_warn(db, "%s: cannot be read (%s)", src, apfs_strerror(ret));
		free(*out);
		*out = NULL;
		return ret;
	}
	*len = (size_t)size;
	return 0;
}

/*
 * Add the file at path (on a volume called vname) if it exists; 1 if it did.
 * *bytes (may be NULL) grows by what was read.
 */
static int add_file(struct apfs_fs *fs, const char *vname, const char *path,
		    enum kb_names_kind kind, struct kb_names *db, uint64_t *bytes)
{
	struct apfs_dirent de;
	char src[512];
	uint8_t *buf;
	size_t len = 0;
	int ret = apfs_fs_lookup(fs, path, &de);

	if (ret == -ENOENT || ret == -ENOTDIR)
		return 0;
	snprintf(src, sizeof(src), "%s:%s", vname, path);
	if (ret) {
		kb_names_warn(db, "%s: cannot be looked up (%s)", src, apfs_strerror(ret));
		return 1;
	}
	if (de.type != DT_REG) {
		kb_names_warn(db, "%s: not a regular file; not read", src);
		return 1;
	}
	if (!read_small(fs, de.ino, src, db, &buf, &len)) {
		kb_names_add(db, kind, buf, len, src);
		free(buf);
		if (bytes)
			*bytes += len;
	}
	return 1;
}

static uint16_t role(const struct apfs_volume *v)
{
	return get_le16(v->sb.apfs_role);
}

/* The member of v's group with this role among sibs, or NULL. */
static struct apfs_volume *group_member(struct apfs_volume *const *sibs, unsigned n,
					const struct apfs_volume *v, uint16_t want)
{
	if (!apfsi_in_group(v))
		return NULL;
	for (unsigned i = 0; i < n; i++)
		if (role(sibs[i]) == want &&
		    !memcmp(sibs[i]->sb.apfs_volume_group_id, v->sb.apfs_volume_group_id, 16))
			return sibs[i];
	return NULL;
}

/* The folder candidates, authd's order: group, the volume, the group's System volume. */
static unsigned folder_uuids(struct apfs_volume *const *sibs, unsigned nsibs,
			     const struct apfs_volume *v, uint8_t u[3][16])
{
	const struct apfs_volume *sys = group_member(sibs, nsibs, v, APFS_VOL_ROLE_SYSTEM);
	unsigned n = 0;

	if (apfsi_in_group(v))
		memcpy(u[n++], v->sb.apfs_volume_group_id, 16);
	if (!n || memcmp(u[0], v->uuid, 16))
		memcpy(u[n++], v->uuid, 16);
	if (sys && sys != v)
		memcpy(u[n++], sys->uuid, 16);
	return n;
}

static void preboot_names(struct apfs_volume *const *sibs, unsigned nsibs,
			  const struct apfs_volume *v, struct apfs_fs *fs, struct kb_names *db)
{
	uint8_t u[3][16];
	unsigned n = folder_uuids(sibs, nsibs, v, u);
	char id[37], path[128];

	for (unsigned i = 0; i < n; i++) {
		int found;

		apfs_uuid_str(u[i], id);
		snprintf(path, sizeof(path), "/%s/var/db/CryptoUserInfo.plist", id);
		found = add_file(fs, "Preboot", path, KB_NAMES_CRYPTOUSERINFO, db, NULL);
		snprintf(path, sizeof(path), "/%s/var/db/AllUsersInfo.plist", id);
		found += add_file(fs, "Preboot", path, KB_NAMES_ALLUSERSINFO, db, NULL);
		if (found)
			return;
	}
}

static void load_preboot(struct apfs_volume *const *sibs, unsigned nsibs,
			 const struct apfs_volume *v, struct kb_names *db)
{
	struct apfs_volume *pb = NULL;
	struct apfs_fs *fs = NULL;
	int ret;

	for (unsigned i = 0; i < nsibs && !pb; i++)
		if (role(sibs[i]) == APFS_VOL_ROLE_PREBOOT)
			pb = sibs[i];
	if (!pb)
		return;
	ret = apfs_fs_open(pb, 0, &fs);
	if (ret) {
		kb_names_warn(db, "Preboot volume '%s' cannot be read (%s): no names from it",
			      pb->name, apfs_strerror(ret));
		return;
	}
	preboot_names(sibs, nsibs, v, fs, db);
	apfs_fs_close(fs);
}

struct ds_walk {
	struct apfs_fs *fs;
	struct kb_names *db;
	unsigned seen;
	uint64_t bytes;
};

static int ds_entry(const struct apfs_dirent *d, void *ctx)
{
	struct ds_walk *w = ctx;
	size_t n = strlen(d->name);
	char path[sizeof(DSLOCAL_USERS) + APFS_NAME_MAX + 2];

	if (++w->seen > DSLOCAL_MAX_RECORDS || w->bytes > DSLOCAL_MAX_BYTES) {
		kb_names_warn(w->db, "Data:%s: more than %u entries or %u MiB of records; the "
				     "rest are not read", DSLOCAL_USERS, DSLOCAL_MAX_RECORDS,
			      DSLOCAL_MAX_BYTES >> 20);
		return 1;
	}
	if (n < 7 || strcmp(d->name + n - 6, ".plist") || d->type != DT_REG)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", DSLOCAL_USERS, d->name);
	add_file(w->fs, "Data", path, KB_NAMES_DSLOCAL, w->db, &w->bytes);
	return 0;
}

static void load_dslocal(struct apfs_volume *v, struct kb_names *db)
{
	struct ds_walk w = { .db = db };
	struct apfs_dirent de;
	int ret;

	if (apfs_volume_encrypted(v) && !v->xts)
		return;
	if (apfs_fs_open(v, 0, &w.fs))
		return;
	ret = apfs_fs_lookup(w.fs, DSLOCAL_USERS, &de);
	if (!ret && de.type == DT_DIR)
		ret = apfs_fs_readdir(w.fs, de.ino, 0, ds_entry, &w);
	if (ret == -APFS_EINCOMPLETE)  /* the others read: named as met */
		kb_names_warn(db, "Data:%s: nodes of it could not be read: users may be missing",
			      DSLOCAL_USERS);
	else if (ret && ret != -ENOENT)
		kb_names_warn(db, "Data:%s: cannot be read (%s)", DSLOCAL_USERS, apfs_strerror(ret));
	if (!ret || ret == -APFS_EINCOMPLETE)
		add_file(w.fs, "Data", DSLOCAL_ADMIN, KB_NAMES_DSLOCAL_ADMIN, db, NULL);
	apfs_fs_close(w.fs);
}

int apfsi_names_read(struct apfs_volume *const *sibs, unsigned nsibs, struct apfs_volume *v,
		     struct kb_names *db)
{
	memset(db, 0, sizeof(*db));
	load_preboot(sibs, nsibs, v, db);
	load_dslocal(v, db);
	return 0;
}
