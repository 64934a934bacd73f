/* SPDX-License-Identifier: MIT */
/*
 * usernames.c - find and read the user databases named in usernames.h.
 * Every file is bounded (KB_NAMES_MAX_FILE) before a byte of it is read,
 * every directory walk by DSLOCAL_MAX_RECORDS.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/fs.h"
#include "credential.h"
#include "group.h"
#include "usernames.h"

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
		kb_names_warn(db, "%s: cannot be opened (%s)", src, strerror(-ret));
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
		kb_names_warn(db, "%s: cannot be read (%s)", src, strerror(-ret));
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
		kb_names_warn(db, "%s: cannot be looked up (%s)", src, strerror(-ret));
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

/* The folder candidates, authd's order: group, the volume, the group's System volume. */
static unsigned folder_uuids(struct cli_image *img, struct cli_volume *cv, uint8_t u[3][16])
{
	struct cli_volume *sys = cli_group_member(img, cv, APFS_VOL_ROLE_SYSTEM);
	unsigned n = 0;

	if (cli_in_group(cv->v))
		memcpy(u[n++], cv->v->sb.apfs_volume_group_id, 16);
	if (!n || memcmp(u[0], cv->v->uuid, 16))
		memcpy(u[n++], cv->v->uuid, 16);
	if (sys && sys != cv)
		memcpy(u[n++], sys->v->uuid, 16);
	return n;
}

static void preboot_names(struct cli_image *img, struct cli_volume *cv, struct apfs_fs *fs,
			  const char *vname, struct kb_names *db)
{
	uint8_t u[3][16];
	unsigned n = folder_uuids(img, cv, u);
	char id[37], path[128];

	for (unsigned i = 0; i < n; i++) {
		int found;

		apfs_uuid_str(u[i], id);
		snprintf(path, sizeof(path), "/%s/var/db/CryptoUserInfo.plist", id);
		found = add_file(fs, vname, path, KB_NAMES_CRYPTOUSERINFO, db, NULL);
		snprintf(path, sizeof(path), "/%s/var/db/AllUsersInfo.plist", id);
		found += add_file(fs, vname, path, KB_NAMES_ALLUSERSINFO, db, NULL);
		if (found)
			return;
	}
}

static void load_preboot(struct cli_image *img, struct cli_volume *cv, struct kb_names *db)
{
	struct cli_volume *pb = cli_role_volume(img, cv->cidx, APFS_VOL_ROLE_PREBOOT);
	struct apfs_fs *fs = NULL;
	int ret;

	if (!pb)
		return;
	ret = apfs_fs_open(pb->v, 0, &fs);
	if (ret) {
		kb_names_warn(db, "Preboot volume '%s' cannot be read (%s): no names from it",
			      pb->v->name, strerror(-ret));
		return;
	}
	preboot_names(img, cv, fs, "Preboot", db);
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

static void load_dslocal(struct cli_volume *cv, struct kb_names *db)
{
	struct ds_walk w = { .db = db };
	struct apfs_dirent de;
	int ret;

	if (apfs_volume_encrypted(cv->v) && !cv->v->xts)
		return;
	if (apfs_fs_open(cv->v, 0, &w.fs))
		return;
	ret = apfs_fs_lookup(w.fs, DSLOCAL_USERS, &de);
	if (!ret && de.type == DT_DIR)
		ret = apfs_fs_readdir(w.fs, de.ino, 0, ds_entry, &w);
	if (ret && ret != -ENOENT)
		kb_names_warn(db, "Data:%s: cannot be read (%s)", DSLOCAL_USERS, strerror(-ret));
	else if (!ret)
		add_file(w.fs, "Data", DSLOCAL_ADMIN, KB_NAMES_DSLOCAL_ADMIN, db, NULL);
	apfs_fs_close(w.fs);
}

int cli_names_load(struct cli_image *img, struct cli_volume *cv, struct kb_names *db)
{
	memset(db, 0, sizeof(*db));
	load_preboot(img, cv, db);
	load_dslocal(cv, db);
	return 0;
}

/* Warnings hold paths from the image: no control byte reaches the terminal. */
void cli_names_warn(const struct kb_names *db)
{
	for (unsigned i = 0; i < db->nwarn; i++) {
		fputs("apfsinspect: warning: ", stderr);
		for (const unsigned char *p = (const unsigned char *)db->warnings[i]; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				fprintf(stderr, "\\x%02x", *p);
			else
				fputc(*p, stderr);
		fputc('\n', stderr);
	}
}

int cli_names_unlock(const struct cli_opts *o, struct cli_volume *cv)
{
	struct cli_unlock_result res;
	struct cli_cred cr = { 0 };
	int ret;

	if (!apfs_volume_encrypted(cv->v) || cv->v->xts ||
	    !(o->passphrase || o->stdin_passphrase || o->passphrase_file || o->recovery_key ||
	      o->vek_hex))
		return 0;
	ret = cli_cred_get(o, false, &cr);
	if (!ret)
		ret = cli_unlock(o, cv, &cr, NULL, &res);
	cli_cred_wipe(&cr);
	return ret;
}
