/* SPDX-License-Identifier: MIT */
/*
 * pathjoin.h - dir "/" name as a new string, for the walks that build a
 * path an entry at a time (bodyfile, timeline, extract, mkimage from-dir).
 * By hand: asprintf("%s/%s") was a twelfth of a walk's instructions, once
 * an entry.
 */
#ifndef APFS_PATHJOIN_H
#define APFS_PATHJOIN_H

/* malloc'ed, the caller frees it; NULL when there is no memory. */
char *apfs_path_join(const char *dir, const char *name);

#endif
