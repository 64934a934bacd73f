/* SPDX-License-Identifier: MIT */
/*
 * version.c - the release number (the Makefile's VERSION) and the commit
 * built, in one object that the Makefile rebuilds whenever the commit
 * changes (so --version and the audit log never name a stale commit).
 */
#include "audit.h"

const char cli_version[] = APFSINSPECT_VERSION;
const char cli_commit[] = APFSINSPECT_COMMIT;
