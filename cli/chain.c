/* SPDX-License-Identifier: MIT */
/*
 * chain.c - the layers `list` opened, outermost first: the image's
 * container formats (apfsi_image_layer), the partition map, the APFS
 * containers.
 * "E01 (3 segments, 4.0 GiB, MD5 stored) → GPT (4096-byte sectors) →
 * APFS container at 209735680"
 */
#include <stdio.h>
#include <string.h>

#include "list.h"

void list_chain_print(const struct list_image *li, FILE *f)
{
	struct apfsi_layer_info l;
	uint32_t ss = li->info.sector_size;

	fprintf(f, "Image: ");
	for (unsigned i = 0; i < li->info.layers; i++)
		if (!apfsi_image_layer(li->img, i, &l))
			fprintf(f, "%s%s", i ? " \u2192 " : "", cli_safe_str(l.description));
	if (ss)
		fprintf(f, " \u2192 GPT (%u-byte sectors)", ss);
	fprintf(f, " \u2192 APFS container%s at", li->info.containers == 1 ? "" : "s");
	for (unsigned i = 0; i < li->info.containers; i++)
		fprintf(f, "%s %llu", i ? "," : "", (unsigned long long)li->cont[i].offset);
	fputc('\n', f);
}

static void json_hashes(struct json *j, const struct list_image *li, unsigned layer,
			unsigned n)
{
	struct apfsi_stored_hash h;
	char s[2 * 64 + 1];

	json_obj_open(j, "stored_hashes");
	for (unsigned i = 0; i < n; i++)
		if (!apfsi_image_layer_hash(li->img, layer, i, &h) && h.len <= 64) {
			cli_hex(s, h.value, h.len);
			json_str(j, h.name, s);
		}
	json_obj_close(j);
}

static void json_layer(struct json *j, const struct list_image *li, unsigned i)
{
	struct apfsi_layer_info l;

	if (apfsi_image_layer(li->img, i, &l))
		return;
	json_obj_open(j, NULL);
	json_str(j, "layer", l.kind);
	json_str(j, "description", l.description);
	json_u64(j, "size", l.size);
	json_hashes(j, li, i, l.stored_hashes);
	json_obj_close(j);
}

void list_chain_json(struct json *j, const struct list_image *li)
{
	uint32_t ss = li->info.sector_size;
	char d[64];

	json_arr_open(j, "chain");
	for (unsigned i = 0; i < li->info.layers; i++)
		json_layer(j, li, i);
	if (ss) {
		snprintf(d, sizeof(d), "GPT (%u-byte sectors)", ss);
		json_obj_open(j, NULL);
		json_str(j, "layer", "GPT");
		json_str(j, "description", d);
		json_u64(j, "sector_size", ss);
		json_obj_close(j);
	}
	for (unsigned i = 0; i < li->info.containers; i++) {
		snprintf(d, sizeof(d), "APFS container at %llu",
			 (unsigned long long)li->cont[i].offset);
		json_obj_open(j, NULL);
		json_str(j, "layer", "APFS container");
		json_str(j, "description", d);
		json_u64(j, "offset", li->cont[i].offset);
		json_obj_close(j);
	}
	json_arr_close(j);
}
