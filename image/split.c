/* SPDX-License-Identifier: MIT */
/*
 * split.c - a raw image cut into segment files, read as one disk.
 *
 * Naming schemes (docs/containers.md §4):
 *   NAME.001, NAME.002, ...   (FTK Imager, dc3dd; any number of digits)
 *   NAME.000, NAME.001, ...
 *   NAMEaa, NAMEab, ... NAMEzz (split's default two-letter suffix, and its
 *                               widening after yz: zaaa ... zyzz)
 *   NAME.dmg, NAME.002.dmgpart, NAME.003.dmgpart, ...   (hdiutil segment)
 *
 * The rule, so that a first segment is never read as a truncated image
 * again and a lone file is never taken for a set: a file starts a set when
 * its name is a first name of one of these schemes AND the second segment
 * exists.  Segments follow while the next name exists.  Segments may have
 * any size (not a multiple of a sector), but every one but the last must be
 * as long as the first (every tool above cuts equal pieces): a shorter or
 * longer middle segment is an error naming it, and so is a gap (a missing
 * segment with a later one present).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fdio.h"
#include "image/dev.h"
#include "image/probe.h"

#define SEG_MAX 100000   /* NAME.001 ... NAME.99999 */
#define GAP_LOOK 16      /* names checked past the last one for a gap */

enum scheme { S_DIGITS, S_LETTERS, S_DMGPART };

struct seg {
	int fd;
	uint64_t start, len;
};

struct split_priv {
	struct seg *segs;
	size_t n;
};

struct split_name {
	enum scheme scheme;
	char base[PATH_MAX]; /* the name without the suffix */
	unsigned width;      /* digits */
	unsigned first;      /* number of the first segment (0 or 1) */
};

static const char *const scheme_names[] = { "numbered", "split-lettered", "dmg + dmgpart" };

/* Name of segment i (0 = the first) into buf; 0, or -1 past the scheme's end. */
static int seg_name(const struct split_name *s, size_t i, char *buf, size_t len)
{
	int n;

	if (s->scheme == S_DIGITS) {
		n = snprintf(buf, len, "%s.%0*zu", s->base, (int)s->width, s->first + i);
	} else if (s->scheme == S_DMGPART) {
		n = i == 0 ? snprintf(buf, len, "%s.dmg", s->base)
			   : snprintf(buf, len, "%s.%03zu.dmgpart", s->base, i + 1);
	} else if (i < 650) { /* aa .. yz */
		n = snprintf(buf, len, "%s%c%c", s->base, (char)('a' + i / 26),
			     (char)('a' + i % 26));
	} else if (i - 650 < 25 * 26 * 26) { /* zaaa .. zyzz */
		size_t j = i - 650;

		n = snprintf(buf, len, "%sz%c%c%c", s->base, (char)('a' + j / 676),
			     (char)('a' + j / 26 % 26), (char)('a' + j % 26));
	} else {
		return -1;
	}
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Does the name start a set of some scheme?  Fills s; 1 if so. */
static int first_name(const char *path, struct split_name *s)
{
	size_t l = strlen(path), d = 0;

	if (l + 1 >= sizeof(s->base))
		return 0;
	while (d < l && path[l - 1 - d] >= '0' && path[l - 1 - d] <= '9')
		d++;
	if (d >= 3 && d < l && path[l - 1 - d] == '.' &&
	    strspn(path + l - d, "0") >= d - 1 && path[l - 1] <= '1') {
		s->scheme = S_DIGITS;
		s->width = (unsigned)d;
		s->first = (unsigned)(path[l - 1] - '0');
		memcpy(s->base, path, l - d - 1);
		s->base[l - d - 1] = '\0';
		return 1;
	}
	if (l > 2 && !strcmp(path + l - 2, "aa") && path[l - 3] != '/') {
		s->scheme = S_LETTERS;
		memcpy(s->base, path, l - 2);
		s->base[l - 2] = '\0';
		return 1;
	}
	if (l > 4 && !strcmp(path + l - 4, ".dmg")) {
		s->scheme = S_DMGPART;
		memcpy(s->base, path, l - 4);
		s->base[l - 4] = '\0';
		return 1;
	}
	return 0;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void split_free(struct split_priv *p, size_t opened)
{
	for (size_t i = 0; i < opened; i++)
		close(p->segs[i].fd);
	free(p->segs);
	free(p);
}

/* Sets of thousands of small segments outgrow the default 1024 descriptors. */
static int open_more(const char *name)
{
	struct rlimit rl;
	int fd = open(name, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 || errno != EMFILE || getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return fd;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	return open(name, O_RDONLY | O_CLOEXEC);
}

static int seg_open(const char *name, struct seg *g, uint64_t start)
{
	struct stat st;

	g->fd = open_more(name);
	if (g->fd < 0 || fstat(g->fd, &st) < 0) {
		int e = errno;

		apfs_err("split image segment '%s' cannot be opened: %s", name, strerror(e));
		if (g->fd >= 0)
			close(g->fd);
		return -apfs_os_errno(e);
	}
	g->start = start;
	g->len = (uint64_t)st.st_size;
	return 0;
}

/* A missing segment with a later one present is a gap: name it. */
static int check_gap(const struct split_name *s, size_t n)
{
	char want[PATH_MAX], later[PATH_MAX];

	if (seg_name(s, n, want, sizeof(want)))
		return 0;
	for (size_t k = n + 1; k <= n + GAP_LOOK; k++) {
		if (seg_name(s, k, later, sizeof(later)))
			return 0;
		if (exists(later)) {
			apfs_err("split image: segment '%s' is missing ('%s' exists)", want, later);
			return -APFS_ECORRUPT;
		}
	}
	return 0;
}

/* Every segment but the last must be as long as the first. */
static int check_sizes(const struct split_name *s, const struct split_priv *p)
{
	char name[PATH_MAX];

	for (size_t i = 1; i + 1 < p->n; i++) {
		if (p->segs[i].len == p->segs[0].len)
			continue;
		seg_name(s, i, name, sizeof(name));
		apfs_err("split image: segment '%s' is %llu bytes, not %llu like the first: %s",
			 name, (unsigned long long)p->segs[i].len,
			 (unsigned long long)p->segs[0].len,
			 p->segs[i].len < p->segs[0].len ? "short (truncated copy?)" : "too long");
		return -APFS_ECORRUPT;
	}
	if (p->n > 1 && p->segs[p->n - 1].len > p->segs[0].len) {
		seg_name(s, p->n - 1, name, sizeof(name));
		apfs_err("split image: last segment '%s' is longer (%llu bytes) than the first "
			 "(%llu)", name, (unsigned long long)p->segs[p->n - 1].len,
			 (unsigned long long)p->segs[0].len);
		return -APFS_ECORRUPT;
	}
	return 0;
}

static int split_collect(const struct split_name *s, struct split_priv *p, uint64_t *size)
{
	char name[PATH_MAX];
	size_t cap = 0;
	int ret;

	for (size_t i = 0; i < SEG_MAX && !seg_name(s, i, name, sizeof(name)) &&
			   (i == 0 || exists(name)); i++) {
		if (p->n == cap) {
			struct seg *g = realloc(p->segs, (cap = cap ? 2 * cap : 16) * sizeof(*g));

			if (!g)
				return -ENOMEM;
			p->segs = g;
		}
		ret = seg_open(name, &p->segs[p->n], *size);
		if (ret)
			return ret;
		*size += p->segs[p->n++].len;
	}
	ret = check_gap(s, p->n);
	return ret ? ret : check_sizes(s, p);
}

/* Index of the segment holding byte off. */
static size_t seg_find(const struct split_priv *p, uint64_t off)
{
	size_t lo = 0, hi = p->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->segs[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int split_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct split_priv *p = dev->priv;
	uint8_t *out = buf;

	/* Each pass reads at least one byte: off < size and segments cover it. */
	for (size_t i = seg_find(p, off); len > 0; i++) {
		const struct seg *g = &p->segs[i];
		uint64_t at = off - g->start;
		size_t n = g->len - at < len ? (size_t)(g->len - at) : len;
		int ret;

		if (n == 0)
			continue; /* an empty last segment */
		ret = apfs_pread_full(g->fd, out, n, at);
		if (ret) {
			apfs_err("'%s': split image segment %zu: read of %zu bytes at %llu "
				 "failed: %s", dev->path, i + 1, n, (unsigned long long)at,
				 strerror(-ret));
			return apfs_os_ret(ret);
		}
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void split_close(struct apfs_dev *dev)
{
	struct split_priv *p = dev->priv;

	split_free(p, p->n);
}

static const struct apfs_dev_ops split_ops = { "split raw", split_read, split_close };

static int split_open(struct apfs_dev *lower, const struct split_name *s,
		      struct apfs_dev **out)
{
	struct split_priv *p = calloc(1, sizeof(*p));
	struct apfs_dev *dev = NULL;
	char size[32];
	uint64_t total = 0;
	int ret;

	if (!p)
		return -ENOMEM;
	ret = split_collect(s, p, &total);
	if (ret == 0 && !(dev = apfs_dev_new(&split_ops, p, total, lower, lower->path)))
		ret = -ENOMEM;
	if (ret) {
		split_free(p, p->n);
		return ret;
	}
	apfs_fmt_size(total, size, sizeof(size));
	snprintf(dev->summary, sizeof(dev->summary), "split raw (%zu %s segments, %s)", p->n,
		 scheme_names[s->scheme], size);
	*out = dev;
	return 1;
}

/*
 * A later segment given instead of the first (NAME.002, NAMEab,
 * NAME.002.dmgpart) when the first exists: read alone it would be a piece
 * of a disk from its middle.  Names the first; 0 when it is not that.
 */
static int later_segment(const char *path)
{
	size_t l = strlen(path), d = 0;
	char first[PATH_MAX];

	while (d < l && path[l - 1 - d] >= '0' && path[l - 1 - d] <= '9')
		d++;
	if (l > 12 && !strcmp(path + l - 8, ".dmgpart")) {
		snprintf(first, sizeof(first), "%.*s.dmg", (int)(l - 12), path);
	} else if (d >= 3 && d < l && path[l - 1 - d] == '.') {
		snprintf(first, sizeof(first), "%.*s%0*d", (int)(l - d), path, (int)d, 1);
		if (!exists(first))
			snprintf(first, sizeof(first), "%.*s%0*d", (int)(l - d), path, (int)d, 0);
	} else if (l > 2 && path[l - 1] >= 'a' && path[l - 1] <= 'z' && path[l - 2] >= 'a' &&
		   path[l - 2] <= 'z' && strcmp(path + l - 2, "aa")) {
		snprintf(first, sizeof(first), "%.*saa", (int)(l - 2), path);
	} else {
		return 0;
	}
	if (!strcmp(first, path) || !exists(first))
		return 0;
	apfs_err("'%s' is a later segment of a split image whose first segment is '%s': "
		 "open that one", path, first);
	return -EINVAL;
}

int apfs_split_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	const char *path = apfs_dev_file_path(lower);
	struct split_name *s;
	char second[PATH_MAX];
	int ret = 0;

	if (!path)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (first_name(path, s) && !seg_name(s, 1, second, sizeof(second)))
		ret = exists(second) ? split_open(lower, s, out) : check_gap(s, 1);
	else
		ret = later_segment(path);
	free(s);
	return ret;
}
