/* SPDX-License-Identifier: MIT */
/* archive_dl.c - libarchive loaded on first use (see archive_dl.h for why). */
#include <stddef.h>

#define ARCHIVE_DL_NO_MACROS
#include "util/dl.h"
#include "archive_dl.h"

#define LIBARCHIVE_SONAME "libarchive.so.13" /* Debian 12's libarchive13 */

struct archive_dl archive_dl;

static const struct dl_sym syms[] = {
	{ "archive_entry_copy_hardlink", offsetof(struct archive_dl, archive_entry_copy_hardlink), NULL },
	{ "archive_entry_copy_pathname", offsetof(struct archive_dl, archive_entry_copy_pathname), NULL },
	{ "archive_entry_copy_symlink", offsetof(struct archive_dl, archive_entry_copy_symlink), NULL },
	{ "archive_entry_free", offsetof(struct archive_dl, archive_entry_free), NULL },
	{ "archive_entry_new", offsetof(struct archive_dl, archive_entry_new), NULL },
	{ "archive_entry_set_atime", offsetof(struct archive_dl, archive_entry_set_atime), NULL },
	{ "archive_entry_set_birthtime", offsetof(struct archive_dl, archive_entry_set_birthtime), NULL },
	{ "archive_entry_set_ctime", offsetof(struct archive_dl, archive_entry_set_ctime), NULL },
	{ "archive_entry_set_gid", offsetof(struct archive_dl, archive_entry_set_gid), NULL },
	{ "archive_entry_set_mode", offsetof(struct archive_dl, archive_entry_set_mode), NULL },
	{ "archive_entry_set_mtime", offsetof(struct archive_dl, archive_entry_set_mtime), NULL },
	{ "archive_entry_set_size", offsetof(struct archive_dl, archive_entry_set_size), NULL },
	{ "archive_entry_set_uid", offsetof(struct archive_dl, archive_entry_set_uid), NULL },
	{ "archive_entry_sparse_add_entry", offsetof(struct archive_dl, archive_entry_sparse_add_entry), NULL },
	{ "archive_entry_update_hardlink_utf8", offsetof(struct archive_dl, archive_entry_update_hardlink_utf8), NULL },
	{ "archive_entry_update_pathname_utf8", offsetof(struct archive_dl, archive_entry_update_pathname_utf8), NULL },
	{ "archive_entry_update_symlink_utf8", offsetof(struct archive_dl, archive_entry_update_symlink_utf8), NULL },
	{ "archive_entry_xattr_add_entry", offsetof(struct archive_dl, archive_entry_xattr_add_entry), NULL },
	{ "archive_errno", offsetof(struct archive_dl, archive_errno), NULL },
	{ "archive_error_string", offsetof(struct archive_dl, archive_error_string), NULL },
	{ "archive_write_close", offsetof(struct archive_dl, archive_write_close), NULL },
	{ "archive_write_data", offsetof(struct archive_dl, archive_write_data), NULL },
	{ "archive_write_finish_entry", offsetof(struct archive_dl, archive_write_finish_entry), NULL },
	{ "archive_write_free", offsetof(struct archive_dl, archive_write_free), NULL },
	{ "archive_write_header", offsetof(struct archive_dl, archive_write_header), NULL },
	{ "archive_write_new", offsetof(struct archive_dl, archive_write_new), NULL },
	{ "archive_write_open_fd", offsetof(struct archive_dl, archive_write_open_fd), NULL },
	{ "archive_write_set_format_pax", offsetof(struct archive_dl, archive_write_set_format_pax), NULL },
	{ "archive_write_set_options", offsetof(struct archive_dl, archive_write_set_options), NULL },
};

static struct dl_lib libarchive = { "libarchive", LIBARCHIVE_SONAME, "libarchive13", syms,
				    sizeof(syms) / sizeof(syms[0]), &archive_dl, 0 };

int archive_dl_load(void)
{
	return dl_load(&libarchive, "extract --tar") ? -1 : 0;
}
