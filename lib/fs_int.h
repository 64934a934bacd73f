/* SPDX-License-Identifier: MIT */
/*
 * fs_int.h - what the file-system files of lib/ (fs.c, dir.c, file.c,
 * readall.c, xattr.c, snapshots.c) share beside internal.h.
 */
#ifndef LIB_FS_INT_H
#define LIB_FS_INT_H

#include "internal.h"

/*
 * A snapshot of vol by name or xid (snapshots.c): APFSI_OK, or NOT_FOUND
 * (INCOMPLETE where the tree lacks some the volume counts), with the message.
 */
int apfsi_snapshot_xid(struct apfsi_volume *vol, const char *sel, uint64_t *xid);

/* The public form of a stat (fs.c); added as the caller knows it (0: unknown). */
void apfsi_stat_from(const struct apfs_stat *in, struct apfsi_stat *out);
/* The type of a DT_* directory-record type. */
enum apfsi_file_type apfsi_type_of_dt(unsigned dt);

/* The Data volume of System volume sys's group (same container), or NULL (fs.c). */
struct apfsi_volume *apfsi_group_data(struct apfsi_volume *sys);

/*
 * The file-system handle was given: else the message and INVALID.  Inline,
 * so that file.c and xattr.c need nothing of fs.c (which closes readall.c's
 * reader, which reads through file.c).
 */
static inline int apfsi_fs_check(const struct apfsi_fs *fs, const char *fn)
{
	return fs ? APFSI_OK : apfsi_fail(APFSI_ERR_INVALID, "%s: no file system given", fn);
}

#endif
