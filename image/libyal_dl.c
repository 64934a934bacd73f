/* SPDX-License-Identifier: MIT */
/* libyal_dl.c - the libyal libraries' tables of pointers (see libyal_dl.h). */
#include <stdio.h>

#define LIBYAL_DL_NO_MACROS
#include "image/libyal_dl.h"

struct ewf_dl ewf_dl;
struct vmdk_dl vmdk_dl;
struct vhdi_dl vhdi_dl;
struct qcow_dl qcow_dl;

#define EWF_SYM(f) { #f, offsetof(struct ewf_dl, f), NULL },
#define VMDK_SYM(f) { #f, offsetof(struct vmdk_dl, f), NULL },
#define VHDI_SYM(f) { #f, offsetof(struct vhdi_dl, f), NULL },
#define QCOW_SYM(f) { #f, offsetof(struct qcow_dl, f), NULL },

static const struct dl_sym ewf_syms[] = { EWF_DL_SYMS(EWF_SYM) };
static const struct dl_sym vmdk_syms[] = { VMDK_DL_SYMS(VMDK_SYM) };
static const struct dl_sym vhdi_syms[] = { VHDI_DL_SYMS(VHDI_SYM) };
static const struct dl_sym qcow_syms[] = { QCOW_DL_SYMS(QCOW_SYM) };

#define NSYMS(a) (sizeof(a) / sizeof((a)[0]))

/* Debian 12's SONAMEs (libewf2, libvmdk1, libvhdi1, libqcow1), whose headers we build with. */
struct dl_lib yal_libewf = { "libewf", "libewf.so.2", "libewf2", ewf_syms, NSYMS(ewf_syms),
			     &ewf_dl, 0 };
struct dl_lib yal_libvmdk = { "libvmdk", "libvmdk.so.1", "libvmdk1", vmdk_syms,
			      NSYMS(vmdk_syms), &vmdk_dl, 0 };
struct dl_lib yal_libvhdi = { "libvhdi", "libvhdi.so.1", "libvhdi1", vhdi_syms,
			      NSYMS(vhdi_syms), &vhdi_dl, 0 };
struct dl_lib yal_libqcow = { "libqcow", "libqcow.so.1", "libqcow1", qcow_syms,
			      NSYMS(qcow_syms), &qcow_dl, 0 };

int yal_dl_load(struct dl_lib *lib, const char *path, const char *kind)
{
	char what[4096 + 64];

	snprintf(what, sizeof(what), "'%s': reading this %s image", path, kind);
	return dl_load(lib, what);
}
