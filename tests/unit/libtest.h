/*
 * libtest.h - the scratch directory of the public API's unit tests
 * (test_lib*.c, test_bigread.c): made by the cmocka group setup under
 * $TMPDIR, filled with the scenarios of $MKIMAGE, removed by the group
 * teardown.  These tests are clients of include/apfsinspect.h only, so this
 * header takes nothing from util/ or the library's insides (testutil.h
 * does: it is for the tests of the internal layers).
 */
#ifndef TEST_LIBTEST_H
#define TEST_LIBTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* The directory of this test program's images (one group per program). */
static char scratch_dir[512];

/* Run a shell command made printf-style; system()'s status, -1 if it did not fit. */
static inline int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	/* A command cut short could run something else: never run it. */
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd);
}

/* The path of file name in the scratch directory (a buffer of this thread's, reused). */
static inline const char *img_path(const char *name)
{
	static _Thread_local char p[700];

	snprintf(p, sizeof(p), "%s/%s", scratch_dir, name);
	return p;
}

/*
 * Make a new scratch directory NAME.XXXXXX under $TMPDIR (else /tmp) and in
 * it, one after another, the images that the further arguments ask $MKIMAGE
 * for, each "SCENARIO FILE [OPTIONS]" (words for the shell), up to a NULL.
 * 0, or -1: no $MKIMAGE, no directory, or an image not made.
 */
static inline int scratch_setup(const char *name, ...) __attribute__((sentinel));
static inline int scratch_setup(const char *name, ...)
{
	const char *mk = getenv("MKIMAGE"), *tmp = getenv("TMPDIR"), *args;
	va_list ap;
	int ret = 0;

	if (!mk)
		return -1;
	snprintf(scratch_dir, sizeof(scratch_dir), "%s/%s.XXXXXX", tmp ? tmp : "/tmp", name);
	if (!mkdtemp(scratch_dir))
		return -1;
	va_start(ap, name);
	while (!ret && (args = va_arg(ap, const char *)))
		ret = sh("cd '%s' && '%s' %s >/dev/null", scratch_dir, mk, args) ? -1 : 0;
	va_end(ap);
	return ret;
}

/* The group teardown: the scratch directory and all in it go. */
static inline int scratch_teardown(void **state)
{
	(void)state;
	sh("rm -rf '%s'", scratch_dir);
	return 0;
}

#endif
