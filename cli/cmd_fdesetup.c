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

#include "api.h"
#include "credential.h"
#include "usernames.h"
#include "usersel.h"

static const char fdesetup_help[] =
	"usage: apfsinspect fdesetup-list [--volume SEL] [-extended | --extended] [CREDENTIAL] IMAGE\n"
	"  The FileVault users of a volume (default: the Data volume) as `fdesetup list`\n"
	"  prints them: SHORTNAME,UUID per Local Open Directory user.  Names come from\n"
	"  the Preboot volume (no credential needed); a credential (never asked for)\n"
	"  unlocks the volume so that its dslocal user records name them too.\n"
	"  -extended  every crypto user: ESCROW, UUID, TYPE, USER columns\n"
	"  --json     every crypto user as JSON (README \"JSON output\")\n";

/* fdesetup's TYPE column: documented for three kinds; diskutil's name for the rest. */
static const char *fde_type(const struct apfsi_user_info *u)
{
	switch (u->type) {
	case APFSI_USER_LOCAL_OPEN_DIRECTORY: return "OS User";
	case APFSI_USER_PERSONAL_RECOVERY: return "Personal Recovery Record";
	case APFSI_USER_MDM_BOOTSTRAP_TOKEN_EXTERNAL: return "Bootstrap Token";
	default: return u->type_name;
	}
}

static void print_short(const struct apfsi_user_info *u)
{
	char *e = u->short_name ? cli_esc_dup(u->short_name, ", ") : NULL;

	fputs(e ? e : "", stdout);
	free(e);
}

static void print_list(apfsi_volume *vol, unsigned n)
{
	struct apfsi_user_info u;
	char id[37];

	for (unsigned i = 0; i < n; i++) {
		if (!cli_user_info(vol, i, &u) || u.type != APFSI_USER_LOCAL_OPEN_DIRECTORY)
			continue;
		cli_uuid_str(u.uuid, id);
		print_short(&u);
		printf(",%s\n", id);
	}
}

/* ESCROW stays empty: whether a key was escrowed is recorded by the MDM server, not on disk. */
static void print_extended(apfsi_volume *vol, unsigned n)
{
	struct apfsi_user_info u;
	char id[37];

	printf("%-8s%-38s%-26s%s\n", "ESCROW", "UUID", "TYPE", "USER");
	for (unsigned i = 0; i < n; i++) {
		if (!cli_user_info(vol, i, &u))
			continue;
		cli_uuid_str(u.uuid, id);
		if (u.type == APFSI_USER_LOCAL_OPEN_DIRECTORY) {
			printf("%-8s%-38s%-26s", "", id, fde_type(&u));
			print_short(&u);
			printf("\n");
		} else {
			printf("%-8s%-38s%s\n", "", id, fde_type(&u));
		}
	}
}

/* --json: every crypto user, as -extended lists them, with the name when one is known. */
static void print_json(apfsi_volume *vol, const struct apfsi_volume_info *vi, unsigned n)
{
	struct apfsi_user_info u;
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "volume", vi->name);
	json_uuid(&j, "volume_uuid", vi->uuid);
	json_arr_open(&j, "users");
	for (unsigned i = 0; i < n; i++) {
		if (!cli_user_info(vol, i, &u))
			continue;
		json_obj_open(&j, NULL);
		json_uuid(&j, "user_uuid", u.uuid);
		json_str(&j, "user_type", u.type_name);
		json_str(&j, "fdesetup_type", fde_type(&u));
		json_str(&j, "short_name", u.short_name);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_end(&j);
}

/* The names' warnings, and the commands' own when the image has no user database at all. */
static void load_names(apfsi_volume *vol, const char *vname)
{
	char w[512];

	if (cli_names_load(vol))
		return;
	snprintf(w, sizeof(w), "volume '%s': no user database in the image (no Preboot volume "
		 "with the group's or the volume's folder, no readable dslocal records): short "
		 "names are unknown", cli_safe_str(vname));
	cli_names_warn(w);
}

static int show(const struct cli_opts *o, apfsi_volume *vol)
{
	struct apfsi_volume_info vi;
	unsigned n = 0;
	int ret = apfsi_volume_info(vol, &vi) ? EXIT_ERROR : 0;

	if (!ret && !vi.encrypted) {
		fprintf(stderr, "apfsinspect: volume '%s' is not encrypted: FileVault is off and "
				"it has no FileVault users\n", cli_safe_str(vi.name));
		return EXIT_ERROR;
	}
	if (!ret)
		ret = cli_volume_users(vol, vi.name, &n);
	if (!ret)
		ret = cli_names_unlock(o, vol);
	if (ret)
		return ret;
	load_names(vol, vi.name);
	if (o->json)
		print_json(vol, &vi, n);
	else if (o->extended)
		print_extended(vol, n);
	else
		print_list(vol, n);
	return EXIT_OK;
}

int cmd_fdesetup_list(int argc, char **argv)
{
	apfsi_image *img = NULL;
	apfsi_volume *vol = NULL;
	struct cli_opts o;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED, 0, 0, fdesetup_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = cli_api_open(&o, &img);
	if (!ret)
		ret = cli_api_select_users_volume(&o, img, &vol);
	if (!ret)
		ret = show(&o, vol);
	apfsi_image_close(img);
	return ret;
}
