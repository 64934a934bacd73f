/* SPDX-License-Identifier: MIT */
/*
 * api_select.c - --volume for the commands that are clients of
 * libapfsinspect: the library chooses (apfsi_image_select_volume); when it
 * cannot, the user is told why and shown the choices.
 */
#include <string.h>
#include <strings.h>

#include "api.h"
#include "audit.h"

/* The role's name, NULL for none (or one the library does not name). */
static const char *role_of(const struct apfsi_volume_info *vi)
{
	return strcmp(vi->role, "None") ? vi->role : NULL;
}

bool cli_group_system(const struct apfsi_volume_info *vi)
{
	return vi->has_group && !strcmp(vi->role, "System");
}

/* Every volume ("  N  UUID  name (Role)"), or only the groups' System volumes. */
static void list_choices(apfsi_image *img, bool systems)
{
	struct apfsi_image_info ii;
	struct apfsi_volume_info vi;
	apfsi_volume *vol;
	char u[37];

	if (apfsi_image_info(img, &ii))
		return;
	for (unsigned i = 0; i < ii.volumes; i++) {
		if (apfsi_image_volume(img, i, &vol) || apfsi_volume_info(vol, &vi))
			continue;
		if (systems && !cli_group_system(&vi))
			continue;
		cli_uuid_str(vi.uuid, u);
		if (systems)
			fprintf(stderr, "  %u  %s  %s (System)\n", vi.number, u,
				cli_safe_str(vi.name));
		else
			fprintf(stderr, "  %u  %s  %s%s%s%s\n", vi.number, u, cli_safe_str(vi.name),
				role_of(&vi) ? " (" : "", role_of(&vi) ? vi.role : "",
				role_of(&vi) ? ")" : "");
	}
}

static int explain(const struct cli_opts *o, apfsi_image *img, int err)
{
	if (!o->volume) {
		fprintf(stderr, "apfsinspect: several volumes; choose one with --volume "
				"(number, name, UUID or role):\n");
		list_choices(img, false);
	} else if (!strcasecmp(o->volume, "group")) {
		fprintf(stderr, "apfsinspect: --volume group: '%s' holds %s; choose the System "
			"volume of the group you want with --volume (number, name or UUID):\n",
			o->image, err == APFSI_ERR_AMBIGUOUS ? "several volume groups" :
			"no volume group with a System volume");
		list_choices(img, true);
	} else {
		fprintf(stderr, "apfsinspect: --volume '%s' matches %s volume; the volumes are:\n",
			o->volume, err == APFSI_ERR_AMBIGUOUS ? "more than one" : "no");
		list_choices(img, false);
	}
	return EXIT_USAGE;
}

int cli_api_select_volume(const struct cli_opts *o, apfsi_image *img, apfsi_volume **out)
{
	struct apfsi_image_info ii;
	int ret = apfsi_image_info(img, &ii);

	if (ret)
		return cli_api_exit(ret);
	if (!ii.volumes) {
		fprintf(stderr, "apfsinspect: '%s' holds no readable volume\n", o->image);
		return EXIT_ERROR;
	}
	ret = apfsi_image_select_volume(img, o->volume, out);
	if (ret == APFSI_ERR_NOMEM)
		return EXIT_ERROR;
	if (ret)
		return explain(o, img, ret);
	cli_audit_api_volume(*out);
	return 0;
}
