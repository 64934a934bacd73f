/* SPDX-License-Identifier: MIT */
/*
 * ewf1_open.c - walk the section descriptors of an E01 segment set and
 * index its tables (see ewf1.h for what is taken and what is declined).
 *
 * Every descriptor's Adler-32 is checked before its fields are used, every
 * next offset must move forward inside the file, and the walk of a segment
 * ends after at most size / 76 sections, so a hostile set cannot make it
 * loop.  Nothing is logged here: a set this walk does not take goes to
 * libewf, whose open names the fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/bytes.h"
#include "util/err.h"
#include "util/fdio.h"
#include "image/ewf1.h"
#include "image/ewf1_int.h"

static const uint8_t evf_sig[8] = { 'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00 };

#define DECLINE 1 /* a walk result: not a set this reader takes */

struct walk {
	struct ewf1_priv *p;
	const char *path;    /* the segment file walked */
	uint32_t seg;
	uint64_t size;
	bool have_volume, done;
	uint64_t sectors;    /* the volume section's sector count */
	uint32_t vol_chunks; /* the volume section's chunk count */
	uint64_t sec_start, sec_end; /* the last sectors section's data, 0/0: none yet */
	struct apfs_dev_hash md5, sha1;
	size_t cap_tables;
};

/* Adler-32 of buf[0..n) equals the little-endian value at buf + n. */
static bool adler_ok(const uint8_t *buf, size_t n)
{
	return adler32(adler32(0, NULL, 0), buf, (uInt)n) == ld_le32(buf + n);
}

static int read_at(const struct walk *w, int fd, void *buf, size_t len, uint64_t off)
{
	int ret;

	if (off > w->size || len > w->size - off)
		return DECLINE;
	ret = apfs_pread_full(fd, buf, len, off);
	/* A read the OS refused is no sign of another layout: said, and the open
	 * fails with it (it was taken for "not this reader's", then said nothing). */
	if (ret)
		apfs_err("E01 segment file '%s': read of %zu bytes at %llu failed: %s", w->path,
			 len, (unsigned long long)off, strerror(-ret));
	return apfs_os_ret(ret);
}

/* The volume (or disk) section's geometry: sector size, chunk size, counts. */
static int volume(struct walk *w, int fd, uint64_t at, uint64_t next)
{
	uint8_t v[EWF1_VOLUME];
	uint32_t spc, bps;
	int ret;

	if (w->seg != 0 || w->have_volume || next - at < EWF1_DESC + EWF1_VOLUME)
		return DECLINE;
	if ((ret = read_at(w, fd, v, sizeof(v), at + EWF1_DESC)) || !adler_ok(v, EWF1_VOLUME - 4))
		return ret < 0 ? ret : DECLINE;
	w->vol_chunks = ld_le32(v + 4);
	spc = ld_le32(v + 8);
	bps = ld_le32(v + 12);
	w->sectors = ld_le64(v + 16);
	if (bps < 512 || bps > 4096 || (bps & (bps - 1)) || spc == 0 ||
	    spc > EWF1_MAX_CHUNK / bps || w->sectors == 0 ||
	    w->sectors > UINT64_MAX / bps ||
	    (w->sectors + spc - 1) / spc != w->vol_chunks)
		return DECLINE;
	w->p->bps = bps;
	w->p->chunk = spc * bps;
	w->have_volume = true;
	return 0;
}

static int table_add(struct walk *w, const struct ewf1_table *t)
{
	struct ewf1_priv *p = w->p;

	if (p->ntables == w->cap_tables) {
		size_t cap = w->cap_tables ? 2 * w->cap_tables : 16;
		struct ewf1_table *n = realloc(p->tables, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->tables = n;
		w->cap_tables = cap;
	}
	p->tables[p->ntables++] = *t;
	p->nchunks += t->n;
	return 0;
}

/*
 * A table section: its header checked, its entries' place recorded (read
 * when first needed).  Its chunks lie in the sectors section just before it.
 */
static int table(struct walk *w, int fd, uint64_t at, uint64_t next)
{
	uint8_t h[EWF1_TABLE_HDR];
	struct ewf1_table t = { 0 };
	int ret;

	if (!w->have_volume || !w->sec_end || next - at < EWF1_DESC + EWF1_TABLE_HDR)
		return DECLINE;
	if ((ret = read_at(w, fd, h, sizeof(h), at + EWF1_DESC)) ||
	    !adler_ok(h, EWF1_TABLE_HDR - 4))
		return ret < 0 ? ret : DECLINE;
	t = (struct ewf1_table){ .first = w->p->nchunks, .n = ld_le32(h), .seg = w->seg,
				 .entries = at + EWF1_DESC + EWF1_TABLE_HDR,
				 .base = ld_le64(h + 8), .data_start = w->sec_start,
				 .data_end = w->sec_end };
	if (t.n == 0 || (uint64_t)t.n * 4 + 4 > next - t.entries ||
	    t.n > UINT64_MAX - w->p->nchunks)
		return DECLINE;
	w->sec_start = w->sec_end = 0; /* one table per sectors section */
	return table_add(w, &t);
}

/* The MD5 of a hash section, or MD5 and SHA-1 of a digest section; all zeros: none. */
static int hashes(struct walk *w, int fd, uint64_t at, uint64_t next, bool digest)
{
	uint8_t d[80];
	size_t n = digest ? 80 : 36;
	static const uint8_t zero[20];
	int ret;

	if (next - at < EWF1_DESC + n)
		return DECLINE;
	if ((ret = read_at(w, fd, d, n, at + EWF1_DESC)) || !adler_ok(d, n - 4))
		return ret < 0 ? ret : DECLINE;
	if (memcmp(d, zero, 16))
		w->md5 = (struct apfs_dev_hash){ "MD5", 16, { 0 } }, memcpy(w->md5.value, d, 16);
	if (digest && memcmp(d + 16, zero, 20))
		w->sha1 = (struct apfs_dev_hash){ "SHA1", 20, { 0 } },
		memcpy(w->sha1.value, d + 16, 20);
	return 0;
}

/* One section (descriptor d at `at`, ending at next): what it adds to the index. */
static int section(struct walk *w, int fd, const uint8_t *d, uint64_t at, uint64_t next)
{
	const char *type = (const char *)d;

	if (!strcmp(type, "volume") || !strcmp(type, "disk"))
		return volume(w, fd, at, next);
	if (!strcmp(type, "sectors")) {
		if (w->sec_end)
			return DECLINE; /* two sectors sections with no table between */
		w->sec_start = at + EWF1_DESC;
		w->sec_end = next;
		return 0;
	}
	if (!strcmp(type, "table"))
		return table(w, fd, at, next);
	if (!strcmp(type, "hash") || !strcmp(type, "digest"))
		return hashes(w, fd, at, next, type[0] == 'd');
	return 0; /* header, header2, data, table2, error2, session, ...: not needed */
}

/*
 * The sections of segment w->seg, from the file header to its "next" (or,
 * in the last segment, "done").
 */
static int walk_segment(struct walk *w, int fd, bool last)
{
	uint8_t fh[13], d[EWF1_DESC];
	uint64_t at = sizeof(fh);
	int ret = read_at(w, fd, fh, sizeof(fh), 0);

	if (ret || memcmp(fh, evf_sig, 8) || fh[8] != 1 || ld_le16(fh + 9) != w->seg + 1)
		return ret < 0 ? ret : DECLINE;
	for (uint64_t i = 0; i <= w->size / EWF1_DESC; i++) {
		uint64_t next;

		if ((ret = read_at(w, fd, d, sizeof(d), at)) || !adler_ok(d, EWF1_DESC - 4) ||
		    memchr(d, 0, 16) == NULL)
			return ret < 0 ? ret : DECLINE;
		next = ld_le64(d + 16);
		if (!strcmp((char *)d, "next") || !strcmp((char *)d, "done")) {
			bool ok = next == at && !w->sec_end && last == (d[0] == 'd');

			w->done = ok && last;
			return ok ? 0 : DECLINE;
		}
		if (next < at + EWF1_DESC || next > w->size)
			return DECLINE;
		ret = section(w, fd, d, at, next);
		if (ret)
			return ret;
		at = next;
	}
	return DECLINE;
}

static int segment(struct walk *w, const char *path, bool last)
{
	struct ewf1_seg *s = &w->p->segs[w->seg];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	*s = (struct ewf1_seg){ NULL, -1, 0 };
	if (fd < 0)
		return DECLINE;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return DECLINE;
	}
	w->size = (uint64_t)st.st_size;
	w->path = path;
	ret = walk_segment(w, fd, last);
	*s = (struct ewf1_seg){ strdup(path), -1, w->size };
	if (!s->path && !ret)
		ret = -ENOMEM;
	if (!ret && w->p->fds_open < EWF1_OPEN_FDS) {
		s->fd = fd; /* kept for the reads */
		w->p->fds_open++;
	} else {
		close(fd);
	}
	return ret;
}

static void priv_free(struct ewf1_priv *p)
{
	for (uint32_t i = 0; p->segs && i < p->nseg; i++) {
		free(p->segs[i].path);
		if (p->segs[i].fd >= 0)
			close(p->segs[i].fd);
	}
	for (uint32_t i = 0; p->tables && i < p->ntables; i++)
		free(p->tables[i].off);
	for (uint32_t i = 0; p->cache && i < p->ncache; i++)
		free(p->cache[i].data);
	free(p->segs);
	free(p->tables);
	free(p->cache);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void ewf1_close(struct apfs_dev *dev)
{
	priv_free(dev->priv);
}

/* Walk every segment; DECLINE unless the set is whole and consistent. */
static int walk_set(struct walk *w, char **names, int n)
{
	int ret = 0;

	for (w->seg = 0; !ret && w->seg < (uint32_t)n; w->seg++) {
		ret = segment(w, names[w->seg], w->seg + 1 == (uint32_t)n);
		w->p->nseg = w->seg + 1;
	}
	if (!ret && (!w->done || !w->have_volume || !w->p->ntables ||
		     w->p->nchunks != w->vol_chunks))
		ret = DECLINE;
	return ret;
}

static int cache_new(struct ewf1_priv *p)
{
	p->ncache = EWF1_CACHED_BYTES / p->chunk ? EWF1_CACHED_BYTES / p->chunk : 1;
	if (p->ncache > 64)
		p->ncache = 64;
	p->cache = calloc(p->ncache, sizeof(*p->cache));
	if (!p->cache)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->ncache; i++)
		p->cache[i].index = UINT64_MAX;
	return 0;
}

static const struct apfs_dev_ops ewf1_ops = { "E01", ewf1_read, ewf1_close };

/* "E01 (3 segments, 4.0 GiB, MD5 and SHA1 stored)": both E01 readers say it so. */
void apfs_ewf_summary(struct apfs_dev *dev, unsigned nseg)
{
	char size[32], stored[32] = "no hash";

	apfs_fmt_size(dev->size, size, sizeof(size));
	if (dev->nhashes == 2)
		snprintf(stored, sizeof(stored), "%s and %s", dev->hashes[0].name,
			 dev->hashes[1].name);
	else if (dev->nhashes == 1)
		snprintf(stored, sizeof(stored), "%s", dev->hashes[0].name);
	snprintf(dev->summary, sizeof(dev->summary), "%.3s (%u segment%s, %s, %s stored)",
		 dev->ops->kind, nseg, nseg == 1 ? "" : "s", size, stored);
}

static int dev_make(struct walk *w, struct apfs_dev *lower, struct apfs_dev **out)
{
	struct apfs_dev *dev;
	int ret = cache_new(w->p);

	if (ret)
		return ret;
	dev = apfs_dev_new(&ewf1_ops, w->p, w->sectors * w->p->bps, lower, lower->path);
	if (!dev)
		return -ENOMEM;
	if (w->md5.len)
		dev->hashes[dev->nhashes++] = w->md5;
	if (w->sha1.len)
		dev->hashes[dev->nhashes++] = w->sha1;
	apfs_ewf_summary(dev, w->p->nseg);
	*out = dev;
	return 0;
}

int apfs_ewf1_open(struct apfs_dev *lower, char **names, int n, struct apfs_dev **out)
{
	struct walk w = { 0 };
	int ret;

	if (n < 1 || n > 65535 || !(w.p = calloc(1, sizeof(*w.p))))
		return n < 1 || n > 65535 ? 0 : -ENOMEM;
	pthread_mutex_init(&w.p->lock, NULL);
	w.p->segs = calloc((size_t)n, sizeof(*w.p->segs));
	ret = w.p->segs ? walk_set(&w, names, n) : -ENOMEM;
	if (!ret)
		ret = dev_make(&w, lower, out);
	if (ret) {
		priv_free(w.p);
		return ret == DECLINE ? 0 : ret;
	}
	return 1;
}
