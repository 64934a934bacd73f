/* SPDX-License-Identifier: MIT */
/* version.c - the release of the library actually loaded (the Makefile's VERSION). */
#include "internal.h"

#ifndef APFSINSPECT_VERSION
#define APFSINSPECT_VERSION "unknown"
#endif

const char *apfsi_version(void)
{
	return APFSINSPECT_VERSION;
}
