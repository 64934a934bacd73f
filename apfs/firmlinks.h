/* SPDX-License-Identifier: MIT */
/*
 * firmlinks.h - the firmlink list of a volume group's System volume
 * (/usr/share/firmlinks, docs macos-boot.md §3): one firmlink per line,
 * "<absolute path on System>" TAB "<path relative to the Data volume's
 * root>", LF-terminated, UTF-8.  The file comes from the image, so it is
 * read with caps on its size, its line length and its entry count, and
 * every line that breaks a rule is warned about (with its line number) and
 * skipped: the rest still apply.
 */
#ifndef APFS_FIRMLINKS_H
#define APFS_FIRMLINKS_H

#include <stdbool.h>
#include <stddef.h>

/* macOS 10.15-12 ship 18 entries in well under 1 KiB: these leave wide room. */
#define FIRMLINKS_MAX_BYTES (64u << 10)
#define FIRMLINKS_MAX_LINE 1024u
#define FIRMLINKS_MAX_COUNT 256u

/* Where the Data volume's root appears in the Mac's tree. */
#define FIRMLINKS_DATA_MOUNT "/System/Volumes/Data"

struct apfs_firmlink {
	char *sys;       /* absolute, normalised: "/Users" */
	char *data;      /* relative to the Data root: "Users" */
	unsigned line;   /* 1-based line in the file, for messages */
};

/**
 * apfs_firmlinks_parse - the valid entries of a firmlinks file
 * @buf/@len: the file's bytes (len at most FIRMLINKS_MAX_BYTES)
 * @out:      malloc'd array (apfs_firmlinks_free), NULL when none is valid
 * @n:        its length
 *
 * Skipped with a warning: a line longer than FIRMLINKS_MAX_LINE, without
 * exactly one TAB, with a control byte; a System path that is not absolute,
 * is "/" itself, or lies in /System/Volumes/Data; a target that is absolute
 * or empty; "." / ".." / empty components on either side; a System path
 * equal to, inside or around an earlier entry's (a firmlink inside a
 * firmlinked directory would be hidden by it, and nested ones would give a
 * directory two places); the same for targets; entries past
 * FIRMLINKS_MAX_COUNT.  Empty lines are skipped silently.  The first of two
 * conflicting entries wins.
 * Returns 0, -EFBIG for a buffer beyond the cap, -ENOMEM.
 */
int apfs_firmlinks_parse(const char *buf, size_t len, struct apfs_firmlink **out, size_t *n);
void apfs_firmlinks_free(struct apfs_firmlink *fl, size_t n);

#endif
