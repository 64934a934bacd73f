/* SPDX-License-Identifier: MIT */
/*
 * test_blob.c - keybag/blob.c: the §4.6 VEK blob with its published HMAC,
 * KEK blobs in the §4.2 shape, macOS-26 forms (22-byte metadata, 388-byte
 * VEK with tags [4]..[8]), and malformed or truncated blobs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "util/err.h"
#include "keybag/internal.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>


/* apfs-fuse #181 VEK blob (§4.6), re-assembled: 30 7A, keylen 0x7C. */
#define VEK181_HMAC "D67E60BFA4857A9B4F75D43C39B9A366D339671CBED25118803CB455C52EAF6D"
#define VEK181_KEY "A349" "800100" "81105FF0B63B00C440FF8120B2871B9E1C4D" \
	"82080000000001001712" "832861A83AC52732E9634E36A2FDB241FADAF134BD1B7CCAAEFC730954CC07" \
	"754BB01A32F37B33B5DB74"
#define VEK181 "307A" "800100" "8120" VEK181_HMAC "82081CBE2A592B4361DD" VEK181_KEY

/*
 * kb_blob_hmac's salt room: 64 bytes after the 6-byte prefix.  The parser
 * bounds the DER salt before, so only a direct call reaches the edge.  The
 * 64-byte result is checked against OpenSSL's one-shot SHA-256 and HMAC of
 * the §4.6 construction; 65 bytes must be refused, not copied.
 */
static void test_hmac_salt_edge(void **state)
{
	static const uint8_t prefix[6] = { 0x01, 0x16, 0x20, 0x17, 0x15, 0x05 };
	uint8_t salt[65], pre[6 + 64], key[32], want[32], mac[32], elem[3] = { 0xa3, 1, 0 };
	unsigned int len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)(0x80 + i);
	memcpy(pre, prefix, 6);
	memcpy(pre + 6, salt, 64);
	SHA256(pre, sizeof(pre), key);
	assert_non_null(HMAC(EVP_sha256(), key, 32, elem, sizeof(elem), want, &len));
	assert_int_equal(len, 32);
	assert_int_equal(kb_blob_hmac(salt, 64, elem, sizeof(elem), mac), 0);
	assert_memory_equal(mac, want, 32);
	assert_int_equal(kb_blob_hmac(salt, 65, elem, sizeof(elem), mac), -EINVAL);
}

static void test_vek_hmac_vector(void **state)
{
	uint8_t b[200], uuid[16];
	struct kb_blob blob;
	size_t n;

	(void)state;
	n = unhex(VEK181, b, sizeof(b));
	assert_int_equal(n, 0x7c);
	assert_int_equal(kb_blob_parse(b, n, false, "test VEK", &blob, NULL), 0);
	assert_int_equal(blob.hmac, 1);
	unhex("5FF0B63B00C440FF8120B2871B9E1C4D", uuid, 16);
	assert_memory_equal(blob.uuid, uuid, 16);
	assert_int_equal(blob.meta_len, 8);
	assert_int_equal(blob.meta[4], 0x01);  /* kind 1: VEK */
	assert_int_equal(blob.flags, 0);
	assert_int_equal(blob.wrapped_len, 40);
	assert_int_equal(blob.wrapped[0], 0x61);
	assert_int_equal(blob.wrapped[39], 0x74);
	assert_false(blob.has_kdf);
	assert_int_equal(blob.extra_tags, 0);

	/* Junk after the DER (keylen > DER length, apfs-fuse #22) is ignored. */
	memset(b + n, 0x5a, 20);
	assert_int_equal(kb_blob_parse(b, n + 20, false, "test VEK", &blob, NULL), 0);

	/* A damaged HMAC only warns. */
	b[20] ^= 1;
	assert_int_equal(kb_blob_parse(b, n, false, "test VEK", &blob, NULL), 0);
	assert_int_equal(blob.hmac, 0);
}

/* A KEK in the §4.2 shape with the apfs-fuse #147 parameters, long-form outer length. */
#define KEK147_KEY "A360" "800100" "8110" "000102030405060708090A0B0C0D0E0F" \
	"82080000000002007DAD" \
	"8328" "5F40E757A4B8B3D39CE6DE06D34D89A40F00BE67BF6D9D2E0A2DB6EA761E5F1019D8B07E286B4A7A" \
	"840302D6E2" "8510" "30985112E6235BBAAF029BD9460EDBF3"
#define KEK147 "308191" "800100" "8120" "00000000000000000000000000000000" \
	"00000000000000000000000000000000" "82080102030405060708" KEK147_KEY

static void test_kek(void **state)
{
	uint8_t b[200], salt[16];
	struct kb_blob blob;
	size_t n;

	(void)state;
	n = unhex(KEK147, b, sizeof(b));
	assert_int_equal(n, 0x94);  /* apfs-fuse #151's KEK keylen */
	assert_int_equal(kb_blob_parse(b, n, true, "test KEK", &blob, NULL), 0);
	assert_true(blob.has_kdf);
	assert_int_equal(blob.iterations, 186082);
	assert_int_equal(blob.salt_len, 16);
	unhex("30985112E6235BBAAF029BD9460EDBF3", salt, 16);
	assert_memory_equal(blob.salt, salt, 16);
	assert_int_equal(blob.meta[4], 0x02);  /* kind 2: KEK */
	assert_int_equal(blob.hmac, 0);        /* zero HMAC field: mismatch, warned */
	assert_false(kb_blob_hw_bound(&blob));
}

static void quiet(int level, const char *msg)
{
	(void)level;
	(void)msg;
}

/* Every proper prefix of a valid blob must be rejected, never read past. */
static void test_truncated(void **state)
{
	uint8_t b[200], cut[200];
	struct kb_blob blob;
	size_t n;

	(void)state;
	n = unhex(KEK147, b, sizeof(b));
	apfs_log_set_hook(quiet);
	for (size_t len = 0; len < n; len++) {
		memcpy(cut, b, len);
		assert_int_equal(kb_blob_parse(cut, len, true, "truncated", &blob, NULL),
				 -APFS_ECORRUPT);
	}
	apfs_log_set_hook(NULL);
}

static void parse_hex_expect(const char *hex, int want)
{
	uint8_t b[512];
	struct kb_blob blob;
	size_t n = unhex(hex, b, sizeof(b));

	assert_int_equal(kb_blob_parse(b, n, true, "crafted", &blob, NULL), want);
}

#define UUID16 "8110" "00112233445566778899AABBCCDDEEFF"
#define META8 "82080000000002000000"
#define WRAP40 "8328" "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F" \
	"2021222324252627"

static void test_malformed(void **state)
{
	(void)state;
	/* Well-formed minimum: no outer HMAC fields, no KDF. */
	parse_hex_expect("304B" "A349" "800100" UUID16 META8 WRAP40, 0);
	/* Not a SEQUENCE. */
	parse_hex_expect("314B" "A349" "800100" UUID16 META8 WRAP40, -APFS_ECORRUPT);
	/* No [3] element. */
	parse_hex_expect("3003" "800100", -APFS_ECORRUPT);
	/* [3] present but primitive. */
	parse_hex_expect("304B" "8349" "800100" UUID16 META8 WRAP40, -APFS_ECORRUPT);
	/* Missing UUID. */
	parse_hex_expect("3039" "A337" "800100" META8 WRAP40, -APFS_ECORRUPT);
	/* Metadata of 10 bytes. */
	parse_hex_expect("304D" "A34B" "800100" UUID16 "820A00000000020000000000" WRAP40,
			 -APFS_ECORRUPT);
	/* Wrapped key of 32 bytes. */
	parse_hex_expect("3043" "A341" "800100" UUID16 META8
			 "8320000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
			 -APFS_ECORRUPT);
	/* Inner length past the [3] end (but inside the outer SEQUENCE). */
	parse_hex_expect("304B" "A349" "800100" UUID16 META8 "8329" "0001020304050607"
			 "08090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F2021222324252627",
			 -APFS_ECORRUPT);
	/* Two [3] elements. */
	parse_hex_expect("3055" "A349" "800100" UUID16 META8 WRAP40 "A308" "8006" "000000000000",
			 -APFS_ECORRUPT);
	/* Iteration count of 9 bytes without a leading zero. */
	parse_hex_expect("3056" "A354" "800100" UUID16 META8 WRAP40 "8409010000000000000000",
			 -APFS_ECORRUPT);
}

/* Iteration count 2^32 parses; the cap in kb_unlock_user() refuses it. */
static void test_big_iterations(void **state)
{
	uint8_t b[200];
	struct kb_blob blob;
	size_t n;

	(void)state;
	n = unhex("3064" "A362" "800100" UUID16 META8 WRAP40 "84050100000000"
		  "8510000102030405060708090A0B0C0D0E0F", b, sizeof(b));
	assert_int_equal(kb_blob_parse(b, n, true, "big", &blob, NULL), 0);
	assert_true(blob.has_kdf);
	assert_true(blob.iterations == 1ull << 32);
	assert_true(blob.iterations > KB_MAX_ITERATIONS);
}

/* macOS 26 KEK: 22-byte metadata 49000000 0200 <SEP identifier> (§4.4). */
static void test_meta22(void **state)
{
	uint8_t b[200];
	struct kb_blob blob;
	char flags[64];
	size_t n;

	(void)state;
	n = unhex("3070" "A36E" "800100" UUID16
		  "8216" "490000000200" "A1A2A3A4A5A6A7A8A9AAABACADAEAFB0" WRAP40
		  "840301869F" "8510000102030405060708090A0B0C0D0E0F", b, sizeof(b));
	assert_int_equal(kb_blob_parse(b, n, true, "macOS 26 KEK", &blob, NULL), 0);
	assert_int_equal(blob.meta_len, 22);
	assert_int_equal(blob.flags, 0x49);
	assert_int_equal(blob.meta[21], 0xb0);
	assert_int_equal(blob.iterations, 0x01869f);
	assert_true(kb_blob_hw_bound(&blob));
	kb_flags_str(&blob, flags, sizeof(flags));
	assert_string_equal(flags, "hardware-bound,0x48,SEP-identifier");
}

/* macOS 26 VEK: 30 82 01 80 / A3 82 01 4D with unknown [4]..[8] (§4.3). */
static void test_vek388(void **state)
{
	uint8_t b[400] = { 0 };
	struct kb_blob blob;
	size_t n = 0, inner;

	(void)state;
	n += unhex("30820180" "800100" "8120" VEK181_HMAC "82081CBE2A592B4361DD" "A382014D"
		   "800100" UUID16 META8 WRAP40, b, sizeof(b));
	inner = n;
	/* [4]..[8] filling the 0x14D-byte [3]: 3+18+10+42 = 73 so far, 260 to go. */
	n += unhex("8401" "05", b + n, 3);
	n += unhex("8501" "06", b + n, 3);
	n += unhex("A602" "8000", b + n, 4);
	n += unhex("8702" "0707", b + n, 4);
	b[n++] = 0x88;
	b[n++] = 0x81;
	b[n++] = 260 - 3 - 3 - 4 - 4 - 3;
	n += 260 - 3 - 3 - 4 - 4 - 3;
	assert_int_equal(n - inner, 260);
	assert_int_equal(n, 388);
	assert_int_equal(kb_blob_parse(b, n, false, "macOS 26 VEK", &blob, NULL), 0);
	assert_int_equal(blob.extra_tags, 5);
	assert_int_equal(blob.wrapped_len, 40);
	assert_false(blob.has_kdf);
	assert_int_equal(blob.hmac, 0);  /* the #181 HMAC does not cover this [3] */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vek_hmac_vector),
		cmocka_unit_test(test_hmac_salt_edge),
		cmocka_unit_test(test_kek),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_big_iterations),
		cmocka_unit_test(test_meta22),
		cmocka_unit_test(test_vek388),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
