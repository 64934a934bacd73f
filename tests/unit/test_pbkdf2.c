/* SPDX-License-Identifier: MIT */
/*
 * test_pbkdf2.c - the multi-lane PBKDF2-HMAC-SHA256 (cipher/pbkdf2.c) on
 * every engine this CPU runs: each lane against OpenSSL's
 * PKCS5_PBKDF2_HMAC for random passwords, salts and iteration counts at the
 * lengths where SHA-256 padding and HMAC key handling change (0, 55, 56,
 * 63, 64, 65, 119, 120, 200 bytes), and the published RFC 7914 §11 vectors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "testutil.h"

#include "cipher/pbkdf2.h"
#include "cipher/pbkdf2_int.h"

static const size_t edge_len[] = { 0, 55, 56, 63, 64, 65, 119, 120, 200 };
#define NEDGE (sizeof(edge_len) / sizeof(edge_len[0]))
#define MAXPW 200
#define MAXDK 100

/* One call of engine e on n lanes; every lane compared with OpenSSL. */
static void check_lanes(enum apfs_pbkdf2_engine e, unsigned n, uint8_t pw[][MAXPW],
			const size_t *pwlen, const uint8_t *salt, size_t saltlen,
			unsigned iter, size_t dklen)
{
	uint8_t got[APFS_PBKDF2_MAX_LANES][MAXDK], want[MAXDK];
	const void *p[APFS_PBKDF2_MAX_LANES] = { 0 };
	uint8_t *d[APFS_PBKDF2_MAX_LANES] = { 0 };

	for (unsigned l = 0; l < n; l++) {
		p[l] = pw[l];
		d[l] = got[l];
	}
	assert_int_equal(apfs_pbkdf2_sha256_lanes(e, n, p, pwlen, salt, saltlen, iter, d, dklen),
			 0);
	for (unsigned l = 0; l < n; l++) {
		assert_int_equal(PKCS5_PBKDF2_HMAC((const char *)pw[l], (int)pwlen[l], salt,
						   (int)saltlen, (int)iter, EVP_sha256(),
						   (int)dklen, want), 1);
		if (memcmp(got[l], want, dklen))
			fail_msg("engine %s lane %u of %u: pwlen %zu saltlen %zu iter %u dklen %zu",
				 apfs_pbkdf2_engine_name(e), l, n, pwlen[l], saltlen, iter, dklen);
	}
}

static unsigned rnd(unsigned below)
{
	uint32_t r;

	assert_int_equal(RAND_bytes((unsigned char *)&r, sizeof(r)), 1);
	return r % below;
}

/* Random passwords of the edge lengths (one per lane, rotating). */
static void fill_passwords(uint8_t pw[][MAXPW], size_t *len, unsigned lanes, unsigned shift)
{
	for (unsigned l = 0; l < lanes; l++) {
		len[l] = edge_len[(l + shift) % NEDGE];
		assert_int_equal(RAND_bytes(pw[l], MAXPW), 1);
	}
}

static void random_rounds(enum apfs_pbkdf2_engine e)
{
	static const size_t salt_len[] = { 0, 1, 16, 51, 52, 55, 56, 64, 120 };
	static const size_t dk_len[] = { 1, 16, 31, 32, 33, 64, 100 };
	unsigned lanes = apfs_pbkdf2_lanes(e);
	uint8_t pw[APFS_PBKDF2_MAX_LANES][MAXPW], salt[128];
	size_t len[APFS_PBKDF2_MAX_LANES];

	for (unsigned round = 0; round < NEDGE; round++) {
		size_t sl = salt_len[round % 9], dl = dk_len[round % 7];
		unsigned iter = round < 3 ? round + 1 : 1 + rnd(300);

		fill_passwords(pw, len, lanes, round);
		assert_int_equal(RAND_bytes(salt, sizeof(salt)), 1);
		check_lanes(e, lanes, pw, len, salt, sl, iter, dl);
		/* fewer candidates than lanes: the rest are padding */
		check_lanes(e, 1 + rnd(lanes), pw, len, salt, sl, iter, dl);
	}
}

/* fn on every engine this CPU runs; how many. */
static unsigned each_engine(void (*fn)(enum apfs_pbkdf2_engine))
{
	unsigned tried = 0;

	for (int e = 0; e < APFS_PBKDF2_NENGINES; e++) {
		enum apfs_pbkdf2_engine en;

		if (!apfs_pbkdf2_engine_by_name(apfs_pbkdf2_engine_name(e), &en))
			continue;  /* this CPU lacks it */
		fn(en);
		tried++;
	}
	return tried;
}

static void test_lanes_match_openssl(void **state)
{
	unsigned tried;

	(void)state;
	tried = each_engine(random_rounds);
	assert_true(tried >= 1);
	print_message("# engines checked: %u\n", tried);
}

/* RFC 7914 §11 (PBKDF2-HMAC-SHA256 vectors), each password in every lane. */
static void rfc7914(const char *pw, const char *salt, unsigned iter, const char *hex)
{
	uint8_t want[64], got[APFS_PBKDF2_MAX_LANES][64];
	const void *p[APFS_PBKDF2_MAX_LANES] = { 0 };
	size_t len[APFS_PBKDF2_MAX_LANES];
	uint8_t *d[APFS_PBKDF2_MAX_LANES] = { 0 };

	assert_int_equal(unhex(hex, want, sizeof(want)), 64);
	for (int e = 0; e < APFS_PBKDF2_NENGINES; e++) {
		enum apfs_pbkdf2_engine en;
		unsigned lanes;

		if (!apfs_pbkdf2_engine_by_name(apfs_pbkdf2_engine_name(e), &en))
			continue;
		lanes = apfs_pbkdf2_lanes(en);
		for (unsigned l = 0; l < lanes; l++) {
			p[l] = pw;
			len[l] = strlen(pw);
			d[l] = got[l];
		}
		assert_int_equal(apfs_pbkdf2_sha256_lanes(en, lanes, p, len, (const uint8_t *)salt,
							  strlen(salt), iter, d, 64), 0);
		for (unsigned l = 0; l < lanes; l++)
			assert_memory_equal(got[l], want, 64);
	}
}

static void test_rfc7914_vectors(void **state)
{
	(void)state;
	rfc7914("passwd", "salt", 1,
		"55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
		"49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
	rfc7914("Password", "NaCl", 80000,
		"4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
		"a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

/* Each lane its own password: a lane mixed up with another would show. */
static void test_lanes_independent(void **state)
{
	enum apfs_pbkdf2_engine e = apfs_pbkdf2_engine();
	unsigned lanes = apfs_pbkdf2_lanes(e);
	uint8_t pw[APFS_PBKDF2_MAX_LANES][MAXPW];
	size_t len[APFS_PBKDF2_MAX_LANES];

	(void)state;
	for (unsigned l = 0; l < lanes; l++) {
		memset(pw[l], 'a', MAXPW);
		pw[l][0] = (uint8_t)('A' + l);
		len[l] = 8;
	}
	check_lanes(e, lanes, pw, len, (const uint8_t *)"salt", 4, 1000, 32);
}

/*
 * A salt of each lane's own (one password on several crypto users): every
 * lane against OpenSSL with its salt, on every engine, salts of the edge
 * lengths and a lane with the empty salt; full and part-full calls.
 */
static void salted_round(enum apfs_pbkdf2_engine e, unsigned n, unsigned iter, size_t dklen)
{
	static const size_t salt_len[] = { 16, 0, 1, 51, 52, 55, 56, 64, 120 };
	uint8_t pw[APFS_PBKDF2_MAX_LANES][MAXPW], salt[APFS_PBKDF2_MAX_LANES][128];
	uint8_t got[APFS_PBKDF2_MAX_LANES][MAXDK], want[MAXDK];
	const void *p[APFS_PBKDF2_MAX_LANES];
	const uint8_t *sp[APFS_PBKDF2_MAX_LANES];
	size_t len[APFS_PBKDF2_MAX_LANES], sl[APFS_PBKDF2_MAX_LANES];
	uint8_t *d[APFS_PBKDF2_MAX_LANES];

	fill_passwords(pw, len, n, n);
	assert_int_equal(RAND_bytes(&salt[0][0], sizeof(salt)), 1);
	for (unsigned l = 0; l < n; l++) {
		memcpy(pw[l], pw[0], MAXPW);  /* one password, as an unlock tries */
		len[l] = len[0];
		p[l] = pw[l], sp[l] = salt[l], sl[l] = salt_len[l % 9], d[l] = got[l];
	}
	assert_int_equal(apfs_pbkdf2_sha256_lanes_salted(e, n, p, len, sp, sl, iter, d, dklen), 0);
	for (unsigned l = 0; l < n; l++) {
		assert_int_equal(PKCS5_PBKDF2_HMAC((const char *)pw[l], (int)len[l], salt[l],
						   (int)sl[l], (int)iter, EVP_sha256(), (int)dklen,
						   want), 1);
		if (memcmp(got[l], want, dklen))
			fail_msg("engine %s lane %u of %u: salt of %zu bytes, iter %u dklen %zu",
				 apfs_pbkdf2_engine_name(e), l, n, sl[l], iter, dklen);
	}
}

static void salted_rounds(enum apfs_pbkdf2_engine e)
{
	unsigned lanes = apfs_pbkdf2_lanes(e);

	salted_round(e, lanes, 1, 32);
	salted_round(e, lanes, 2 + rnd(200), 33);
	salted_round(e, 1 + rnd(lanes), 1 + rnd(200), 32);
}

static void test_lanes_salted(void **state)
{
	(void)state;
	assert_true(each_engine(salted_rounds) >= 1);
}

static void test_bad_arguments(void **state)
{
	const void *p[1] = { "x" };
	size_t len[1] = { 1 };
	uint8_t out[32], *d[1] = { out };
	enum apfs_pbkdf2_engine e = apfs_pbkdf2_engine();

	(void)state;
	assert_int_equal(apfs_pbkdf2_sha256_lanes(e, 0, p, len, out, 4, 1, d, 32), -EINVAL);
	assert_int_equal(apfs_pbkdf2_sha256_lanes(e, apfs_pbkdf2_lanes(e) + 1, p, len, out, 4, 1,
						  d, 32), -EINVAL);
	assert_int_equal(apfs_pbkdf2_sha256_lanes(e, 1, p, len, out, 4, 0, d, 32), -EINVAL);
	assert_int_equal(apfs_pbkdf2_sha256_lanes(e, 1, p, len, out, 4, 1ull << 32, d, 32),
			 -EINVAL);
	assert_int_equal(apfs_pbkdf2_sha256_lanes(e, 1, p, len, out, 4, 1, d, 0), -EINVAL);
	assert_int_equal(apfs_pbkdf2_sha256_lanes(e, 1, p, len, NULL, 4, 1, d, 32), -EINVAL);
}

/* The environment picks a slower engine, never one the CPU lacks. */
static void test_engine_choice(void **state)
{
	enum apfs_pbkdf2_engine e;

	(void)state;
	assert_true(apfs_pbkdf2_engine_by_name("c", &e));
	assert_int_equal(e, APFS_PBKDF2_C);
	assert_false(apfs_pbkdf2_engine_by_name("mmx", &e));
	setenv("APFSINSPECT_PBKDF2_ENGINE", "c", 1);
	assert_int_equal(apfs_pbkdf2_engine(), APFS_PBKDF2_C);
	unsetenv("APFSINSPECT_PBKDF2_ENGINE");
	assert_true(apfs_pbkdf2_usable(apfs_pbkdf2_engine()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7914_vectors),
		cmocka_unit_test(test_lanes_match_openssl),
		cmocka_unit_test(test_lanes_independent),
		cmocka_unit_test(test_lanes_salted),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_engine_choice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
