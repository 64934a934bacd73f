/* SPDX-License-Identifier: MIT */
/*
 * image.c - open an image for a command: the image format, its containers
 * (or the one at --offset), their volumes; and choose the volume a command
 * works on.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "cli.h"
#include "cmd_fs.h"

static int add_container(struct cli_image *img, uint64_t off, uint64_t size, uint64_t xid)
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
		/* A damaged volume is reported and skipped; the others still list. */
		ret = apfs_volume_open(c, i, &v);
		if (ret) {
			if (!img->partial_err)
				img->partial_err = ret;
			continue;
		}
		img->vols[img->nvols] = (struct cli_volume){ v, img->ncont - 1, img->nvols + 1 };
		img->nvols++;
	}
	return 0;
}

static int alloc_tables(struct cli_image *img, unsigned ncont)
{
	img->cont = calloc(ncont, sizeof(*img->cont));
	img->vols = calloc((size_t)ncont * APFS_NX_MAX_FILE_SYSTEMS, sizeof(*img->vols));
	return img->cont && img->vols ? 0 : -ENOMEM;
}

int cli_image_open(const struct cli_opts *o, struct cli_image *img)
{
	int ret, first_err = 0;

	memset(img, 0, sizeof(*img));
	ret = apfs_dev_open_format(o->image, o->image_format ? o->image_format : o->format,
				   &img->dev);
	cli_image_cred_wipe();  /* the layer holds its keys now */
	if (ret)
		return ret;
	if (o->offset_set) {
		ret = alloc_tables(img, 1);
		ret = ret ? ret : add_container(img, o->offset, UINT64_MAX, o->xid);
		cli_audit_image(img);
		return ret;
	}
	ret = apfs_find_containers(img->dev, &img->parts, &img->nparts);
	if (!ret)
		ret = alloc_tables(img, img->nparts);
	if (ret)
		return ret;
	for (unsigned i = 0; i < img->nparts; i++) {
		ret = add_container(img, img->parts[i].offset, img->parts[i].size, o->xid);
		if (ret && !first_err)
			first_err = ret;
		if (ret && !img->partial_err)
			img->partial_err = ret;
	}
	cli_audit_image(img);
	/* Several containers: show those that open; fail only if none does. */
	return img->ncont ? 0 : first_err;
}

void cli_image_close(struct cli_image *img)
{
	for (unsigned i = 0; i < img->nvols; i++)
		apfs_volume_close(img->vols[i].v);
	for (unsigned i = 0; i < img->ncont; i++)
		apfs_container_close(img->cont[i]);
	free(img->vols);
	free(img->cont);
	free(img->parts);
	apfs_dev_close(img->dev);
	memset(img, 0, sizeof(*img));
}

static bool vol_matches(const struct cli_volume *cv, const char *sel)
{
	const struct apfs_volume *v = cv->v;
	const char *role = apfs_role_name(get_le16(v->sb.apfs_role));
	uint8_t u[16];
	char *end;
	unsigned long n = strtoul(sel, &end, 10);

	if (*sel && !*end)
		return n == cv->number;
	if (!apfs_uuid_parse(sel, u))
		return !memcmp(u, v->uuid, 16);
	return !strcmp(sel, v->name) || (role && !strcasecmp(sel, role));
}

static void list_choices(const struct cli_image *img)
{
	for (unsigned i = 0; i < img->nvols; i++) {
		const struct apfs_volume *v = img->vols[i].v;
		const char *role = apfs_role_name(get_le16(v->sb.apfs_role));
		char u[37];

		apfs_uuid_str(v->uuid, u);
		fprintf(stderr, "  %u  %s  %s%s%s%s\n", img->vols[i].number, u,
			cli_safe_str(v->name),
			role ? " (" : "", role ? role : "", role ? ")" : "");
	}
}

static int pick_default(struct cli_image *img, struct cli_volume **out)
{
	struct cli_volume *data = NULL, *enc = NULL;
	unsigned ndata = 0, nenc = 0;

	for (unsigned i = 0; i < img->nvols; i++) {
		struct apfs_volume *v = img->vols[i].v;

		if (get_le16(v->sb.apfs_role) == APFS_VOL_ROLE_DATA)
			data = &img->vols[i], ndata++;
		if (apfs_volume_encrypted(v))
			enc = &img->vols[i], nenc++;
	}
	if (ndata == 1)
		*out = data;
	else if (!ndata && nenc == 1)
		*out = enc;
	else if (img->nvols == 1)
		*out = &img->vols[0];
	else
		return -1;
	return 0;
}

int cli_select_volume(const struct cli_opts *o, struct cli_image *img, struct cli_volume **out)
{
	struct cli_volume *hit = NULL;
	unsigned nhit = 0;

	if (!img->nvols) {
		fprintf(stderr, "apfsinspect: '%s' holds no readable volume\n", o->image);
		return EXIT_ERROR;
	}
	if (!o->volume) {
		if (!pick_default(img, out)) {
			cli_audit_volume((*out)->v);
			return 0;
		}
		fprintf(stderr, "apfsinspect: several volumes; choose one with --volume "
				"(number, name, UUID or role):\n");
		list_choices(img);
		return EXIT_USAGE;
	}
	if (!strcasecmp(o->volume, "group")) {
		int ret = cli_select_group(o, img, out);

		if (!ret)
			cli_audit_volume((*out)->v);
		return ret;
	}
	for (unsigned i = 0; i < img->nvols; i++)
		if (vol_matches(&img->vols[i], o->volume))
			hit = &img->vols[i], nhit++;
	if (nhit == 1) {
		*out = hit;
		cli_audit_volume(hit->v);
		return 0;
	}
	fprintf(stderr, "apfsinspect: --volume '%s' matches %s volume; the volumes are:\n",
		o->volume, nhit ? "more than one" : "no");
	list_choices(img);
	return EXIT_USAGE;
}

int cli_exit_code(int err)
{
	switch (-err) {
	case 0: return EXIT_OK;
	case APFS_EREJECTED:
	case APFS_ELOCKED: return EXIT_LOCKED;
	case APFS_EHWBOUND: return EXIT_HWBOUND;
	default: return EXIT_ERROR;
	}
}
