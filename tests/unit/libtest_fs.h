/*
 * libtest_fs.h - one volume's file system opened for a test of the public
 * API (libtest.h's scratch images), asserting every step: what
 * test_byino, test_libfsapi, test_libfsview and test_lookup_at each wrote.
 */
#ifndef TEST_LIBTEST_FS_H
#define TEST_LIBTEST_FS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apfsinspect.h"

#include "libtest.h"

/* The file system of volume sel (NULL: the only or first) of scratch image img, live. */
static inline void open_fs(const char *img, const char *sel, unsigned flags, apfsi_image **im,
			   apfsi_fs **fs)
{
	apfsi_volume *vol;

	assert_int_equal(apfsi_image_open(img_path(img), NULL, im), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(*im, sel, &vol), APFSI_OK);
	assert_int_equal(apfsi_fs_open(vol, NULL, flags, fs), APFSI_OK);
}

static inline void close_fs(apfsi_image *im, apfsi_fs *fs)
{
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

#endif
