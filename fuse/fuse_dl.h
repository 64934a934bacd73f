/* SPDX-License-Identifier: MIT */
/*
 * fuse_dl.h - libfuse3, loaded by `mount` only (util/dl.h says why: linked
 * in, every other command paid its loading).  The fuse/ files include this
 * instead of <fuse_lowlevel.h>; their calls stay as written and go through
 * the table's pointers.  fuse_lowlevel.h turns fuse_session_loop_mt() into
 * fuse_session_loop_mt_32() at our FUSE_USE_VERSION (35), the loop that
 * takes the 3.2 struct fuse_loop_config; it and fuse_session_new (which
 * later libfuse releases version anew) are bound at the symbol versions a
 * link against Debian 12's libfuse3 would bind.
 */
#ifndef FUSE_FUSE_DL_H
#define FUSE_FUSE_DL_H

#include <fuse_lowlevel.h>

#include "util/dl.h"

#define FUSE_DL_SYMS(X) \
	X(fuse_add_direntry, NULL) \
	X(fuse_add_direntry_plus, NULL) \
	X(fuse_daemonize, NULL) \
	X(fuse_opt_add_arg, NULL) \
	X(fuse_opt_free_args, NULL) \
	X(fuse_remove_signal_handlers, NULL) \
	X(fuse_reply_attr, NULL) \
	X(fuse_reply_buf, NULL) \
	X(fuse_reply_entry, NULL) \
	X(fuse_reply_err, NULL) \
	X(fuse_reply_none, NULL) \
	X(fuse_reply_open, NULL) \
	X(fuse_reply_readlink, NULL) \
	X(fuse_reply_statfs, NULL) \
	X(fuse_reply_xattr, NULL) \
	X(fuse_req_userdata, NULL) \
	X(fuse_session_destroy, NULL) \
	X(fuse_session_loop_mt_32, "FUSE_3.2") \
	X(fuse_session_mount, NULL) \
	X(fuse_session_new, "FUSE_3.0") \
	X(fuse_session_unmount, NULL) \
	X(fuse_set_signal_handlers, NULL)

#define FUSE_DL_PTR(f, v) DL_PTR(f)
struct fuse_dl { FUSE_DL_SYMS(FUSE_DL_PTR) };

extern struct fuse_dl fuse_dl;

/* Load libfuse3 before the first call: 0, or -ELIBACC, logged ("mount needs libfuse3 ..."). */
int fuse_dl_load(void);

#ifndef FUSE_DL_NO_MACROS
#define fuse_add_direntry (*fuse_dl.fuse_add_direntry)
#define fuse_add_direntry_plus (*fuse_dl.fuse_add_direntry_plus)
#define fuse_daemonize (*fuse_dl.fuse_daemonize)
#define fuse_opt_add_arg (*fuse_dl.fuse_opt_add_arg)
#define fuse_opt_free_args (*fuse_dl.fuse_opt_free_args)
#define fuse_remove_signal_handlers (*fuse_dl.fuse_remove_signal_handlers)
#define fuse_reply_attr (*fuse_dl.fuse_reply_attr)
#define fuse_reply_buf (*fuse_dl.fuse_reply_buf)
#define fuse_reply_entry (*fuse_dl.fuse_reply_entry)
#define fuse_reply_err (*fuse_dl.fuse_reply_err)
#define fuse_reply_none (*fuse_dl.fuse_reply_none)
#define fuse_reply_open (*fuse_dl.fuse_reply_open)
#define fuse_reply_readlink (*fuse_dl.fuse_reply_readlink)
#define fuse_reply_statfs (*fuse_dl.fuse_reply_statfs)
#define fuse_reply_xattr (*fuse_dl.fuse_reply_xattr)
#define fuse_req_userdata (*fuse_dl.fuse_req_userdata)
#define fuse_session_destroy (*fuse_dl.fuse_session_destroy)
#define fuse_session_loop_mt_32 (*fuse_dl.fuse_session_loop_mt_32)
#define fuse_session_mount (*fuse_dl.fuse_session_mount)
#define fuse_session_new (*fuse_dl.fuse_session_new)
#define fuse_session_unmount (*fuse_dl.fuse_session_unmount)
#define fuse_set_signal_handlers (*fuse_dl.fuse_set_signal_handlers)
#endif

#endif
