/* SPDX-License-Identifier: MIT */
/*
 * cmd_unlock.c - `apfsinspect unlockvolume`: verify a credential like
 * `diskutil apfs unlockVolume -verify` and name the crypto user it matched.
 * Nothing is mounted and nothing is written.
 */
#include "credential.h"
#include "group.h"
#include "usernames.h"

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

static void report(const struct cli_opts *o, const struct apfs_volume *v,
		   const struct kb_volume_keys *k, const struct apfsi_unlock_result *res,
		   const struct cli_cred *cr)
{
	const struct kb_user *u = k && res->user >= 0 ? &k->users[res->user] : NULL;
	char vid[37], uid[37] = "";
	struct json j;

	apfs_uuid_str(v->uuid, vid);
	if (u)
		apfs_uuid_str(u->uuid, uid);
	if (o->json) {
		json_begin(&j, stdout);
		json_str(&j, "volume", v->name);
		json_str(&j, "volume_uuid", vid);
		json_bool(&j, "unlocked", true);
		json_str(&j, "user_uuid", u ? uid : NULL);
		json_str(&j, "user_type", u ? kb_type_name(u->type) : NULL);
		json_str(&j, "credential", cli_cred_kind_name(cr->kind));
		if (o->passphrase_file || o->potfile)
			json_u64(&j, "candidate_line", cr->line[res->candidate]);
		json_end(&j);
		return;
	}
	printf("Volume %s (%s) unlocked", cli_safe_str(v->name), vid);
	if (u)
		printf(" by crypto user %s (%s)", uid, kb_type_name(u->type));
	else
		printf(" with the volume encryption key");
	if (o->passphrase_file)
		printf(", candidate on line %zu of %s", cr->line[res->candidate], o->passphrase_file);
	if (o->potfile)
		printf(", password from line %zu of potfile %s", cr->line[res->candidate], o->potfile);
	printf("\n");
}

int cmd_unlockvolume(int argc, char **argv)
{
	struct kb_volume_keys *k = NULL;
	struct apfsi_unlock_result res;
	struct cli_volume *cv = NULL;
	struct cli_cred cr = { 0 };
	struct cli_image img;
	struct kb_names db = { 0 };
	struct cli_opts o;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_JSON, 0, 0, unlock_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = cli_image_open(&o, &img);
	/* A group's System volume (or the group's UUID) stands for its Data volume. */
	ret = ret ? cli_exit_code(ret) : cli_select_users_volume(&o, &img, &cv);
	if (ret)
		goto out;
	if (!apfs_volume_encrypted(cv->v)) {
		printf("Volume %s is not encrypted: there is nothing to unlock\n",
		       cli_safe_str(cv->v->name));
		goto out;
	}
	/* Names from Preboot beside the UUIDs in messages; their warnings are listcryptousers'. */
	cli_names_load(&img, cv, &db);
	cli_unlock_set_names(&db);
	ret = cli_cred_get(&o, true, &cr);
	if (!ret && cr.kind == CRED_NONE) {
		fprintf(stderr, "apfsinspect: volume '%s' is encrypted: give a credential "
				"(--passphrase, --stdin-passphrase, --passphrase-file, --recovery-key, "
				"--vek or --potfile)\n", cli_safe_str(cv->v->name));
		ret = EXIT_LOCKED;
	}
	if (!ret)
		ret = cli_unlock(&o, cv, &cr, &k, &res);
	if (!ret)
		report(&o, cv->v, k, &res, &cr);
out:
	cli_unlock_set_names(NULL);
	kb_names_free(&db);
	cli_cred_wipe(&cr);
	kb_free(k);
	cli_image_close(&img);
	return ret;
}
