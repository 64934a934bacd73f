/* SPDX-License-Identifier: MIT */
/* archive_dl.c - libarchive loaded on first use (see archive_dl.h for why). */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#define ARCHIVE_DL_NO_MACROS
#include "archive_dl.h"

#define LIBARCHIVE_SONAME "libarchive.so.13" /* Debian 12's libarchive13 */

struct archive_dl archive_dl;

static const struct {
	const char *name;
	size_t off;
} syms[] = {
	{ "archive_entry_copy_hardlink", offsetof(struct archive_dl, archive_entry_copy_hardlink) },
	{ "archive_entry_copy_pathname", offsetof(struct archive_dl, archive_entry_copy_pathname) },
	{ "archive_entry_copy_symlink", offsetof(struct archive_dl, archive_entry_copy_symlink) },
	{ "archive_entry_free", offsetof(struct archive_dl, archive_entry_free) },
	{ "archive_entry_new", offsetof(struct archive_dl, archive_entry_new) },
	{ "archive_entry_set_atime", offsetof(struct archive_dl, archive_entry_set_atime) },
	{ "archive_entry_set_birthtime", offsetof(struct archive_dl, archive_entry_set_birthtime) },
	{ "archive_entry_set_ctime", offsetof(struct archive_dl, archive_entry_set_ctime) },
	{ "archive_entry_set_gid", offsetof(struct archive_dl, archive_entry_set_gid) },
	{ "archive_entry_set_mode", offsetof(struct archive_dl, archive_entry_set_mode) },
	{ "archive_entry_set_mtime", offsetof(struct archive_dl, archive_entry_set_mtime) },
	{ "archive_entry_set_size", offsetof(struct archive_dl, archive_entry_set_size) },
	{ "archive_entry_set_uid", offsetof(struct archive_dl, archive_entry_set_uid) },
	{ "archive_entry_sparse_add_entry", offsetof(struct archive_dl, archive_entry_sparse_add_entry) },
	{ "archive_entry_update_hardlink_utf8", offsetof(struct archive_dl, archive_entry_update_hardlink_utf8) },
	{ "archive_entry_update_pathname_utf8", offsetof(struct archive_dl, archive_entry_update_pathname_utf8) },
	{ "archive_entry_update_symlink_utf8", offsetof(struct archive_dl, archive_entry_update_symlink_utf8) },
	{ "archive_entry_xattr_add_entry", offsetof(struct archive_dl, archive_entry_xattr_add_entry) },
	{ "archive_errno", offsetof(struct archive_dl, archive_errno) },
	{ "archive_error_string", offsetof(struct archive_dl, archive_error_string) },
	{ "archive_write_close", offsetof(struct archive_dl, archive_write_close) },
	{ "archive_write_data", offsetof(struct archive_dl, archive_write_data) },
	{ "archive_write_finish_entry", offsetof(struct archive_dl, archive_write_finish_entry) },
	{ "archive_write_free", offsetof(struct archive_dl, archive_write_free) },
	{ "archive_write_header", offsetof(struct archive_dl, archive_write_header) },
	{ "archive_write_new", offsetof(struct archive_dl, archive_write_new) },
	{ "archive_write_open_fd", offsetof(struct archive_dl, archive_write_open_fd) },
	{ "archive_write_set_format_pax", offsetof(struct archive_dl, archive_write_set_format_pax) },
	{ "archive_write_set_options", offsetof(struct archive_dl, archive_write_set_options) },
};

static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "apfsinspect: libarchive (%s) cannot be loaded: %s\n",
			LIBARCHIVE_SONAME, dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);

		if (!p) {
			fprintf(stderr, "apfsinspect: libarchive (%s) lacks %s\n", LIBARCHIVE_SONAME,
				syms[i].name);
			return;
		}
		*(void **)((char *)&archive_dl + syms[i].off) = p;
	}
	loaded = 1;
}

int archive_dl_load(void)
{
	pthread_once(&once, load);
	return loaded ? 0 : -1;
}
