/* SPDX-License-Identifier: MIT */
/* libyal.c - the parts the libvmdk, libvhdi and libqcow readers share. */
#include <stdlib.h>
#include <string.h>

#include "apfs/err.h"
#include "image/libyal.h"

int yal_dev_new(const struct apfs_dev_ops *ops, struct apfs_dev *lower, void *h,
		uint64_t size, struct apfs_dev **out)
{
	struct yal_priv *p = calloc(1, sizeof(*p));
	struct apfs_dev *dev = p ? apfs_dev_new(ops, p, size, lower, lower->path) : NULL;

	if (!dev) {
		free(p);
		return -ENOMEM;
	}
	p->h = h;
	pthread_mutex_init(&p->lock, NULL);
	*out = dev;
	return 0;
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

void yal_message(char *bt, const char *prefix)
{
	size_t pl = strlen(prefix);
	char *line = bt, *pick = NULL, *colon;

	for (char *l = bt; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		if (!pick && !strncmp(l, prefix, pl))
			pick = l;
		line = l;
	}
	if (!pick)
		pick = line;
	pick[strcspn(pick, "\n")] = '\0';
	colon = strstr(pick, ": ");
	if (colon && !memchr(pick, ' ', (size_t)(colon - pick)))
		pick = colon + 2;
	memmove(bt, pick, strlen(pick) + 1);
}
