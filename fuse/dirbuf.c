/* SPDX-License-Identifier: MIT */
/*
 * dirbuf.c - a READDIR or READDIRPLUS reply, filled an entry at a time
 * until the kernel's buffer is full, by ll_dir.c ("." and "..") and by the
 * two ways a directory is read (dirplus.c, dir_byino.c).
 */
#include <stdint.h>
#include <string.h>

#include "afuse.h"

int afuse_dirbuf_add(struct afuse_dirbuf *db, const char *name, const struct stat *st,
		     const struct fuse_entry_param *e, off_t next)
{
	size_t room = db->size - db->used, n;

	if (db->plus) {
		/* node id 0: the kernel takes the name and type, and LOOKUPs it when asked */
		struct fuse_entry_param none = { .ino = 0 };

		if (!e) {
			none.attr = *st;
			e = &none;
		}
		n = fuse_add_direntry_plus(db->req, db->buf + db->used, room, name, e, next);
	} else {
		n = fuse_add_direntry(db->req, db->buf + db->used, room, name, st, next);
	}
	if (n > room)
		return 1;
	db->used += n;
	return 0;
}

int afuse_dirbuf_entry(struct afuse_dirbuf *db, const char *name, uint64_t cookie, uint64_t ino,
		       mode_t type, const struct stat *attrs)
{
	struct fuse_entry_param ep;
	struct stat st;

	if (attrs) {
		afuse_fill_entry(afuse_ino_to_fuse(afuse_get(db->req), ino), attrs, &ep);
		return afuse_dirbuf_add(db, name, attrs, &ep, (off_t)(cookie + AFUSE_DOT_ENTRIES));
	}
	memset(&st, 0, sizeof(st));
	st.st_ino = ino;
	st.st_mode = type;
	return afuse_dirbuf_add(db, name, &st, NULL, (off_t)(cookie + AFUSE_DOT_ENTRIES));
}
