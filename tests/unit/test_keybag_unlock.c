/* SPDX-License-Identifier: MIT */
/*
 * test_keybag_unlock.c - keybag/unlock.c and users.c: the apfs-fuse #147
 * chain through kb_unlock_user(), the refusals (iteration cap, count 0,
 * hardware-bound, unparsed, no VEK), the CoreStorage-128 and flag-0x10
 * paths (round trips of chosen keys), recovery-key normalisation, user
 * classification, and concurrent calls.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "apfs/apfs.h"
#include "keybag/crypto.h"
#include "keybag/internal.h"
#include "cipher/pbkdf2.h"


static void quiet(int level, const char *msg)
{
	(void)level;
	(void)msg;
}

/* The apfs-fuse #147 volume (§5.9): one user, password "stellar". */
static void setup_147(struct kb_volume_keys *k, struct kb_user *u)
{
	memset(k, 0, sizeof(*k));
	memset(u, 0, sizeof(*u));
	k->have_vek = true;
	memset(k->vek.uuid, 0x33, 16);
	k->vek.wrapped_len = unhex("85BD643CC2A38C14568DFD4CD1F38F1720E106922CA32A8FE8D440F6"
				   "BC6827B138A7C7BFE4367C1B", k->vek.wrapped, 40);
	k->vek.meta_len = 8;
	u->parsed = true;
	u->type = KB_USER_LOCAL_OD;
	u->kek.meta_len = 8;
	u->kek.has_kdf = true;
	u->kek.iterations = 186082;
	u->kek.salt_len = unhex("30985112E6235BBAAF029BD9460EDBF3", u->kek.salt, 16);
	u->kek.wrapped_len = unhex("5F40E757A4B8B3D39CE6DE06D34D89A40F00BE67BF6D9D2E0A2DB6EA"
				   "761E5F1019D8B07E286B4A7A", u->kek.wrapped, 40);
	k->users = u;
	k->nusers = 1;
}

#define VEK147 "3bca637f33ac7b5ecbd0388edbe8ae0552df388bb63aa2d4c1d8cdbfe7c38228"

static void test_unlock_147(void **state)
{
	struct kb_volume_keys k;
	struct kb_user u;
	uint8_t vek[32], want[32], cs[16], kek[32];
	size_t veklen = 0;

	(void)state;
	setup_147(&k, &u);
	unhex(VEK147, want, 32);
	assert_int_equal(kb_unlock_user(&k, &u, "stellar", 7, vek, &veklen, cs), 0);
	assert_int_equal(veklen, 32);
	assert_memory_equal(vek, want, 32);
	assert_int_equal(kb_unlock_user(&k, &u, "Stellar", 7, vek, &veklen, cs),
			 -APFS_EREJECTED);
	assert_int_equal(kb_unlock_user(&k, &u, "", 0, vek, &veklen, cs), -APFS_EREJECTED);

	/* KEK given directly (§5.9). */
	unhex("c07da03e2cdb1938b3c0446e1be983ea7d83b5e23eb5b71a646ebd00c4b1b4cc", kek, 32);
	memset(vek, 0, 32);
	assert_int_equal(kb_unwrap_vek(&k, kek, 32, vek, &veklen, cs), 0);
	assert_memory_equal(vek, want, 32);
	kek[5] ^= 1;
	assert_int_equal(kb_unwrap_vek(&k, kek, 32, vek, &veklen, cs), -APFS_EREJECTED);
	assert_int_equal(kb_unwrap_vek(&k, kek, 20, vek, &veklen, cs), -EINVAL);
	/* AES-128 or AES-256 KEKs only: each length next to them, and AES-192's, refused. */
	assert_int_equal(kb_unwrap_vek(&k, kek, 16, vek, &veklen, cs), -APFS_EREJECTED);
	for (size_t n = 15; n <= 33; n++)
		if (n != 16 && n != 32)
			assert_int_equal(kb_unwrap_vek(&k, kek, n, vek, &veklen, cs), -EINVAL);
}

/*
 * One password on several users in one PBKDF2 call, a salt a lane
 * (kb_unlock_users_lanes): the #147 user among users with other salts
 * (and the same wrapped KEK, which their keys cannot unwrap) is found at
 * its place, on every engine with lanes; a wrong password is rejected by
 * each; users whose iteration count differs, or a Personal Recovery User,
 * cannot share a call.
 */
static void lanes_147(const char *engine)
{
	struct kb_volume_keys k;
	struct kb_user u[4];
	const struct kb_user *pu[4];
	uint8_t vek[32], want[32], cs[16];
	unsigned which = 99;
	int ret[4];
	size_t veklen = 0;

	setenv("APFSINSPECT_PBKDF2_ENGINE", engine, 1);
	setup_147(&k, &u[2]);
	for (int i = 0; i < 4; i++) {
		if (i != 2) {
			u[i] = u[2];
			u[i].kek.salt[i] ^= 0x5a;  /* another salt: another key */
		}
		pu[i] = &u[i];
	}
	unhex(VEK147, want, 32);
	assert_int_equal(kb_unlock_users_lanes(&k, pu, 4, "stellar", 7, ret, &which, vek, &veklen,
					       cs), 0);
	assert_int_equal(which, 2);
	assert_int_equal(ret[0], -APFS_EREJECTED);
	assert_int_equal(ret[1], -APFS_EREJECTED);
	assert_int_equal(ret[2], 0);
	assert_memory_equal(vek, want, 32);
	assert_int_equal(kb_unlock_users_lanes(&k, pu, 4, "Stellar", 7, ret, &which, vek, &veklen,
					       cs), -APFS_EREJECTED);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ret[i], -APFS_EREJECTED);
	u[3].kek.iterations++;
	assert_int_equal(kb_unlock_users_lanes(&k, pu, 4, "stellar", 7, ret, &which, vek, &veklen,
					       cs), -EINVAL);
	u[3].kek.iterations--;
	u[1].type = KB_USER_PERSONAL_RECOVERY;
	assert_int_equal(kb_unlock_users_lanes(&k, pu, 4, "stellar", 7, ret, &which, vek, &veklen,
					       cs), -EINVAL);
	unsetenv("APFSINSPECT_PBKDF2_ENGINE");
}

static void test_users_lanes(void **state)
{
	static const char *const engines[] = { "sse2", "avx2", "avx512" };
	enum apfs_pbkdf2_engine e;
	unsigned tried = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		if (apfs_pbkdf2_engine_by_name(engines[i], &e)) {
			lanes_147(engines[i]);
			tried++;
		}
	print_message("# engines with lanes checked: %u\n", tried);
	if (!tried)
		skip();  /* a CPU without SSE2 lanes: nothing to share */
}

static void test_refusals(void **state)
{
	struct kb_volume_keys k;
	struct kb_user u;
	uint8_t vek[32], cs[16];
	size_t veklen;

	(void)state;
	apfs_log_set_hook(quiet);
	setup_147(&k, &u);
	u.kek.iterations = 1ull << 32;  /* would take hours: refused by the cap */
	assert_int_equal(kb_unlock_user(&k, &u, "x", 1, vek, &veklen, cs), -EOPNOTSUPP);
	u.kek.iterations = KB_MAX_ITERATIONS + 1;
	assert_int_equal(kb_unlock_user(&k, &u, "x", 1, vek, &veklen, cs), -EOPNOTSUPP);
	u.kek.iterations = 0;
	assert_int_equal(kb_unlock_user(&k, &u, "x", 1, vek, &veklen, cs), -APFS_ECORRUPT);

	setup_147(&k, &u);
	u.kek.flags = KB_FLAG_HARDWARE;
	assert_int_equal(kb_unlock_user(&k, &u, "stellar", 7, vek, &veklen, cs),
			 -APFS_EHWBOUND);
	u.kek.flags = 0;
	u.kek.meta_len = 22;  /* macOS 26 SEP identifier */
	assert_int_equal(kb_unlock_user(&k, &u, "stellar", 7, vek, &veklen, cs),
			 -APFS_EHWBOUND);
	u.kek.meta_len = 8;
	u.kek.has_kdf = false;
	assert_int_equal(kb_unlock_user(&k, &u, "stellar", 7, vek, &veklen, cs), -EOPNOTSUPP);
	u.kek.has_kdf = true;
	u.parsed = false;
	assert_int_equal(kb_unlock_user(&k, &u, "stellar", 7, vek, &veklen, cs), -EOPNOTSUPP);
	u.parsed = true;
	k.have_vek = false;
	assert_int_equal(kb_unlock_user(&k, &u, "stellar", 7, vek, &veklen, cs), -ENOENT);
	apfs_log_set_hook(NULL);
}

/*
 * Build a record for pw around chosen keys: kek (keklen bytes) wrapped with
 * PBKDF2(pw) of 16 or 32 bytes per the KEK flags; vek (veklen bytes)
 * wrapped with the first vwlen bytes of kek.
 */
struct chosen {
	uint32_t kek_flags, vek_flags;
	const uint8_t *kek;
	size_t keklen;
	size_t vwlen;
	const uint8_t *vek;
	size_t veklen;
};

static void make_record(struct kb_volume_keys *k, struct kb_user *u, const char *pw,
			const struct chosen *c)
{
	size_t dklen = c->kek_flags & KB_FLAG_CS_128 ? 16 : 32;
	uint8_t dk[32];

	memset(k, 0, sizeof(*k));
	memset(u, 0, sizeof(*u));
	u->parsed = true;
	u->kek.meta_len = 8;
	u->kek.flags = c->kek_flags;
	u->kek.has_kdf = true;
	u->kek.iterations = 1000;
	u->kek.salt_len = 16;
	memset(u->kek.salt, 0x5a, 16);
	/* Only the first 24 bytes count for 128-bit wraps; the rest is junk. */
	memset(u->kek.wrapped, 0xcc, 40);
	u->kek.wrapped_len = 40;
	assert_int_equal(kb_pbkdf2_sha256(pw, strlen(pw), u->kek.salt, 16, 1000, dk, dklen), 0);
	assert_int_equal(kb_aes_wrap(dk, dklen, c->kek, c->keklen, u->kek.wrapped), 0);
	k->have_vek = true;
	k->vek.flags = c->vek_flags;
	k->vek.meta_len = 8;
	memset(k->vek.uuid, 0x77, 16);
	memset(k->vek.wrapped, 0xdd, 40);
	k->vek.wrapped_len = 40;
	assert_int_equal(kb_aes_wrap(c->kek, c->vwlen, c->vek, c->veklen, k->vek.wrapped), 0);
	k->users = u;
	k->nusers = 1;
}

static const uint8_t kek32[32] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f,
};
static const uint8_t kek16z[32] = {  /* a 128-bit KEK in a 256-bit wrap (flag 0x10) */
	0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e,
	0x9f, 0xa0,
};
static const uint8_t vek32[32] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad,
	0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb,
	0xbc, 0xbd, 0xbe, 0xbf,
};

static void expect_unlock(const char *pw, const struct chosen *c, size_t want_len)
{
	struct kb_volume_keys k;
	struct kb_user u;
	uint8_t vek[32], cs[16];
	size_t veklen = 0;

	make_record(&k, &u, pw, c);
	assert_int_equal(kb_unlock_user(&k, &u, pw, strlen(pw), vek, &veklen, cs), 0);
	assert_int_equal(veklen, want_len);
	assert_memory_equal(vek, c->vek, want_len);
	assert_memory_equal(cs, k.vek.uuid, 16);
	assert_int_equal(kb_unlock_user(&k, &u, "nope", 4, vek, &veklen, cs), -APFS_EREJECTED);
}

/* KEK flag 0x02: 16-byte PBKDF2, 24-byte unwrap; VEK flag 0x02: 16-byte VEK. */
static void test_corestorage_128(void **state)
{
	const struct chosen c = { KB_FLAG_CS_128, KB_FLAG_CS_128, kek32, 16, 16, vek32, 16 };

	(void)state;
	expect_unlock("legacy", &c, 16);
}

/* Catalina converted System volumes: 128-bit KEK, 256-bit VEK (§5.3). */
static void test_cs_kek_256_vek(void **state)
{
	const struct chosen c = { KB_FLAG_CS_128, 0, kek32, 16, 16, vek32, 32 };

	(void)state;
	expect_unlock("catalina", &c, 32);
}

/* Flag 0x10, and the same shape with the flag missing (zero upper half). */
static void test_rewrapped_128(void **state)
{
	const struct chosen c = { KB_FLAG_REWRAPPED_128, 0, kek16z, 32, 16, vek32, 32 };
	const struct chosen c2 = { 0, 0, kek16z, 32, 16, vek32, 32 };

	(void)state;
	expect_unlock("changed", &c, 32);
	expect_unlock("changed", &c2, 32);
}

/*
 * The rule of §5.3 without flag 0x10 is the zero upper half alone: such a
 * KEK is used as its 16 bytes, so a VEK wrapped with all 32 of them does not
 * open (the rule's price, for a KEK that is all-zero above by chance).
 */
static void test_zero_upper_half_is_128(void **state)
{
	const struct chosen c = { 0, 0, kek16z, 32, 32, vek32, 32 };
	struct kb_volume_keys k;
	struct kb_user u;
	uint8_t vek[32], cs[16];
	size_t veklen = 0;

	(void)state;
	make_record(&k, &u, "changed", &c);
	assert_int_equal(kb_unlock_user(&k, &u, "changed", 7, vek, &veklen, cs), -APFS_EREJECTED);
}

static void test_plain_256(void **state)
{
	const struct chosen c = { 0, 0, kek32, 32, 32, vek32, 32 };

	(void)state;
	expect_unlock("hunter2", &c, 32);
}

/* A recovery key is tried in its printed form whatever the user typed. */
static void test_recovery_key_unlock(void **state)
{
	const struct chosen c = { 0, 0, kek32, 32, 32, vek32, 32 };
	const char *typed = "abcd efgh-ijkl-mnop-qrst-uvwx-";
	struct kb_volume_keys k;
	struct kb_user u;
	uint8_t vek[32], cs[16];
	size_t veklen = 0;

	(void)state;
	make_record(&k, &u, "ABCD-EFGH-IJKL-MNOP-QRST-UVWX", &c);
	u.type = KB_USER_PERSONAL_RECOVERY;
	assert_int_equal(kb_unlock_user(&k, &u, typed, strlen(typed), vek, &veklen, cs), 0);
	assert_memory_equal(vek, vek32, 32);
	/* Not for other users: their passwords are used byte for byte. */
	u.type = KB_USER_LOCAL_OD;
	assert_int_equal(kb_unlock_user(&k, &u, typed, strlen(typed), vek, &veklen, cs),
			 -APFS_EREJECTED);
}

static void test_normalize(void **state)
{
	char out[30];

	(void)state;
	assert_int_equal(kb_normalize_recovery_key("ABCD-EFGH-IJKL-MNOP-QRST-UVWX", out), 0);
	assert_string_equal(out, "ABCD-EFGH-IJKL-MNOP-QRST-UVWX");
	assert_int_equal(kb_normalize_recovery_key("abcdefgh1jkl2nop3rst4vwx", out), 0);
	assert_string_equal(out, "ABCD-EFGH-1JKL-2NOP-3RST-4VWX");
	assert_int_equal(kb_normalize_recovery_key("AbCd-eFgH-IjKl-MnOp-QrSt-UvW", out), -EINVAL);
	assert_int_equal(kb_normalize_recovery_key("ABCD-EFGH-IJKL-MNOP-QRST-UVWXY", out), -EINVAL);
	assert_int_equal(kb_normalize_recovery_key("ABCD-EFGH-IJKL-MNOP-QRST-UV_X", out), -EINVAL);
	assert_int_equal(kb_normalize_recovery_key("ABCD-EFGH-IJKL-MNOP-QRST-UV\xc3\xa9", out),
			 -EINVAL);
	assert_int_equal(kb_normalize_recovery_key("", out), -EINVAL);
}

/* A 25th character is refused before it is written: out holds 30 bytes, no more. */
static void test_normalize_25th(void **state)
{
	char buf[40];

	(void)state;
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(kb_normalize_recovery_key("ABCDEFGHIJKLMNOPQRSTUVWXYZ", buf), -EINVAL);
	for (size_t i = 30; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x55);
}

static void test_classify(void **state)
{
	static const struct {
		const char *uuid;
		enum kb_user_type type;
		const char *name;
	} cases[] = {
		{ "EBC6C064-0000-11AA-AA11-00306543ECAC", KB_USER_PERSONAL_RECOVERY,
		  "Personal Recovery User" },
		{ "EC1C2AD9-B618-4ED6-BD8D-50F361C27507", KB_USER_ICLOUD_RECOVERY,
		  "iCloud Recovery User" },
		{ "64C0C6EB-0000-11AA-AA11-00306543ECAC", KB_USER_ICLOUD_EXTERNAL,
		  "iCloud Recovery External Key" },
		{ "2FA31400-BAFF-4DE7-AE2A-C3AA6E1FD340", KB_USER_INSTITUTIONAL_RECOVERY,
		  "Institutional Recovery User" },
		{ "C064EBC6-0000-11AA-AA11-00306543ECAC", KB_USER_INSTITUTIONAL_EXTERNAL,
		  "Institutional Recovery External Key" },
		{ "2457711A-523C-4604-B75A-F48A571D5036", KB_USER_MDM_BOOTSTRAP,
		  "MDM Bootstrap Token External Key" },
		{ "1BEC6FD3-1871-4697-BF1F-20C2620146D8", KB_USER_DISK, "Disk User" },
		{ "3C7DB8EE-5EA4-4C18-A7E4-25C6C0F94667", KB_USER_LOCAL_OD,
		  "Local Open Directory User" },
		{ "FFFFEEEE-DDDD-CCCC-BBBB-AAAA000000C9", KB_USER_LOCAL_OD,
		  "Local Open Directory User" },
	};
	uint8_t vol[16], u[16];

	(void)state;
	assert_int_equal(apfs_uuid_parse("1BEC6FD3-1871-4697-BF1F-20C2620146D8", vol), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(apfs_uuid_parse(cases[i].uuid, u), 0);
		assert_int_equal(kb_classify(u, vol), cases[i].type);
		assert_string_equal(kb_type_name(cases[i].type), cases[i].name);
	}
	/* docs/users.md §2.2 verbatim values. */
	assert_string_equal(kb_type_plist(KB_USER_LOCAL_OD), "LocalOpenDirectory");
	assert_string_equal(kb_type_plist(KB_USER_PERSONAL_RECOVERY), "PersonalRecovery");
	assert_string_equal(kb_type_plist(KB_USER_MDM_BOOTSTRAP), "MDMRecovery");
}

static void test_flags_str(void **state)
{
	struct kb_blob b = { .meta_len = 8 };
	char s[64];

	(void)state;
	kb_flags_str(&b, s, sizeof(s));
	assert_string_equal(s, "none");
	b.flags = 0x12;
	kb_flags_str(&b, s, sizeof(s));
	assert_string_equal(s, "CoreStorage-128,rewrapped-128");
	kb_flags_str(&b, s, 8);
	assert_int_equal(strlen(s), 7);
}

/* Several threads on one struct kb_volume_keys: no shared mutable state. */
struct job {
	const struct kb_volume_keys *k;
	const char *pw;
	int ret;
	uint8_t vek[32];
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	uint8_t cs[16];
	size_t veklen;

	j->ret = kb_unlock_user(j->k, &j->k->users[0], j->pw, strlen(j->pw), j->vek, &veklen, cs);
	return NULL;
}

static void test_threads(void **state)
{
	const struct chosen c = { 0, 0, kek32, 32, 32, vek32, 32 };
	struct kb_volume_keys k;
	struct kb_user u;
	struct job jobs[8];
	pthread_t th[8];

	(void)state;
	make_record(&k, &u, "right", &c);
	for (int i = 0; i < 8; i++) {
		jobs[i] = (struct job){ &k, i % 2 ? "wrong" : "right", 1, { 0 } };
		assert_int_equal(pthread_create(&th[i], NULL, run_job, &jobs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		if (i % 2) {
			assert_int_equal(jobs[i].ret, -APFS_EREJECTED);
		} else {
			assert_int_equal(jobs[i].ret, 0);
			assert_memory_equal(jobs[i].vek, vek32, 32);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlock_147),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_corestorage_128),
		cmocka_unit_test(test_cs_kek_256_vek),
		cmocka_unit_test(test_rewrapped_128),
		cmocka_unit_test(test_zero_upper_half_is_128),
		cmocka_unit_test(test_plain_256),
		cmocka_unit_test(test_recovery_key_unlock),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_normalize_25th),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_flags_str),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_users_lanes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
