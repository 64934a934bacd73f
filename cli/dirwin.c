/* SPDX-License-Identifier: MIT */
/*
 * dirwin.c - a directory's entries a window at a time, in inode order
 * (dirwin.h): names packed one after another, 12 bytes of index each; what
 * the arrays take is lent from the block cache (apfsi_fs_cache_lend).
 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "api_fs.h"
#include "dirwin.h"
#include "util/err.h"

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
	/* Lent before it is taken: the cache gives its pages back first. */
	if (cap * sizeof(*w->e) + room > w->lent) {
		apfsi_fs_cache_lend(w->fs, cap * sizeof(*w->e) + room - w->lent);
		w->lent = cap * sizeof(*w->e) + room;
	}
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
static int add(const struct apfsi_dirent *d, void *ctx)
{
	struct dirwin *w = ctx;
	size_t len = strnlen(d->name, DIRWIN_NAME_MAX - 1) + 1;
	uint64_t added = (uint64_t)d->date_added;
	size_t pre = w->keep_added ? sizeof(added) : 0;
	int ret = make_room(w, pre + len);

	if (ret) {
		w->full = ret > 0;
		return ret;
	}
	memcpy(w->names + w->used, &added, pre);
	w->used += pre;
	memcpy(w->names + w->used, d->name, len - 1);
	w->names[w->used + len - 1] = '\0';
	w->e[w->n++] = (struct dirwin_ent){ d->ino, (uint32_t)w->used, (uint32_t)d->type & 0xf };
	w->used += len;
	w->cookie = d->cookie;
	return 0;
}

int dirwin_read(apfsi_fs *fs, uint64_t dir, struct dirwin_pos *pos, size_t budget,
		struct dirwin *w)
{
	int ret;

	w->n = 0;
	w->used = 0;
	w->full = 0;
	w->fs = fs;
	w->budget = budget < DIRWIN_MIN ? DIRWIN_MIN : budget > DIRWIN_MAX ? DIRWIN_MAX : budget;
	w->cookie = pos->cookie;
	ret = apfsi_fs_readdir(fs, dir, pos->cookie, add, w);
	pos->cookie = w->cookie;
	if (ret > 0 && w->full)
		ret = 0;  /* add's stop: the window is full */
	else
		ret = cli_api_errno(ret);
	if (ret == -APFS_EINCOMPLETE) {  /* the end; every entry that could be read given */
		pos->incomplete = true;
		ret = 0;
	}
	if (!ret && w->n)
		dirwin_sort(w->e, w->n);
	return ret;
}

void dirwin_free(struct dirwin *w)
{
	bool grew, keep_added = w->keep_added;

	free(w->e);
	free(w->names);
	grew = apfsi_fs_cache_repay(w->fs, w->lent);
	/*
	 * Windows under malloc's mmap threshold are freed into the heap, which
	 * keeps their pages while anything above them lives: when the cache
	 * takes its pages back, the heap gives back its free ones first, or the
	 * two add up (100 nested windows of 40 KiB: 4 MB).
	 */
	if (grew)
		malloc_trim(0);
	*w = (struct dirwin){ .keep_added = keep_added };
}
