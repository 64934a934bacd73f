/* SPDX-License-Identifier: MIT */
/*
 * test_hashline.c - keybag/hashline.c: the cracking line built from a KEK
 * record's fields must be, character for character, the published self-test
 * hashes of the crackers, whose inputs (salt, iterations, wrapped KEK) are
 * taken apart here by the field layout of their parsers:
 *   JtR src/fvde_common_plug.c fvde_tests[] and fvde_common_valid():
 *     "$fvde$" version(1|2) "$" salt length(16) "$" salt(32 hex) "$"
 *     iterations(decimal) "$" blob(48 or 80 hex)
 *   hashcat src/modules/module_18300.c and module_16700.c self-test hashes.
 * The passwords of these vectors are checked in test_keybag_crypto.c.
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

#include "testutil.h"

#include "keybag/keybag.h"

/* Fill a parsed user record from a vector's fields, as the keybag would. */
static void user_from(struct kb_user *u, int version, const char *salt, uint64_t iter,
		      const char *blob)
{
	memset(u, 0, sizeof(*u));
	u->parsed = true;
	u->kek.has_kdf = true;
	u->kek.salt_len = unhex(salt, u->kek.salt, sizeof(u->kek.salt));
	u->kek.iterations = iter;
	u->kek.wrapped_len = unhex(blob, u->kek.wrapped, sizeof(u->kek.wrapped));
	if (version == 1)
		u->kek.flags = KB_FLAG_CS_128;
}

/* Split a published line at its '$' fields and rebuild it from them. */
static void check_vector(const char *line, unsigned mode)
{
	char *copy = strdup(line), *f[8], *save = NULL, out[KB_HASH_LINE_MAX];
	struct kb_user u;
	int n = 0;

	assert_non_null(copy);
	for (char *p = strtok_r(copy, "$", &save); p && n < 8; p = strtok_r(NULL, "$", &save))
		f[n++] = p;
	assert_int_equal(n, 6);  /* fvde, version, 16, salt, iterations, blob */
	assert_string_equal(f[0], "fvde");
	assert_string_equal(f[2], "16");
	user_from(&u, atoi(f[1]), f[3], strtoull(f[4], NULL, 10), f[5]);
	assert_int_equal(kb_hash_line(&u, out), 0);
	assert_string_equal(out, line);
	assert_int_equal(kb_hash_mode(&u), mode);
	free(copy);
}

static void test_jtr_fvde_vectors(void **state)
{
	(void)state;
	check_vector("$fvde$1$16$e7eebaabacaffe04dd33d22fd09e30e5$41000$"
		     "e9acbb4bc6dafb74aadb72c576fecf69c2ad45ccd4776d76", 16700);
	check_vector("$fvde$1$16$94c438acf87d68c2882d53aafaa4647d$70400$"
		     "2deb811f803a68e5e1c4d63452f04e1cac4e5d259f2e2999", 16700);
	check_vector("$fvde$2$16$0d7426917b673738a1e39c987ec0f477$181461$"
		     "450319e1181941d5fb77d2a200c03ace7ebec71b76c56cb9faa9216403aa6be9df2118ddcac19c62",
		     18300);
}

static void test_hashcat_vectors(void **state)
{
	(void)state;
	check_vector("$fvde$2$16$58778104701476542047675521040224$20000$"
		     "39602e86b7cea4a34f4ff69ff6ed706d68954ee474de1d2a9f6a6f2d24d172001e484c1d4eaa237d",
		     18300);
	check_vector("$fvde$1$16$84286044060108438487434858307513$20000$"
		     "f1620ab93192112f0a23eea89b5d4df065661f974b704191", 16700);
}

/* What cannot be cracked offline has no line. */
static void test_not_exportable(void **state)
{
	char out[KB_HASH_LINE_MAX];
	struct kb_user u;

	(void)state;
	user_from(&u, 2, "58778104701476542047675521040224", 20000,
		  "39602e86b7cea4a34f4ff69ff6ed706d68954ee474de1d2a9f6a6f2d24d172001e484c1d4eaa237d");
	u.hw_bound = true;
	assert_int_equal(kb_hash_line(&u, out), -EINVAL);
	u.hw_bound = false;
	u.kek.iterations = KB_MAX_ITERATIONS + 1;
	assert_int_equal(kb_hash_line(&u, out), -EINVAL);
	u.kek.iterations = 20000;
	u.kek.has_kdf = false;
	assert_int_equal(kb_hash_line(&u, out), -EINVAL);
	u.kek.has_kdf = true;
	u.kek.wrapped_len = 24;  /* a 24-byte wrap without the CoreStorage flag */
	assert_int_equal(kb_hash_line(&u, out), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jtr_fvde_vectors),
		cmocka_unit_test(test_hashcat_vectors),
		cmocka_unit_test(test_not_exportable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
