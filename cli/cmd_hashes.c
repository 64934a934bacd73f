/* SPDX-License-Identifier: MIT */
/*
 * cmd_hashes.c - `apfsinspect hashes`: crypto-user records in the forms
 * hashcat and John the Ripper crack (docs/apfs-format.md §7):
 *   18300  $fvde$2$16$<salt>$<iterations>$<40-byte wrapped KEK>
 *   16700  $fvde$1$16$<salt>$<iterations>$<first 24 bytes>  (CoreStorage 128-bit)
 */
#include <string.h>

#include "credential.h"

static const char hashes_help[] =
	"usage: apfsinspect hashes [--volume SEL] [--all] [--format hashcat|john] IMAGE\n"
	"  One line per password crypto user (Local Open Directory and Disk users):\n"
	"  hashcat mode 18300 ($fvde$2$), or 16700 ($fvde$1$) for CoreStorage 128-bit keys.\n"
	"  --all            also recovery, MDM, iCloud and institutional records\n"
	"  --format john    <uuid>:<hash>:::<hint>:: (John the Ripper passwd style)\n";

static bool is_password_user(enum kb_user_type t)
{
	return t == KB_USER_LOCAL_OD || t == KB_USER_DISK;
}

static void put_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* John's fields are ':'-separated: keep a hint on one field. */
static void put_hint(const char *h)
{
	for (; h && *h; h++)
		putchar(*h == ':' || (unsigned char)*h < 0x20 ? ' ' : *h);
}

static void print_hash(const struct kb_user *u, bool john)
{
	const struct kb_blob *b = &u->kek;
	bool cs = b->flags & KB_FLAG_CS_128;
	char id[37];

	if (john) {
		apfs_uuid_str(u->uuid, id);
		printf("%s:", id);
	}
	printf("$fvde$%d$16$", cs ? 1 : 2);
	put_hex(b->salt, 16);
	printf("$%llu$", (unsigned long long)b->iterations);
	put_hex(b->wrapped, cs ? 24 : 40);
	if (john) {
		printf(":::");
		put_hint(u->hint);
		printf("::");
	}
	printf("\n");
}

/* Returns how many records were skipped as not crackable. */
static unsigned volume_hashes(const struct cli_opts *o, const struct kb_volume_keys *k,
			      bool john)
{
	unsigned skipped = 0;

	for (unsigned i = 0; i < k->nusers; i++) {
		const struct kb_user *u = &k->users[i];

		if (!o->all && !is_password_user(u->type))
			continue;
		if (!u->parsed || !u->kek.has_kdf || u->kek.salt_len != 16 || u->hw_bound ||
		    u->kek.iterations == 0 || u->kek.iterations > KB_MAX_ITERATIONS ||
		    (u->kek.wrapped_len != 40 && !(u->kek.flags & KB_FLAG_CS_128))) {
			skipped++;
			continue;
		}
		print_hash(u, john);
	}
	return skipped;
}

static int one_volume(const struct cli_opts *o, struct apfs_volume *v, bool john,
		      unsigned *skipped)
{
	struct kb_volume_keys *k = NULL;
	int ret;

	if (!apfs_volume_encrypted(v))
		return EXIT_OK;
	ret = cli_load_keys(v, &k);
	if (ret)
		return ret;
	*skipped += volume_hashes(o, k, john);
	ret = cli_check_records(v, k);
	kb_free(k);
	return ret;
}

int cmd_hashes(int argc, char **argv)
{
	struct cli_volume *cv = NULL;
	struct cli_image img;
	struct cli_opts o;
	unsigned skipped = 0;
	bool john;
	int ret = cli_parse(argc, argv, OPT_VOLUME, 0, 0, hashes_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (o.format && strcmp(o.format, "hashcat") && strcmp(o.format, "john")) {
		fprintf(stderr, "apfsinspect: --format is hashcat or john\n%s", hashes_help);
		return EXIT_USAGE;
	}
	john = o.format && !strcmp(o.format, "john");
	o.format = NULL; /* here it named the output; --image-format names the image */
	ret = cli_image_open(&o, &img);
	if (!ret && o.volume)
		ret = cli_select_volume(&o, &img, &cv);
	else if (ret)
		ret = cli_exit_code(ret);
	for (unsigned i = 0; !ret && i < img.nvols; i++)
		if (!cv || cv == &img.vols[i])
			ret = one_volume(&o, img.vols[i].v, john, &skipped);
	if (skipped)
		fprintf(stderr, "apfsinspect: skipped %u record%s that cannot be cracked offline "
				"(hardware-bound, no PBKDF2 parameters or unparsable)\n", skipped,
			skipped == 1 ? "" : "s");
	cli_image_close(&img);
	return ret;
}
