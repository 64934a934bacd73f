/* SPDX-License-Identifier: MIT */
/*
 * test_firmlinks.c - apfs/firmlinks.c: the macOS 10.15.1 list (18 entries,
 * docs macos-boot.md §3, from SU-FL and mac_apt #24), and every kind of
 * hostile line: each is skipped with one warning, the others kept.
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

#include "util/err.h"
#include "apfs/firmlinks.h"

static unsigned warnings;
static char last_warning[512];

static void count_hook(int level, const char *msg)
{
	if (level == APFS_LOG_WARN) {
		warnings++;
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
	}
}

static int setup(void **state)
{
	(void)state;
	warnings = 0;
	last_warning[0] = '\0';
	apfs_log_set_hook(count_hook);
	return 0;
}

/* The 10.15.1 entries: each maps to the same path without the leading '/'. */
static const char *const catalina[] = {
	"/AppleInternal", "/Applications", "/Library", "/System/Library/Caches",
	"/System/Library/Assets", "/System/Library/PreinstalledAssets",
	"/System/Library/AssetsV2", "/System/Library/PreinstalledAssetsV2",
	"/System/Library/CoreServices/CoreTypes.bundle/Contents/Library",
	"/System/Library/Speech", "/Users", "/Volumes", "/cores", "/opt", "/private",
	"/usr/local", "/usr/libexec/cups", "/usr/share/snmp",
};

static void test_catalina_list(void **state)
{
	char buf[4096] = "";
	struct apfs_firmlink *fl;
	size_t n, nc = sizeof(catalina) / sizeof(catalina[0]);

	(void)state;
	for (size_t i = 0; i < nc; i++) {
		strcat(buf, catalina[i]);
		strcat(buf, "\t");
		strcat(buf, catalina[i] + 1);
		strcat(buf, "\n");
	}
	assert_int_equal(apfs_firmlinks_parse(buf, strlen(buf), &fl, &n), 0);
	assert_int_equal(n, 18);
	for (size_t i = 0; i < nc; i++) {
		assert_string_equal(fl[i].sys, catalina[i]);
		assert_string_equal(fl[i].data, catalina[i] + 1);
		assert_int_equal(fl[i].line, i + 1);
	}
	assert_int_equal(warnings, 0);
	apfs_firmlinks_free(fl, n);
}

/* One bad line between two good ones: skipped with one warning naming its line. */
static void one_bad(const char *bad, const char *why)
{
	char buf[4096];
	struct apfs_firmlink *fl;
	size_t n, len;
	char want[32];

	warnings = 0;
	len = (size_t)snprintf(buf, sizeof(buf), "/Users\tUsers\n%s\n/Library\tLibrary\n", bad);
	assert_int_equal(apfs_firmlinks_parse(buf, len, &fl, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(fl[0].sys, "/Users");
	assert_string_equal(fl[1].sys, "/Library");
	assert_int_equal(fl[1].line, 3);
	assert_int_equal(warnings, 1);
	snprintf(want, sizeof(want), "line 2: ");
	assert_non_null(strstr(last_warning, want));
	assert_non_null(strstr(last_warning, why));
	apfs_firmlinks_free(fl, n);
}

static void test_hostile_lines(void **state)
{
	(void)state;
	one_bad("/Applications", "no TAB");
	one_bad("/Applications\tApplications\tx", "more than one TAB");
	one_bad("Applications\tApplications", "not absolute");
	one_bad("/\tApplications", "root itself");
	one_bad("/Applications\t/Applications", "absolute");
	one_bad("/Applications\t../Applications", "'..'");
	one_bad("/Applications\tApplications/../..", "'..'");
	one_bad("/Applications/./x\tApplications", "'.'");
	one_bad("/Applications\t", "empty");
	one_bad("//Applications\tApplications", "empty path component");
	one_bad("/Applications/\tApplications", "trailing");
	one_bad("/Applications\tApplications\r", "control");
	one_bad("/System/Volumes/Data\tUsers2", "Data volume itself");
	one_bad("/System/Volumes/Data/Users\tUsers2", "Data volume itself");
	/* a firmlink inside a firmlinked path, and targets that nest: a cycle or a second place */
	one_bad("/Users/alice\tElsewhere", "lies in or holds");
	one_bad("/Elsewhere\tUsers/alice", "lies in or holds");
	one_bad("/Elsewhere\tUsers", "lies in or holds");
	one_bad("/Users\tElsewhere", "lies in or holds");
}

/* "/Usersx" is not inside "/Users": components, not prefixes. */
static void test_prefix_is_not_nesting(void **state)
{
	static const char buf[] = "/Users\tUsers\n/Usersx\tUsersx\n";
	struct apfs_firmlink *fl;
	size_t n;

	(void)state;
	assert_int_equal(apfs_firmlinks_parse(buf, sizeof(buf) - 1, &fl, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(warnings, 0);
	apfs_firmlinks_free(fl, n);
}

static void test_bounds(void **state)
{
	size_t cap = FIRMLINKS_MAX_BYTES + 1, len = 0, n;
	char *buf = malloc(cap);
	struct apfs_firmlink *fl;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(apfs_firmlinks_parse(buf, cap, &fl, &n), -EFBIG);
	assert_null(fl);
	/* more entries than the cap: the first FIRMLINKS_MAX_COUNT kept, one warning */
	for (unsigned i = 0; i < FIRMLINKS_MAX_COUNT + 10; i++)
		len += (size_t)snprintf(buf + len, cap - len, "/d%u\td%u\n", i, i);
	assert_int_equal(apfs_firmlinks_parse(buf, len, &fl, &n), 0);
	assert_int_equal(n, FIRMLINKS_MAX_COUNT);
	assert_int_equal(warnings, 1);
	apfs_firmlinks_free(fl, n);
	/* an over-long line, a NUL, and a last line without LF */
	warnings = 0;
	memset(buf, 'a', FIRMLINKS_MAX_LINE + 1);
	buf[0] = '/';
	len = FIRMLINKS_MAX_LINE + 1;
	memcpy(buf + len, "\n/x\0y\tx\n/Users\tUsers", 20);
	len += 20;
	assert_int_equal(apfs_firmlinks_parse(buf, len, &fl, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(fl[0].sys, "/Users");
	assert_int_equal(fl[0].line, 3);
	assert_int_equal(warnings, 2);
	apfs_firmlinks_free(fl, n);
	free(buf);
}

static void test_empty(void **state)
{
	struct apfs_firmlink *fl;
	size_t n;

	(void)state;
	assert_int_equal(apfs_firmlinks_parse("\n\n", 2, &fl, &n), 0);
	assert_int_equal(n, 0);
	assert_null(fl);
	assert_int_equal(warnings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_catalina_list, setup),
		cmocka_unit_test_setup(test_hostile_lines, setup),
		cmocka_unit_test_setup(test_prefix_is_not_nesting, setup),
		cmocka_unit_test_setup(test_bounds, setup),
		cmocka_unit_test_setup(test_empty, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
