/* SPDX-License-Identifier: MIT */
/*
 * cmd_hashes.c - `apfsinspect hashes`: crypto-user records in the forms
 * hashcat and John the Ripper crack (keybag/hashline.c), each exactly what
 * its consumer parses, and labelled so that a cracked line leads back to
 * its volume and user:
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

#include "credential.h"

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

static bool is_password_user(enum kb_user_type t)
{
	return t == KB_USER_LOCAL_OD || t == KB_USER_DISK;
}

/* What the password behind a record is, once cracked (docs/apfs-format.md §6). */
static const char *cracking_gives(enum kb_user_type t)
{
	switch (t) {
	case KB_USER_LOCAL_OD:
		return "the macOS login password of this user; it unlocks the volume";
	case KB_USER_DISK:
		return "the volume's password; it unlocks the volume";
	case KB_USER_PERSONAL_RECOVERY:
		return "the Personal Recovery Key; it unlocks the volume (--recovery-key)";
	case KB_USER_MDM_BOOTSTRAP:
		return "the MDM bootstrap token secret (random, held by the MDM server); "
		       "it unlocks the volume";
	case KB_USER_ICLOUD_RECOVERY:
	case KB_USER_ICLOUD_EXTERNAL:
		return "an iCloud escrow secret (random, held by Apple); not enough to unlock "
		       "offline";
	case KB_USER_INSTITUTIONAL_RECOVERY:
	case KB_USER_INSTITUTIONAL_EXTERNAL:
		return "an institutional escrow secret (FileVaultMaster keychain); not enough "
		       "to unlock offline";
	}
	return "unknown";
}

/* VOLUUID/USERUUID: unique across volumes, no ':' for hashcat --username. */
static void make_label(const struct apfs_volume *v, const struct kb_user *u, char out[74])
{
	apfs_uuid_str(v->uuid, out);
	out[36] = '/';
	apfs_uuid_str(u->uuid, out + 37);
}

/* John's fields are ':'-separated: keep a hint on one field. */
static void put_john_hint(const char *h)
{
	for (; h && *h; h++)
		putchar(*h == ':' || (unsigned char)*h < 0x20 || *h == 0x7f ? ' ' : *h);
}

static void put_json(struct hash_run *r, const struct apfs_volume *v, const struct kb_user *u,
		     const char *label, const char *hash)
{
	json_obj_open(&r->j, NULL);
	json_str(&r->j, "volume", v->name);
	json_uuid(&r->j, "volume_uuid", v->uuid);
	json_uuid(&r->j, "user_uuid", u->uuid);
	json_str(&r->j, "user_type", kb_type_name(u->type));
	json_str(&r->j, "hint", u->hint);
	json_u64(&r->j, "pbkdf2_iterations", u->kek.iterations);
	json_u64(&r->j, "mode", kb_hash_mode(u));
	json_str(&r->j, "label", label);
	json_str(&r->j, "hash", hash);
	json_bool(&r->j, "password_user", is_password_user(u->type));
	json_str(&r->j, "cracking_gives", cracking_gives(u->type));
	json_obj_close(&r->j);
}

/* The hint and, for a record that is no user's password, what it is: stderr. */
static void note(const struct hash_run *r, const struct kb_user *u, const char *label)
{
	bool pw = is_password_user(u->type);

	if (pw && !u->hint)
		return;
	fprintf(stderr, "apfsinspect: line %u: %s (%s)", r->lines, label, kb_type_name(u->type));
	if (u->hint) {
		fputs(": hint \"", stderr);
		cli_put_safe(stderr, u->hint, true);
		fputc('"', stderr);
	}
	if (!pw)
		fprintf(stderr, ": cracking it gives %s", cracking_gives(u->type));
	fputc('\n', stderr);
}

static void put_line(struct hash_run *r, const struct apfs_volume *v, const struct kb_user *u,
		     const char *hash)
{
	char label[74];

	make_label(v, u, label);
	r->lines++;
	if (r->fmt == FMT_JSON) {
		put_json(r, v, u, label, hash);
		return;
	}
	if (r->fmt != FMT_HASHCAT)
		printf("%s:", label);
	fputs(hash, stdout);
	if (r->fmt == FMT_JOHN) {
		printf(":::");
		put_john_hint(u->hint);
		printf("::");
	}
	putchar('\n');
	note(r, u, label);
}

static void volume_hashes(struct hash_run *r, const struct apfs_volume *v,
			  const struct kb_volume_keys *k)
{
	char hash[KB_HASH_LINE_MAX];

	for (unsigned i = 0; i < k->nusers; i++) {
		const struct kb_user *u = &k->users[i];

		if (!r->o->all && !is_password_user(u->type))
			continue;
		if (kb_hash_line(u, hash)) {
			r->skipped++;
			continue;
		}
		put_line(r, v, u, hash);
	}
}

static int one_volume(struct hash_run *r, struct apfs_volume *v)
{
	struct kb_volume_keys *k = NULL;
	int ret;

	if (!apfs_volume_encrypted(v))
		return EXIT_OK;
	ret = cli_load_keys(v, &k);
	if (ret)
		return ret;
	volume_hashes(r, v, k);
	ret = cli_check_records(v, k);
	kb_free(k);
	return ret;
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

static int run_volumes(struct hash_run *r, struct cli_image *img, struct cli_volume *cv)
{
	int ret = 0;

	if (r->fmt == FMT_JSON) {
		json_begin(&r->j, stdout);
		json_arr_open(&r->j, "hashes");
	}
	for (unsigned i = 0; !ret && i < img->nvols; i++)
		if (!cv || cv == &img->vols[i])
			ret = one_volume(r, img->vols[i].v);
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
	struct cli_volume *cv = NULL;
	struct cli_image img;
	struct cli_opts o;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_JSON, 0, 0, hashes_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = parse_format(&o, &r.fmt);
	if (ret)
		return ret;
	o.format = NULL; /* here it named the output; --image-format names the image */
	r.o = &o;
	ret = cli_image_open(&o, &img);
	if (!ret && o.volume)
		ret = cli_select_volume(&o, &img, &cv);
	else if (ret)
		ret = cli_exit_code(ret);
	if (!ret)
		ret = run_volumes(&r, &img, cv);
	if (r.skipped)
		fprintf(stderr, "apfsinspect: skipped %u record%s that cannot be cracked offline "
				"(hardware-bound, no PBKDF2 parameters or unparsable)\n", r.skipped,
			r.skipped == 1 ? "" : "s");
	cli_image_close(&img);
	return ret;
}
