/* SPDX-License-Identifier: MIT */
/*
 * cmd_users.c - `apfsinspect listcryptousers`: the crypto users of encrypted
 * volumes in diskutil's exact text layout (docs/users.md §2.1), its -plist
 * schema (§2.2, written with libplist), or JSON with the forensic detail.
 */
#include <stdlib.h>
#include <string.h>

#include "util/plist_dl.h"
#include "api.h"
#include "credential.h"
#include "usernames.h"
#include "usersel.h"

static const char users_help[] =
	"usage: apfsinspect listcryptousers [--volume SEL] [--hints] [--plist | --json] [CREDENTIAL]\n"
	"       IMAGE\n"
	"  List the crypto users (FileVault unlock records) of encrypted volumes.\n"
	"  Without --volume, every encrypted volume in turn.  A volume group's UUID or\n"
	"  its System volume stands for its Data volume, as `/` does for diskutil.\n"
	"  --hints   add a \"Hint:\" line under each user that has a password hint\n"
	"            (not in diskutil's layout; control characters shown as \\xNN)\n"
	"  --plist   diskutil apfs listcryptousers -plist schema (one volume), plus the\n"
	"            names the image records for each user\n"
	"  --json    all details: names (from the Preboot volume, no credential needed),\n"
	"            hints, key flags, PBKDF2 iterations and salt, keybag positions,\n"
	"            whether each can be unlocked offline\n"
	"  A credential (never asked for here) unlocks the volume so that its dslocal\n"
	"  user records name the users too.\n";

/* The names the image records for user i, or NULL when no file names the user. */
static const struct apfsi_user_names *names_at(apfsi_volume *vol, unsigned i,
					       struct apfsi_user_names *n)
{
	bool ok;

	cli_api_quiet(true);
	ok = !apfsi_volume_user_names(vol, i, n);
	cli_api_quiet(false);
	return ok ? n : NULL;
}

static const char *first_source(apfsi_volume *vol, unsigned i)
{
	const char *src = NULL;

	return apfsi_volume_user_name_source(vol, i, 0, &src) ? NULL : src;
}

static void print_text(apfsi_volume *vol, const char *vname, unsigned n, bool hints)
{
	struct apfsi_user_info u;
	char id[37];

	printf("Cryptographic user%s for %s (%u found)\n", n == 1 ? "" : "s", cli_safe_str(vname),
	       n);
	for (unsigned i = 0; i < n; i++) {
		const char *bar = i + 1 == n ? " " : "|";

		if (!cli_user_info(vol, i, &u))
			continue;
		cli_uuid_str(u.uuid, id);
		printf("|\n+-- %s\n%s   Type: %s\n", id, bar, u.type_name);
		if (hints && u.hint) {
			printf("%s   Hint: ", bar);
			cli_put_safe(stdout, u.hint, false);
			putchar('\n');
		}
	}
}

static void plist_str(plist_t d, const char *key, const char *val)
{
	char *e = val ? cli_esc_dup(val, "") : NULL;

	if (e)
		plist_dict_set_item(d, key, plist_new_string(e));
	free(e);
}

/* What the image records about the user: apfsinspect's keys, not diskutil's. */
static void plist_names(plist_t d, apfsi_volume *vol, unsigned i)
{
	struct apfsi_user_names buf;
	const struct apfsi_user_names *n = names_at(vol, i, &buf);

	if (!n)
		return;
	plist_str(d, "ShortName", n->short_name);
	plist_str(d, "FullName", n->full_name);
	if (n->admin >= 0)
		plist_dict_set_item(d, "Admin", plist_new_bool(n->admin));
	if (n->has_uid)
		plist_dict_set_item(d, "UID", plist_new_uint((uint64_t)n->uid));
	plist_str(d, "PasswordHint", n->hint);
	plist_dict_set_item(d, "HasPicture", plist_new_bool(n->picture));
	plist_str(d, "NameSource", first_source(vol, i));
}

static int print_plist(apfsi_volume *vol, unsigned n)
{
	struct apfsi_user_info u;
	plist_t root, arr;
	char *xml = NULL, id[37];
	uint32_t len = 0;

	if (plist_dl_load(NULL, "listcryptousers -plist"))
		return EXIT_ERROR;
	root = plist_new_dict();
	arr = plist_new_array();
	for (unsigned i = 0; i < n; i++) {
		plist_t d;

		if (!cli_user_info(vol, i, &u))
			continue;
		d = plist_new_dict();
		cli_uuid_str(u.uuid, id);
		plist_dict_set_item(d, "APFSCryptoUserType", plist_new_string(u.plist_type));
		plist_dict_set_item(d, "APFSCryptoUserUUID", plist_new_string(id));
		plist_names(d, vol, i);
		plist_array_append_item(arr, d);
	}
	plist_dict_set_item(root, "Users", arr);
	plist_to_xml(root, &xml, &len);
	plist_free(root);
	if (!xml)
		return EXIT_ERROR;
	fwrite(xml, 1, len, stdout);
	free(xml);
	return EXIT_OK;
}

static void json_blob(struct json *j, const struct apfsi_key_blob *b)
{
	char h[2 * sizeof(b->metadata) + 1];

	json_str(j, "key_flags", b->flags_text);
	cli_hex(h, b->metadata, b->metadata_len);
	json_str(j, "key_metadata", h);
	json_u64(j, "wrapped_key_bytes", b->wrapped_len);
	json_str(j, "hmac", b->hmac == APFSI_HMAC_OK ? "ok" : b->hmac == APFSI_HMAC_MISMATCH ?
		 "mismatch" : "absent");
	json_uuid(j, "blob_uuid", b->uuid);
}

static void json_sources(struct json *j, apfsi_volume *vol, unsigned i, unsigned n)
{
	const char *src;

	json_arr_open(j, "sources");
	for (unsigned k = 0; k < n; k++)
		if (!apfsi_volume_user_name_source(vol, i, k, &src))
			json_str(j, NULL, src);
	json_arr_close(j);
}

static void json_names(struct json *j, apfsi_volume *vol, unsigned i)
{
	struct apfsi_user_names buf;
	const struct apfsi_user_names *n = names_at(vol, i, &buf);

	if (!n) {
		json_null(j, "names");
		return;
	}
	json_obj_open(j, "names");
	json_str(j, "short_name", n->short_name);
	json_str(j, "full_name", n->full_name);
	if (n->admin >= 0)
		json_bool(j, "admin", n->admin);
	else
		json_null(j, "admin");
	if (n->has_uid)
		json_i64(j, "uid", n->uid);
	else
		json_null(j, "uid");
	json_str(j, "hint", n->hint);
	json_bool(j, "picture", n->picture);
	json_str(j, "od_user_type", n->od_user_type);
	json_sources(j, vol, i, n->sources);
	json_obj_close(j);
}

/* A parsed record's KEK: its blob, PBKDF2 iterations and salt. */
static void json_kek(struct json *j, apfsi_volume *vol, unsigned i)
{
	struct apfsi_key_blob b;
	char salt[2 * sizeof(b.salt) + 1];

	if (apfsi_volume_user_key(vol, i, &b))
		return;
	json_blob(j, &b);
	json_u64(j, "pbkdf2_iterations", b.has_kdf ? b.iterations : 0);
	cli_hex(salt, b.salt, b.salt_len);
	json_str(j, "salt", b.has_kdf ? salt : NULL);
}

static void json_user(struct json *j, apfsi_volume *vol, unsigned i)
{
	struct apfsi_user_info u;

	if (!cli_user_info(vol, i, &u))
		return;
	json_obj_open(j, NULL);
	json_uuid(j, "user_uuid", u.uuid);
	json_str(j, "user_type", u.type_name);
	json_str(j, "plist_type", u.plist_type);
	json_str(j, "hint", u.hint);
	json_names(j, vol, i);
	json_bool(j, "parsed", u.parsed);
	if (!u.parsed)
		json_str(j, "parse_error", u.parse_error);
	else
		json_kek(j, vol, i);
	json_bool(j, "hardware_bound", u.hardware_bound);
	json_bool(j, "offline_unlockable", u.offline_unlockable);
	json_u64(j, "keybag_block", u.keybag_block);
	json_u64(j, "keybag_entry", u.keybag_entry);
	json_obj_close(j);
}

/* The user databases read, or their warnings: each of the name db's strings. */
static void json_db(struct json *j, apfsi_volume *vol, const char *key, bool warnings)
{
	struct apfsi_name_db_info db;
	const char *s;
	unsigned n;

	json_arr_open(j, key);
	n = apfsi_volume_name_db(vol, &db) ? 0 : warnings ? db.warnings : db.sources;
	for (unsigned i = 0; i < n; i++)
		if (!(warnings ? apfsi_volume_name_db_warning(vol, i, &s) :
				 apfsi_volume_name_db_source(vol, i, &s)))
			json_str(j, NULL, s);
	json_arr_close(j);
}

static void json_keybags(struct json *j, apfsi_volume *vol)
{
	struct apfsi_keybags kb;
	struct apfsi_key_blob vek;

	if (apfsi_volume_keybags(vol, &kb))
		memset(&kb, 0, sizeof(kb));
	json_obj_open(j, "container_keybag");
	json_u64(j, "block", kb.container_block);
	json_u64(j, "blocks", kb.container_blocks);
	json_bool(j, "plaintext", kb.container_plaintext);
	json_u64(j, "vek_entry", kb.vek_entry);
	if (kb.has_vek && !apfsi_volume_vek_blob(vol, &vek))
		json_blob(j, &vek);
	json_obj_close(j);
	json_obj_open(j, "volume_keybag");
	json_u64(j, "block", kb.volume_block);
	json_u64(j, "blocks", kb.volume_blocks);
	json_bool(j, "plaintext", kb.volume_plaintext);
	json_obj_close(j);
}

static void json_volume(struct json *j, apfsi_volume *vol, const struct apfsi_volume_info *vi,
			unsigned n)
{
	json_obj_open(j, NULL);
	json_str(j, "volume", vi->name);
	json_uuid(j, "volume_uuid", vi->uuid);
	if (vi->has_group)
		json_uuid(j, "volume_group", vi->group_uuid);
	else
		json_null(j, "volume_group");
	json_keybags(j, vol);
	json_arr_open(j, "users");
	for (unsigned i = 0; i < n; i++)
		json_user(j, vol, i);
	json_arr_close(j);
	json_db(j, vol, "name_sources", false);
	json_db(j, vol, "name_warnings", true);
	json_obj_close(j);
}

static int not_encrypted(const struct apfsi_volume_info *vi, struct json *j, bool json)
{
	if (json) {
		json_obj_open(j, NULL);
		json_str(j, "volume", vi->name);
		json_uuid(j, "volume_uuid", vi->uuid);
		json_bool(j, "encrypted", false);
		json_arr_open(j, "users");
		json_arr_close(j);
		json_obj_close(j);
	} else {
		printf("Volume %s is not encrypted: it has no cryptographic users\n",
		       cli_safe_str(vi->name));
	}
	return EXIT_OK;
}

static int show_volume(const struct cli_opts *o, apfsi_volume *vol, struct json *j)
{
	struct apfsi_volume_info vi;
	unsigned n = 0;
	int ret;

	if (apfsi_volume_info(vol, &vi))
		return EXIT_ERROR;
	if (!vi.encrypted)
		return not_encrypted(&vi, j, o->json);
	ret = cli_volume_users(vol, vi.name, &n);
	/* The names the image records (after an unlock if a credential was given). */
	if (!ret)
		ret = cli_names_unlock(o, vol);
	if (ret)
		return ret;
	cli_names_load(vol);
	if (o->json)
		json_volume(j, vol, &vi, n);
	else if (o->plist)
		ret = print_plist(vol, n);
	else
		print_text(vol, vi.name, n, o->hints);
	/* Users were listed; a damaged record still makes the run an error. */
	if (!ret)
		ret = cli_check_records(vol, vi.name, n);
	return ret;
}

static int show_all(const struct cli_opts *o, apfsi_image *img, struct json *j)
{
	struct apfsi_image_info ii;
	struct apfsi_volume_info vi;
	apfsi_volume *vol;
	int ret = EXIT_OK, n = 0;

	if (apfsi_image_info(img, &ii))
		return EXIT_ERROR;
	for (unsigned i = 0; i < ii.volumes; i++) {
		int r;

		if (apfsi_image_volume(img, i, &vol) || apfsi_volume_info(vol, &vi) ||
		    !vi.encrypted)
			continue;
		if (n++ && !o->json)
			printf("\n");
		r = show_volume(o, vol, j);
		if (r && !ret)
			ret = r;
	}
	if (!n && !o->json)
		printf("No encrypted volume in %s: there are no cryptographic users\n", o->image);
	return ret;
}

int cmd_listcryptousers(int argc, char **argv)
{
	apfsi_image *img = NULL;
	apfsi_volume *vol = NULL;
	struct cli_opts o;
	struct json j;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_JSON | OPT_CRED, 0, 0, users_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (o.json && o.plist) {
		fprintf(stderr, "apfsinspect: choose one of --plist and --json\n%s", users_help);
		return EXIT_USAGE;
	}
	ret = cli_api_open(&o, &img);
	if (!ret && (o.volume || o.plist))
		ret = cli_api_select_users_volume(&o, img, &vol);
	if (ret) {
		apfsi_image_close(img);
		return ret;
	}
	if (o.json) {
		json_begin(&j, stdout);
		json_arr_open(&j, "volumes");
	}
	ret = vol ? show_volume(&o, vol, &j) : show_all(&o, img, &j);
	if (o.json) {
		json_arr_close(&j);
		json_end(&j);
	}
	apfsi_image_close(img);
	return ret;
}
