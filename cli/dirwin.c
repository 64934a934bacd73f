/* SPDX-License-Identifier: MIT */
/*
 * dirwin.c - a directory's entries a window at a time, in inode order
 * (dirwin.h): names packed one after another, 16 bytes of index each.
 */
#include <stdlib.h>
#include <string.h>

#include "dirwin.h"

size_t dirwin_bytes(const struct dirwin *w)
{
	return w->cap * sizeof(*w->e) + w->room;
}

/* Room for one more entry of a name of len bytes (NUL included); 1: over budget. */
static int make_room(struct dirwin *w, size_t len)
{
	size_t cap = w->cap, room = w->room;

	while (cap <= w->n)
		cap = cap ? cap + cap / 2 : 256;
	while (room < w->used + len)
		room = room ? room + room / 2 : 4096;
	if ((cap != w->cap || room != w->room) && w->n &&
	    cap * sizeof(*w->e) + room > w->budget)
		return 1;
	if (cap != w->cap) {
		struct dirwin_ent *e = realloc(w->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		w->e = e;
		w->cap = cap;
	}
	if (room != w->room) {
		char *p = realloc(w->names, room);

		if (!p)
			return -ENOMEM;
		w->names = p;
		w->room = room;
	}
	return 0;
}

/* readdir callback: one entry in, or 1 (the entry is the next window's first). */
static int add(const struct apfs_dirent *d, void *ctx)
{
	struct dirwin *w = ctx;
	size_t len = strnlen(d->name, APFS_NAME_MAX - 1) + 1;
	size_t pre = w->keep_added ? sizeof(d->date_added) : 0;
	int ret = make_room(w, pre + len);

	if (ret) {
		w->full = ret > 0;
		return ret;
	}
	memcpy(w->names + w->used, &d->date_added, pre);
	w->used += pre;
	memcpy(w->names + w->used, d->name, len - 1);
	w->names[w->used + len - 1] = '\0';
	w->e[w->n++] = (struct dirwin_ent){ d->ino, (uint32_t)w->used, d->type };
	w->used += len;
	return 0;
}

static int by_ino(const void *a, const void *b)
{
	const struct dirwin_ent *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

int dirwin_read(struct apfs_fs *fs, uint64_t dir, struct apfs_dir_pos *pos, size_t budget,
		struct dirwin *w)
{
	int ret;

	w->n = 0;
	w->used = 0;
	w->full = 0;
	w->budget = budget < DIRWIN_MIN ? DIRWIN_MIN : budget;
	ret = apfs_fs_readdir_from(fs, dir, pos, add, w);
	if (ret > 0)
		ret = 0;
	if (!ret && w->n)
		qsort(w->e, w->n, sizeof(*w->e), by_ino);
	return ret;
}

void dirwin_free(struct dirwin *w)
{
	free(w->e);
	free(w->names);
	*w = (struct dirwin){ 0 };
}
