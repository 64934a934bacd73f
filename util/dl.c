/* SPDX-License-Identifier: MIT */
/* dl.c - shared libraries loaded on first use (see dl.h for why). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "util/dl.h"
#include "util/err.h"

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

/* Every symbol of lib from h into its table: 0, or -ELIBACC and why. */
static int dl_fill(struct dl_lib *lib, void *h, char *why, size_t len)
{
	for (size_t i = 0; i < lib->nsyms; i++) {
		const struct dl_sym *s = &lib->syms[i];
		void *p = s->version ? dlvsym(h, s->name, s->version) : dlsym(h, s->name);

		if (!p) {
			snprintf(why, len, "it has no function %s%s%s (another version?)", s->name,
				 s->version ? "@" : "", s->version ? s->version : "");
			return -ELIBACC;
		}
		*(void **)((char *)lib->table + s->off) = p;
	}
	return 0;
}

static int dl_open(struct dl_lib *lib, char *why, size_t len)
{
	/* RTLD_LOCAL: its symbols (and libbfio's) stay out of the global namespace. */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	int ret;

	if (!h) {
		const char *e = dlerror();

		snprintf(why, len, "%s", e ? e : "dlopen failed");
		return -ELIBACC;
	}
	ret = dl_fill(lib, h, why, len);
	if (ret)
		dlclose(h);
	else
		lib->loaded = 1;
	return ret;
}

/* Load lib: 0, or -ELIBACC and in why what failed. */
static int dl_get(struct dl_lib *lib, char *why, size_t len)
{
	int ret = 0;

	pthread_mutex_lock(&dl_lock);
	if (!lib->loaded)
		ret = dl_open(lib, why, len);
	pthread_mutex_unlock(&dl_lock);
	return ret;
}

int dl_load(struct dl_lib *lib, const char *what)
{
	char why[512];
	int ret = dl_get(lib, why, sizeof(why));

	if (ret)
		apfs_err("%s needs %s (%s, Debian package %s), which cannot be loaded: %s", what,
			 lib->name, lib->soname, lib->package, why);
	return ret;
}

int dl_try(struct dl_lib *lib, char *why, size_t len)
{
	char e[512];
	int ret = dl_get(lib, e, sizeof(e));

	if (ret)
		snprintf(why, len, "%s (%s, Debian package %s) cannot be loaded: %s", lib->name,
			 lib->soname, lib->package, e);
	return ret;
}
