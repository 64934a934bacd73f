/* SPDX-License-Identifier: MIT */
/*
 * dl.h - a shared library loaded on first use, through a table of function
 * pointers.
 *
 * Linked in, every library costs every process its loading: Debian builds
 * them BIND_NOW, so each one's relocations are all resolved and its data
 * pages touched at start, whether the command uses it or not.  libewf,
 * libvmdk, libvhdi and libqcow (with libbfio) were 7.2 M of the 10.4 M
 * instructions of `list` on a raw image and 1.4 MB of its resident memory
 * (issue 14: list within 1.2 x fsapfsinfo's CPU; list and unlockvolume in 8 MB).
 * So the formats that need one load it when an image turns out to be of
 * their kind; the library's own header still gives each pointer its type
 * (DL_PTR).
 */
#ifndef UTIL_DL_H
#define UTIL_DL_H

#include <stddef.h>

/* One member of a table of pointers: DL_PTR(libewf_handle_open) in an X-list. */
#define DL_PTR(f) __typeof__(f) *f;

struct dl_sym {
	const char *name;
	size_t off;          /* of its pointer in the table */
	const char *version; /* the symbol version the headers bind (NULL: the default) */
};

struct dl_lib {
	const char *name;      /* "libewf", for messages */
	const char *soname;    /* "libewf.so.2": the ABI the headers describe */
	const char *package;   /* Debian's package holding it, for the message */
	const struct dl_sym *syms;
	size_t nsyms;
	void *table;           /* the struct of pointers filled in */
	int loaded;            /* guarded by dl.c's lock */
};

/*
 * Load lib and fill its table, once (thread-safe; a failure is retried on
 * the next call).  0, or -ELIBACC with the message "WHAT needs LIB (SONAME,
 * Debian package PKG), which cannot be loaded: WHY", WHY saying what failed
 * (not installed, not a library, a function missing).
 */
int dl_load(struct dl_lib *lib, const char *what);

/*
 * The same, logging nothing: on failure, why holds "LIB (SONAME, Debian
 * package PKG) cannot be loaded: WHY", for a caller that goes on without it.
 */
int dl_try(struct dl_lib *lib, char *why, size_t len);

#endif
