/* SPDX-License-Identifier: MIT */
/*
 * sparsebundle.c - Apple sparse bundles (.sparsebundle, hdiutil UDSB, Time
 * Machine), read from docs/containers.md §2 (libmodi, apfs-fuse,
 * sparsebundlefs).
 *
 * A bundle is a directory: Info.plist (band-size, size), bands/ holding
 * band n as the file named n in lowercase hex, and a token file.  A band
 * file that does not exist was never written and reads as zeros; a short
 * one reads as zeros past its end; one longer than band-size is an error
 * naming it.  The logical stream is the bands' bytes as stored: for an
 * encrypted bundle (token starting with "encrcdsa") that is the ciphertext,
 * handed to the decrypting layer (bundle_encrypted below).
 *
 * Bundles hold up to hundreds of thousands of bands, so band files are
 * opened on first use and kept in a small cache (least recently used out):
 * descriptors stay bounded, and sequential reads pay one open per band, not
 * per read.  bench/containers.sh compares reads with the raw image.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fdio.h"
#include "image/dev.h"
#include "image/probe.h"
#include "image/sparsebundle.h"

#define FD_CACHE 32                 /* open band files kept */
#define NO_BAND UINT64_MAX

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14; older kernels say EINVAL and get reads */
#endif

struct band_fd {
	uint64_t band; /* NO_BAND: entry unused */
	int fd;        /* -1: the band file does not exist (zeros) */
	uint64_t len;  /* the file's length, <= band size */
	unsigned users;
	uint64_t used; /* tick of the last use, for LRU */
	uint8_t *map;  /* the file mapped read-only for views (bundle_view), or NULL */
};

struct bundle_priv {
	int bands;     /* the bands/ directory */
	uint64_t band_size, nbands;
	pthread_mutex_t lock;
	uint64_t tick;
	struct band_fd cache[FD_CACHE];
};

static void band_close(struct band_fd *e)
{
	if (e->map)
		munmap(e->map, (size_t)e->len);
	close(e->fd);
}

static void bundle_free(struct bundle_priv *p)
{
	for (unsigned i = 0; i < FD_CACHE; i++)
		if (p->cache[i].band != NO_BAND && p->cache[i].fd >= 0)
			band_close(&p->cache[i]);
	if (p->bands >= 0)
		close(p->bands);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/*
 * A band file must be a regular file no longer than a band.  Hostile
 * bundles could hold a FIFO (opening it would block forever), a device, or
 * a symbolic link to a file of the examiner's own system: each is refused.
 */
static int band_check(const char *dir, const char *name, const struct stat *st,
		      uint64_t band_size, bool say)
{
	if (!S_ISREG(st->st_mode)) {
		if (say)
			apfs_err("'%s': sparsebundle band file bands/%s is not a regular file "
				 "(a link, FIFO, device or directory)", dir, name);
		return -APFS_ECORRUPT;
	}
	if ((uint64_t)st->st_size <= band_size)
		return 0;
	if (say)
		apfs_err("'%s': sparsebundle band file bands/%s is %llu bytes, longer than the "
			 "band size (%llu)", dir, name, (unsigned long long)st->st_size,
			 (unsigned long long)band_size);
	return -APFS_ECORRUPT;
}

/* Open band's file: fd and length, fd -1 when it does not exist; say: log errors. */
static int band_open(const struct apfs_dev *dev, const struct bundle_priv *p, uint64_t band,
		     int *fd, uint64_t *len, bool say)
{
	char name[24];
	struct stat st;
	int ret;

	snprintf(name, sizeof(name), "%llx", (unsigned long long)band);
	*len = 0;
	/* O_NONBLOCK: a FIFO opens at once (and is refused); O_NOFOLLOW: no links. */
	*fd = openat(p->bands, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (*fd < 0 && errno == ENOENT)
		return 0; /* never written */
	if (*fd < 0 && errno == ELOOP)
		st.st_mode = S_IFLNK;
	else if (*fd < 0 || fstat(*fd, &st) < 0) {
		ret = -apfs_os_errno(errno);
		if (say)
			apfs_err("'%s': sparsebundle band file bands/%s cannot be opened: %s",
				 dev->path, name, apfs_strerror(ret));
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return ret;
	}
	ret = band_check(dev->path, name, &st, p->band_size, say);
	if (ret && *fd >= 0)
		close(*fd);
	if (ret)
		*fd = -1;
	*len = ret ? 0 : (uint64_t)st.st_size;
	return ret;
}

/* The cache entry to reuse: an unused one, else the least recently used idle one. */
static struct band_fd *cache_victim(struct bundle_priv *p)
{
	struct band_fd *v = NULL;

	for (unsigned i = 0; i < FD_CACHE; i++) {
		struct band_fd *e = &p->cache[i];

		if (e->band == NO_BAND)
			return e;
		if (!e->users && (!v || e->used < v->used))
			v = e;
	}
	return v;
}

static struct band_fd *cache_find(struct bundle_priv *p, uint64_t band)
{
	for (unsigned i = 0; i < FD_CACHE; i++)
		if (p->cache[i].band == band)
			return &p->cache[i];
	return NULL;
}

/* Take e for this thread (p->lock held). */
static struct band_fd *cache_use(struct bundle_priv *p, struct band_fd *e)
{
	e->users++;
	e->used = ++p->tick;
	return e;
}

/*
 * Put a band file this thread opened into the cache (p->lock held): into an
 * idle entry, unless another thread put the same band there meanwhile; in
 * *tmp when every entry is busy (the caller then closes it).
 */
static struct band_fd *cache_put(struct bundle_priv *p, uint64_t band, int fd, uint64_t len,
				 struct band_fd *tmp)
{
	struct band_fd *e = cache_find(p, band);

	if (e) {
		if (fd >= 0)
			close(fd);
		return cache_use(p, e);
	}
	e = cache_victim(p);
	if (!e) {
		*tmp = (struct band_fd){ band, fd, len, 0, 0, NULL };
		return tmp;
	}
	if (e->band != NO_BAND && e->fd >= 0)
		band_close(e);
	*e = (struct band_fd){ band, fd, len, 0, 0, NULL };
	return cache_use(p, e);
}

/*
 * The band's open file, counted in use until band_put.  A miss opens the
 * file outside the lock, so that FUSE's and cat's reader threads do not
 * wait on each other's opens.
 */
static int band_get(const struct apfs_dev *dev, struct bundle_priv *p, uint64_t band,
		    struct band_fd *tmp, struct band_fd **out, bool say)
{
	uint64_t len;
	int fd, ret;

	pthread_mutex_lock(&p->lock);
	*out = cache_find(p, band);
	if (*out)
		cache_use(p, *out);
	pthread_mutex_unlock(&p->lock);
	if (*out)
		return 0;
	ret = band_open(dev, p, band, &fd, &len, say);
	if (ret)
		return ret;
	pthread_mutex_lock(&p->lock);
	*out = cache_put(p, band, fd, len, tmp);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void band_put(struct bundle_priv *p, struct band_fd *e, const struct band_fd *tmp)
{
	if (e == tmp) {
		if (e->fd >= 0)
			close(e->fd);
		return;
	}
	pthread_mutex_lock(&p->lock);
	e->users--;
	pthread_mutex_unlock(&p->lock);
}

/* n bytes of band at in: the file's bytes, zeros past its end. */
static int band_read(struct apfs_dev *dev, uint64_t band, uint8_t *out, size_t n, uint64_t in)
{
	struct bundle_priv *p = dev->priv;
	struct band_fd tmp = { band, -1, 0, 0, 0, NULL }, *e;
	size_t have;
	int ret = band_get(dev, p, band, &tmp, &e, true);

	if (ret)
		return ret;
	have = e->fd < 0 || e->len <= in ? 0 : e->len - in < n ? (size_t)(e->len - in) : n;
	if (have && (ret = apfs_pread_full(e->fd, out, have, in)) != 0)
		apfs_err("'%s': sparsebundle band file bands/%llx: read of %zu bytes at %llu "
			 "failed: %s",
			 dev->path, (unsigned long long)band, have, (unsigned long long)in,
			 strerror(-ret));
	ret = apfs_os_ret(ret);
	memset(out + have, 0, n - have);
	band_put(p, e, &tmp);
	return ret;
}

static int bundle_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct bundle_priv *p = dev->priv;
	uint8_t *out = buf;

	while (len > 0) {
		uint64_t band = off / p->band_size, in = off % p->band_size;
		size_t n = p->band_size - in < len ? (size_t)(p->band_size - in) : len;
		int ret = band_read(dev, band, out, n, in);

		if (ret)
			return ret;
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * A cached band's file mapped (once, kept while it is cached: at most
 * FD_CACHE maps), for views; NULL when it cannot be.  Made outside the
 * lock; a thread that lost the race drops its own.
 */
static uint8_t *band_map(struct bundle_priv *p, struct band_fd *e)
{
	uint8_t *m;

	pthread_mutex_lock(&p->lock);
	m = e->map;
	pthread_mutex_unlock(&p->lock);
	if (m || !e->len || e->len > SIZE_MAX)
		return m;
	m = mmap(NULL, (size_t)e->len, PROT_READ, MAP_SHARED, e->fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	pthread_mutex_lock(&p->lock);
	if (e->map)
		munmap(m, (size_t)e->len);
	else
		e->map = m;
	m = e->map;
	pthread_mutex_unlock(&p->lock);
	return m;
}

/*
 * The bytes of one band in place (struct apfs_dev's view), for the
 * decrypting layer of an encrypted bundle: from the band file's mapping,
 * held in the cache (in use) until bundle_unview.  NULL for a range across
 * bands, past the file's end (zeros) or not mapped: those are read.  The
 * populate fails where touching the pages would raise SIGBUS (the file
 * shrank): read instead, and its error named.  Band errors are logged by
 * that read, not here.
 */
static const uint8_t *bundle_view(struct apfs_dev *dev, size_t len, uint64_t off, void **hold)
{
	struct bundle_priv *p = dev->priv;
	uint64_t band = off / p->band_size, in = off % p->band_size;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start = in / page * page;
	struct band_fd tmp = { band, -1, 0, 0, 0, NULL }, *e;
	uint8_t *m = NULL;

	if (len > p->band_size - in || band_get(dev, p, band, &tmp, &e, false))
		return NULL;
	if (e != &tmp && e->fd >= 0 && len <= e->len && in <= e->len - len)
		m = band_map(p, e);
	if (m && !madvise(m + start, (size_t)(in + len - start), MADV_POPULATE_READ)) {
		*hold = e;
		return m + in;
	}
	band_put(p, e, &tmp);
	return NULL;
}

static void bundle_unview(struct apfs_dev *dev, void *hold)
{
	band_put(dev->priv, hold, NULL);
}

static void bundle_close(struct apfs_dev *dev)
{
	bundle_free(dev->priv);
}

static void bundle_summary(struct apfs_dev *dev, const struct bundle_priv *p, uint64_t present)
{
	char band[32], size[32];

	apfs_fmt_size(p->band_size, band, sizeof(band));
	apfs_fmt_size(dev->size, size, sizeof(size));
	snprintf(dev->summary, sizeof(dev->summary), "sparsebundle (%s bands, %llu of %llu "
		 "present, %s)", band, (unsigned long long)present,
		 (unsigned long long)p->nbands, size);
}

static const struct apfs_dev_ops bundle_ops = { "sparsebundle", bundle_read, bundle_close };

/* A band file's name: lowercase hex, no leading zeros (§2); 0 when it is one. */
static int band_name(const char *name, uint64_t *band)
{
	size_t l = strlen(name);

	if (l == 0 || l > 16 || strspn(name, "0123456789abcdef") != l || (name[0] == '0' && l > 1))
		return -1;
	*band = strtoull(name, NULL, 16);
	return 0;
}

/*
 * Look at every name in bands/ once: count the bands present (for list),
 * refuse a band that is not a regular file, warn of bands past the size.
 * (A band file longer than band-size is refused when it is opened.)
 */
static int bands_scan(const char *dir, const struct bundle_priv *p, uint64_t *present)
{
	int fd = dup(p->bands), ret = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	uint64_t band, past = 0;
	struct dirent *de;
	struct stat st;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -apfs_os_errno(errno);
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (band_name(de->d_name, &band))
			continue;
		if (band >= p->nbands) {
			past++;
			continue;
		}
		/*
		 * A regular file's length is checked when it is opened: a stat of
		 * each of 133,000 band files made opening a bundle take 0.5 s.
		 */
		if (de->d_type != DT_REG &&
		    !fstatat(p->bands, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			ret = band_check(dir, de->d_name, &st, p->band_size, true);
		if (ret == 0)
			(*present)++;
	}
	closedir(d);
	if (past)
		apfs_warn("'%s': sparsebundle: %llu band files past the size in Info.plist, ignored",
			  dir, (unsigned long long)past);
	return ret;
}

static int bundle_new(const char *dir, const struct bundle_info *bi, struct apfs_dev **out)
{
	struct bundle_priv *p = calloc(1, sizeof(*p));
	char path[4096];
	uint64_t present = 0;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	for (unsigned i = 0; i < FD_CACHE; i++)
		p->cache[i].band = NO_BAND;
	p->band_size = bi->band_size;
	p->nbands = (bi->size + bi->band_size - 1) / bi->band_size;
	snprintf(path, sizeof(path), "%s/bands", dir);
	p->bands = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->bands < 0) {
		ret = -apfs_os_errno(errno);
		apfs_err("'%s': sparsebundle has no bands/ directory: %s", dir, strerror(errno));
	}
	if (ret == 0)
		ret = bands_scan(dir, p, &present);
	if (ret == 0 && !(*out = apfs_dev_new(&bundle_ops, p, bi->size, NULL, dir)))
		ret = -ENOMEM;
	if (ret == 0) {
		(*out)->view = bundle_view;
		(*out)->unview = bundle_unview;
	}
	if (ret) {
		bundle_free(p);
		return ret;
	}
	bundle_summary(*out, p, present);
	return 0;
}

/*
 * The token file as a device when it holds an encryption header (it starts
 * with "encrcdsa", §2): 1 and *tok; 0 when the bundle is not encrypted (no
 * token, an empty one as hdiutil leaves it, or other bytes).
 */
static int token_open(const char *dir, struct apfs_dev **tok)
{
	char path[4096], magic[8];
	struct stat st;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/token", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 8 ||
	    apfs_pread_full(fd, magic, 8, 0) || memcmp(magic, "encrcdsa", 8)) {
		close(fd);
		return 0;
	}
	ret = apfs_dev_fd_open(fd, (uint64_t)st.st_size, path, tok);
	if (ret)
		close(fd);
	return ret ? ret : 1;
}

/*
 * An encrypted bundle: the token (the encrcdsa header at its start) and the
 * band stream (ciphertext, chunk 0 at byte 0) handed to the decrypting
 * layer (image/encrcdsa.c, probe.h): 0 and *out owning bundle, or a
 * negative errno, logged; the token stays ours either way.
 */
static int bundle_encrypted(struct apfs_dev *token, struct apfs_dev *bundle,
			    struct apfs_dev **out)
{
	return apfs_encrcdsa_over(token, bundle, out);
}

int apfs_sparsebundle_open(const char *dir, struct apfs_dev **out)
{
	struct bundle_info bi = { 0, 0 };
	struct apfs_dev *bundle = NULL, *token = NULL;
	char type[160];
	int ret = bundle_info(dir, &bi, type, sizeof(type));

	if (ret == 0 && type[0]) {
		apfs_err("'%s' is a directory whose Info.plist has %s: not a sparse bundle (%s)",
			 dir, type, BUNDLE_TYPE);
		return -ENOTSUP;
	}
	if (ret <= 0)
		return ret;
	ret = bundle_new(dir, &bi, &bundle);
	if (ret == 0)
		ret = token_open(dir, &token);
	if (ret == 0) {
		*out = bundle;
		return 1;
	}
	if (ret == 1) {
		ret = bundle_encrypted(token, bundle, out);
		apfs_dev_close(token);
		if (ret == 0)
			return 1; /* *out owns bundle */
	}
	apfs_dev_close(bundle);
	return ret;
}
