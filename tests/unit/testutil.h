/* testutil.h - helpers shared by the cmocka unit tests (include after cmocka.h). */
#ifndef TEST_TESTUTIL_H
#define TEST_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>

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

#endif
