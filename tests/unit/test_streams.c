/* SPDX-License-Identifier: MIT */
/*
 * test_streams.c - every decoder on streams this project did not write:
 * the directory tests/tools/streams.py makes (CODEC/NAME.cmp decodes to
 * CODEC/NAME.orig): Python's zlib, libzbitmap's published LZBITMAP pairs,
 * LZVN and LZFSE streams made by macOS (basic.img, basic-lzfse.dmg) with
 * originals from basic.img and IMAGES.md.  $STREAMS names the directory;
 * without it the test runs streams.py itself into a temporary directory
 * (from $IMAGES and $SHARED, as tests/run.sh exports them).  Each stream
 * decodes byte for byte, needs room for all of its output, and no prefix
 * of it is accepted as a shorter output.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/testutil.h"

#include "util/err.h"
#include "codec/inflate.h"
#include "codec/lzbitmap.h"
#include "codec/lzfse.h"
#include "codec/lzvn.h"

typedef int (*decode_fn)(const uint8_t *, size_t, uint8_t *, size_t, size_t *);

static const struct codec {
	const char *dir;
	decode_fn decode;
} codecs[] = {
	{ "zlib", apfs_inflate },
	{ "lzvn", apfs_lzvn_decode },
	{ "lzfse", apfs_lzfse_decode },
	{ "lzbitmap", apfs_lzbitmap_decode },
};

static char streams[4096];

/* A cut stream is refused, or (cut in trailing padding) still decodes whole. */
static void expect_prefixes(decode_fn dec, const uint8_t *c, size_t clen, const uint8_t *o,
			    size_t olen, uint8_t *out)
{
	size_t step = clen < 2048 ? 1 : clen / 97 + 1, n;

	for (size_t cut = 0; cut < clen; cut += step) {
		int r = dec(c, cut, out, olen + 64, &n);

		assert_true(r == -APFS_ECORRUPT || (r == 0 && n == olen && !memcmp(out, o, olen)));
	}
}

static void check_stream(const struct codec *k, const char *dir, const char *cname)
{
	char oname[512];
	size_t clen, olen, n = 0;
	uint8_t *c = slurp(dir, cname, &clen), *o, *out;

	snprintf(oname, sizeof(oname), "%.*s.orig", (int)(strlen(cname) - 4), cname);
	o = slurp(dir, oname, &olen);
	out = malloc(olen + 64);
	assert_non_null(out);
	assert_int_equal(k->decode(c, clen, out, olen + 64, &n), 0);
	assert_int_equal(n, olen);
	assert_memory_equal(out, o, olen);
	assert_int_equal(k->decode(c, clen, out, olen - 1, &n), -ENOSPC);
	expect_prefixes(k->decode, c, clen, o, olen, out);
	free(out);
	free(o);
	free(c);
}

/* Every CODEC/NAME.cmp of one codec; returns how many. */
static unsigned check_codec(const struct codec *k)
{
	char dir[8192];
	DIR *d;
	struct dirent *e;
	unsigned count = 0;

	snprintf(dir, sizeof(dir), "%s/%s", streams, k->dir);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".cmp"))
			continue;
		print_message("# %s/%s\n", k->dir, e->d_name);
		check_stream(k, dir, e->d_name);
		count++;
	}
	closedir(d);
	return count;
}

/* True when $VAR/rel exists: then streams.py had what it needs for a codec. */
static bool have(const char *var, const char *rel)
{
	char path[4096];
	const char *v = getenv(var);

	snprintf(path, sizeof(path), "%s/%s", v ? v : "", rel);
	return v && *v && access(path, R_OK) == 0;
}

static void test_zlib(void **state)
{
	(void)state;
	assert_int_equal(check_codec(&codecs[0]), 5);
}

/* 3 bvxn payloads + 2 64 KiB joins of them (basic-lzfse.dmg), compressed.txt's fork. */
static void test_lzvn(void **state)
{
	(void)state;
	if (!have("IMAGES", "basic-lzfse.dmg") || !have("IMAGES", "basic.img"))
		skip();
	assert_true(check_codec(&codecs[1]) >= 5);
}

/* The 7 LZFSE chunks of basic-lzfse.dmg and 3 joins of them. */
static void test_lzfse(void **state)
{
	(void)state;
	if (!have("IMAGES", "basic-lzfse.dmg") || !have("IMAGES", "basic.img"))
		skip();
	assert_int_equal(check_codec(&codecs[2]), 10);
}

/* The 17 libzbitmap pairs and 2 heads of them. */
static void test_lzbitmap(void **state)
{
	(void)state;
	if (!have("SHARED", "vectors/lzbitmap"))
		skip();
	assert_true(check_codec(&codecs[3]) >= 19);
}

/* $STREAMS, or a directory streams.py fills now; "" when neither can be had. */
static int prepare(char *tmp, size_t cap)
{
	const char *env = getenv("STREAMS");
	char cmd[8192];

	if (env && *env) {
		snprintf(streams, sizeof(streams), "%s", env);
		return 0;
	}
	snprintf(tmp, cap, "%s/test_streams.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/streams.py '%s' 2>&1 | sed 's/^/# /'", tmp);
	snprintf(streams, sizeof(streams), "%s", tmp);
	return system(cmd) == 0 && access("tests/tools/streams.py", R_OK) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib),
		cmocka_unit_test(test_lzvn),
		cmocka_unit_test(test_lzfse),
		cmocka_unit_test(test_lzbitmap),
	};
	char tmp[4096] = "", cmd[4200];
	int ret;

	if (prepare(tmp, sizeof(tmp))) {
		printf("ok - streams # SKIP no $STREAMS and tests/tools/streams.py did not run "
		       "(python3 missing, or not run from the project root)\n");
		ret = 0;
	} else {
		ret = cmocka_run_group_tests_name("independent streams", tests, NULL, NULL);
	}
	if (*tmp) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd))
			ret = 1;
	}
	return ret;
}
