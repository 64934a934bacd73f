/* SPDX-License-Identifier: MIT */
/*
 * cmd_hashes.c - `apfsinspect hashes`: crypto-user records in the forms
 * hashcat and John the Ripper crack (keybag/hashline.c), each exactly what
 * its consumer parses (the library's apfsi_user_info.hash_line), and
 * labelled so that a cracked line leads back to its volume and user:
 *   hashcat       HASH                      (bare; hashcat -m 18300/16700)
 *   hashcat-user  VOLUUID/USERUUID:HASH     (hashcat --username splits at the
 *                                            first ':', so the label has none)
 *   john          VOLUUID/USERUUID:HASH:::HINT::  (passwd style, John PR #5623)
 *   --json        every field, with the hint and what cracking it gives
 * hashcat does not skip '#' lines in a hash file (6.2.6 warns "Separator
 * unmatched" for each), so the notes on hints and on recovery/escrow
 * records go to stderr in the text formats.
 */
#include <string.h>

#include "api.h"

static const char hashes_help[] =
	"usage: apfsinspect hashes [--volume SEL] [--all] [--format FMT | --json] IMAGE\n"
	"  One line per password crypto user (Local Open Directory and Disk users):\n"
	"  hashcat mode 18300 ($fvde$2$), or 16700 ($fvde$1$) for CoreStorage 128-bit keys.\n"
	"  --all                  also recovery, MDM, iCloud and institutional records\n"
	"  --format hashcat       bare hash lines (the default)\n"
	"  --format hashcat-user  VOLUUID/USERUUID:HASH, for hashcat --username\n"
	"  --format john          VOLUUID/USERUUID:HASH:::HINT:: (John the Ripper passwd style)\n"
	"  --json                 volume, user, type, hint, iterations, mode, hash, label\n"
	"  Hints and what cracking a recovery or escrow record gives are noted on stderr.\n"
	"  Unlock with what hashcat or John cracked: unlockvolume --potfile FILE.\n";

enum hash_fmt { FMT_HASHCAT, FMT_HASHCAT_USER, FMT_JOHN, FMT_JSON };

struct hash_run {
	const struct cli_opts *o;
	enum hash_fmt fmt;
	struct json j;
	unsigned lines, skipped;
};

static bool is_password_user(enum apfsi_user_type t)
{
	return t == APFSI_USER_LOCAL_OPEN_DIRECTORY || t == APFSI_USER_DISK;
}

/* What the password behind a record is, once cracked (docs/apfs-format.md §6). */
static const char *cracking_gives(enum apfsi_user_type t)
{
	switch (t) {
	case APFSI_USER_LOCAL_OPEN_DIRECTORY:
		return "the macOS login password of this user; it unlocks the volume";
	case APFSI_USER_DISK:
		return "the volume's password; it unlocks the volume";
	case APFSI_USER_PERSONAL_RECOVERY:
		return "the Personal Recovery Key; it unlocks the volume (--recovery-key)";
	case APFSI_USER_MDM_BOOTSTRAP_TOKEN_EXTERNAL:
		return "the MDM bootstrap token secret (random, held by the MDM server); "
		       "it unlocks the volume";
	case APFSI_USER_ICLOUD_RECOVERY:
	case APFSI_USER_ICLOUD_RECOVERY_EXTERNAL:
		return "an iCloud escrow secret (random, held by Apple); not enough to unlock "
		       "offline";
	case APFSI_USER_INSTITUTIONAL_RECOVERY:
	case APFSI_USER_INSTITUTIONAL_RECOVERY_EXTERNAL:
		return "an institutional escrow secret (FileVaultMaster keychain); not enough "
		       "to unlock offline";
	}
	return "unknown";
}

/* VOLUUID/USERUUID: unique across volumes, no ':' for hashcat --username. */
static void make_label(const struct apfsi_volume_info *v, const struct apfsi_user_info *u,
		       char out[74])
{
	cli_uuid_str(v->uuid, out);
	out[36] = '/';
	cli_uuid_str(u->uuid, out + 37);
}

/* John's fields are ':'-separated: keep a hint on one field. */
static void put_john_hint(const char *h)
{
	for (; h && *h; h++)
		putchar(*h == ':' || (unsigned char)*h < 0x20 || *h == 0x7f ? ' ' : *h);
}

static void put_json(struct hash_run *r, const struct apfsi_volume_info *v,
		     const struct apfsi_user_info *u, const char *label)
{
	json_obj_open(&r->j, NULL);
	json_str(&r->j, "volume", v->name);
	json_uuid(&r->j, "volume_uuid", v->uuid);
	json_uuid(&r->j, "user_uuid", u->uuid);
	json_str(&r->j, "user_type", u->type_name);
	json_str(&r->j, "hint", u->hint);
	json_u64(&r->j, "pbkdf2_iterations", u->pbkdf2_iterations);
	json_u64(&r->j, "mode", u->hash_mode);
	json_str(&r->j, "label", label);
	json_str(&r->j, "hash", u->hash_line);
	json_bool(&r->j, "password_user", is_password_user(u->type));
	json_str(&r->j, "cracking_gives", cracking_gives(u->type));
	json_obj_close(&r->j);
}

/* The hint and, for a record that is no user's password, what it is: stderr. */
static void note(const struct hash_run *r, const struct apfsi_user_info *u, const char *label)
{
	bool pw = is_password_user(u->type);

	if (pw && !u->hint)
		return;
	fprintf(stderr, "apfsinspect: line %u: %s (%s)", r->lines, label, u->type_name);
	if (u->hint) {
		fputs(": hint \"", stderr);
		cli_put_safe(stderr, u->hint, true);
		fputc('"', stderr);
	}
	if (!pw)
		fprintf(stderr, ": cracking it gives %s", cracking_gives(u->type));
	fputc('\n', stderr);
}

static void put_line(struct hash_run *r, const struct apfsi_volume_info *v,
		     const struct apfsi_user_info *u)
{
	char label[74];

	make_label(v, u, label);
	r->lines++;
	if (r->fmt == FMT_JSON) {
		put_json(r, v, u, label);
		return;
	}
	if (r->fmt != FMT_HASHCAT)
		printf("%s:", label);
	fputs(u->hash_line, stdout);
	if (r->fmt == FMT_JOHN) {
		printf(":::");
		put_john_hint(u->hint);
		printf("::");
	}
	putchar('\n');
	note(r, u, label);
}

/* A record no secret could be tried on: named with where it is (EXIT_ERROR for the run). */
static void report_damaged(const struct apfsi_volume_info *v, const struct apfsi_user_info *u)
{
	char id[37];

	cli_uuid_str(u->uuid, id);
	if (!u->parsed)
		fprintf(stderr, "apfsinspect: volume '%s': crypto user %s: damaged record in the "
				"volume keybag at block %llu, entry %u: %s\n",
			cli_safe_str(v->name), id, (unsigned long long)u->keybag_block,
			u->keybag_entry, u->parse_error);
	else
		fprintf(stderr, "apfsinspect: volume '%s': crypto user %s: record in the volume "
				"keybag at block %llu, entry %u asks for %llu PBKDF2 iterations "
				"(accepted: 1 to %llu): damaged or crafted\n",
			cli_safe_str(v->name), id, (unsigned long long)u->keybag_block,
			u->keybag_entry, (unsigned long long)u->pbkdf2_iterations,
			APFSI_MAX_PBKDF2_ITERATIONS);
}

/* The lines of vol's users, then its damaged records named; 0, EXIT_ERROR. */
static int volume_hashes(struct hash_run *r, apfsi_volume *vol,
			 const struct apfsi_volume_info *v, unsigned n)
{
	struct apfsi_user_info u;
	int ret = 0;

	for (unsigned i = 0; i < n; i++) {
		/* The user databases are read along, for names this command does not show. */
		cli_api_quiet(true);
		ret = apfsi_volume_user(vol, i, &u);
		cli_api_quiet(false);
		if (ret)
			return cli_api_exit(ret);
		if (!r->o->all && !is_password_user(u.type))
			continue;
		if (!u.hash_line) {
			r->skipped++;
			continue;
		}
		put_line(r, v, &u);
	}
	for (unsigned i = 0; i < n; i++)
		if (!apfsi_volume_user(vol, i, &u) && u.damaged) {
			report_damaged(v, &u);
			ret = EXIT_ERROR;
		}
	return ret;
}

static int one_volume(struct hash_run *r, apfsi_volume *vol)
{
	struct apfsi_volume_info v;
	unsigned n;
	int ret = apfsi_volume_info(vol, &v);

	if (ret)
		return cli_api_exit(ret);
	if (!v.encrypted)
		return EXIT_OK;
	ret = apfsi_volume_user_count(vol, &n);
	/* The keybag's damage was named as it was found; only "no keys at all" is said here. */
	if (ret == APFSI_ERR_NOT_FOUND)
		fprintf(stderr, "apfsinspect: volume '%s' is encrypted but the container keybag "
				"holds no keys for it\n", cli_safe_str(v.name));
	if (ret)
		return EXIT_ERROR;
	return volume_hashes(r, vol, &v, n);
}

static int parse_format(const struct cli_opts *o, enum hash_fmt *fmt)
{
	static const char *const names[] = { "hashcat", "hashcat-user", "john" };

	*fmt = o->json ? FMT_JSON : FMT_HASHCAT;
	if (!o->format)
		return 0;
	for (int i = 0; i < 3 && !o->json; i++)
		if (!strcmp(o->format, names[i])) {
			*fmt = (enum hash_fmt)i;
			return 0;
		}
	fprintf(stderr, "apfsinspect: %s\n%s", o->json ? "choose one of --format and --json" :
		"--format is hashcat, hashcat-user or john", hashes_help);
	return EXIT_USAGE;
}

static int run_volumes(struct hash_run *r, apfsi_image *img, apfsi_volume *chosen)
{
	struct apfsi_image_info ii;
	apfsi_volume *vol;
	int ret = apfsi_image_info(img, &ii);

	if (ret)
		return cli_api_exit(ret);
	if (r->fmt == FMT_JSON) {
		json_begin(&r->j, stdout);
		json_arr_open(&r->j, "hashes");
	}
	for (unsigned i = 0; !ret && i < ii.volumes; i++)
		if (!apfsi_image_volume(img, i, &vol) && (!chosen || chosen == vol))
			ret = one_volume(r, vol);
	if (r->fmt == FMT_JSON) {
		json_arr_close(&r->j);
		json_u64(&r->j, "skipped", r->skipped);
		json_end(&r->j);
	}
	return ret;
}

int cmd_hashes(int argc, char **argv)
{
	struct hash_run r = { 0 };
	apfsi_volume *vol = NULL;
	apfsi_image *img = NULL;
	struct cli_opts o;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_JSON, 0, 0, hashes_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = parse_format(&o, &r.fmt);
	if (ret)
		return ret;
	o.format = NULL; /* here it named the output; --image-format names the image */
	r.o = &o;
	ret = cli_api_open(&o, &img);
	if (!ret && o.volume)
		ret = cli_api_select_volume(&o, img, &vol);
	if (!ret)
		ret = run_volumes(&r, img, vol);
	if (r.skipped)
		fprintf(stderr, "apfsinspect: skipped %u record%s that cannot be cracked offline "
				"(hardware-bound, no PBKDF2 parameters or unparsable)\n", r.skipped,
			r.skipped == 1 ? "" : "s");
	apfsi_image_close(img);
	return ret;
}
