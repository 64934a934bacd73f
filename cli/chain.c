/* SPDX-License-Identifier: MIT */
/*
 * chain.c - the layers `list` opened, outermost first: the image's
 * container formats (image/), the partition map, the APFS containers.
 * "E01 (3 segments, 4.0 GiB, MD5 stored) → GPT (4096-byte sectors) →
 * APFS container at 209735680"
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define LAYERS 16

/* The GPT sector size if the containers came from a GPT, else 0. */
static uint32_t gpt_sectors(const struct cli_image *img)
{
	return img->nparts && img->parts[0].index ? img->parts[0].sector_size : 0;
}

static void hex(const uint8_t *v, unsigned len, char *out)
{
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", v[i]);
	out[2 * len] = '\0';
}

void cli_chain_print(const struct cli_image *img, FILE *f)
{
	const struct apfs_dev *l[LAYERS];
	size_t n = apfs_dev_chain(img->dev, l, LAYERS);
	uint32_t ss = gpt_sectors(img);

	fprintf(f, "Image: ");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " \u2192 " : "", cli_safe_str(l[i]->summary));
	if (ss)
		fprintf(f, " \u2192 GPT (%u-byte sectors)", ss);
	fprintf(f, " \u2192 APFS container%s at", img->ncont == 1 ? "" : "s");
	for (unsigned i = 0; i < img->ncont; i++)
		fprintf(f, "%s %llu", i ? "," : "", (unsigned long long)img->cont[i]->offset);
	fputc('\n', f);
}

static void json_layer(struct json *j, const struct apfs_dev *d)
{
	char h[2 * sizeof(d->hashes[0].value) + 1];

	json_obj_open(j, NULL);
	json_str(j, "layer", d->ops->kind);
	json_str(j, "description", d->summary);
	json_u64(j, "size", d->size);
	json_obj_open(j, "stored_hashes");
	for (unsigned i = 0; i < d->nhashes; i++) {
		hex(d->hashes[i].value, d->hashes[i].len, h);
		json_str(j, d->hashes[i].name, h);
	}
	json_obj_close(j);
	json_obj_close(j);
}

void cli_chain_json(struct json *j, const struct cli_image *img)
{
	const struct apfs_dev *l[LAYERS];
	size_t n = apfs_dev_chain(img->dev, l, LAYERS);
	uint32_t ss = gpt_sectors(img);
	char d[64];

	json_arr_open(j, "chain");
	for (size_t i = 0; i < n; i++)
		json_layer(j, l[i]);
	if (ss) {
		snprintf(d, sizeof(d), "GPT (%u-byte sectors)", ss);
		json_obj_open(j, NULL);
		json_str(j, "layer", "GPT");
		json_str(j, "description", d);
		json_u64(j, "sector_size", ss);
		json_obj_close(j);
	}
	for (unsigned i = 0; i < img->ncont; i++) {
		snprintf(d, sizeof(d), "APFS container at %llu",
			 (unsigned long long)img->cont[i]->offset);
		json_obj_open(j, NULL);
		json_str(j, "layer", "APFS container");
		json_str(j, "description", d);
		json_u64(j, "offset", img->cont[i]->offset);
		json_obj_close(j);
	}
	json_arr_close(j);
}
