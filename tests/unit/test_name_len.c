/* SPDX-License-Identifier: MIT */
/*
 * test_name_len.c - apfs/unicode.c's length bound on a name before it is
 * decomposed: APFS_NAME_MAX * 4 bytes (every code point at most 4 UTF-8
 * bytes).  Names from the image are bounded to APFS_NAME_MAX before they
 * get here, so only a direct call of the public hash and fold reaches it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apfs/apfs.h"
#include "apfs/fs.h"

#define LIMIT (APFS_NAME_MAX * 4)

static void test_hash_len_edge(void **state)
{
	char *name = malloc(LIMIT + 1);
	uint32_t h = 0, h1 = 0;

	(void)state;
	assert_non_null(name);
	memset(name, 'a', LIMIT + 1);
	assert_int_equal(apfs_name_hash(name, LIMIT, false, &h), 0);
	/* The same name one byte longer is another hash input: refused. */
	assert_int_equal(apfs_name_hash(name, LIMIT + 1, false, &h1), -ENAMETOOLONG);
	assert_int_equal(apfs_name_hash(name, LIMIT + 1, true, &h1), -ENAMETOOLONG);
	free(name);
}

static void test_fold_len_edge(void **state)
{
	char *name = malloc(LIMIT + 1), *out = NULL;

	(void)state;
	assert_non_null(name);
	memset(name, 'A', LIMIT + 1);
	assert_int_equal(apfs_name_fold(name, LIMIT, true, &out), 0);
	assert_non_null(out);
	/* Case folding of 4096 ASCII 'A's is 4096 'a's (Unicode CaseFolding.txt). */
	assert_int_equal(strlen(out), LIMIT);
	assert_true(out[0] == 'a' && out[LIMIT - 1] == 'a');
	free(out);
	out = NULL;
	assert_int_equal(apfs_name_fold(name, LIMIT + 1, true, &out), -ENAMETOOLONG);
	assert_null(out);
	free(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_len_edge),
		cmocka_unit_test(test_fold_len_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
