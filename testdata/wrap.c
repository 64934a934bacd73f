/* SPDX-License-Identifier: MIT */
/*
 * wrap.c - store a raw image as an Apple sparse image or sparse bundle
 * (docs/containers.md §1, §2), for the image layer's tests:
 *   mkimage SCENARIO OUT --wrap sparseimage|sparsebundle [--band-size BYTES]
 *   mkimage wrap RAW OUT --wrap sparseimage|sparsebundle [--band-size BYTES] [--seed N]
 *
 * All-zero bands are not stored (they read as zeros), and the others are
 * written in an order shuffled from the seed, as hdiutil stores them in the
 * order they were first written: a reader that ignored the band map, or
 * read bands in file order, would read the wrong disk.  Past 1008 stored
 * bands a sparse image gets index nodes, 1010 bands each.  A bundle's band
 * files lose their trailing zero sectors (readers pad a short band with
 * zeros, §2); the last band holds only the logical size's remainder.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apfs/bytes.h"
#include "mk.h"

#define NODE 4096u
#define HDR_SLOTS 1008u
#define IDX_SLOTS 1010u
#define SECTOR 512u

struct wrap {
	int in;
	uint64_t size, band;
	uint64_t *order; /* logical numbers of the stored bands, in write order */
	uint64_t n;
	uint8_t *buf;    /* one band */
};

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Band b of the raw image into w->buf, zero-padded past the end; its logical length. */
static int read_band(struct wrap *w, uint64_t b, size_t *len)
{
	uint64_t at = b * w->band;
	size_t n = w->size - at < w->band ? (size_t)(w->size - at) : (size_t)w->band;

	memset(w->buf, 0, w->band);
	if (pread(w->in, w->buf, n, (off_t)at) != (ssize_t)n)
		return errno ? -errno : -EIO;
	*len = n;
	return 0;
}

/* The bands holding anything, shuffled (Fisher-Yates) from the seed. */
static int collect(struct wrap *w, uint64_t seed)
{
	uint64_t nb = (w->size + w->band - 1) / w->band;
	struct mk_rng r;
	size_t len;
	int rc;

	w->order = calloc(nb ? nb : 1, sizeof(*w->order));
	if (!w->order)
		return -ENOMEM;
	for (uint64_t b = 0; b < nb; b++) {
		rc = read_band(w, b, &len);
		if (rc)
			return rc;
		if (!all_zero(w->buf, len))
			w->order[w->n++] = b;
	}
	mk_rng_seed(&r, seed);
	for (uint64_t i = w->n; i > 1; i--) {
		uint64_t j = mk_rng_next(&r) % i, t = w->order[i - 1];

		w->order[i - 1] = w->order[j];
		w->order[j] = t;
	}
	return 0;
}

static int put(int fd, const void *p, size_t n, uint64_t off)
{
	return pwrite(fd, p, n, (off_t)off) == (ssize_t)n ? 0 : errno ? -errno : -EIO;
}

/* Header node (§1): sprs, version 3, sectors per band, flags 1, sizes, next node. */
static void header_node(uint8_t *node, const struct wrap *w, uint64_t next)
{
	uint64_t sectors = w->size / SECTOR;

	memcpy(node, "sprs", 4);
	st_be32(node + 4, 3);
	st_be32(node + 8, (uint32_t)(w->band / SECTOR));
	st_be32(node + 12, 1);
	st_be32(node + 16, (uint32_t)sectors);
	st_be64(node + 20, next);
	st_be64(node + 28, sectors);
}

/* Index node k (from 0): sprs, node number, flags 1, next node. */
static void index_node(uint8_t *node, uint32_t k, uint64_t next)
{
	memcpy(node, "sprs", 4);
	st_be32(node + 4, k);
	st_be32(node + 8, 1);
	st_be64(node + 12, next);
}

/* Node k (0 = the header) at off and the bands it maps (order[first..first+count)). */
static int write_node(struct wrap *w, int fd, uint32_t k, uint64_t off, uint64_t first,
		      uint64_t count, uint64_t next)
{
	uint8_t node[NODE] = { 0 };
	unsigned ids = k ? 56 : 64;
	size_t len;
	int rc = 0;

	if (k)
		index_node(node, k - 1, next);
	else
		header_node(node, w, next);
	for (uint64_t i = 0; i < count && !rc; i++) {
		st_be32(node + ids + 4 * i, (uint32_t)(w->order[first + i] + 1));
		rc = read_band(w, w->order[first + i], &len);
		if (!rc)
			rc = put(fd, w->buf, w->band, off + NODE + i * w->band);
	}
	return rc ? rc : put(fd, node, NODE, off);
}

static int write_sparseimage(struct wrap *w, const char *out)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	uint64_t off = 0, done = 0;
	uint32_t k = 0;
	int rc = 0;

	if (fd < 0)
		return -errno;
	do {
		uint64_t slots = k ? IDX_SLOTS : HDR_SLOTS;
		uint64_t count = w->n - done < slots ? w->n - done : slots;
		uint64_t next = done + count < w->n ? off + NODE + slots * w->band : 0;

		rc = write_node(w, fd, k++, off, done, count, next);
		done += count;
		off = next;
	} while (!rc && off);
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

static const char plist_fmt[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	"\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	"<plist version=\"1.0\">\n<dict>\n"
	"\t<key>CFBundleInfoDictionaryVersion</key>\n\t<string>6.0</string>\n"
	"\t<key>band-size</key>\n\t<integer>%llu</integer>\n"
	"\t<key>bundle-backingstore-version</key>\n\t<integer>1</integer>\n"
	"\t<key>diskimage-bundle-type</key>\n\t<string>com.apple.diskimage.sparsebundle</string>\n"
	"\t<key>size</key>\n\t<integer>%llu</integer>\n"
	"</dict>\n</plist>\n";

static int write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = n ? put(fd, p, n, 0) : 0;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/* Info.plist, its copy Info.bckup and an empty token, as hdiutil leaves them. */
static int bundle_meta(const struct wrap *w, const char *out)
{
	char plist[1024];
	int n = snprintf(plist, sizeof(plist), plist_fmt, (unsigned long long)w->band,
			 (unsigned long long)w->size);
	int rc = write_file(out, "Info.plist", plist, (size_t)n);

	if (!rc)
		rc = write_file(out, "Info.bckup", plist, (size_t)n);
	return rc ? rc : write_file(out, "token", "", 0);
}

static int write_sparsebundle(struct wrap *w, const char *out)
{
	char dir[4096], name[32];
	size_t len;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/bands", out);
	if (mkdir(out, 0755) || mkdir(dir, 0755))
		return -errno;
	for (uint64_t i = 0; i < w->n && !rc; i++) {
		rc = read_band(w, w->order[i], &len);
		while (!rc && len >= SECTOR && all_zero(w->buf + len - SECTOR, SECTOR))
			len -= SECTOR; /* a short band reads as zeros past its end */
		snprintf(name, sizeof(name), "%llx", (unsigned long long)w->order[i]);
		if (!rc)
			rc = write_file(dir, name, w->buf, len);
	}
	return rc ? rc : bundle_meta(w, out);
}

int mk_wrap(const char *raw, const char *out, const struct mk_opts *o)
{
	struct wrap w = { .in = open(raw, O_RDONLY | O_CLOEXEC) };
	bool bundle = o->wrap == MK_WRAP_SPARSEBUNDLE;
	struct stat st = { 0 };
	int rc;

	w.band = o->band_size ? o->band_size : bundle ? 8u << 20 : 1u << 20;
	if (w.in < 0)
		return -errno;
	rc = fstat(w.in, &st) ? -errno : 0;
	w.size = (uint64_t)st.st_size;
	/* The header counts 512-byte sectors: a sparse image holds whole ones. */
	if (!rc && (w.band % SECTOR || w.band > (1u << 30) || w.size == 0 ||
		    (!bundle && w.size % SECTOR)))
		rc = -EINVAL;
	if (!rc && !(w.buf = malloc(w.band)))
		rc = -ENOMEM;
	if (!rc)
		rc = collect(&w, o->seed);
	if (!rc)
		rc = bundle ? write_sparsebundle(&w, out) : write_sparseimage(&w, out);
	free(w.buf);
	free(w.order);
	close(w.in);
	return rc;
}
