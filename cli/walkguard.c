/* SPDX-License-Identifier: MIT */
/*
 * walkguard.c - what keeps a recursive walk (ls -R, bodyfile, extract)
 * bounded by the directories the image really holds: every directory is
 * entered once.  An entry naming a directory already on the current path
 * is a cycle; one naming a directory walked elsewhere is a directory listed
 * twice (APFS has no directory hard links).  Both are reported with the
 * inodes concerned and not followed; the rest of the tree is walked as
 * usual.  The set costs 16 bytes per directory walked.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd_fs.h"

static size_t slot_of(uint64_t ino, size_t cap)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

/* Insert ino; 1 if it was there already, 0 if added, -ENOMEM. */
static int set_add(struct walk_guard *g, uint64_t ino);

static int set_grow(struct walk_guard *g)
{
	struct walk_guard n = { 0 };

	n.cap = g->cap ? 2 * g->cap : 1024;
	n.set = calloc(n.cap, sizeof(*n.set));
	if (!n.set)
		return -ENOMEM;
	for (size_t i = 0; i < g->cap; i++)
		if (g->set[i])
			set_add(&n, g->set[i]);
	free(g->set);
	g->set = n.set;
	g->cap = n.cap;
	return 0;
}

static int set_add(struct walk_guard *g, uint64_t ino)
{
	size_t i;

	if (ino == 0) { /* no inode 0 on disk: kept apart, 0 marks a free slot */
		if (g->zero)
			return 1;
		g->zero = true;
		return 0;
	}
	if (2 * (g->n + 1) > g->cap && set_grow(g))
		return -ENOMEM;
	for (i = slot_of(ino, g->cap); g->set[i]; i = (i + 1) & (g->cap - 1))
		if (g->set[i] == ino)
			return 1;
	g->set[i] = ino;
	g->n++;
	return 0;
}

/*
 * A directory not followed: "apfsinspect: PATH: " and the rest, under --json
 * with the code every such refusal has (given before the message starts).
 */
static void __attribute__((format(printf, 2, 3))) refused(const char *path, const char *fmt, ...)
{
	va_list ap;

	cli_jerr_code("directory_not_followed");
	fprintf(stderr, "apfsinspect: %s: ", cli_safe_str(path));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * A directory of a walk of the private directory, entered only where a
 * lookup of its name in its parent would enter it (apfsi_fs_lookup_at:
 * there apfs/fs_private.c's rule, below it every directory's own entry),
 * so that what such a walk shows is what the mount and a PATH reach: a
 * tree, with nothing of the root's (whose own walk is not there to see a
 * directory twice).  The library names why not, or this does.
 */
static bool lookup_follows(apfsi_fs *fs, const char *path, const char *name, uint64_t parent,
			   uint64_t ino)
{
	struct apfsi_dirent de;
	char buf[FS_NAME_MAX];
	int ret = apfsi_fs_lookup_at(fs, parent, name, &de, buf, sizeof(buf));

	if (!ret && de.ino == ino && de.type == APFSI_TYPE_DIR)
		return true;
	if (ret == APFSI_ERR_LOOP) /* the library said why */
		return false;
	refused(path, "directory inode %llu, listed in directory inode %llu, %s: not followed",
		(unsigned long long)ino, (unsigned long long)parent, ret ? "not found again by its name there" :
		de.ino != ino ? "its name there naming another inode" :
		"listed as something other than a directory");
	return false;
}

/*
 * A directory of a walk from the root, met for the first time: entered
 * through its own entry, or through another only where its own is not
 * there to be met (apfsi_fs_dir_entered), so that an entry met earlier in
 * the walk cannot show it under a name not its own and leave its own
 * refused as listed twice, while a directory whose inode's parent or name
 * is damaged is still shown, with a warning.  0 to enter, or a negative
 * errno, each named with the path.
 */
static int entry_verdict(apfsi_fs *fs, const char *path, uint64_t parent, const char *name,
			 uint64_t ino)
{
	int ret = apfsi_fs_dir_entered(fs, parent, name, ino);

	if (ret == 1)
		fprintf(stderr, "apfsinspect: warning: %s: %s\n", cli_safe_str(path),
			cli_safe_str(apfsi_last_message()));
	if (ret == 1 || !ret)
		return 0;
	if (ret == APFSI_ERR_LOOP)
		refused(path, "%s", cli_safe_str(apfsi_last_message()));
	else
		refused(path, "directory inode %llu, listed in directory inode %llu: %s: not followed",
			(unsigned long long)ino, (unsigned long long)parent, apfsi_strerror(ret));
	return ret == APFSI_ERR_LOOP ? -ELOOP : cli_api_errno(ret);
}

/* Whether ino was entered (the set is never more than half full: a free slot ends the probe). */
static bool set_has(const struct walk_guard *g, uint64_t ino)
{
	size_t i;

	if (ino == 0)
		return g->zero;
	if (!g->cap)
		return false;
	for (i = slot_of(ino, g->cap); g->set[i] && g->set[i] != ino; i = (i + 1) & (g->cap - 1))
		;
	return g->set[i] == ino;
}

int walk_enter(struct walk_guard *g, apfsi_fs *fs, const char *path, const char *name,
	       uint64_t parent, uint64_t ino, int depth)
{
	size_t was = g->cap * sizeof(*g->set);
	size_t grown = (g->cap ? 2 * g->cap : 1024) * sizeof(*g->set);
	bool grows = ino && 2 * (g->n + 1) > g->cap;
	int seen;

	if (depth && apfsi_fs_elsewhere(fs, g->stack[0], parent, ino))
		return 1;
	/*
	 * No directory's child, though a damaged entry (of the private directory
	 * too) names it; and in a walk of the private directory, only where a
	 * lookup would go (lookup_follows).
	 */
	if (depth && (ino == APFSI_ROOT_INO || ino == APFSI_PRIVATE_DIR_INO)) {
		refused(path, "the %s (inode %llu), listed in directory inode %llu: not followed",
			ino == APFSI_ROOT_INO ? "root" : "private directory", (unsigned long long)ino,
			(unsigned long long)parent);
		return -ELOOP;
	}
	if (depth && g->private_dir && !lookup_follows(fs, path, name, parent, ino))
		return -ELOOP;
	if (depth > WALK_MAX_DEPTH) {
		refused(path, "deeper than %d directories: not followed", WALK_MAX_DEPTH);
		return -ELOOP;
	}
	/* one walked already: a cycle or a second entry, named below as before */
	if (depth && !g->private_dir && !set_has(g, ino) &&
	    (seen = entry_verdict(fs, path, parent, name, ino)))
		return seen;
	/*
	 * The set lives as long as the walk: lent from the block cache for
	 * good, before it grows (the old and the new set are both held then);
	 * once it has grown, the old set's share goes back (the new one's if
	 * it could not grow).
	 */
	if (grows)
		apfsi_fs_cache_lend(fs, grown);
	seen = set_add(g, ino);
	if (grows)
		apfsi_fs_cache_repay(fs, seen < 0 ? grown : was);
	if (seen < 0)
		return seen;
	if (!seen) {
		g->stack[depth] = ino;
		return 0;
	}
	for (int i = 0; i < depth; i++)
		if (g->stack[i] == ino) {
			refused(path, "directory inode %llu, listed in directory inode %llu, is its "
				"own ancestor: a directory cycle, not followed",
				(unsigned long long)ino, (unsigned long long)parent);
			return -ELOOP;
		}
	refused(path, "directory inode %llu, listed in directory inode %llu, was already walked "
		"under another name: a directory listed twice, not followed",
		(unsigned long long)ino, (unsigned long long)parent);
	return -ELOOP;
}

int walk_top(const char *path, enum apfsi_file_type type, uint64_t ino)
{
	if (type == APFSI_TYPE_DIR)
		return 0;
	refused(path, "directory inode %llu is listed as something other than a directory: not "
		"followed (a path goes no further through such an entry, and the mount refuses it)",
		(unsigned long long)ino);
	return -ELOOP;
}

void walk_guard_free(struct walk_guard *g)
{
	free(g->set);
	g->set = NULL;
	g->cap = g->n = 0;
	g->zero = false;
}
