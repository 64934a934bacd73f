/* SPDX-License-Identifier: MIT */
/* plist_dl.c - libplist's table of pointers (see plist_dl.h). */
#include <stdio.h>

#define PLIST_DL_NO_MACROS
#include "util/plist_dl.h"

struct plist_dl plist_dl;

#define PLIST_SYM(f) { #f, offsetof(struct plist_dl, f), NULL },

static const struct dl_sym plist_syms[] = { PLIST_DL_SYMS(PLIST_SYM) };

/* Debian 12's libplist3 (2.2), whose header we build with. */
static struct dl_lib libplist = { "libplist", "libplist-2.0.so.3", "libplist3", plist_syms,
				  sizeof(plist_syms) / sizeof(plist_syms[0]), &plist_dl, 0 };

int plist_dl_load(const char *path, const char *what)
{
	char w[4096 + 128];

	if (!path)
		return dl_load(&libplist, what);
	snprintf(w, sizeof(w), "'%s': %s", path, what);
	return dl_load(&libplist, w);
}

int plist_dl_try(char *why, size_t len)
{
	return dl_try(&libplist, why, len);
}
