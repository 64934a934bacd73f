/* SPDX-License-Identifier: MIT */
/*
 * extract_links.c - hard links kept as hard links: the first name of an
 * inode with more than one link is extracted as a file, every later name
 * becomes a link(2) to it (or a hard-link entry in an archive).  The table
 * holds only such inodes, so it costs nothing for trees without links.
 */
#include <stdlib.h>
#include <string.h>

#include "extract.h"

static size_t slot_of(uint64_t ino, size_t cap)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

const struct ex_link *ex_link_find(const struct ex_links *l, uint64_t ino)
{
	if (!l->cap)
		return NULL;
	for (size_t i = slot_of(ino, l->cap); l->e[i].path; i = (i + 1) & (l->cap - 1))
		if (l->e[i].ino == ino)
			return &l->e[i];
	return NULL;
}

static void put(struct ex_links *l, const struct ex_link *in)
{
	size_t i = slot_of(in->ino, l->cap);

	while (l->e[i].path)
		i = (i + 1) & (l->cap - 1);
	l->e[i] = *in;
	l->n++;
}

static int grow(struct ex_links *l)
{
	struct ex_links n = { calloc(l->cap ? 2 * l->cap : 64, sizeof(struct ex_link)), 0,
			      l->cap ? 2 * l->cap : 64 };

	if (!n.e)
		return -ENOMEM;
	for (size_t i = 0; i < l->cap; i++)
		if (l->e[i].path)
			put(&n, &l->e[i]);
	free(l->e);
	*l = n;
	return 0;
}

int ex_link_add(struct ex_links *l, uint64_t ino, const char *path, const char *hex,
		uint64_t unstored)
{
	struct ex_link e = { ino, strdup(path), "", unstored };

	if (!e.path)
		return -ENOMEM;
	snprintf(e.hex, sizeof(e.hex), "%s", hex ? hex : "");
	if (2 * (l->n + 1) > l->cap && grow(l)) {
		free(e.path);
		return -ENOMEM;
	}
	put(l, &e);
	return 0;
}

void ex_links_free(struct ex_links *l)
{
	for (size_t i = 0; i < l->cap; i++)
		free(l->e[i].path);
	free(l->e);
	memset(l, 0, sizeof(*l));
}
