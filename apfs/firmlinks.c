/* SPDX-License-Identifier: MIT */
/*
 * firmlinks.c - parsing /usr/share/firmlinks (see firmlinks.h).  Only the
 * text is judged here; whether the paths exist, and whether two spellings
 * name one directory on a case-insensitive volume, is checked by inode
 * when the merged root resolves them (fs_group.c).
 */
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "firmlinks.h"

struct fl_list {
	struct apfs_firmlink *e;
	size_t n, cap;
	bool full_warned;
};

/* A path's components: none empty, ".", ".."; no control byte. */
static const char *bad_components(const char *p)
{
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "a control character";
	while (*p) {
		size_t k = strcspn(p, "/");

		if (k == 0)
			return "an empty path component";
		if ((k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.'))
			return "a '.' or '..' component";
		p += k + (p[k] == '/');
		if (p[-1] == '/' && !*p)
			return "a trailing '/'";
	}
	return NULL;
}

/* a equals b or lies inside it, component-wise ("/Users/x" in "/Users"). */
static bool path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return !strncmp(a, b, n) && (a[n] == '\0' || a[n] == '/');
}

static bool overlap(const char *a, const char *b)
{
	return path_within(a, b) || path_within(b, a);
}

/* Why a System path / target pair is refused, or NULL. */
static const char *bad_pair(const char *sys, const char *data)
{
	const char *why;

	if (sys[0] != '/')
		return "the System path is not absolute";
	if (!sys[1])
		return "the System path is the root itself";
	if ((why = bad_components(sys + 1)))
		return why;
	if (path_within(sys, FIRMLINKS_DATA_MOUNT))
		return "the System path lies in " FIRMLINKS_DATA_MOUNT ", the Data volume itself";
	if (!data[0])
		return "the target is empty";
	if (data[0] == '/')
		return "the target is absolute (it must be relative to the Data volume's root)";
	return bad_components(data);
}

/* The earlier entry this one conflicts with, or NULL. */
static const struct apfs_firmlink *conflict(const struct fl_list *l, const char *sys,
					    const char *data, const char **why)
{
	for (size_t i = 0; i < l->n; i++) {
		if (overlap(sys, l->e[i].sys)) {
			*why = "its System path equals, lies in or holds that of";
			return &l->e[i];
		}
		if (overlap(data, l->e[i].data)) {
			*why = "its target equals, lies in or holds that of";
			return &l->e[i];
		}
	}
	return NULL;
}

static int add(struct fl_list *l, const char *sys, const char *data, unsigned line)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 32;
		struct apfs_firmlink *ne = realloc(l->e, nc * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		l->e = ne;
		l->cap = nc;
	}
	l->e[l->n] = (struct apfs_firmlink){ strdup(sys), strdup(data), line };
	if (!l->e[l->n].sys || !l->e[l->n].data) {
		free(l->e[l->n].sys);
		free(l->e[l->n].data);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

/* One line (NUL-terminated, without its LF): judged, then kept or warned about. */
static int one_line(struct fl_list *l, char *s, unsigned line)
{
	const struct apfs_firmlink *prev;
	char *tab = strchr(s, '\t');
	const char *why;

	if (!*s)
		return 0;
	if (!tab || strchr(tab + 1, '\t')) {
		apfs_warn("firmlinks line %u: %s TAB: skipped", line, tab ? "more than one" : "no");
		return 0;
	}
	*tab = '\0';
	if ((why = bad_pair(s, tab + 1))) {
		apfs_warn("firmlinks line %u: %s: skipped", line, why);
		return 0;
	}
	if ((prev = conflict(l, s, tab + 1, &why))) {
		apfs_warn("firmlinks line %u: %s line %u: skipped", line, why, prev->line);
		return 0;
	}
	if (l->n >= FIRMLINKS_MAX_COUNT) {
		if (!l->full_warned)
			apfs_warn("firmlinks: more than %u entries: line %u and later ignored",
				  FIRMLINKS_MAX_COUNT, line);
		l->full_warned = true;
		return 0;
	}
	return add(l, s, tab + 1, line);
}

/**
 * apfs_firmlinks_parse - the valid entries of a firmlinks file (see firmlinks.h)
 */
int apfs_firmlinks_parse(const char *buf, size_t len, struct apfs_firmlink **out, size_t *n)
{
	struct fl_list l = { 0 };
	char line[FIRMLINKS_MAX_LINE + 1];
	unsigned no = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (len > FIRMLINKS_MAX_BYTES)
		return -EFBIG;
	for (size_t pos = 0; pos < len && !ret;) {
		const char *lf = memchr(buf + pos, '\n', len - pos);
		size_t k = lf ? (size_t)(lf - (buf + pos)) : len - pos;

		no++;
		if (k > FIRMLINKS_MAX_LINE || memchr(buf + pos, '\0', k)) {
			apfs_warn("firmlinks line %u: %s: skipped", no,
				  k > FIRMLINKS_MAX_LINE ? "longer than 1024 bytes" : "a NUL byte");
		} else {
			memcpy(line, buf + pos, k);
			line[k] = '\0';
			ret = one_line(&l, line, no);
		}
		pos += k + 1;
	}
	if (ret) {
		apfs_firmlinks_free(l.e, l.n);
		return ret;
	}
	*out = l.e;
	*n = l.n;
	return 0;
}

void apfs_firmlinks_free(struct apfs_firmlink *fl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(fl[i].sys);
		free(fl[i].data);
	}
	free(fl);
}
