/* SPDX-License-Identifier: MIT */
/*
 * dir_byino.c - READDIR and READDIRPLUS of a directory of tens of
 * thousands of names and more, read in inode order from its children's
 * inode records (apfsi_dir with APFSI_DIR_INODE_ORDER).
 *
 * Why: dirplus.c's windows of 16,384 names in hash order read the leaves
 * of their inodes once a window, so `find -ls` over one directory of a
 * million files read each leaf about twenty times.  In inode order each is
 * read once.  The library vouches for that order only where the children's
 * inode records name exactly the directory's entries; elsewhere the
 * directory is read as before.  The choice is made on the first read of an
 * open directory from what the image holds (its child count, then the
 * library's check), so every open of one directory makes the same choice
 * and the offsets the kernel keeps (cache_readdir) mean the same to each:
 * an entry's cookie + 2, cookies of this order being none readdir gives.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "afuse.h"

/* Two READDIRPLUS windows (dirplus.c): below that, windows cost no more. */
#define BYINO_MIN_CHILDREN 32768u

/*
 * Any failure leaves the directory to the windows (they report damage in
 * the directory's records as readdir always did); a cookie of one order is
 * refused by the other (EINVAL), never read as one of its own.
 */
void afuse_byino_open(struct afuse *af, uint64_t dir, uint64_t nchildren, apfsi_dir **out)
{
	*out = NULL;
	if (nchildren >= BYINO_MIN_CHILDREN && af->rdplus != AFUSE_RDPLUS_NO &&
	    apfsi_dir_open(af->fs, dir, APFSI_DIR_INODE_ORDER | APFSI_DIR_STAT, out) != APFSI_OK)
		*out = NULL;
}

/* One entry into db (1: it does not fit). */
static int add(struct afuse *af, const struct apfsi_dirent *e, struct afuse_dirbuf *db)
{
	struct stat st;
	bool attrs = db->plus && e->st && afuse_plus_attrs(e->stat_error, e->st->mode, e->ino);

	if (attrs)
		afuse_fill_stat(af, e->st, &st);
	return afuse_dirbuf_entry(db, e->name, e->cookie, e->ino, afuse_type_mode(e->type),
				  attrs ? &st : NULL);
}

/*
 * From the kernel's offset on, whatever the iterator last handed out: when
 * a buffer fills, the entry that did not fit is taken from the iterator,
 * and the next call, from the last offset that went out, seeks back to it
 * (within the batch in hand: no read).
 */
int afuse_byino_fill(struct afuse *af, apfsi_dir *it, uint64_t cookie, struct afuse_dirbuf *db)
{
	const struct apfsi_dirent *e;
	int ret = apfsi_dir_seek(it, cookie);

	while (!ret && !(ret = apfsi_dir_next(it, &e)) && e) {
		if (e->cookie > INT64_MAX - AFUSE_DOT_ENTRIES)
			return EIO;
		if (!afuse_bad_name(e->name) && add(af, e, db))
			break;  /* the buffer is full */
	}
	return ret ? afuse_errno(ret) : 0;
}
