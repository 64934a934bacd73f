/* SPDX-License-Identifier: MIT */
/*
 * test_libunlock.c - the crypto-user and unlock calls of the public API
 * (include/apfsinspect.h only) on generated scenarios and the real
 * encrypted.img.  Every expected user, index, type, hint, name and
 * credential is from testdata/README.md or ../shared/images/IMAGES.md, not
 * from our own output.  The generated images are made with $MKIMAGE into a
 * temporary directory; without it (or without $IMAGES/encrypted.img) the
 * tests that need them are skipped and say why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apfsinspect.h"

static char dir[4096], encrypted[4096];
static const char *mkimage;

/* Documented UUIDs (testdata/README.md). */
#define ALICE "5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D"
#define BOB "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9"
#define PRK "EBC6C064-0000-11AA-AA11-00306543ECAC"
#define NOBODY "01234567-89AB-4CDE-8F01-23456789ABCD"

static void uuid_bytes(const char *s, uint8_t u[16])
{
	for (int i = 0; i < 16; i++) {
		unsigned v;

		if (*s == '-')
			s++;
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		u[i] = (uint8_t)v;
		s += 2;
	}
}

static void uuid_is(const uint8_t u[16], const char *s)
{
	uint8_t want[16];

	uuid_bytes(s, want);
	assert_memory_equal(u, want, 16);
}

struct vol {
	apfsi_image *img;
	apfsi_volume *v;
};

/* A generated scenario (made once per test run), its volume sel (NULL: the default). */
static void open_gen(const char *scenario, const char *sel, struct vol *o)
{
	char path[8192];

	if (!mkimage)
		skip();
	snprintf(path, sizeof(path), "%s/%s.img", dir, scenario);
	assert_int_equal(apfsi_image_open(path, NULL, &o->img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(o->img, sel, &o->v), APFSI_OK);
}

static void close_vol(struct vol *o)
{
	apfsi_image_close(o->img);
}

static bool locked(apfsi_volume *v)
{
	struct apfsi_volume_info vi;

	assert_int_equal(apfsi_volume_info(v, &vi), APFSI_OK);
	return vi.locked;
}

static int pw(apfsi_volume *v, const char *p, const struct apfsi_unlock_options *o,
	      struct apfsi_unlock_result *r)
{
	return apfsi_volume_unlock(v, APFSI_CRED_PASSWORD, p, strlen(p), o, r);
}

/* all-users Data: the eight users in keybag order with their types and hints. */
static void test_all_users_list(void **state)
{
	static const char *const uuid[8] = {
		ALICE, BOB, PRK, "2457711A-523C-4604-B75A-F48A571D5036",
		"EC1C2AD9-B618-4ED6-BD8D-50F361C27507", "64C0C6EB-0000-11AA-AA11-00306543ECAC",
		"2FA31400-BAFF-4DE7-AE2A-C3AA6E1FD340", "C064EBC6-0000-11AA-AA11-00306543ECAC",
	};
	static const enum apfsi_user_type type[8] = {
		APFSI_USER_LOCAL_OPEN_DIRECTORY, APFSI_USER_LOCAL_OPEN_DIRECTORY,
		APFSI_USER_PERSONAL_RECOVERY, APFSI_USER_MDM_BOOTSTRAP_TOKEN_EXTERNAL,
		APFSI_USER_ICLOUD_RECOVERY, APFSI_USER_ICLOUD_RECOVERY_EXTERNAL,
		APFSI_USER_INSTITUTIONAL_RECOVERY, APFSI_USER_INSTITUTIONAL_RECOVERY_EXTERNAL,
	};
	struct apfsi_user_info u;
	struct vol o;
	unsigned n = 0;

	(void)state;
	open_gen("all-users", "Data", &o);
	assert_int_equal(apfsi_volume_user_count(o.v, &n), APFSI_OK);
	assert_int_equal(n, 8);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(apfsi_volume_user(o.v, i, &u), APFSI_OK);
		uuid_is(u.uuid, uuid[i]);
		assert_int_equal(u.type, type[i]);
		/* "All eight are 256-bit KEK blobs (metadata flags 0) with PBKDF2 parameters." */
		assert_true(u.parsed);
		assert_false(u.hardware_bound);
		assert_int_equal(u.pbkdf2_iterations, 1000);  /* --iterations default */
		assert_non_null(u.hash_line);
		assert_memory_equal(u.hash_line, "$fvde$2$16$", 11);  /* §7: 256-bit, mode 18300 */
		if (i == 0)
			assert_string_equal(u.hint, "alice hint");
		else
			assert_null(u.hint);
	}
	assert_int_equal(apfsi_volume_user(o.v, 0, &u), APFSI_OK);
	assert_string_equal(u.type_name, "Local Open Directory User");
	assert_int_equal(apfsi_volume_user(o.v, 8, &u), APFSI_ERR_NOT_FOUND);
	close_vol(&o);
}

static void test_password(void **state)
{
	struct apfsi_unlock_result r;
	struct vol o;

	(void)state;
	open_gen("all-users", "Data", &o);
	assert_true(locked(o.v));
	assert_int_equal(pw(o.v, "bob-password", NULL, &r), APFSI_OK);
	assert_int_equal(r.user, 1);
	assert_int_equal(r.candidate, 0);
	assert_int_equal(r.tried, 8);  /* a password is tried on every offline user */
	assert_false(locked(o.v));
	close_vol(&o);
}

static void test_wrong_password(void **state)
{
	struct apfsi_unlock_result r;
	struct vol o;

	(void)state;
	open_gen("all-users", "Data", &o);
	assert_int_equal(pw(o.v, "not-a-password", NULL, &r), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(r.user, -1);
	assert_int_equal(r.tried, 8);
	assert_int_equal(r.hardware_bound + r.unusable + r.damaged, 0);
	assert_true(strstr(apfsi_last_message(), "wrong credential") != NULL);
	assert_true(locked(o.v));
	close_vol(&o);
}

/*
 * Every secret testdata/README.md gives the all-users Data volume finds its
 * user, and the external keys' secrets (which unwrap an unrelated key)
 * none, whatever way the tries are shared out: one worker (the users in
 * groups of one PBKDF2 call, a salt a lane), a worker a try (each user
 * alone), and the one-lane engine.  A wrong password is rejected by all 8.
 */
static void secrets_find_their_users(const char *engine, unsigned threads)
{
	static const struct { const char *secret; int user; } want[] = {
		{ "alice-password", 0 }, { "bob-password", 1 }, { "bootstrap-secret", 3 },
		{ "icloud-user-secret", 4 }, { "institutional-user-secret", 6 },
		{ "icloud-external-secret", -1 }, { "institutional-external-secret", -1 },
		{ "not-a-password", -1 },
	};
	struct apfsi_unlock_options opt = { 0 };
	struct apfsi_user_outcome out;
	struct apfsi_unlock_result r;
	struct vol o;

	if (engine)
		setenv("APFSINSPECT_PBKDF2_ENGINE", engine, 1);
	opt.threads = threads;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		open_gen("all-users", "Data", &o);
		assert_int_equal(pw(o.v, want[i].secret, &opt, &r),
				 want[i].user < 0 ? APFSI_ERR_WRONG_CREDENTIAL : APFSI_OK);
		assert_int_equal(r.user, want[i].user);
		assert_int_equal(r.tried, 8);
		for (unsigned u = 0; want[i].user < 0 && u < 8; u++) {
			assert_int_equal(apfsi_volume_unlock_outcome(o.v, u, &out), APFSI_OK);
			assert_int_equal(out.status, APFSI_STATUS_REJECTED);
		}
		if (want[i].user >= 0) {
			assert_int_equal(apfsi_volume_unlock_outcome(o.v, (unsigned)want[i].user,
								     &out), APFSI_OK);
			assert_int_equal(out.status, APFSI_STATUS_MATCHED);
		}
		close_vol(&o);
	}
	unsetenv("APFSINSPECT_PBKDF2_ENGINE");
}

static void test_secrets_grouped(void **state)
{
	(void)state;
	secrets_find_their_users(NULL, 1);
	secrets_find_their_users(NULL, 2);
	secrets_find_their_users(NULL, 8);
	secrets_find_their_users("sse2", 1);
	secrets_find_their_users("c", 1);
}

static void test_recovery_key(void **state)
{
	static const char *const forms[] = {
		"ABCD-EFGH-IJKL-MNOP-QRST-UVWX", "abcdefghijklmnopqrstuvwx",
	};
	struct apfsi_unlock_result r;
	struct vol o;

	(void)state;
	for (int i = 0; i < 2; i++) {
		open_gen("all-users", "Data", &o);
		assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_RECOVERY_KEY, forms[i],
						     strlen(forms[i]), NULL, &r), APFSI_OK);
		assert_int_equal(r.user, 2);
		assert_int_equal(r.tried, 1);  /* only the Personal Recovery User */
		close_vol(&o);
	}
	open_gen("all-users", "Data", &o);
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_RECOVERY_KEY, "AAAA-BBBB-CCCC-DDDD-"
					     "EEEE-FFFF", 29, NULL, &r),
			 APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(r.tried, 1);
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_RECOVERY_KEY, "alice-password", 14,
					     NULL, &r), APFSI_ERR_INVALID);
	close_vol(&o);
	/* Backup has only a Disk User: no recovery key can fit. */
	open_gen("all-users", "Backup", &o);
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_RECOVERY_KEY, forms[0], 29, NULL,
					     &r), APFSI_ERR_NO_USER);
	assert_int_equal(r.tried, 0);
	close_vol(&o);
}

static void test_one_user(void **state)
{
	struct apfsi_unlock_options opt = { 0 };
	struct apfsi_unlock_result r;
	uint8_t want[16];
	struct vol o;

	(void)state;
	open_gen("all-users", "Data", &o);
	opt.user_uuid = want;
	uuid_bytes(BOB, want);
	assert_int_equal(pw(o.v, "alice-password", &opt, &r), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(r.tried, 1);
	uuid_bytes(NOBODY, want);
	assert_int_equal(pw(o.v, "alice-password", &opt, &r), APFSI_ERR_NOT_FOUND);
	uuid_bytes(ALICE, want);
	assert_int_equal(pw(o.v, "alice-password", &opt, &r), APFSI_OK);
	assert_int_equal(r.user, 0);
	assert_int_equal(r.tried, 1);
	close_vol(&o);
}

static void test_disk_user(void **state)
{
	struct apfsi_unlock_result r;
	struct apfsi_user_info u;
	struct vol o;
	unsigned n;

	(void)state;
	open_gen("all-users", "Backup", &o);
	assert_int_equal(apfsi_volume_user_count(o.v, &n), APFSI_OK);
	assert_int_equal(n, 1);
	assert_int_equal(apfsi_volume_user(o.v, 0, &u), APFSI_OK);
	assert_int_equal(u.type, APFSI_USER_DISK);
	assert_string_equal(u.hint, "disk hint");
	assert_int_equal(pw(o.v, "disk-password", NULL, &r), APFSI_OK);
	assert_int_equal(r.user, 0);
	close_vol(&o);
	open_gen("all-users", "Plain", &o);
	assert_int_equal(apfsi_volume_user_count(o.v, &n), APFSI_ERR_NOT_FOUND);
	close_vol(&o);
}

/* A dictionary of n wrong words with "demo" at k. */
static int dictionary(apfsi_volume *v, size_t n, size_t k, const struct apfsi_unlock_options *opt,
		      struct apfsi_unlock_result *r)
{
	char (*words)[16] = calloc(n, sizeof(*words));
	const char **c = calloc(n, sizeof(*c));
	int ret;

	assert_non_null(words);
	assert_non_null(c);
	for (size_t i = 0; i < n; i++) {
		snprintf(words[i], sizeof(words[i]), i == k ? "demo" : "word%zu", i);
		c[i] = words[i];
	}
	ret = apfsi_volume_unlock_candidates(v, c, NULL, n, opt, r);
	free(c);
	free(words);
	return ret;
}

static void test_dictionary(void **state)
{
	static const size_t pos[] = { 0, 3, 37 };
	struct apfsi_unlock_options opt = { .threads = 2 };
	struct apfsi_unlock_result r;
	struct vol o;

	(void)state;
	for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		open_gen("demo", NULL, &o);
		assert_int_equal(dictionary(o.v, 40, pos[i], &opt, &r), APFSI_OK);
		assert_int_equal(r.candidate, pos[i]);
		assert_int_equal(r.user, 0);  /* the Local Open Directory user, first */
		close_vol(&o);
	}
	open_gen("demo", NULL, &o);
	assert_int_equal(apfsi_volume_unlock_candidates(o.v, NULL, NULL, 0, &opt, &r),
			 APFSI_ERR_INVALID);
	opt.threads = 200;  /* more than the engine runs: as many as it can */
	assert_int_equal(dictionary(o.v, 40, 40, &opt, &r), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(r.tried, 2);  /* the demo user and the Personal Recovery User */
	assert_true(locked(o.v));
	close_vol(&o);
}

static int cancel_at_first(uint64_t done, uint64_t total, void *arg)
{
	unsigned *calls = arg;

	assert_true(done > 0 && done <= total);
	assert_int_equal(total, 2 * 200);  /* candidates x users */
	++*calls;
	return 1;
}

static void test_cancel(void **state)
{
	unsigned calls = 0;
	struct apfsi_unlock_options opt = { .threads = 1, .progress = cancel_at_first,
					    .progress_arg = &calls };
	struct apfsi_unlock_result r;
	struct vol o;

	(void)state;
	open_gen("demo", NULL, &o);
	assert_int_equal(dictionary(o.v, 200, 199, &opt, &r), APFSI_ERR_CANCELLED);
	assert_int_equal(calls, 1);
	assert_true(locked(o.v));
	close_vol(&o);
}

/* key-variants Modern: 6, 9 (NFD password), 7 hardware-bound, 8 macOS 26 (no offline secret). */
static void test_key_variants(void **state)
{
	static const char nfc[] = "p\xc3\xa4ssw\xc3\xb6rd";
	struct apfsi_unlock_options opt = { 0 };
	struct apfsi_unlock_result r;
	struct apfsi_user_info u;
	uint8_t want[16], key[32];
	size_t len = 0;
	struct vol o;

	(void)state;
	open_gen("key-variants", "Modern", &o);
	assert_int_equal(pw(o.v, "wrong", NULL, &r), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(r.tried, 2);
	assert_int_equal(r.hardware_bound + r.unusable, 2);
	assert_true(r.hardware_bound >= 1);
	opt.user_uuid = want;
	uuid_bytes("A1B2C3D4-0007-4000-8000-000000000007", want);
	assert_int_equal(pw(o.v, "x", &opt, &r), APFSI_ERR_HW_BOUND);
	assert_int_equal(r.hardware_bound, 1);
	assert_int_equal(r.tried, 0);
	assert_int_equal(apfsi_volume_user(o.v, 2, &u), APFSI_OK);
	assert_true(u.hardware_bound);
	assert_null(u.hash_line);
	/* Typed in NFC, stored NFD: only a reader that tries the NFD form gets in. */
	assert_int_equal(pw(o.v, nfc, NULL, &r), APFSI_OK);
	assert_int_equal(r.user, 1);
	assert_int_equal(apfsi_volume_user(o.v, 1, &u), APFSI_OK);
	uuid_is(u.uuid, "A1B2C3D4-0009-4000-8000-000000000009");
	assert_int_equal(apfsi_volume_key(o.v, key, &len), APFSI_OK);
	assert_int_equal(len, 32);
	close_vol(&o);
	open_gen("key-variants", "Legacy", &o);
	assert_int_equal(pw(o.v, "ten-password", NULL, &r), APFSI_OK);
	assert_int_equal(r.user, 1);
	assert_int_equal(apfsi_volume_key(o.v, key, &len), APFSI_OK);
	assert_int_equal(len, 16);  /* CoreStorage 128-bit VEK */
	close_vol(&o);
}

/* The VEK of an unlock unlocks a fresh handle; one changed bit does not. */
static void test_volume_key(void **state)
{
	struct apfsi_unlock_result r;
	uint8_t key[32];
	size_t len = 0;
	struct vol o;

	(void)state;
	open_gen("all-users", "Data", &o);
	assert_int_equal(apfsi_volume_key(o.v, key, &len), APFSI_ERR_LOCKED);
	assert_int_equal(pw(o.v, "alice-password", NULL, &r), APFSI_OK);
	assert_int_equal(apfsi_volume_key(o.v, key, &len), APFSI_OK);
	assert_int_equal(len, 32);
	close_vol(&o);
	open_gen("all-users", "Data", &o);
	key[5] ^= 0x10;
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_VOLUME_KEY, key, 32, NULL, &r),
			 APFSI_ERR_WRONG_CREDENTIAL);
	assert_true(locked(o.v));
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_VOLUME_KEY, key, 20, NULL, &r),
			 APFSI_ERR_INVALID);
	key[5] ^= 0x10;
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_VOLUME_KEY, key, 32, NULL, &r),
			 APFSI_OK);
	assert_int_equal(r.user, -1);
	assert_false(locked(o.v));
	close_vol(&o);
}

/* macos-boot --hardware: every Data user bound to the Secure Enclave. */
static void test_hardware_bound(void **state)
{
	struct apfsi_unlock_result r;
	struct vol o;

	(void)state;
	open_gen("macos-boot-hw", "Data", &o);
	assert_int_equal(pw(o.v, "alice-password", NULL, &r), APFSI_ERR_HW_BOUND);
	assert_int_equal(r.hardware_bound, 6);
	assert_int_equal(r.tried, 0);
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_RECOVERY_KEY,
					     "QWER-TYUI-OPAS-DFGH-JKLZ-XCVB", 29, NULL, &r),
			 APFSI_ERR_HW_BOUND);
	assert_int_equal(r.hardware_bound, 1);
	close_vol(&o);
}

/* macos-boot: names from Preboot (alice admin, bob not), then alice's password. */
static void test_names(void **state)
{
	struct apfsi_unlock_result r;
	struct apfsi_user_info u;
	struct vol o;

	(void)state;
	open_gen("macos-boot", "Data", &o);
	assert_int_equal(apfsi_volume_user(o.v, 0, &u), APFSI_OK);
	assert_string_equal(u.short_name, "alice");
	assert_string_equal(u.full_name, "Alice Appleseed");
	assert_int_equal(u.admin, 1);
	assert_int_equal(apfsi_volume_user(o.v, 1, &u), APFSI_OK);
	assert_string_equal(u.short_name, "bob");
	assert_string_equal(u.full_name, "Bob Builder");
	assert_int_equal(u.admin, 0);
	assert_int_equal(apfsi_volume_user(o.v, 2, &u), APFSI_OK);
	assert_int_equal(u.type, APFSI_USER_PERSONAL_RECOVERY);
	assert_null(u.short_name);  /* "The iCloud and recovery users have no entry." */
	assert_int_equal(u.admin, -1);
	assert_int_equal(pw(o.v, "alice-password", NULL, &r), APFSI_OK);
	assert_int_equal(r.user, 0);
	/* Unlocked: dslocal agrees, the names stay. */
	assert_int_equal(apfsi_volume_user(o.v, 1, &u), APFSI_OK);
	assert_string_equal(u.short_name, "bob");
	close_vol(&o);
}

/* huge-iterations: the only user asks for 2^32 rounds: damaged, never run. */
static void test_damaged(void **state)
{
	struct apfsi_unlock_result r;
	struct vol o;

	(void)state;
	open_gen("huge-iterations", NULL, &o);
	assert_int_equal(pw(o.v, "damaged-password", NULL, &r), APFSI_ERR_CORRUPT);
	assert_int_equal(r.damaged, 1);
	assert_int_equal(r.tried, 0);
	close_vol(&o);
}

/* The real macOS 26 image (IMAGES.md): one Disk user, password hunter2hunter2. */
static void test_real_image(void **state)
{
	struct apfsi_unlock_result r;
	struct apfsi_user_info u;
	apfsi_image *img;
	apfsi_volume *v;
	uint8_t key[32];
	size_t len;
	unsigned n;

	(void)state;
	if (!encrypted[0]) {
		printf("# $IMAGES/encrypted.img not available\n");
		skip();
	}
	assert_int_equal(apfsi_image_open(encrypted, NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, "Enc", &v), APFSI_OK);
	assert_int_equal(apfsi_volume_user_count(v, &n), APFSI_OK);
	assert_int_equal(n, 1);
	assert_int_equal(apfsi_volume_user(v, 0, &u), APFSI_OK);
	uuid_is(u.uuid, "1BEC6FD3-1871-4697-BF1F-20C2620146D8");
	assert_int_equal(u.type, APFSI_USER_DISK);
	assert_null(u.hint);
	assert_int_equal(u.pbkdf2_iterations, 100000);
	assert_int_equal(u.keybag_block, 170);
	assert_int_equal(pw(v, "not-the-password", NULL, &r), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(r.tried, 1);
	assert_int_equal(pw(v, "hunter2hunter2", NULL, &r), APFSI_OK);
	assert_int_equal(r.user, 0);
	assert_int_equal(apfsi_volume_key(v, key, &len), APFSI_OK);
	assert_int_equal(len, 32);  /* "VEK unwrap ok (VEK 32 bytes)" */
	apfsi_image_close(img);
}

/* ---- per-user verdicts: apfsi_volume_user_fit, _unlock_outcome, _unlock_pairs ---- */

static enum apfsi_user_fit fit(apfsi_volume *v, unsigned i, enum apfsi_credential kind,
			       const uint8_t *want)
{
	enum apfsi_user_fit f = (enum apfsi_user_fit)-1;

	assert_int_equal(apfsi_volume_user_fit(v, i, kind, want, &f), APFSI_OK);
	return f;
}

static struct apfsi_user_outcome outcome(apfsi_volume *v, unsigned i)
{
	struct apfsi_user_outcome oc;

	assert_int_equal(apfsi_volume_unlock_outcome(v, i, &oc), APFSI_OK);
	return oc;
}

/* The keybag's own facts: all-users Data's user 2 is the PRK (testdata/README.md). */
static void test_user_id(void)
{
	enum apfsi_user_type t;
	uint8_t u[16];
	struct vol o;

	open_gen("all-users", "Data", &o);
	assert_int_equal(apfsi_volume_user_id(o.v, 2, u, &t), APFSI_OK);
	uuid_is(u, PRK);
	assert_int_equal(t, APFSI_USER_PERSONAL_RECOVERY);
	assert_string_equal(apfsi_user_type_name(t), "Personal Recovery User");
	assert_int_equal(apfsi_volume_user_id(o.v, 3, u, &t), APFSI_OK);
	assert_string_equal(apfsi_user_type_name(t), "MDM Bootstrap Token External Key");
	assert_int_equal(apfsi_volume_user_id(o.v, 8, u, &t), APFSI_ERR_NOT_FOUND);
	close_vol(&o);
}

/* all-users Data: a recovery key fits only the PRK (user 2), --user only the one named. */
static void test_fit(void **state)
{
	enum apfsi_user_fit f;
	uint8_t bob[16];
	struct vol o;

	(void)state;
	uuid_bytes(BOB, bob);
	open_gen("all-users", "Data", &o);
	for (unsigned i = 0; i < 8; i++) {
		/* "All eight are 256-bit KEK blobs ... with PBKDF2 parameters": every one offline. */
		assert_int_equal(fit(o.v, i, APFSI_CRED_PASSWORD, NULL), APFSI_FIT_TRY);
		assert_int_equal(fit(o.v, i, APFSI_CRED_RECOVERY_KEY, NULL),
				 i == 2 ? APFSI_FIT_TRY : APFSI_FIT_NOT_PRK);
		assert_int_equal(fit(o.v, i, APFSI_CRED_PASSWORD, bob),
				 i == 1 ? APFSI_FIT_TRY : APFSI_FIT_OTHER_USER);
	}
	assert_int_equal(apfsi_volume_user_fit(o.v, 8, APFSI_CRED_PASSWORD, NULL, &f),
			 APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_volume_user_fit(o.v, 0, APFSI_CRED_VOLUME_KEY, NULL, &f),
			 APFSI_ERR_INVALID);
	close_vol(&o);
	test_user_id();
	/* key-variants Modern: user 7 (third in keybag order) is hardware-bound 0x01. */
	open_gen("key-variants", "Modern", &o);
	assert_int_equal(fit(o.v, 2, APFSI_CRED_PASSWORD, NULL), APFSI_FIT_HW_BOUND);
	assert_int_equal(fit(o.v, 0, APFSI_CRED_PASSWORD, NULL), APFSI_FIT_TRY);
	close_vol(&o);
	/* huge-iterations: 2^32 rounds, damaged. */
	open_gen("huge-iterations", NULL, &o);
	assert_int_equal(fit(o.v, 0, APFSI_CRED_PASSWORD, NULL), APFSI_FIT_DAMAGED);
	close_vol(&o);
}

static void test_outcome(void **state)
{
	static const char key[] = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF";
	unsigned matched = 0;
	struct vol o;

	(void)state;
	open_gen("all-users", "Data", &o);
	assert_int_equal(outcome(o.v, 0).status, APFSI_STATUS_NONE);  /* nothing ran yet */
	assert_int_equal(pw(o.v, "not-a-password", NULL, NULL), APFSI_ERR_WRONG_CREDENTIAL);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(outcome(o.v, i).status, APFSI_STATUS_REJECTED);
	/* Refused before anyone is tried: no verdicts left over from the last unlock. */
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_RECOVERY_KEY, "garbage", 7, NULL,
					     NULL), APFSI_ERR_INVALID);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(outcome(o.v, i).status, APFSI_STATUS_NONE);
	assert_int_equal(apfsi_volume_unlock(o.v, APFSI_CRED_RECOVERY_KEY, key, strlen(key), NULL,
					     NULL), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(outcome(o.v, 0).status, APFSI_STATUS_PASSED_OVER);
	assert_int_equal(outcome(o.v, 0).fit, APFSI_FIT_NOT_PRK);
	assert_int_equal(outcome(o.v, 2).status, APFSI_STATUS_REJECTED);
	assert_int_equal(pw(o.v, "bob-password", NULL, NULL), APFSI_OK);
	for (unsigned i = 0; i < 8; i++) {
		struct apfsi_user_outcome oc = outcome(o.v, i);

		matched += oc.status == APFSI_STATUS_MATCHED;
		/* The others were tried, each to its end or until bob's match stopped the run. */
		assert_true(oc.status == (i == 1 ? APFSI_STATUS_MATCHED : APFSI_STATUS_REJECTED) ||
			    (i != 1 && oc.status == APFSI_STATUS_UNFINISHED));
	}
	assert_int_equal(matched, 1);
	assert_int_equal(outcome(o.v, 1).candidate, 0);
	assert_int_equal(apfsi_volume_unlock_outcome(o.v, 8, &(struct apfsi_user_outcome){ 0 }),
			 APFSI_ERR_NOT_FOUND);
	close_vol(&o);
	open_gen("key-variants", "Modern", &o);
	assert_int_equal(pw(o.v, "wrong", NULL, NULL), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(outcome(o.v, 2).status, APFSI_STATUS_PASSED_OVER);
	assert_int_equal(outcome(o.v, 2).fit, APFSI_FIT_HW_BOUND);
	assert_int_equal(outcome(o.v, 0).status, APFSI_STATUS_REJECTED);
	close_vol(&o);
	open_gen("huge-iterations", NULL, &o);
	assert_int_equal(pw(o.v, "damaged-password", NULL, NULL), APFSI_ERR_CORRUPT);
	assert_int_equal(outcome(o.v, 0).fit, APFSI_FIT_DAMAGED);
	close_vol(&o);
}

static int pairs(apfsi_volume *v, const char *const *c, const unsigned *u, size_t n,
		 const struct apfsi_unlock_options *opt, struct apfsi_unlock_result *r)
{
	return apfsi_volume_unlock_pairs(v, c, NULL, u, n, opt, r);
}

/* Each candidate only on its own user: bob's password given for alice fits nobody. */
static void test_pairs(void **state)
{
	static const char *const c[] = { "bob-password", "alice-password", "bob-password" };
	static const unsigned wrong_user[] = { 0, 1, 7 }, right[] = { 0, 0, 1 };
	struct apfsi_unlock_options opt = { 0 };
	struct apfsi_unlock_result r;
	uint8_t alice[16];
	struct vol o;

	(void)state;
	open_gen("all-users", "Data", &o);
	assert_int_equal(pairs(o.v, c, wrong_user, 3, NULL, &r), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(r.tried, 8);
	assert_int_equal(outcome(o.v, 0).status, APFSI_STATUS_REJECTED);
	/* User 8 of 8 does not exist: a misuse, not a credential's verdict; nothing tried. */
	assert_int_equal(pairs(o.v, c, (const unsigned[]){ 0, 1, 8 }, 3, NULL, &r),
			 APFSI_ERR_INVALID);
	assert_int_equal(r.tried, 0);
	assert_int_equal(outcome(o.v, 0).status, APFSI_STATUS_NONE);
	assert_int_equal(pairs(o.v, c, NULL, 3, NULL, &r), APFSI_ERR_INVALID);
	uuid_bytes(ALICE, alice);
	opt.user_uuid = alice;
	assert_int_equal(pairs(o.v, c + 2, right + 2, 1, &opt, &r), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(r.tried, 1);
	assert_int_equal(outcome(o.v, 1).fit, APFSI_FIT_OTHER_USER);
	assert_true(locked(o.v));
	assert_int_equal(pairs(o.v, c, right, 3, NULL, &r), APFSI_OK);
	assert_true(r.candidate == 1 || r.candidate == 2);
	assert_int_equal(r.user, r.candidate == 1 ? 0 : 1);
	assert_false(locked(o.v));
	close_vol(&o);
}

/* APFSI_UNLOCK_NO_KEY_COPY: unlocked, but no key bytes to give. */
static void test_no_key_copy(void **state)
{
	struct apfsi_unlock_options opt = { .flags = APFSI_UNLOCK_NO_KEY_COPY };
	uint8_t key[32];
	size_t len = 1;
	struct vol o;

	(void)state;
	open_gen("all-users", "Data", &o);
	assert_int_equal(pw(o.v, "alice-password", &opt, NULL), APFSI_OK);
	assert_false(locked(o.v));
	assert_int_equal(apfsi_volume_key(o.v, key, &len), APFSI_ERR_NOT_FOUND);
	assert_int_equal(len, 0);
	close_vol(&o);
}

/* testdata/README.md: pässwörd typed NFC (c3 a4, c3 b6) is stored NFD, 12 bytes. */
static void test_password_forms(void **state)
{
	static const char nfc[] = "p\xc3\xa4ssw\xc3\xb6rd";
	static const char nfd[] = "pa\xcc\x88sswo\xcc\x88rd";
	char *f[2];
	size_t fl[2];
	unsigned n = 9;

	(void)state;
	assert_int_equal(apfsi_password_forms("plain-ascii", f, fl, &n), APFSI_OK);
	assert_int_equal(n, 0);
	assert_int_equal(apfsi_password_forms(nfc, f, fl, &n), APFSI_OK);
	assert_int_equal(n, 1);  /* NFC is the bytes given: only NFD differs */
	assert_int_equal(fl[0], 12);
	assert_memory_equal(f[0], nfd, 12);
	apfsi_secret_free(f[0]);
	assert_int_equal(apfsi_password_forms(nfd, f, fl, &n), APFSI_OK);
	assert_int_equal(n, 1);
	assert_int_equal(fl[0], 10);
	assert_memory_equal(f[0], nfc, 10);
	apfsi_secret_free(f[0]);
	assert_int_equal(apfsi_password_forms(NULL, f, fl, &n), APFSI_ERR_INVALID);
}

/* The kB of locked memory /proc/self/smaps gives for the mapping holding p, or -1. */
static long locked_kb(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	uintptr_t a = (uintptr_t)p, lo, hi;
	bool in = false;
	long kb = -1;

	assert_non_null(f);
	while (kb < 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && sscanf(line, "Locked: %ld kB", &kb) != 1)
			kb = -1;
	}
	fclose(f);
	return kb;
}

/*
 * RULES: secrets given to or made by the library are in locked memory, also
 * when apfsi_password_forms comes first (an image's passphrase, before any
 * unlock).  The first test of this program, so that nothing has set the
 * arena up yet (and in this process: a fork's child inherits no mlock).
 */
static void test_password_forms_locked(void **state)
{
	char *f[2];
	size_t fl[2];
	unsigned n = 0;

	(void)state;
	assert_int_equal(apfsi_password_forms("p\xc3\xa4ssw\xc3\xb6rd", f, fl, &n), APFSI_OK);
	assert_int_equal(n, 1);
	assert_true(locked_kb(f[0]) > 0);
	apfsi_secret_free(f[0]);
}

static int make(const char *scenario, const char *name, const char *extra)
{
	char cmd[16384];

	snprintf(cmd, sizeof(cmd), "'%s' %s '%s/%s.img' %s > /dev/null", mkimage, scenario, dir,
		 name, extra);
	return system(cmd);
}

static int make_images(void)
{
	const char *tmp = getenv("WORK") ? getenv("WORK") : getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/libunlock.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	return make("all-users", "all-users", "") || make("demo", "demo", "") ||
	       make("key-variants", "key-variants", "") || make("macos-boot", "macos-boot", "") ||
	       make("macos-boot", "macos-boot-hw", "--hardware") ||
	       make("huge-iterations", "huge-iterations", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_forms_locked),  /* first: see there */
		cmocka_unit_test(test_all_users_list),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_recovery_key),
		cmocka_unit_test(test_one_user),
		cmocka_unit_test(test_disk_user),
		cmocka_unit_test(test_dictionary),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_key_variants),
		cmocka_unit_test(test_volume_key),
		cmocka_unit_test(test_hardware_bound),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_real_image),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_secrets_grouped),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_no_key_copy),
		cmocka_unit_test(test_password_forms),
	};
	const char *images = getenv("IMAGES");
	char cmd[8192];
	int ret;

	snprintf(encrypted, sizeof(encrypted), "%s/encrypted.img", images ? images : "");
	if (!images || access(encrypted, R_OK))
		encrypted[0] = '\0';
	mkimage = getenv("MKIMAGE");
	if (mkimage && make_images()) {
		printf("1..1\nnot ok 1 - %s could not make the scenarios in %s\n", mkimage, dir);
		return 1;
	}
	if (!mkimage)
		printf("# $MKIMAGE not set: the generated scenarios are skipped\n");
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	if (mkimage) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			printf("# %s not removed\n", dir);
	}
	return ret;
}
