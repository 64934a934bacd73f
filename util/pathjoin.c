/* SPDX-License-Identifier: MIT */
/* pathjoin.c - dir "/" name (see pathjoin.h). */
#include <stdlib.h>
#include <string.h>

#include "util/pathjoin.h"

char *apfs_path_join(const char *dir, const char *name)
{
	size_t dn = strlen(dir), nn = strlen(name);
	char *p = malloc(dn + nn + 2);

	if (p) {
		memcpy(p, dir, dn);
		p[dn] = '/';
		memcpy(p + dn + 1, name, nn + 1);
	}
	return p;
}
