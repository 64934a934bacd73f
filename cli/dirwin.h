/* SPDX-License-Identifier: MIT */
/*
 * dirwin.h - a directory's entries a window at a time, taken in inode
 * order (dirwin.c), for walks that read every entry's inode (bodyfile,
 * extract).
 *
 * Why: a directory's records are in name-hash order, its children's inodes
 * in inode-number order, and the two are unrelated.  Stat'ing a few
 * thousand names at a time touches a different fs-tree leaf for nearly
 * every name once the directory's inodes spread over more leaves than the
 * block cache holds (500,000 files: ~17,000 leaves of inodes), so every
 * leaf is read, checksummed and searched again for each window.  A window
 * as large as the memory budget allows, sorted by inode, reads each leaf
 * once per window; a directory that fits in one window reads each leaf once.
 *
 * An entry costs 12 bytes and its name (8 more with keep_added):
 * DIRWIN_BUDGET holds up to ~240,000 names of 14 bytes (the arrays grow by
 * half, so a window stops between two thirds and all of that).  What a
 * window holds is lent from the volume's block cache (apfsi_fs_cache_lend),
 * which shrinks by as much: the window is in inode order, so few cached
 * blocks serve it, and the walk's windows and cache together stay within
 * the cache's 8 MiB.
 */
#ifndef CLI_DIRWIN_H
#define CLI_DIRWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "apfsinspect.h"

/* What a walk may hold in windows at once, over all the levels it is in. */
#define DIRWIN_BUDGET (6u << 20)
/* A name, NUL included, as APFS bounds it (j_drec_key's 10-bit length). */
#define DIRWIN_NAME_MAX 1024
/* A window's names stay below this, so that an offset fits in 28 bits. */
#define DIRWIN_MAX (1u << 28)
/* What a level gets however deep: a window of at least a few hundred names. */
#define DIRWIN_MIN (64u << 10)

/* 12 bytes, not 16: a quarter more names in the same memory. */
struct __attribute__((packed, aligned(4))) dirwin_ent {
	uint64_t ino;
	uint32_t off : 28;  /* of its name in names (a window is below DIRWIN_MAX) */
	uint32_t type : 4;  /* enum apfsi_file_type */
};

struct dirwin {
	struct dirwin_ent *e;
	size_t n, cap;
	char *names;
	size_t used, room;
	size_t budget;   /* bytes e and names may take */
	int full;        /* the last read stopped at the budget: more may follow */
	bool keep_added; /* set by the caller: keep each entry's date added too */
	apfsi_fs *fs;
	size_t lent;     /* bytes lent from fs's block cache for e and names */
	uint64_t cookie; /* the resume cookie of the last entry taken */
};

/*
 * Where a walk of one directory stands between windows: the resume cookie
 * of the last entry taken (0: the start).  A resume costs one lookup on a
 * volume with hashed names (every volume macOS has made since 10.13); on
 * one without, the library counts the entries before it, once a window.
 */
struct dirwin_pos {
	uint64_t cookie;
	/* the directory ended, and entries of it are missing: nodes holding them could
	 * not be read (each named as met; -APFS_EINCOMPLETE once the windows are used) */
	bool incomplete;
};

/*
 * Entries of dir from pos on, until the budget (bytes, at least DIRWIN_MIN)
 * is used or the directory ends (w->full says which), sorted by inode
 * number.  Returns 0 or a negative errno; an end past nodes that could not
 * be read is 0 with pos->incomplete.
 */
int dirwin_read(apfsi_fs *fs, uint64_t dir, struct dirwin_pos *pos, size_t budget,
		struct dirwin *w);
static inline const char *dirwin_name(const struct dirwin *w, size_t i)
{
	return w->names + w->e[i].off;
}
/* The entry's date added (ns), kept before its name when w->keep_added. */
static inline uint64_t dirwin_added(const struct dirwin *w, size_t i)
{
	uint64_t t;

	memcpy(&t, w->names + w->e[i].off - sizeof(t), sizeof(t));
	return t;
}
/*
 * A walk of one directory a window at a time (dirwin_each.c): window(ctx, w)
 * for each window until it returns nonzero or stopped(ctx); *held counts
 * the bytes the levels being walked hold in windows (the budget is what
 * DIRWIN_BUDGET leaves).  whole, if given, is offered a directory larger
 * than one window first: its result (<= 0) ends the walk of it, 1 lets the
 * windows read it.  Returns 0 or a negative errno.
 */
struct dirwin_walk {
	size_t *held;
	bool keep_added;
	int (*whole)(void *ctx);
	int (*window)(void *ctx, const struct dirwin *w);
	bool (*stopped)(void *ctx);
};
int dirwin_each(apfsi_fs *fs, uint64_t dir, const struct dirwin_walk *wk, void *ctx);
/*
 * A walk's step into directory ino at path, listed in parent as name:
 * walk_enter (cmd_fs.h) refuses a cycle, a directory seen before or an
 * entry not its own while its own is there, then dirwin_each.  0, or the
 * exit code for the walk to keep (the refusal or the failure named on
 * stderr).
 */
struct walk_guard;
int dirwin_enter_each(struct walk_guard *g, apfsi_fs *fs, const char *path, const char *name,
		      uint64_t parent, uint64_t ino, int depth, const struct dirwin_walk *wk,
		      void *ctx);
/*
 * A directory larger than a window, whole in inode order from its
 * children's inode records (APFSI_DIR_INODE_ORDER): each leaf of their
 * inodes read once, where windows read them once a window.  begin(ctx)
 * (if given) once the library has read the directory through (a damaged
 * record fails it before anything is printed) and vouched for that order,
 * then entry(ctx, e) for each entry until one returns nonzero or stdout
 * fails.  1: the library cannot vouch for that order here (hard links,
 * names that differ...) or has no room for it (APFSI_DIR_ADDED's pairs,
 * beyond its memory in a temporary file): read windows.  0 or a negative
 * errno.  flags: more of apfsi_dir_open's (APFSI_DIR_ADDED: the dates
 * added too).
 */
int dirwin_by_ino(apfsi_fs *fs, uint64_t dir, unsigned flags, void (*begin)(void *ctx),
		  int (*entry)(void *ctx, const struct apfsi_dirent *e), void *ctx);
/* stopped for walks that write to stdout: one that cannot be written stops them (main). */
bool dirwin_stdout_failed(void *ctx);
/* Bytes the window holds now (its arrays' capacity). */
size_t dirwin_bytes(const struct dirwin *w);
/* Frees what w holds; w keeps the caller's keep_added, to be read into again. */
void dirwin_free(struct dirwin *w);
/* Sort by inode (then by name offset) in place (dirwin_sort.c). */
void dirwin_sort(struct dirwin_ent *e, size_t n);

#endif
