/* SPDX-License-Identifier: MIT */
/*
 * fuzz_walk.c - what `ls -R` plus reading every file does, bounded so that
 * one execution stays short whatever the image claims: at most
 * WALK_MAX_NODES entries, WALK_MAX_DEPTH levels, WALK_MAX_READ bytes per
 * file read from its start, plus a few bytes at its claimed end.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/fs.h"
#include "tests/fuzz/fuzz.h"

#define WALK_MAX_NODES 500
#define WALK_MAX_DEPTH 32
#define WALK_MAX_DIR 256
#define WALK_MAX_READ (64u << 10)

struct walk {
	struct apfs_fs *fs;
	unsigned flags;
	unsigned nodes;
	uint8_t *buf;  /* 64 KiB */
	uint64_t bytes; /* file bytes read */
};

struct dir_list {
	struct apfs_dirent *ents;  /* grown as needed: most directories are small */
	unsigned n, cap;
};

static int collect(const struct apfs_dirent *d, void *ctx)
{
	struct dir_list *l = ctx;

	if (l->n == WALK_MAX_DIR)
		return 1;
	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 8;
		struct apfs_dirent *e = realloc(l->ents, cap * sizeof(*e));

		if (!e)
			return 1;
		l->ents = e;
		l->cap = cap;
	}
	l->ents[l->n++] = *d;
	return 0;
}

#define WALK_MAX_XATTRS 32

struct xattr_list {
	char (*names)[APFS_NAME_MAX];
	unsigned n;
};

static int xattr_name(const char *name, uint64_t size, void *ctx)
{
	struct xattr_list *l = ctx;

	(void)size;
	if (l->n == WALK_MAX_XATTRS)
		return 1;
	snprintf(l->names[l->n++], APFS_NAME_MAX, "%s", name);
	return 0;
}

/* Every xattr of ino (hidden ones too), read from its start into the buffer. */
static void read_xattrs(struct walk *w, uint64_t ino)
{
	struct xattr_list l = { malloc(WALK_MAX_XATTRS * APFS_NAME_MAX), 0 };
	size_t got;
	uint64_t size;

	if (l.names && apfs_fs_listxattr(w->fs, ino, APFS_LIST_HIDDEN, xattr_name, &l) >= 0)
		for (unsigned i = 0; i < l.n; i++)
			apfs_fs_getxattr(w->fs, ino, l.names[i], 0, w->buf, 65536, &got, &size);
	free(l.names);
}

static void read_file(struct walk *w, uint64_t ino)
{
	struct apfs_file *f;
	uint64_t size, off = 0;
	size_t got = 1;

	if (apfs_file_open(w->fs, ino, &f))
		return;
	size = apfs_file_size(f);
	apfs_file_readable(f);  /* a compressed file's: a walk of its chunk table */
	while (off < size && off < WALK_MAX_READ && got &&
	       apfs_file_read(f, off, w->buf, 65536, &got) == 0)
		off += got;
	w->bytes += off;
	if (size > WALK_MAX_READ)
		apfs_file_read(f, size - 1, w->buf, 4096, &got);
	apfs_file_close(f);
}

static int link_one(uint64_t parent, const char *name, void *ctx)
{
	(void)parent;
	(void)name;
	(void)ctx;
	return 0;
}

static void visit(struct walk *w, const struct apfs_dirent *d, uint64_t dir, unsigned depth);

static void walk_dir(struct walk *w, uint64_t dir, unsigned depth)
{
	struct dir_list l = { NULL, 0, 0 };
	struct apfs_dirent none;

	/* a name no directory holds: the miss is held to the directory's count */
	apfs_fs_lookup_name(w->fs, dir, "\x7f-absent", &none);
	if (depth < WALK_MAX_DEPTH && apfs_fs_readdir(w->fs, dir, 0, collect, &l) >= 0)
		for (unsigned i = 0; i < l.n && w->nodes < WALK_MAX_NODES; i++)
			visit(w, &l.ents[i], dir, depth);
	free(l.ents);
}

static void visit(struct walk *w, const struct apfs_dirent *d, uint64_t dir, unsigned depth)
{
	struct apfs_stat st;
	struct apfs_dir_stats ds;
	struct apfs_dirent again;
	char path[4096];

	w->nodes++;
	if (apfs_fs_stat(w->fs, d->ino, &st))
		return;
	apfs_fs_lookup_name(w->fs, dir, d->name, &again);
	if ((w->flags & FUZZ_WALK_COMPRESSED) && !st.compression && d->type != DT_DIR)
		return;
	apfs_fs_path(w->fs, d->ino, path, sizeof(path));
	apfs_fs_links(w->fs, d->ino, link_one, NULL);
	read_xattrs(w, d->ino);
	if (d->type == DT_DIR) {
		apfs_fs_dir_stats(w->fs, d->ino, &ds);
		walk_dir(w, d->ino, depth + 1);
	} else if (d->type == DT_LNK) {
		apfs_fs_readlink(w->fs, d->ino, path, sizeof(path));
	} else {
		apfs_fs_firmlink(w->fs, d->ino, path, sizeof(path));
		read_file(w, d->ino);
	}
}

void fuzz_walk(struct apfs_fs *fs, unsigned flags)
{
	struct walk w = { fs, flags, 0, malloc(65536), 0 };
	struct apfs_dirent root;

	if (w.buf && apfs_fs_lookup(fs, "/", &root) == 0) {
		read_xattrs(&w, root.ino);
		walk_dir(&w, root.ino, 0);
	}
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz_walk: %u entries, %llu file bytes read\n", w.nodes,
			(unsigned long long)w.bytes);
	free(w.buf);
}
