/* SPDX-License-Identifier: MIT */
/*
 * uuid.c - UUIDs as text: diskutil's upper-case 8-4-4-4-12 form, and its
 * parse (with or without dashes, any case).  Shared by the layers and the
 * commands that are clients of the public API (which has no UUID text).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "uuid.h"

void apfs_uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		 u[12], u[13], u[14], u[15]);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Accepts 8-4-4-4-12 with or without dashes, any case. */
int apfs_uuid_parse(const char *s, uint8_t u[16])
{
	int n = 0;

	for (; *s && n < 32; s++) {
		int v;

		if (*s == '-')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -EINVAL;
		if (n % 2 == 0)
			u[n / 2] = (uint8_t)(v << 4);
		else
			u[n / 2] |= (uint8_t)v;
		n++;
	}
	return n == 32 && *s == '\0' ? 0 : -EINVAL;
}
