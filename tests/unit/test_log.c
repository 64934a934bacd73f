/* SPDX-License-Identifier: MIT */
/*
 * test_log.c - util/log.c's capture of a thread's errors (apfs_log_capture,
 * apfs_log_replay): every error of a chain kept in order, each ended by a
 * NUL and the list by an empty string, what does not fit dropped whole or
 * cut, never past the buffer; warnings still said at once; and
 * apfs_os_errno, which keeps an errno of the OS apart from the project's
 * own codes (a removed medium's ENOMEDIUM is not a truncated image).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/err.h"

static char said[8][128];
static int nsaid, levels[8];

static void hook(int level, const char *msg)
{
	if (nsaid < 8) {
		levels[nsaid] = level;
		snprintf(said[nsaid++], sizeof(said[0]), "%s", msg);
	}
}

static int setup(void **state)
{
	(void)state;
	nsaid = 0;
	apfs_log_set_hook(hook);
	apfs_log_set_level(APFS_LOG_WARN);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	apfs_log_set_hook(NULL);
	return 0;
}

static void test_capture_chain(void **state)
{
	char buf[64];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	apfs_log_capture(buf, sizeof(buf));
	apfs_err("image: chunk %d fails", 7);
	apfs_warn("a warning goes out at once");
	apfs_err("container: block %d", 1049);
	apfs_log_capture(NULL, 0);
	assert_int_equal(nsaid, 1);
	assert_int_equal(levels[0], APFS_LOG_WARN);
	assert_memory_equal(buf, "image: chunk 7 fails\0container: block 1049\0\0", 44);
	apfs_log_replay(buf);
	assert_int_equal(nsaid, 3);
	assert_string_equal(said[1], "image: chunk 7 fails");
	assert_string_equal(said[2], "container: block 1049");
	assert_int_equal(levels[2], APFS_LOG_ERR);
	apfs_err("not captured any more");
	assert_int_equal(nsaid, 4);
}

/* 16 bytes: the first line cut to 14 characters, then the list's end; the next one dropped. */
static void test_capture_full(void **state)
{
	char buf[20];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	apfs_log_capture(buf, 16);
	apfs_err("0123456789abcdefghij");
	apfs_err("dropped");
	apfs_log_capture(NULL, 0);
	assert_memory_equal(buf, "0123456789abcd\0\0xxxx", 20);
	apfs_log_replay(buf);
	assert_int_equal(nsaid, 1);
	assert_string_equal(said[0], "0123456789abcd");
}

/* Too small for a line and the list's end: nothing kept, nothing written past it. */
static void test_capture_tiny(void **state)
{
	char buf[4] = "xxx";

	(void)state;
	apfs_log_capture(buf, 2);
	apfs_err("lost");
	apfs_log_capture(NULL, 0);
	assert_memory_equal(buf, "\0xx", 4);
	apfs_log_replay(buf);
	assert_int_equal(nsaid, 0);
}

static void test_os_errno(void **state)
{
	(void)state;
	assert_int_equal(apfs_os_errno(ENOMEDIUM), EIO);  /* APFS_ETRUNC */
	assert_int_equal(apfs_os_errno(EUCLEAN), EIO);    /* APFS_ECORRUPT */
	assert_int_equal(apfs_os_errno(EBADMSG), EIO);
	assert_int_equal(apfs_os_errno(ENOENT), ENOENT);
	assert_int_equal(apfs_os_errno(EACCES), EACCES);
	assert_int_equal(apfs_os_errno(ENODATA), ENODATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capture_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_tiny, setup, teardown),
		cmocka_unit_test(test_os_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
