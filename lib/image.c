/* SPDX-License-Identifier: MIT */
/*
 * image.c - apfsi_image: an image opened read-only (its format detected or
 * given), its APFS containers (from the partition map, or the one at a
 * given offset) and their volumes, as the commands open them.  A damaged
 * container or volume is skipped, the reason kept in first_error; the open
 * fails only when no container opens.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "internal.h"
#include "users.h"

#define LAYERS 16

struct pass_ctx {
	apfsi_passphrase_fn fn;
	void *arg;
};

/* image/'s callback over the caller's: 1 (no more candidates) for any refusal. */
static int give_passphrase(void *arg, const char *image, unsigned attempt, char *buf, size_t cap,
			   size_t *len)
{
	const struct pass_ctx *p = arg;

	*len = 0;
	if (p->fn(p->arg, image, attempt, buf, cap, len))
		return attempt == 0 ? -APFS_ELOCKED : 1;
	return *len <= cap ? 0 : -EINVAL;
}

static int open_dev(const char *path, const struct apfsi_open_options *o, struct apfs_dev **dev)
{
	struct pass_ctx p = { o ? o->passphrase : NULL, o ? o->passphrase_arg : NULL };
	int ret;

	/* image/'s passphrase source is per thread: opens on other threads do not see this one. */
	if (p.fn)
		apfsi_secure_init();  /* image/ keeps the passphrase's keys in locked memory */
	apfs_dev_set_passphrase_cb(p.fn ? give_passphrase : NULL, &p);
	ret = apfs_dev_open_format(path, o ? o->format : NULL, dev);
	apfs_dev_set_passphrase_cb(NULL, NULL);
	return ret;
}

static void add_volume(struct apfsi_image *img, struct apfs_volume *v)
{
	struct apfsi_volume *vol = &img->vols[img->nvols++];

	memset(vol, 0, sizeof(*vol));
	vol->img = img;
	vol->v = v;
	vol->cidx = img->ncont - 1;
	vol->number = img->nvols;
	pthread_mutex_init(&vol->lock, NULL);
	apfsi_volume_note_ids(vol);
}

static void note_skip(struct apfsi_image *img, int ret)
{
	img->skipped++;
	if (!img->first_error)
		img->first_error = apfsi_code(ret);
}

static int add_container(struct apfsi_image *img, uint64_t off, uint64_t size, uint64_t xid)
{
	struct apfs_container *c;
	int ret = apfs_container_open(img->dev, off, size, xid, &c);

	if (ret)
		return ret;
	img->cont[img->ncont++] = c;
	for (unsigned i = 0; i < APFS_NX_MAX_FILE_SYSTEMS; i++) {
		struct apfs_volume *v;

		if (!get_le64(c->nx.nx_fs_oid[i]))
			continue;
		/* A damaged volume is logged and skipped; the others still open. */
		ret = apfs_volume_open(c, i, &v);
		if (ret)
			note_skip(img, ret);
		else
			add_volume(img, v);
	}
	return 0;
}

static int alloc_tables(struct apfsi_image *img, unsigned ncont)
{
	img->cont = calloc(ncont, sizeof(*img->cont));
	img->vols = calloc((size_t)ncont * APFS_NX_MAX_FILE_SYSTEMS, sizeof(*img->vols));
	return img->cont && img->vols ? 0 : -ENOMEM;
}

static int open_containers(struct apfsi_image *img, const struct apfsi_open_options *o)
{
	uint64_t xid = o ? o->checkpoint_xid : 0;
	int ret, first = 0;

	if (o && o->at_offset) {
		ret = alloc_tables(img, 1);
		return ret ? ret : add_container(img, o->offset, UINT64_MAX, xid);
	}
	ret = apfs_find_containers(img->dev, &img->parts, &img->nparts);
	if (!ret)
		ret = alloc_tables(img, img->nparts);
	for (unsigned i = 0; !ret && i < img->nparts; i++) {
		int r = add_container(img, img->parts[i].offset, img->parts[i].size, xid);

		if (r && !first)
			first = r;
		if (r)
			note_skip(img, r);
	}
	/* Several containers: keep those that open; fail only if none does. */
	return ret ? ret : img->ncont ? 0 : first;
}

struct text {
	char *s;
	size_t len, cap;
};

/* Append to t, cut at its capacity (which make_chain sizes to fit). */
static void __attribute__((format(printf, 2, 3))) add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

/* "UDIF (zlib) > GPT (4096-byte sectors) > APFS container at 20480", as `list` says it. */
static int make_chain(struct apfsi_image *img)
{
	const struct apfs_dev *l[LAYERS];
	size_t n = apfs_dev_chain(img->dev, l, LAYERS);
	struct text t = { NULL, 0, 64 + 24 * (size_t)img->ncont };

	for (size_t i = 0; i < n; i++)
		t.cap += strlen(l[i]->summary) + 3;
	if (!(t.s = malloc(t.cap)))
		return -ENOMEM;
	t.s[0] = '\0';
	for (size_t i = 0; i < n; i++)
		add(&t, "%s%s", i ? " > " : "", l[i]->summary);
	if (img->nparts && img->parts[0].index)
		add(&t, " > GPT (%u-byte sectors)", img->parts[0].sector_size);
	if (!img->ncont) {
		add(&t, " > no APFS container");
		img->chain = t.s;
		return 0;
	}
	add(&t, " > APFS container%s at", img->ncont == 1 ? "" : "s");
	for (unsigned i = 0; i < img->ncont; i++)
		add(&t, "%s %llu", i ? "," : "", (unsigned long long)img->cont[i]->offset);
	img->chain = t.s;
	return 0;
}

/*
 * The containers; with APFSI_OPEN_WITHOUT_APFS none is needed (the reason
 * kept as first_error): the layers are still there to read and check.
 */
static int containers_of(struct apfsi_image *img, const struct apfsi_open_options *o)
{
	int ret = open_containers(img, o);

	if (!ret || !o || !(o->flags & APFSI_OPEN_WITHOUT_APFS))
		return ret;
	if (!img->first_error)
		img->first_error = apfsi_code(ret);
	return 0;
}

/* The image's own refusal: no passphrase, or none of those given opens it. */
static int open_code(int ret)
{
	if (ret == -APFS_ELOCKED || ret == -APFS_EREJECTED)
		return APFSI_ERR_IMAGE_LOCKED;
	return apfsi_code(ret);
}

int apfsi_image_open(const char *path, const struct apfsi_open_options *opts, apfsi_image **out)
{
	struct apfsi_image *img;
	int ret;

	apfsi_log_init();
	apfsi_enter();
	if (!path || !out)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_image_open: path and out are required");
	*out = NULL;
	if (opts && (opts->flags & ~(uint64_t)APFSI_OPEN_WITHOUT_APFS))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_image_open: unknown flags 0x%llx",
				  (unsigned long long)opts->flags);
	if (!(img = calloc(1, sizeof(*img))))
		return apfsi_fail(APFSI_ERR_NOMEM, "'%s': out of memory", path);
	ret = open_dev(path, opts, &img->dev);
	if (!ret)
		ret = containers_of(img, opts);
	if (!ret)
		ret = make_chain(img);
	if (ret) {
		int code = open_code(ret);

		apfsi_image_close(img);
		return apfsi_fail(code, "'%s': %s", path, apfsi_strerror(code));
	}
	*out = img;
	return APFSI_OK;
}

/* What a volume loaded on first use (snapshots, keybags, names) goes with it. */
static void volume_release(struct apfsi_volume *vol)
{
	apfsi_volume_users_free(vol);  /* keybags, names, the kept VEK wiped */
	free(vol->snaps);
	pthread_mutex_destroy(&vol->lock);
	apfs_volume_close(vol->v);
}

void apfsi_image_close(apfsi_image *img)
{
	if (!img)
		return;
	for (unsigned i = 0; i < img->nvols; i++)
		volume_release(&img->vols[i]);
	for (unsigned i = 0; i < img->ncont; i++)
		apfs_container_close(img->cont[i]);
	free(img->vols);
	free(img->cont);
	free(img->parts);
	free(img->chain);
	if (img->dev)
		apfs_dev_close(img->dev);
	free(img);
}

int apfsi_image_info(const apfsi_image *img, struct apfsi_image_info *info)
{
	const struct apfs_dev *l[1];

	apfsi_enter();
	if (!img || !info)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_image_info: img and info are required");
	memset(info, 0, sizeof(*info));
	info->size = img->dev->size;
	info->format = apfs_dev_chain(img->dev, l, 1) ? l[0]->ops->kind : img->dev->ops->kind;
	info->chain = img->chain;
	info->containers = img->ncont;
	info->volumes = img->nvols;
	info->first_error = img->first_error;
	info->skipped = img->skipped;
	info->sector_size = img->nparts && img->parts[0].index ? img->parts[0].sector_size : 0;
	info->layers = apfsi_layer_count(img);
	return APFSI_OK;
}

int apfsi_container_info(const apfsi_image *img, unsigned index, struct apfsi_container_info *info)
{
	const struct apfs_container *c;

	apfsi_enter();
	if (!img || !info)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_container_info: img and info are required");
	if (index >= img->ncont)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "container %u: the image has %u", index,
				  img->ncont);
	c = img->cont[index];
	memset(info, 0, sizeof(*info));
	memcpy(info->uuid, c->nx.nx_uuid, 16);
	info->offset = c->offset;
	info->block_size = c->block_size;
	info->block_count = c->block_count;
	info->blocks_present = c->blocks_present;
	info->xid = c->xid;
	for (unsigned i = 0; i < img->nvols; i++)
		info->volumes += img->vols[i].cidx == index;
	apfsi_container_extras(img, index, info);
	return APFSI_OK;
}
