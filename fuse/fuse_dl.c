/* SPDX-License-Identifier: MIT */
/* fuse_dl.c - libfuse3's table of pointers (see fuse_dl.h). */
#define FUSE_DL_NO_MACROS
#include "fuse_dl.h"

struct fuse_dl fuse_dl;

#define FUSE_SYM(f, v) { #f, offsetof(struct fuse_dl, f), v },

static const struct dl_sym fuse_syms[] = { FUSE_DL_SYMS(FUSE_SYM) };

static struct dl_lib libfuse3 = { "libfuse3", "libfuse3.so.3", "libfuse3-3", fuse_syms,
				  sizeof(fuse_syms) / sizeof(fuse_syms[0]), &fuse_dl, 0 };

int fuse_dl_load(void)
{
	return dl_load(&libfuse3, "mount");
}
