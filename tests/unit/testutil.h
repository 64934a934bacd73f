/* testutil.h - helpers shared by the cmocka unit tests (include after cmocka.h). */
#ifndef TEST_TESTUTIL_H
#define TEST_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* Decode a whole hex string into out (at most max bytes); returns the byte count. */
static inline size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && n < max) {
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	assert_int_equal(s[0], '\0');  /* the fixture fits and is whole */
	return n;
}

/* Read the whole file dir/name (under 64 MiB) into a new buffer, NUL-terminated past *len. */
static inline uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char path[8192];
	FILE *f;
	uint8_t *p;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0 && n < (1 << 26));
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return p;
}

/*
 * The last message the library logged, for tests that must tell one
 * rejection from another (a bounds check that is loosened by one lets a
 * later check fail instead, with another message).
 */
static inline char *log_last(void)
{
	static char last[1024];

	return last;
}

static inline void log_keep(int level, const char *msg)
{
	(void)level;
	snprintf(log_last(), 1024, "%s", msg);
}

/* Start keeping messages, whatever the log level was (nothing is printed). */
static inline void log_capture(void)
{
	log_last()[0] = '\0';
	apfs_log_set_hook(log_keep);
	apfs_log_set_level(APFS_LOG_WARN);
}

/* Stop keeping them; the library is quiet again (level -1, as the tests run). */
static inline void log_release(void)
{
	apfs_log_set_hook(NULL);
	apfs_log_set_level(-1);
}

#define expect_log(substr) do {                                                   \
		if (!strstr(log_last(), (substr)))                               \
			fail_msg("logged \"%s\", expected \"%s\"", log_last(), (substr)); \
	} while (0)

#endif
