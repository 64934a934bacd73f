/* SPDX-License-Identifier: MIT */
/*
 * archive_dl.h - libarchive, loaded when `extract --tar` first needs it.
 *
 * Linked in, libarchive brings libxml2, ICU and libstdc++ into every
 * command's process: about 3 MB more resident memory for `list` or `ls`,
 * which never write an archive (the memory goals of issue 14: list <= 8 MB,
 * bodyfile <= 16 MB).  So extract_tar.c calls the functions below through
 * pointers filled by dlopen() of the library's SONAME; archive.h still gives
 * their types.  Include this after <archive.h> and <archive_entry.h>.
 */
#ifndef CLI_ARCHIVE_DL_H
#define CLI_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

struct archive_dl {
	__typeof__(archive_entry_copy_hardlink) *archive_entry_copy_hardlink;
	__typeof__(archive_entry_copy_pathname) *archive_entry_copy_pathname;
	__typeof__(archive_entry_copy_symlink) *archive_entry_copy_symlink;
	__typeof__(archive_entry_free) *archive_entry_free;
	__typeof__(archive_entry_new) *archive_entry_new;
	__typeof__(archive_entry_set_atime) *archive_entry_set_atime;
	__typeof__(archive_entry_set_birthtime) *archive_entry_set_birthtime;
	__typeof__(archive_entry_set_ctime) *archive_entry_set_ctime;
	__typeof__(archive_entry_set_gid) *archive_entry_set_gid;
	__typeof__(archive_entry_set_mode) *archive_entry_set_mode;
	__typeof__(archive_entry_set_mtime) *archive_entry_set_mtime;
	__typeof__(archive_entry_set_size) *archive_entry_set_size;
	__typeof__(archive_entry_set_uid) *archive_entry_set_uid;
	__typeof__(archive_entry_sparse_add_entry) *archive_entry_sparse_add_entry;
	__typeof__(archive_entry_update_hardlink_utf8) *archive_entry_update_hardlink_utf8;
	__typeof__(archive_entry_update_pathname_utf8) *archive_entry_update_pathname_utf8;
	__typeof__(archive_entry_update_symlink_utf8) *archive_entry_update_symlink_utf8;
	__typeof__(archive_entry_xattr_add_entry) *archive_entry_xattr_add_entry;
	__typeof__(archive_errno) *archive_errno;
	__typeof__(archive_error_string) *archive_error_string;
	__typeof__(archive_write_close) *archive_write_close;
	__typeof__(archive_write_data) *archive_write_data;
	__typeof__(archive_write_finish_entry) *archive_write_finish_entry;
	__typeof__(archive_write_free) *archive_write_free;
	__typeof__(archive_write_header) *archive_write_header;
	__typeof__(archive_write_new) *archive_write_new;
	__typeof__(archive_write_open_fd) *archive_write_open_fd;
	__typeof__(archive_write_set_format_pax) *archive_write_set_format_pax;
	__typeof__(archive_write_set_options) *archive_write_set_options;
};

extern struct archive_dl archive_dl;

/*
 * Load libarchive once (thread-safe, util/dl.c): 0, or -1 with the message
 * "extract --tar needs libarchive (...), which cannot be loaded: WHY".
 */
int archive_dl_load(void);

/* The library's names, called through the pointers (archive_dl.c itself needs neither). */
#ifndef ARCHIVE_DL_NO_MACROS
#define archive_entry_copy_hardlink (*archive_dl.archive_entry_copy_hardlink)
#define archive_entry_copy_pathname (*archive_dl.archive_entry_copy_pathname)
#define archive_entry_copy_symlink (*archive_dl.archive_entry_copy_symlink)
#define archive_entry_free (*archive_dl.archive_entry_free)
#define archive_entry_new (*archive_dl.archive_entry_new)
#define archive_entry_set_atime (*archive_dl.archive_entry_set_atime)
#define archive_entry_set_birthtime (*archive_dl.archive_entry_set_birthtime)
#define archive_entry_set_ctime (*archive_dl.archive_entry_set_ctime)
#define archive_entry_set_gid (*archive_dl.archive_entry_set_gid)
#define archive_entry_set_mode (*archive_dl.archive_entry_set_mode)
#define archive_entry_set_mtime (*archive_dl.archive_entry_set_mtime)
#define archive_entry_set_size (*archive_dl.archive_entry_set_size)
#define archive_entry_set_uid (*archive_dl.archive_entry_set_uid)
#define archive_entry_sparse_add_entry (*archive_dl.archive_entry_sparse_add_entry)
#define archive_entry_update_hardlink_utf8 (*archive_dl.archive_entry_update_hardlink_utf8)
#define archive_entry_update_pathname_utf8 (*archive_dl.archive_entry_update_pathname_utf8)
#define archive_entry_update_symlink_utf8 (*archive_dl.archive_entry_update_symlink_utf8)
#define archive_entry_xattr_add_entry (*archive_dl.archive_entry_xattr_add_entry)
#define archive_errno (*archive_dl.archive_errno)
#define archive_error_string (*archive_dl.archive_error_string)
#define archive_write_close (*archive_dl.archive_write_close)
#define archive_write_data (*archive_dl.archive_write_data)
#define archive_write_finish_entry (*archive_dl.archive_write_finish_entry)
#define archive_write_free (*archive_dl.archive_write_free)
#define archive_write_header (*archive_dl.archive_write_header)
#define archive_write_new (*archive_dl.archive_write_new)
#define archive_write_open_fd (*archive_dl.archive_write_open_fd)
#define archive_write_set_format_pax (*archive_dl.archive_write_set_format_pax)
#define archive_write_set_options (*archive_dl.archive_write_set_options)
#endif

#endif
