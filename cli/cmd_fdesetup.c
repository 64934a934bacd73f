/* SPDX-License-Identifier: MIT */
/*
 * cmd_fdesetup.c - `apfsinspect fdesetup-list`: what `fdesetup list` and
 * `fdesetup list -extended` print on the live Mac (docs/users.md §2.3),
 * from the image: the crypto users of the volume keybag joined with the
 * names its Preboot volume records (no credential needed), or the Data
 * volume's dslocal records after an unlock.
 */
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "group.h"
#include "usernames.h"

static const char fdesetup_help[] =
	"usage: apfsinspect fdesetup-list [--volume SEL] [-extended | --extended] [CREDENTIAL] IMAGE\n"
	"  The FileVault users of a volume (default: the Data volume) as `fdesetup list`\n"
	"  prints them: SHORTNAME,UUID per Local Open Directory user.  Names come from\n"
	"  the Preboot volume (no credential needed); a credential (never asked for)\n"
	"  unlocks the volume so that its dslocal user records name them too.\n"
	"  -extended  every crypto user: ESCROW, UUID, TYPE, USER columns\n"
	"  --json     every crypto user as JSON (README \"JSON output\")\n";

/* fdesetup's TYPE column: documented for three kinds; diskutil's name for the rest. */
static const char *fde_type(enum kb_user_type t)
{
	switch (t) {
	case KB_USER_LOCAL_OD: return "OS User";
	case KB_USER_PERSONAL_RECOVERY: return "Personal Recovery Record";
	case KB_USER_MDM_BOOTSTRAP: return "Bootstrap Token";
	default: return kb_type_name(t);
	}
}

static void print_short(const struct kb_name *n)
{
	char *e = n && n->short_name ? cli_esc_dup(n->short_name, ", ") : NULL;

	fputs(e ? e : "", stdout);
	free(e);
}

static void print_list(const struct kb_volume_keys *k, const struct kb_names *db)
{
	char id[37];

	for (unsigned i = 0; i < k->nusers; i++) {
		if (k->users[i].type != KB_USER_LOCAL_OD)
			continue;
		apfs_uuid_str(k->users[i].uuid, id);
		print_short(kb_names_find(db, k->users[i].uuid));
		printf(",%s\n", id);
	}
}

/* ESCROW stays empty: whether a key was escrowed is recorded by the MDM server, not on disk. */
static void print_extended(const struct kb_volume_keys *k, const struct kb_names *db)
{
	char id[37];

	printf("%-8s%-38s%-26s%s\n", "ESCROW", "UUID", "TYPE", "USER");
	for (unsigned i = 0; i < k->nusers; i++) {
		const struct kb_user *u = &k->users[i];

		apfs_uuid_str(u->uuid, id);
		if (u->type == KB_USER_LOCAL_OD) {
			printf("%-8s%-38s%-26s", "", id, fde_type(u->type));
			print_short(kb_names_find(db, u->uuid));
			printf("\n");
		} else {
			printf("%-8s%-38s%s\n", "", id, fde_type(u->type));
		}
	}
}

/* --json: every crypto user, as -extended lists them, with the name when one is known. */
static void print_json(const struct apfs_volume *v, const struct kb_volume_keys *k,
		       const struct kb_names *db)
{
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "volume", v->name);
	json_uuid(&j, "volume_uuid", v->uuid);
	json_arr_open(&j, "users");
	for (unsigned i = 0; i < k->nusers; i++) {
		const struct kb_user *u = &k->users[i];
		const struct kb_name *n = kb_names_find(db, u->uuid);

		json_obj_open(&j, NULL);
		json_uuid(&j, "user_uuid", u->uuid);
		json_str(&j, "user_type", kb_type_name(u->type));
		json_str(&j, "fdesetup_type", fde_type(u->type));
		json_str(&j, "short_name", n ? n->short_name : NULL);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_end(&j);
}

static int show(const struct cli_opts *o, struct cli_image *img, struct cli_volume *cv)
{
	struct kb_volume_keys *k = NULL;
	struct kb_names db;
	int ret;

	if (!apfs_volume_encrypted(cv->v)) {
		fprintf(stderr, "apfsinspect: volume '%s' is not encrypted: FileVault is off and "
				"it has no FileVault users\n", cli_safe_str(cv->v->name));
		return EXIT_ERROR;
	}
	ret = cli_load_keys(cv->v, &k);
	if (!ret)
		ret = cli_names_unlock(o, cv);
	if (ret) {
		kb_free(k);
		return ret;
	}
	cli_names_load(img, cv, &db);
	if (db.nsrc)
		kb_names_check(&db, k);
	else
		kb_names_warn(&db, "volume '%s': no user database in the image (no Preboot "
				   "volume with the group's or the volume's folder, no readable "
				   "dslocal records): short names are unknown",
				   cli_safe_str(cv->v->name));
	cli_names_warn(&db);
	if (o->json)
		print_json(cv->v, k, &db);
	else if (o->extended)
		print_extended(k, &db);
	else
		print_list(k, &db);
	kb_names_free(&db);
	kb_free(k);
	return EXIT_OK;
}

int cmd_fdesetup_list(int argc, char **argv)
{
	struct cli_volume *cv = NULL;
	struct cli_image img;
	struct cli_opts o;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED, 0, 0, fdesetup_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = cli_image_open(&o, &img);
	ret = ret ? cli_exit_code(ret) : cli_select_users_volume(&o, &img, &cv);
	if (!ret)
		ret = show(&o, &img, cv);
	cli_image_close(&img);
	return ret;
}
