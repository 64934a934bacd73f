/* SPDX-License-Identifier: MIT */
/* dl.c - shared libraries loaded on first use (see dl.h for why). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "util/dl.h"
#include "util/err.h"

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

static int dl_fail(const struct dl_lib *lib, const char *what, const char *why)
{
	apfs_err("%s needs %s (%s, Debian package %s), which cannot be loaded: %s", what,
		 lib->name, lib->soname, lib->package, why);
	return -ELIBACC;
}

/* Every symbol of lib from h into its table: 0, or the failure, logged. */
static int dl_fill(struct dl_lib *lib, void *h, const char *what)
{
	for (size_t i = 0; i < lib->nsyms; i++) {
		const struct dl_sym *s = &lib->syms[i];
		void *p = s->version ? dlvsym(h, s->name, s->version) : dlsym(h, s->name);
		char why[160];

		if (!p) {
			snprintf(why, sizeof(why), "it has no function %s%s%s (another version?)",
				 s->name, s->version ? "@" : "", s->version ? s->version : "");
			return dl_fail(lib, what, why);
		}
		*(void **)((char *)lib->table + s->off) = p;
	}
	return 0;
}

static int dl_open(struct dl_lib *lib, const char *what)
{
	/* RTLD_LOCAL: its symbols (and libbfio's) stay out of the global namespace. */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	int ret;

	if (!h) {
		const char *e = dlerror();

		return dl_fail(lib, what, e ? e : "dlopen failed");
	}
	ret = dl_fill(lib, h, what);
	if (ret)
		dlclose(h);
	else
		lib->loaded = 1;
	return ret;
}

int dl_load(struct dl_lib *lib, const char *what)
{
	int ret = 0;

	pthread_mutex_lock(&dl_lock);
	if (!lib->loaded)
		ret = dl_open(lib, what);
	pthread_mutex_unlock(&dl_lock);
	return ret;
}
