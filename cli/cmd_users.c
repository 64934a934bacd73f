/* SPDX-License-Identifier: MIT */
/*
 * cmd_users.c - `apfsinspect listcryptousers`: the crypto users of encrypted
 * volumes in diskutil's exact text layout (docs/users.md §2.1), its -plist
 * schema (§2.2, written with libplist), or JSON with the forensic detail.
 */
#include <stdlib.h>
#include <string.h>

#include "util/plist_dl.h"
#include "credential.h"
#include "group.h"
#include "usernames.h"

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

static void print_text(const struct apfs_volume *v, const struct kb_volume_keys *k,
		       bool hints)
{
	char id[37];

	printf("Cryptographic user%s for %s (%u found)\n", k->nusers == 1 ? "" : "s",
	       cli_safe_str(v->name),
	       k->nusers);
	for (unsigned i = 0; i < k->nusers; i++) {
		const char *bar = i + 1 == k->nusers ? " " : "|";

		apfs_uuid_str(k->users[i].uuid, id);
		printf("|\n+-- %s\n%s   Type: %s\n", id, bar, kb_type_name(k->users[i].type));
		if (hints && k->users[i].hint) {
			printf("%s   Hint: ", bar);
			cli_put_safe(stdout, k->users[i].hint, false);
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
static void plist_names(plist_t d, const struct kb_name *n)
{
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
	plist_str(d, "NameSource", n->sources[0]);
}

static int print_plist(const struct kb_volume_keys *k, const struct kb_names *db)
{
	plist_t root, arr;
	char *xml = NULL, id[37];
	uint32_t len = 0;

	if (plist_dl_load(NULL, "listcryptousers -plist"))
		return EXIT_ERROR;
	root = plist_new_dict();
	arr = plist_new_array();
	for (unsigned i = 0; i < k->nusers; i++) {
		plist_t d = plist_new_dict();

		apfs_uuid_str(k->users[i].uuid, id);
		plist_dict_set_item(d, "APFSCryptoUserType",
				    plist_new_string(kb_type_plist(k->users[i].type)));
		plist_dict_set_item(d, "APFSCryptoUserUUID", plist_new_string(id));
		plist_names(d, kb_names_find(db, k->users[i].uuid));
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

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void json_blob(struct json *j, const struct kb_blob *b)
{
	char flags[96], h[2 * 40 + 1];

	kb_flags_str(b, flags, sizeof(flags));
	json_str(j, "key_flags", flags);
	hex(h, b->meta, b->meta_len);
	json_str(j, "key_metadata", h);
	json_u64(j, "wrapped_key_bytes", b->wrapped_len);
	json_str(j, "hmac", b->hmac == 1 ? "ok" : b->hmac == 0 ? "mismatch" : "absent");
	json_uuid(j, "blob_uuid", b->uuid);
}

static void json_names(struct json *j, const struct kb_name *n)
{
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
	json_str(j, "od_user_type", n->user_type);
	json_arr_open(j, "sources");
	for (unsigned i = 0; i < n->nsources; i++)
		json_str(j, NULL, n->sources[i]);
	json_arr_close(j);
	json_obj_close(j);
}

static void json_user(struct json *j, const struct kb_user *u, const struct kb_names *db)
{
	char salt[2 * 32 + 1];

	json_obj_open(j, NULL);
	json_uuid(j, "user_uuid", u->uuid);
	json_str(j, "user_type", kb_type_name(u->type));
	json_str(j, "plist_type", kb_type_plist(u->type));
	json_str(j, "hint", u->hint);
	json_names(j, kb_names_find(db, u->uuid));
	json_bool(j, "parsed", u->parsed);
	if (!u->parsed)
		json_str(j, "parse_error", u->why);
	if (u->parsed) {
		json_blob(j, &u->kek);
		json_u64(j, "pbkdf2_iterations", u->kek.has_kdf ? u->kek.iterations : 0);
		hex(salt, u->kek.salt, u->kek.salt_len);
		json_str(j, "salt", u->kek.has_kdf ? salt : NULL);
	}
	json_bool(j, "hardware_bound", u->hw_bound);
	json_bool(j, "offline_unlockable", u->offline_unlockable);
	json_u64(j, "keybag_block", u->keybag_block);
	json_u64(j, "keybag_entry", u->entry_index);
	json_obj_close(j);
}

static void json_strings(struct json *j, const char *key, char *const *s, unsigned n)
{
	json_arr_open(j, key);
	for (unsigned i = 0; i < n; i++)
		json_str(j, NULL, s[i]);
	json_arr_close(j);
}

static void json_volume(struct json *j, const struct apfs_volume *v,
			const struct kb_volume_keys *k, const struct kb_names *db)
{
	json_obj_open(j, NULL);
	json_str(j, "volume", v->name);
	json_uuid(j, "volume_uuid", v->uuid);
	if (cli_in_group(v))
		json_uuid(j, "volume_group", v->sb.apfs_volume_group_id);
	else
		json_null(j, "volume_group");
	json_obj_open(j, "container_keybag");
	json_u64(j, "block", k->ckb_block);
	json_u64(j, "blocks", k->ckb_count);
	json_bool(j, "plaintext", k->ckb_plaintext);
	json_u64(j, "vek_entry", k->ckb_vek_index);
	if (k->have_vek)
		json_blob(j, &k->vek);
	json_obj_close(j);
	json_obj_open(j, "volume_keybag");
	json_u64(j, "block", k->vkb_block);
	json_u64(j, "blocks", k->vkb_count);
	json_bool(j, "plaintext", k->vkb_plaintext);
	json_obj_close(j);
	json_arr_open(j, "users");
	for (unsigned i = 0; i < k->nusers; i++)
		json_user(j, &k->users[i], db);
	json_arr_close(j);
	json_strings(j, "name_sources", db->sources, db->nsrc);
	json_strings(j, "name_warnings", db->warnings, db->nwarn);
	json_obj_close(j);
}

static int not_encrypted(const struct apfs_volume *v, struct json *j, bool json)
{
	if (json) {
		json_obj_open(j, NULL);
		json_str(j, "volume", v->name);
		json_uuid(j, "volume_uuid", v->uuid);
		json_bool(j, "encrypted", false);
		json_arr_open(j, "users");
		json_arr_close(j);
		json_obj_close(j);
	} else {
		printf("Volume %s is not encrypted: it has no cryptographic users\n",
		       cli_safe_str(v->name));
	}
	return EXIT_OK;
}

/* The names the image records for k's users (after an unlock if a credential was given). */
static int load_names(const struct cli_opts *o, struct cli_image *img, struct cli_volume *cv,
		      const struct kb_volume_keys *k, struct kb_names *db)
{
	int ret = cli_names_unlock(o, cv);

	if (ret)
		return ret;
	cli_names_load(img, cv, db);
	/* No user database at all (not a Mac's disk): nothing to compare. */
	if (db->nsrc)
		kb_names_check(db, k);
	cli_names_warn(db);
	return 0;
}

static int show_volume(const struct cli_opts *o, struct cli_image *img, struct cli_volume *cv,
		       struct json *j)
{
	struct apfs_volume *v = cv->v;
	struct kb_volume_keys *k = NULL;
	struct kb_names db;
	int ret;

	if (!apfs_volume_encrypted(v))
		return not_encrypted(v, j, o->json);
	ret = cli_load_keys(v, &k);
	if (!ret)
		ret = load_names(o, img, cv, k, &db);
	if (ret) {
		kb_free(k);
		return ret;
	}
	if (o->json)
		json_volume(j, v, k, &db);
	else if (o->plist)
		ret = print_plist(k, &db);
	else
		print_text(v, k, o->hints);
	kb_names_free(&db);
	/* Users were listed; a damaged record still makes the run an error. */
	if (!ret)
		ret = cli_check_records(v, k);
	kb_free(k);
	return ret;
}

static int show_all(const struct cli_opts *o, struct cli_image *img, struct json *j)
{
	int ret = EXIT_OK, n = 0;

	for (unsigned i = 0; i < img->nvols; i++) {
		int r;

		if (!apfs_volume_encrypted(img->vols[i].v))
			continue;
		if (n++ && !o->json)
			printf("\n");
		r = show_volume(o, img, &img->vols[i], j);
		if (r && !ret)
			ret = r;
	}
	if (!n && !o->json)
		printf("No encrypted volume in %s: there are no cryptographic users\n", o->image);
	return ret;
}

int cmd_listcryptousers(int argc, char **argv)
{
	struct cli_volume *cv = NULL;
	struct cli_image img;
	struct cli_opts o;
	struct json j;
	int ret = cli_parse(argc, argv, OPT_VOLUME | OPT_JSON | OPT_CRED, 0, 0, users_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (o.json && o.plist) {
		fprintf(stderr, "apfsinspect: choose one of --plist and --json\n%s", users_help);
		return EXIT_USAGE;
	}
	ret = cli_image_open(&o, &img);
	if (!ret && (o.volume || o.plist))
		ret = cli_select_users_volume(&o, &img, &cv);
	else if (ret)
		ret = cli_exit_code(ret);
	if (ret) {
		cli_image_close(&img);
		return ret;
	}
	if (o.json) {
		json_begin(&j, stdout);
		json_arr_open(&j, "volumes");
	}
	ret = cv ? show_volume(&o, &img, cv, &j) : show_all(&o, &img, &j);
	if (o.json) {
		json_arr_close(&j);
		json_end(&j);
	}
	cli_image_close(&img);
	return ret;
}
