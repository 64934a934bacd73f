/* SPDX-License-Identifier: MIT */
/*
 * plistcheck.h - a structural check of an untrusted property list before
 * libplist parses it.
 *
 * libplist 2.2 (Debian 12) parses and frees nested arrays and dictionaries
 * by recursion, so a plist nested a few hundred thousand levels deep
 * overflows the stack (measured: 10^6 nested <array> in XML, 2*10^5 in a
 * binary plist both crash it).  Its binary parser also copies an object
 * for every reference to it, so a small binary plist whose objects share
 * children expands exponentially.  This check walks the structure without
 * recursion and refuses what would hurt libplist: too deep, too many nodes
 * once expanded, a reference cycle, an offset or reference out of bounds,
 * and a string or key holding a NUL character (libplist keeps it, then its
 * getters abort on an assert: found by fuzzing, tests/fuzz/regress/names).
 */
#ifndef APFS_PLISTCHECK_H
#define APFS_PLISTCHECK_H

#include <stddef.h>

/*
 * 0 when the buffer is safe to hand to libplist's plist_from_memory():
 * nesting at most max_depth containers, at most max_nodes values once
 * expanded.  Else -EINVAL (or -ENOMEM), with the reason in why.
 * A buffer that is neither a binary plist nor XML-looking is refused.
 */
int plist_check(const void *buf, size_t len, unsigned max_depth, size_t max_nodes, char *why,
		size_t whylen);

#endif
