/* SPDX-License-Identifier: MIT */
/*
 * cmd_unlock.c - `apfsinspect unlockvolume`: verify a credential like
 * `diskutil apfs unlockVolume -verify` and name the crypto user it matched.
 * Nothing is mounted and nothing is written.
 */
#include "api.h"
#include "credential.h"
#include "usersel.h"

static const char unlock_help[] =
	"usage: apfsinspect unlockvolume [--volume SEL] [--user UUID] CREDENTIAL [--json] IMAGE\n"
	"  Check a credential: PBKDF2 -> KEK unwrap -> VEK unwrap -> decrypt and verify the\n"
	"  file-system root.  Prints the crypto user that matched, or why it failed.\n"
	"  CREDENTIAL is one of:\n"
	"    --passphrase P | -passphrase P   a user's password (visible to others: see below)\n"
	"    --stdin-passphrase | -stdinpassphrase  one line from standard input\n"
	"    --passphrase-file F              one candidate per line, each tried on each user\n"
	"    --recovery-key K                 Personal Recovery Key, dashes and case optional\n"
	"    --vek HEX                        the volume encryption key itself (64 hex digits)\n"
	"    --potfile F                      a hashcat potfile or john.pot: the password cracked\n"
	"                                     from each user's `hashes` line (never printed)\n"
	"  With none, it asks on the terminal without echo.\n"
	"  --user UUID | -user UUID  try only this crypto user\n"
	"  exit: 0 unlocked, 3 rejected, 4 key bound to the original Mac, 1 error\n";

/* The user that matched, from the keybag alone (res->user < 0: none, the VEK did). */
struct matched {
	uint8_t uuid[16];
	const char *type_name;
};

static bool matched_user(apfsi_volume *vol, const struct apfsi_unlock_result *res,
			 struct matched *m)
{
	enum apfsi_user_type t;

	if (res->user < 0 || apfsi_volume_user_id(vol, (unsigned)res->user, m->uuid, &t))
		return false;
	m->type_name = apfsi_user_type_name(t);
	return true;
}

static void report(const struct cli_opts *o, apfsi_volume *vol,
		   const struct apfsi_volume_info *vi, const struct apfsi_unlock_result *res,
		   const struct cli_cred *cr)
{
	struct matched info;
	const struct matched *u = matched_user(vol, res, &info) ? &info : NULL;
	char vid[37], uid[37] = "";
	struct json j;

	cli_uuid_str(vi->uuid, vid);
	if (u)
		cli_uuid_str(u->uuid, uid);
	if (o->json) {
		json_begin(&j, stdout);
		json_str(&j, "volume", vi->name);
		json_str(&j, "volume_uuid", vid);
		json_bool(&j, "unlocked", true);
		json_str(&j, "user_uuid", u ? uid : NULL);
		json_str(&j, "user_type", u ? u->type_name : NULL);
		json_str(&j, "credential", cli_cred_kind_name(cr->kind));
		if (o->passphrase_file || o->potfile)
			json_u64(&j, "candidate_line", cr->line[res->candidate]);
		json_end(&j);
		return;
	}
	printf("Volume %s (%s) unlocked", cli_safe_str(vi->name), vid);
	if (u)
		printf(" by crypto user %s (%s)", uid, u->type_name);
	else
		printf(" with the volume encryption key");
	if (o->passphrase_file)
		printf(", candidate on line %zu of %s", cr->line[res->candidate], o->passphrase_file);
	if (o->potfile)
		printf(", password from line %zu of potfile %s", cr->line[res->candidate], o->potfile);
	printf("\n");
}

/* The credential, asked for when none was given; 0 or the exit code after saying why. */
static int get_cred(const struct cli_opts *o, const char *vname, struct cli_cred *cr)
{
	int ret = cli_cred_get(o, true, cr);

	if (!ret && cr->kind == CRED_NONE) {
		fprintf(stderr, "apfsinspect: volume '%s' is encrypted: give a credential "
				"(--passphrase, --stdin-passphrase, --passphrase-file, --recovery-key, "
				"--vek or --potfile)\n", cli_safe_str(vname));
		ret = EXIT_LOCKED;
	}
	return ret;
}

int cmd_unlockvolume(int argc, char **argv)
{
	struct apfsi_unlock_result res;
	struct apfsi_volume_info vi;
	struct cli_cred cr = { 0 };
	apfsi_image *img = NULL;
	apfsi_volume *vol = NULL;
	struct cli_opts o;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_JSON, 0, 0, unlock_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = cli_api_open(&o, &img);
	/* A group's System volume (or the group's UUID) stands for its Data volume. */
	if (!ret)
		ret = cli_api_select_users_volume(&o, img, &vol);
	if (!ret && apfsi_volume_info(vol, &vi))
		ret = EXIT_ERROR;
	if (ret)
		goto out;
	if (!vi.encrypted) {
		printf("Volume %s is not encrypted: there is nothing to unlock\n",
		       cli_safe_str(vi.name));
		goto out;
	}
	/* Names from Preboot beside the UUIDs in messages; their warnings are listcryptousers'. */
	cli_unlock_show_names(true);
	ret = get_cred(&o, vi.name, &cr);
	if (!ret)
		ret = cli_unlock(&o, vol, &cr, &res);
	if (!ret)
		report(&o, vol, &vi, &res, &cr);
out:
	cli_unlock_show_names(false);
	cli_cred_wipe(&cr);
	apfsi_image_close(img);
	return ret;
}
