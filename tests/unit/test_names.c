/* SPDX-License-Identifier: MIT */
/*
 * test_names.c - keybag/names.c and util/plistcheck.c on property lists
 * built here with libplist (XML and binary) or by hand (damaged ones):
 * names attached only to the UUID they are recorded for, files that
 * disagree, entries in one place and not the other, duplicate short names,
 * and the hostile shapes that crash or blow up libplist 2.2 when handed to
 * it unchecked (deep nesting, shared objects, cycles, bad offsets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <plist/plist.h>

#include "apfs/apfs.h"
#include "keybag/names.h"
#include "util/plistcheck.h"

#define ALICE "3C7DB8EE-5EA4-4C18-A7E4-25C6C0F94667"
#define BOB "9A1F0E2D-3C4B-4A59-8877-665544332211"
#define GHOST "11111111-2222-4333-8444-555555555555"

static plist_t user(const char *sn, const char *fn, const char *hint, bool pic)
{
	plist_t d = plist_new_dict();

	if (sn)
		plist_dict_set_item(d, "ShortName", plist_new_string(sn));
	if (fn)
		plist_dict_set_item(d, "FullName", plist_new_string(fn));
	if (hint)
		plist_dict_set_item(d, "PasswordHint", plist_new_string(hint));
	plist_dict_set_item(d, "UserType", plist_new_string("OpenDirectory"));
	if (pic)
		plist_dict_set_item(d, "PictureData", plist_new_data("\xff\xd8\xff\xe0", 4));
	return d;
}

/* Serialise and free: binary or XML. */
static char *emit(plist_t root, bool bin, uint32_t *len)
{
	char *out = NULL;

	if (bin)
		plist_to_bin(root, &out, len);
	else
		plist_to_xml(root, &out, len);
	plist_free(root);
	assert_non_null(out);
	return out;
}

static char *cryptouserinfo(bool bin, uint32_t *len)
{
	plist_t r = plist_new_dict();

	plist_dict_set_item(r, ALICE, user("alice", "Alice Appleseed", "fruit", true));
	plist_dict_set_item(r, BOB, user("bob", "Bob Builder", NULL, false));
	return emit(r, bin, len);
}

static void uuid(const char *s, uint8_t u[16])
{
	assert_int_equal(apfs_uuid_parse(s, u), 0);
}

static const struct kb_name *find(const struct kb_names *db, const char *s)
{
	uint8_t u[16];

	uuid(s, u);
	return kb_names_find(db, u);
}

static bool warned(const struct kb_names *db, const char *needle)
{
	for (unsigned i = 0; i < db->nwarn; i++)
		if (strstr(db->warnings[i], needle))
			return true;
	return false;
}

static void check_alice_bob(const struct kb_names *db)
{
	const struct kb_name *a = find(db, ALICE), *b = find(db, BOB);

	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->short_name, "alice");
	assert_string_equal(a->full_name, "Alice Appleseed");
	assert_string_equal(a->hint, "fruit");
	assert_true(a->picture);
	assert_string_equal(b->short_name, "bob");
	assert_string_equal(b->full_name, "Bob Builder");
	assert_null(b->hint);
	assert_false(b->picture);
	assert_string_equal(a->sources[0], "Preboot:/G/var/db/CryptoUserInfo.plist");
}

static void test_cryptouserinfo_xml_and_binary(void **state)
{
	(void)state;
	for (int bin = 0; bin < 2; bin++) {
		struct kb_names db = { 0 };
		uint32_t len;
		char *p = cryptouserinfo(bin, &len);

		assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, p, len,
					      "Preboot:/G/var/db/CryptoUserInfo.plist"), 0);
		check_alice_bob(&db);
		assert_int_equal(find(&db, ALICE)->admin, -1);
		assert_int_equal(db.nwarn, 0);
		free(p);
		kb_names_free(&db);
	}
}

static char *allusers(const char *alice_real, bool bin, uint32_t *len)
{
	plist_t r = plist_new_dict(), a = plist_new_dict(), b = plist_new_dict();

	plist_dict_set_item(a, "GeneratedUID", plist_new_string(ALICE));
	plist_dict_set_item(a, "RealName", plist_new_string(alice_real));
	plist_dict_set_item(a, "Admin", plist_new_bool(1));
	plist_dict_set_item(a, "UID", plist_new_uint(501));
	plist_dict_set_item(b, "GeneratedUID", plist_new_string(BOB));
	plist_dict_set_item(b, "Admin", plist_new_string("0"));
	plist_dict_set_item(b, "UID", plist_new_string("502"));
	plist_dict_set_item(r, "alice", a);
	plist_dict_set_item(r, "bob", b);
	return emit(r, bin, len);
}

static void test_allusers_joins(void **state)
{
	struct kb_names db = { 0 };
	uint32_t l1, l2;
	char *c = cryptouserinfo(true, &l1), *a = allusers("Alice Appleseed", true, &l2);
	const struct kb_name *n;

	(void)state;
	kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, c, l1, "Preboot:/G/var/db/CryptoUserInfo.plist");
	kb_names_add(&db, KB_NAMES_ALLUSERSINFO, a, l2, "Preboot:/G/var/db/AllUsersInfo.plist");
	check_alice_bob(&db);
	n = find(&db, ALICE);
	assert_int_equal(n->admin, 1);
	assert_true(n->has_uid);
	assert_int_equal(n->uid, 501);
	assert_int_equal(n->nsources, 2);
	n = find(&db, BOB);
	assert_int_equal(n->admin, 0);
	assert_int_equal(n->uid, 502);
	assert_int_equal(db.nwarn, 0);
	free(c);
	free(a);
	kb_names_free(&db);
}

/* Two files disagree: the field is left unset and both values are named. */
static void test_conflict_unsets(void **state)
{
	struct kb_names db = { 0 };
	uint32_t l1, l2;
	char *c = cryptouserinfo(false, &l1), *a = allusers("Mallory", false, &l2);
	const struct kb_name *n;

	(void)state;
	kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, c, l1, "C");
	kb_names_add(&db, KB_NAMES_ALLUSERSINFO, a, l2, "A");
	n = find(&db, ALICE);
	assert_null(n->full_name);
	assert_string_equal(n->short_name, "alice");
	assert_true(n->conflicts & (1u << KB_F_FULL));
	assert_true(warned(&db, "'Alice Appleseed' there, 'Mallory' here"));
	free(c);
	free(a);
	kb_names_free(&db);
}

/* Two short names for one UUID in AllUsersInfo: neither is believed; the warnings are capped. */
static void test_second_name_for_a_user(void **state)
{
	struct kb_names db = { 0 };
	plist_t r = plist_new_dict(), b = plist_new_dict(), c = plist_new_dict();
	uint32_t len;
	char *p;

	(void)state;
	plist_dict_set_item(b, "GeneratedUID", plist_new_string(BOB));
	plist_dict_set_item(b, "RealName", plist_new_string("Bob Builder"));
	plist_dict_set_item(c, "GeneratedUID", plist_new_string(BOB));
	plist_dict_set_item(c, "RealName", plist_new_string("Carol Claimsbob"));
	plist_dict_set_item(r, "bob", b);
	plist_dict_set_item(r, "carol", c);
	p = emit(r, true, &len);
	assert_int_equal(kb_names_add(&db, KB_NAMES_ALLUSERSINFO, p, len, "A"), 0);
	assert_null(find(&db, BOB));
	assert_true(warned(&db, "user 'carol' is one of several short names for " BOB));
	free(p);
	r = plist_new_dict();
	for (int i = 0; i < 5000; i++) {
		char k[16];

		c = plist_new_dict();
		plist_dict_set_item(c, "GeneratedUID", plist_new_string(BOB));
		snprintf(k, sizeof(k), "u%d", i);
		plist_dict_set_item(r, k, c);
	}
	p = emit(r, true, &len);
	assert_int_equal(kb_names_add(&db, KB_NAMES_ALLUSERSINFO, p, len, "A"), 0);
	assert_int_equal(db.nwarn, KB_NAMES_MAX_WARNINGS + 1);
	assert_true(warned(&db, "more warnings about the user databases are not shown"));
	free(p);
	kb_names_free(&db);
}

static void test_bad_entries_skipped(void **state)
{
	struct kb_names db = { 0 };
	plist_t r = plist_new_dict();
	uint32_t len;
	char *p;

	(void)state;
	plist_dict_set_item(r, "not-a-uuid", user("eve", NULL, NULL, false));
	plist_dict_set_item(r, "3C7DB8EE5EA44C18A7E425C6C0F94667", user("eve", NULL, NULL, false));
	plist_dict_set_item(r, BOB, plist_new_string("bob"));
	plist_dict_set_item(r, ALICE, user("alice\x1b[2J", NULL, NULL, false));
	p = emit(r, true, &len);
	assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, p, len, "C"), 0);
	assert_int_equal(db.n, 1);
	assert_string_equal(find(&db, ALICE)->short_name, "alice\x1b[2J");
	assert_null(find(&db, BOB));
	assert_true(warned(&db, "'not-a-uuid' is not named by a UUID"));
	assert_true(warned(&db, "is not a dictionary"));
	free(p);
	kb_names_free(&db);
}

static struct kb_volume_keys *keys(unsigned n, const char *const *ids)
{
	struct kb_volume_keys *k = calloc(1, sizeof(*k));

	k->users = calloc(n, sizeof(*k->users));
	k->nusers = n;
	for (unsigned i = 0; i < n; i++) {
		uuid(ids[i], k->users[i].uuid);
		k->users[i].type = KB_USER_LOCAL_OD;
	}
	return k;
}

/* In the plist and not the keybag, the reverse, and one short name for two UUIDs. */
static void test_check_against_keybag(void **state)
{
	static const char *const ids[] = { ALICE, GHOST };
	struct kb_volume_keys *k = keys(2, ids);
	struct kb_names db = { 0 };
	plist_t r = plist_new_dict();
	uint32_t len;
	char *p;

	(void)state;
	plist_dict_set_item(r, ALICE, user("alice", NULL, NULL, false));
	plist_dict_set_item(r, BOB, user("alice", NULL, NULL, false));
	p = emit(r, false, &len);
	kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, p, len, "C");
	kb_names_check(&db, k);
	assert_true(warned(&db, "C names user " BOB " ('alice'), who has no crypto-user record"));
	assert_true(warned(&db, "crypto user " GHOST " (Local Open Directory User) has no entry"));
	assert_true(warned(&db, "short name 'alice' is recorded for two users"));
	/* Each UUID keeps what is recorded for it. */
	assert_string_equal(find(&db, ALICE)->short_name, "alice");
	assert_null(find(&db, GHOST));
	free(p);
	free(k->users);
	free(k);
	kb_names_free(&db);
}

static void test_dslocal(void **state)
{
	struct kb_names db = { 0 };
	plist_t r = plist_new_dict(), a;
	uint32_t len;
	char *p;

	(void)state;
	a = plist_new_array();
	plist_array_append_item(a, plist_new_string(ALICE));
	plist_dict_set_item(r, "generateduid", a);
	a = plist_new_array();
	plist_array_append_item(a, plist_new_string("alice"));
	plist_array_append_item(a, plist_new_string("alias"));
	plist_dict_set_item(r, "name", a);
	a = plist_new_array();
	plist_array_append_item(a, plist_new_string("Alice Appleseed"));
	plist_dict_set_item(r, "realname", a);
	a = plist_new_array();
	plist_array_append_item(a, plist_new_string("501"));
	plist_dict_set_item(r, "uid", a);
	p = emit(r, true, &len);
	assert_int_equal(kb_names_add(&db, KB_NAMES_DSLOCAL, p, len, "Data:/u/alice.plist"), 0);
	assert_string_equal(find(&db, ALICE)->short_name, "alice");
	assert_string_equal(find(&db, ALICE)->full_name, "Alice Appleseed");
	assert_int_equal(find(&db, ALICE)->uid, 501);
	assert_int_equal(find(&db, ALICE)->admin, -1);
	free(p);
	/* The admin group lists generateduids: alice's makes her an admin; a UUID
	 * no file names adds nobody. */
	r = plist_new_dict();
	a = plist_new_array();
	plist_array_append_item(a, plist_new_string(GHOST));
	plist_array_append_item(a, plist_new_string(ALICE));
	plist_dict_set_item(r, "groupmembers", a);
	p = emit(r, true, &len);
	assert_int_equal(kb_names_add(&db, KB_NAMES_DSLOCAL_ADMIN, p, len, "Data:/g/admin.plist"), 0);
	assert_int_equal(find(&db, ALICE)->admin, 1);
	assert_null(find(&db, GHOST));
	free(p);
	kb_names_free(&db);
}

/* ---- hostile files --------------------------------------------------------- */

static void expect_refused(const char *buf, size_t len, const char *why_part)
{
	struct kb_names db = { 0 };
	char why[160];

	assert_int_not_equal(plist_check(buf, len, KB_NAMES_MAX_DEPTH, KB_NAMES_MAX_NODES, why,
					 sizeof(why)), 0);
	assert_non_null(strstr(why, why_part));
	assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, buf, len, "C"), -EINVAL);
	assert_int_equal(db.n, 0);
	assert_int_equal(db.nwarn, 1);
	kb_names_free(&db);
}

static void test_deep_xml(void **state)
{
	size_t d = 1000000, n = 0;
	char *p = malloc(d * 15 + 64);

	(void)state;
	n += (size_t)sprintf(p, "<?xml version=\"1.0\"?><plist version=\"1.0\">");
	for (size_t i = 0; i < d; i++)
		n += (size_t)sprintf(p + n, "<array>");
	for (size_t i = 0; i < d; i++)
		n += (size_t)sprintf(p + n, "</array>");
	expect_refused(p, n, "nested too deep");
	free(p);
}

/* A bplist00 of objects given as raw bytes; refs are 4-byte object numbers. */
struct bp {
	uint8_t buf[1 << 20];
	size_t len;
	uint32_t offs[1 << 16];
	unsigned n;
};

static void bp_obj(struct bp *b, const uint8_t *o, size_t len)
{
	if (b->len == 0) {
		memcpy(b->buf, "bplist00", 8);
		b->len = 8;
	}
	b->offs[b->n++] = (uint32_t)b->len;
	memcpy(b->buf + b->len, o, len);
	b->len += len;
}

/* An array object holding refs to the given object numbers (< 15 of them). */
static void bp_array(struct bp *b, const uint32_t *refs, unsigned n)
{
	uint8_t o[1 + 4 * 14];

	o[0] = (uint8_t)(0xa0 | n);
	for (unsigned i = 0; i < n; i++) {
		o[1 + 4 * i] = (uint8_t)(refs[i] >> 24);
		o[2 + 4 * i] = (uint8_t)(refs[i] >> 16);
		o[3 + 4 * i] = (uint8_t)(refs[i] >> 8);
		o[4 + 4 * i] = (uint8_t)refs[i];
	}
	bp_obj(b, o, 1 + 4 * n);
}

static size_t bp_finish(struct bp *b, uint32_t top)
{
	size_t table = b->len;
	uint8_t *t;

	for (unsigned i = 0; i < b->n; i++) {
		b->buf[b->len++] = (uint8_t)(b->offs[i] >> 24);
		b->buf[b->len++] = (uint8_t)(b->offs[i] >> 16);
		b->buf[b->len++] = (uint8_t)(b->offs[i] >> 8);
		b->buf[b->len++] = (uint8_t)b->offs[i];
	}
	t = b->buf + b->len;
	memset(t, 0, 32);
	t[6] = 4;
	t[7] = 4;
	t[15] = (uint8_t)b->n, t[14] = (uint8_t)(b->n >> 8);
	t[23] = (uint8_t)top, t[22] = (uint8_t)(top >> 8);
	t[31] = (uint8_t)table, t[30] = (uint8_t)(table >> 8), t[29] = (uint8_t)(table >> 16);
	b->len += 32;
	return b->len;
}

static void test_deep_binary(void **state)
{
	struct bp *b = calloc(1, sizeof(*b));

	(void)state;
	for (uint32_t i = 0; i < 50000; i++) {
		uint32_t next = i + 1;

		bp_array(b, &next, i + 1 < 50000 ? 1 : 0);
	}
	expect_refused((char *)b->buf, bp_finish(b, 0), "nested too deep");
	free(b);
}

/* 12 levels, each object referring twice to the next: 2^12 copies once expanded... and
 * 2^40 at 40 levels; refused by the expanded count, not by the (legal) depth. */
static void test_shared_objects(void **state)
{
	struct bp *b = calloc(1, sizeof(*b));
	char why[160];

	(void)state;
	for (uint32_t i = 0; i < 15; i++) {
		uint32_t r[14];

		for (unsigned k = 0; k < 14; k++)
			r[k] = i + 1;
		bp_array(b, r, i + 1 < 15 ? 14 : 0);
	}
	bp_finish(b, 0);
	assert_int_not_equal(plist_check(b->buf, b->len, 32, KB_NAMES_MAX_NODES, why,
					 sizeof(why)), 0);
	assert_non_null(strstr(why, "once shared objects are expanded"));
	free(b);
}

static void test_cycle_and_bounds(void **state)
{
	struct bp *b = calloc(1, sizeof(*b));
	uint32_t r = 1;

	(void)state;
	bp_array(b, &r, 1);
	r = 0;
	bp_array(b, &r, 1);
	expect_refused((char *)b->buf, bp_finish(b, 0), "contains itself");
	memset(b, 0, sizeof(*b));
	r = 7;
	bp_array(b, &r, 1);
	expect_refused((char *)b->buf, bp_finish(b, 0), "names no object");
	memset(b, 0, sizeof(*b));
	bp_array(b, &r, 0);
	bp_finish(b, 0);
	b->buf[b->len - 1] = 0xff;  /* offset table past the end */
	expect_refused((char *)b->buf, b->len, "offset table");
	free(b);
}

/* libplist keeps a NUL inside a string and its getters then abort: refused first (fuzzing). */
static void test_nul_in_strings(void **state)
{
	static const char xml_ref[] = "<plist version=\"1.0\"><dict><key>k</key>"
				      "<string>a&#x0;b</string></dict></plist>";
	static const char xml_ok[] = "<plist version=\"1.0\"><dict><key>k</key>"
				     "<string>&#x41;&#10;</string></dict></plist>";
	static const char xml_raw[] = "<plist version=\"1.0\"><dict><key>k</key>"
				      "<string>a\0b</string></dict></plist>";
	static const uint8_t ascii[] = { 0x53, 'a', 0, 'b' };
	static const uint8_t utf16[] = { 0x62, 0, 'a', 0, 0 };
	struct bp *b = calloc(1, sizeof(*b));
	char why[160];

	(void)state;
	expect_refused(xml_ref, sizeof(xml_ref) - 1, "NUL character");
	expect_refused(xml_raw, sizeof(xml_raw) - 1, "NUL byte");
	assert_int_equal(plist_check(xml_ok, sizeof(xml_ok) - 1, 16, 100, why, sizeof(why)), 0);
	bp_obj(b, ascii, sizeof(ascii));
	expect_refused((char *)b->buf, bp_finish(b, 0), "NUL character");
	memset(b, 0, sizeof(*b));
	bp_obj(b, utf16, sizeof(utf16));
	expect_refused((char *)b->buf, bp_finish(b, 0), "NUL character");
	free(b);
}

static void test_damaged_and_huge(void **state)
{
	struct kb_names db = { 0 };
	uint32_t len;
	char *p = cryptouserinfo(true, &len);

	(void)state;
	/* Cut short: the trailer is gone. */
	assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, p, len / 2, "C"), -EINVAL);
	assert_int_equal(db.n, 0);
	/* XML cut in the middle of a value: libplist refuses it. */
	free(p);
	p = cryptouserinfo(false, &len);
	assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, p, len / 2, "C"), -EINVAL);
	assert_int_equal(db.n, 0);
	assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, p, KB_NAMES_MAX_FILE + 1ul,
				      "C"), -EINVAL);
	assert_true(warned(&db, "more than the"));
	assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, "garbage", 7, "C"), -EINVAL);
	assert_true(warned(&db, "neither a binary nor an XML"));
	free(p);
	kb_names_free(&db);
}

/*
 * The file-size limit at its edge: the XML database padded with newlines
 * (whitespace after the plist, which both parsers skip) to exactly
 * KB_NAMES_MAX_FILE bytes is read; one byte more is not.
 */
static void test_file_size_edge(void **state)
{
	struct kb_names db = { 0 };
	uint32_t len;
	char *p = cryptouserinfo(false, &len), *big = malloc(KB_NAMES_MAX_FILE + 1ul);

	(void)state;
	assert_non_null(big);
	memcpy(big, p, len);
	memset(big + len, '\n', KB_NAMES_MAX_FILE + 1ul - len);
	assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, big, KB_NAMES_MAX_FILE,
				      "Preboot:/G/var/db/CryptoUserInfo.plist"), 0);
	check_alice_bob(&db);
	kb_names_free(&db);
	memset(&db, 0, sizeof(db));
	assert_int_equal(kb_names_add(&db, KB_NAMES_CRYPTOUSERINFO, big, KB_NAMES_MAX_FILE + 1ul,
				      "C"), -EINVAL);
	assert_true(warned(&db, "8388609 bytes, more than the 8388608 a user database may have"));
	assert_int_equal(db.n, 0);
	kb_names_free(&db);
	free(big);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cryptouserinfo_xml_and_binary),
		cmocka_unit_test(test_allusers_joins),
		cmocka_unit_test(test_conflict_unsets),
		cmocka_unit_test(test_second_name_for_a_user),
		cmocka_unit_test(test_bad_entries_skipped),
		cmocka_unit_test(test_check_against_keybag),
		cmocka_unit_test(test_dslocal),
		cmocka_unit_test(test_deep_xml),
		cmocka_unit_test(test_deep_binary),
		cmocka_unit_test(test_shared_objects),
		cmocka_unit_test(test_cycle_and_bounds),
		cmocka_unit_test(test_nul_in_strings),
		cmocka_unit_test(test_damaged_and_huge),
		cmocka_unit_test(test_file_size_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
