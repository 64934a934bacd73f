/* SPDX-License-Identifier: MIT */
/*
 * fuse_dl.h - libfuse3, loaded by `mount` only (util/dl.h says why: linked
 * in, every other command paid its loading).  The fuse/ files include this
 * instead of <fuse.h>; their calls stay as written and go through the
 * table's pointers.  fuse.h turns fuse_loop_mt() into fuse_loop_mt_32() at
 * our FUSE_USE_VERSION (35); both it and fuse_new are bound at the symbol
 * versions a link against Debian 12's libfuse3 would bind.
 */
#ifndef FUSE_FUSE_DL_H
#define FUSE_FUSE_DL_H

#include <fuse.h>

#include "util/dl.h"

#define FUSE_DL_SYMS(X) \
	X(fuse_daemonize, NULL) \
	X(fuse_destroy, NULL) \
	X(fuse_get_context, NULL) \
	X(fuse_get_session, NULL) \
	X(fuse_loop_mt_32, "FUSE_3.12") \
	X(fuse_mount, NULL) \
	X(fuse_new, "FUSE_3.1") \
	X(fuse_opt_add_arg, NULL) \
	X(fuse_opt_free_args, NULL) \
	X(fuse_remove_signal_handlers, NULL) \
	X(fuse_set_signal_handlers, NULL) \
	X(fuse_unmount, NULL)

#define FUSE_DL_PTR(f, v) DL_PTR(f)
struct fuse_dl { FUSE_DL_SYMS(FUSE_DL_PTR) };

extern struct fuse_dl fuse_dl;

/* Load libfuse3 before the first call: 0, or -ELIBACC, logged ("mount needs libfuse3 ..."). */
int fuse_dl_load(void);

#ifndef FUSE_DL_NO_MACROS
#define fuse_daemonize (*fuse_dl.fuse_daemonize)
#define fuse_destroy (*fuse_dl.fuse_destroy)
#define fuse_get_context (*fuse_dl.fuse_get_context)
#define fuse_get_session (*fuse_dl.fuse_get_session)
#define fuse_loop_mt_32 (*fuse_dl.fuse_loop_mt_32)
#define fuse_mount (*fuse_dl.fuse_mount)
#define fuse_new (*fuse_dl.fuse_new)
#define fuse_opt_add_arg (*fuse_dl.fuse_opt_add_arg)
#define fuse_opt_free_args (*fuse_dl.fuse_opt_free_args)
#define fuse_remove_signal_handlers (*fuse_dl.fuse_remove_signal_handlers)
#define fuse_set_signal_handlers (*fuse_dl.fuse_set_signal_handlers)
#define fuse_unmount (*fuse_dl.fuse_unmount)
#endif

#endif
