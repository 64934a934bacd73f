/* SPDX-License-Identifier: MIT */
/*
 * ewf1_read.c - the media bytes of an E01 set indexed by ewf1_open.c.
 *
 * Chunk c lies in the table whose range holds it; its stored bytes run
 * from its table entry's offset (relative to the table's base) to the next
 * entry's, or to the end of the sectors section for a table's last chunk.
 * Bit 31 of an entry marks a zlib stream (whose own Adler-32 checks it);
 * an uncompressed chunk is followed by the Adler-32 of its bytes.  A
 * chunk that fails either check is an error naming its sectors, never
 * data.  Offsets are checked against the sectors section before use.
 *
 * Table offsets are read when a chunk of the table is first wanted and
 * kept for at most EWF1_LOADED tables; a few decoded chunks are kept for
 * reads smaller than a chunk (the 4 KiB blocks of list and unlock).
 * Reads may come from several threads: one lock guards those two caches; chunks are read and decoded outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/bytes.h"
#include "util/err.h"
#include "util/fdio.h"
#include "codec/inflate.h"
#include "image/ewf1_int.h"

struct where {
	uint32_t seg;
	uint64_t at, stored;
	bool compressed;
};

/* The table holding chunk c (tables are in chunk order, none empty). */
static struct ewf1_table *table_of(struct ewf1_priv *p, uint64_t c)
{
	uint32_t lo = 0, hi = p->ntables;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->tables[mid].first <= c)
			lo = mid;
		else
			hi = mid;
	}
	return &p->tables[lo];
}

/*
 * Segment s's descriptor for one read: the one kept since the walk (fds
 * never change after it, so no lock), or one opened now (*own).
 */
static int seg_fd(const struct ewf1_priv *p, uint32_t s, bool *own)
{
	int fd = p->segs[s].fd;

	*own = false;
	if (fd >= 0)
		return fd;
	fd = open(p->segs[s].path, O_RDONLY | O_CLOEXEC);
	*own = fd >= 0;
	return fd >= 0 ? fd : -apfs_os_errno(errno);
}

static int seg_read(struct apfs_dev *dev, uint32_t s, void *buf, size_t len, uint64_t off)
{
	struct ewf1_priv *p = dev->priv;
	bool own;
	int fd = seg_fd(p, s, &own), ret;

	if (fd < 0) {
		apfs_err("'%s': E01 segment file '%s' cannot be opened: %s", dev->path,
			 p->segs[s].path, strerror(-fd));
		return fd;
	}
	ret = off > p->segs[s].size || len > p->segs[s].size - off ? -EIO
								    : apfs_pread_full(fd, buf, len, off);
	if (own)
		close(fd);
	if (ret)
		apfs_err("'%s': E01 segment file '%s': read of %zu bytes at %llu failed: %s",
			 dev->path, p->segs[s].path, len, (unsigned long long)off,
			 strerror(-ret));
	return apfs_os_ret(ret);
}

/* Make room for one more loaded table: drop the least recently used one's offsets. */
static void tables_trim(struct ewf1_priv *p)
{
	struct ewf1_table *v = NULL;

	if (p->nloaded < EWF1_LOADED)
		return;
	for (uint32_t i = 0; i < p->ntables; i++)
		if (p->tables[i].off && (!v || p->tables[i].used < v->used))
			v = &p->tables[i];
	free(v->off);
	v->off = NULL;
	p->nloaded--;
}

/* Table t's entries read and checked against their Adler-32 (p->lock held). */
static int table_load(struct apfs_dev *dev, struct ewf1_table *t)
{
	struct ewf1_priv *p = dev->priv;
	size_t n = (size_t)t->n * 4;
	uint8_t *raw = malloc(n + 4);
	int ret = raw ? seg_read(dev, t->seg, raw, n + 4, t->entries) : -ENOMEM;

	if (!ret && adler32(adler32(0, NULL, 0), raw, (uInt)n) != ld_le32(raw + n)) {
		apfs_err("'%s': E01 table section of segment '%s' (chunk offsets at byte %llu) "
			 "fails its checksum (damaged segment file)",
			 dev->path, p->segs[t->seg].path, (unsigned long long)t->entries);
		ret = -APFS_ECORRUPT;
	}
	if (ret) {
		free(raw);
		return ret;
	}
	for (uint32_t i = 0; i < t->n; i++)
		((uint32_t *)raw)[i] = ld_le32(raw + 4 * (size_t)i);
	tables_trim(p);
	t->off = (uint32_t *)raw;
	p->nloaded++;
	return 0;
}

/* Where chunk c's stored bytes are, checked to lie inside their sectors section. */
static int chunk_where(struct apfs_dev *dev, uint64_t c, struct where *w)
{
	struct ewf1_priv *p = dev->priv;
	struct ewf1_table *t;
	uint64_t end;
	uint32_t i;
	int ret = 0;

	pthread_mutex_lock(&p->lock);
	t = table_of(p, c);
	if (!t->off)
		ret = table_load(dev, t);
	if (!ret) {
		t->used = ++p->tick;
		i = (uint32_t)(c - t->first);
		w->seg = t->seg;
		w->compressed = t->off[i] >> 31;
		w->at = t->base + (t->off[i] & 0x7fffffff);
		end = i + 1 < t->n ? t->base + (t->off[i + 1] & 0x7fffffff) : t->data_end;
		if (w->at < t->data_start || end <= w->at || end > t->data_end) {
			apfs_err("'%s': E01 table in segment '%s': chunk %llu lies at bytes "
				 "%llu-%llu, outside its sectors section (%llu-%llu)",
				 dev->path, p->segs[t->seg].path, (unsigned long long)c,
				 (unsigned long long)w->at, (unsigned long long)end,
				 (unsigned long long)t->data_start,
				 (unsigned long long)t->data_end);
			ret = -APFS_ECORRUPT;
		}
		w->stored = end - w->at;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static int chunk_damaged(struct apfs_dev *dev, uint64_t c, const char *what)
{
	struct ewf1_priv *p = dev->priv;
	uint64_t spc = p->chunk / p->bps, first = c * spc;
	uint64_t last = first + spc - 1, media = dev->size / p->bps;

	apfs_err("'%s': E01 chunk holding sectors %llu-%llu %s (damaged segment file)",
		 dev->path, (unsigned long long)first,
		 (unsigned long long)(last < media ? last : media - 1), what);
	return -APFS_ECORRUPT;
}

/*
 * Chunk c's clen bytes into out, which has room for a whole chunk.  The
 * stored form may be a little larger than the chunk (a zlib stream that
 * did not shrink) but never more than twice it.
 */
static int chunk_decode(struct apfs_dev *dev, uint64_t c, uint8_t *out, size_t clen)
{
	struct ewf1_priv *p = dev->priv;
	struct where w;
	uint8_t *in;
	size_t got = 0;
	int ret = chunk_where(dev, c, &w);

	if (ret)
		return ret;
	if (w.stored > 2 * (uint64_t)p->chunk + 64 || (!w.compressed && w.stored != clen + 4))
		return chunk_damaged(dev, c, "has a stored size that does not fit it");
	in = malloc(w.stored);
	if (!in)
		return -ENOMEM;
	ret = seg_read(dev, w.seg, in, w.stored, w.at);
	if (!ret && w.compressed) {
		ret = apfs_inflate(in, w.stored, out, p->chunk, &got);
		if (ret == -ENOMEM)
			;
		else if (ret || got < clen)
			ret = chunk_damaged(dev, c, "cannot be decompressed");
	} else if (!ret && adler32(adler32(0, NULL, 0), in, (uInt)clen) != ld_le32(in + clen)) {
		ret = chunk_damaged(dev, c, "fails its checksum");
	} else if (!ret) {
		memcpy(out, in, clen);
	}
	free(in);
	return ret;
}

/* A copy of chunk c's bytes [in, in + n) from the cache: true when it was there. */
static bool cache_get(struct ewf1_priv *p, uint64_t c, uint8_t *out, size_t n, size_t in)
{
	bool hit = false;

	pthread_mutex_lock(&p->lock);
	for (uint32_t i = 0; i < p->ncache && !hit; i++) {
		if (p->cache[i].index != c)
			continue;
		memcpy(out, p->cache[i].data + in, n);
		p->cache[i].used = ++p->tick;
		hit = true;
	}
	pthread_mutex_unlock(&p->lock);
	return hit;
}

/* Keep a decoded chunk (data, owned from now on) in place of the least used one. */
static void cache_put(struct ewf1_priv *p, uint64_t c, uint8_t *data)
{
	struct ewf1_chunk *v = &p->cache[0];

	pthread_mutex_lock(&p->lock);
	for (uint32_t i = 1; i < p->ncache; i++)
		if (p->cache[i].used < v->used)
			v = &p->cache[i];
	free(v->data);
	*v = (struct ewf1_chunk){ c, ++p->tick, data };
	pthread_mutex_unlock(&p->lock);
}

/* n bytes of chunk c from byte in: decoded straight into out when it is the whole chunk. */
static int chunk_read(struct apfs_dev *dev, uint64_t c, uint8_t *out, size_t n, size_t in)
{
	struct ewf1_priv *p = dev->priv;
	uint64_t start = c * p->chunk;
	size_t clen = dev->size - start < p->chunk ? (size_t)(dev->size - start) : p->chunk;
	uint8_t *tmp;
	int ret;

	if (in == 0 && n == p->chunk)
		return chunk_decode(dev, c, out, clen);
	if (cache_get(p, c, out, n, in))
		return 0;
	tmp = malloc(p->chunk);
	if (!tmp)
		return -ENOMEM;
	ret = chunk_decode(dev, c, tmp, clen);
	if (ret) {
		free(tmp);
		return ret;
	}
	memcpy(out, tmp + in, n);
	cache_put(p, c, tmp);
	return 0;
}

int ewf1_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct ewf1_priv *p = dev->priv;
	uint8_t *out = buf;

	while (len > 0) {
		uint64_t c = off / p->chunk;
		size_t in = (size_t)(off % p->chunk);
		size_t n = p->chunk - in < len ? p->chunk - in : len;
		int ret = chunk_read(dev, c, out, n, in);

		if (ret)
			return ret;
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}
