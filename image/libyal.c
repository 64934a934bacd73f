/* SPDX-License-Identifier: MIT */
/* libyal.c - the handle pool and messages the libewf, libvmdk, libvhdi and libqcow readers share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "image/libyal.h"

int yal_dev_new(const struct apfs_dev_ops *ops, const struct yal_lib *lib,
		struct apfs_dev *lower, void *h, uint64_t size, struct apfs_dev **out)
{
	struct yal_priv *p = calloc(1, sizeof(*p));
	struct apfs_dev *dev = p ? apfs_dev_new(ops, p, size, lower, lower->path) : NULL;

	if (!dev || !(p->path = strdup(apfs_dev_file_path(lower)))) {
		free(dev ? dev->path : NULL);
		free(dev);
		free(p);
		return -ENOMEM;
	}
	p->lib = lib;
	p->h[0] = h;
	p->n = 1;
	for (unsigned i = 0; i < YAL_HANDLES; i++)
		pthread_mutex_init(&p->lock[i], NULL);
	pthread_mutex_init(&p->grow, NULL);
	*out = dev;
	return 0;
}

/* Open handle n if nobody did meanwhile; its index, or -1. */
static int yal_grow(struct yal_priv *p, unsigned n)
{
	void *h = NULL;
	int got = -1;

	pthread_mutex_lock(&p->grow);
	if (p->n == n && p->lib->open(p->path, &h) == 0) {
		p->h[n] = h;
		pthread_mutex_lock(&p->lock[n]);
		p->n = n + 1;
		got = (int)n;
	}
	pthread_mutex_unlock(&p->grow);
	return got;
}

/* A handle for this thread, locked: a free one, a new one, or wait for one. */
static unsigned yal_take(struct yal_priv *p)
{
	static unsigned _Atomic rr;
	unsigned n = p->n;
	int i;

	for (unsigned k = 0; k < n; k++)
		if (!pthread_mutex_trylock(&p->lock[k]))
			return k;
	if (n < YAL_HANDLES && (i = yal_grow(p, n)) >= 0)
		return (unsigned)i;
	n = p->n;
	i = (int)(rr++ % n);
	pthread_mutex_lock(&p->lock[i]);
	return (unsigned)i;
}

int yal_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct yal_priv *p = dev->priv;
	unsigned i = yal_take(p);
	int ret = p->lib->read(dev, p->h[i], buf, len, off);

	pthread_mutex_unlock(&p->lock[i]);
	return ret;
}

void yal_close(struct apfs_dev *dev)
{
	struct yal_priv *p = dev->priv;

	for (unsigned i = 0; i < p->n; i++)
		p->lib->close(p->h[i]);
	for (unsigned i = 0; i < YAL_HANDLES; i++)
		pthread_mutex_destroy(&p->lock[i]);
	pthread_mutex_destroy(&p->grow);
	free(p->path);
	free(p);
}

int yal_need_file(const struct apfs_dev *lower, const char *format, const char **path)
{
	*path = apfs_dev_file_path(lower);
	if (*path)
		return 0;
	apfs_err("'%s': a %s image inside another container is not supported (its library "
		 "opens files by name)", lower->path, format);
	return -ENOTSUP;
}

/* Line l of a backtrace without its newline, its "function: " prefix and its period. */
static void yal_line(const char *l, char *out, size_t len)
{
	size_t n = strcspn(l, "\n");
	const char *colon = memchr(l, ':', n);

	if (colon && colon[1] == ' ' && !memchr(l, ' ', (size_t)(colon - l))) {
		n -= (size_t)(colon + 2 - l);
		l = colon + 2;
	}
	while (n > 0 && (l[n - 1] == '.' || l[n - 1] == ' '))
		n--; /* the libraries end each line with a period; ours are spliced */
	snprintf(out, len, "%.*s", (int)n, l);
}

void yal_message(char *bt, const char *prefix)
{
	size_t pl = strlen(prefix), len = strlen(bt) + 1;
	const char *pick = NULL;
	char root[512], lib[512];

	/* The first line is the root cause (often a helper library naming a file). */
	for (const char *l = bt; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		if (!pick && !strncmp(l, prefix, pl))
			pick = l;
	yal_line(bt, root, sizeof(root));
	yal_line(pick ? pick : bt, lib, sizeof(lib));
	if (pick == bt || !pick || !lib[0])
		snprintf(bt, len, "%s", root);
	else
		snprintf(bt, len, "%s (%s)", root, lib);
}
