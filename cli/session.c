/* SPDX-License-Identifier: MIT */
/*
 * session.c - the reading commands' and the mount's file-system session on
 * the public API: apfsi_image_open, the volume choice of
 * apfsi_image_select_volume (with the CLI's messages when there is none),
 * the unlock and apfsi_fs_open (session_view.c; a volume group's System
 * volume as the Mac's root: group_root.c).
 */
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "cmd_fs.h"
#include "session_int.h"

static int open_image(const struct cli_opts *o, struct fs_session *s)
{
	struct apfsi_open_options op = {
		.format = o->image_format ? o->image_format : o->format,
		.at_offset = o->offset_set,
		.offset = o->offset,
		.checkpoint_xid = o->xid,
		.passphrase = cli_image_cred_give,
	};
	int ret = apfsi_image_open(o->image, &op, &s->img);
	int status = cli_image_cred_status();

	cli_image_cred_wipe();  /* the image layer holds its keys now */
	if (!ret) {
		cli_audit_api_image(s->img);
		return 0;
	}
	/* The layers below said why; an unreadable passphrase file is no locked image. */
	if (status)
		return status;
	return ret == APFSI_ERR_IMAGE_LOCKED ? EXIT_LOCKED : EXIT_ERROR;
}

/* "  N  UUID  name (Role)" for each volume (only a group's System volumes: systems). */
void fs_list_volumes(apfsi_image *img, bool systems)
{
	struct apfsi_image_info ii;
	struct apfsi_volume_info vi;
	apfsi_volume *vol;
	char u[37];

	if (apfsi_image_info(img, &ii))
		return;
	for (unsigned i = 0; i < ii.volumes; i++) {
		bool none;

		if (apfsi_image_volume(img, i, &vol) || apfsi_volume_info(vol, &vi))
			continue;
		if (systems && !fs_is_group_system(&vi))
			continue;
		apfs_uuid_str(vi.uuid, u);
		none = !strcmp(vi.role, "None");  /* no role recorded: nothing in brackets */
		fprintf(stderr, "  %u  %s  %s%s%s%s\n", vi.number, u, cli_safe_str(vi.name),
			none ? "" : " (", none ? "" : vi.role, none ? "" : ")");
	}
}

/* No volume fits --volume (or no default): say so and list them. */
static int no_choice(const struct cli_opts *o, apfsi_image *img, int code)
{
	if (!o->volume) {
		fprintf(stderr, "apfsinspect: several volumes; choose one with --volume "
				"(number, name, UUID or role):\n");
		fs_list_volumes(img, false);
	} else if (!strcasecmp(o->volume, "group")) {
		fprintf(stderr, "apfsinspect: --volume group: '%s' holds %s; choose the System "
			"volume of the group you want with --volume (number, name or UUID):\n",
			o->image, code == APFSI_ERR_AMBIGUOUS ? "several volume groups" :
			"no volume group with a System volume");
		fs_list_volumes(img, true);
	} else {
		fprintf(stderr, "apfsinspect: --volume '%s' matches %s volume; the volumes are:\n",
			o->volume, code == APFSI_ERR_AMBIGUOUS ? "more than one" : "no");
		fs_list_volumes(img, false);
	}
	return EXIT_USAGE;
}

static int choose_volume(const struct cli_opts *o, struct fs_session *s)
{
	struct apfsi_image_info ii;
	int ret = apfsi_image_info(s->img, &ii);

	if (!ret && !ii.volumes) {
		fprintf(stderr, "apfsinspect: '%s' holds no readable volume\n", o->image);
		return EXIT_ERROR;
	}
	ret = ret ? ret : apfsi_image_select_volume(s->img, o->volume, &s->vol);
	if (ret == APFSI_ERR_NOT_FOUND || ret == APFSI_ERR_AMBIGUOUS || ret == APFSI_ERR_INVALID)
		return no_choice(o, s->img, ret);
	if (ret)
		return fs_fail(o->image, fs_errno_of(ret));
	cli_audit_api_volume(s->vol);
	return 0;
}

int fs_volume_open(const struct cli_opts *o, struct fs_session *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = open_image(o, s);
	return ret ? ret : choose_volume(o, s);
}

int fs_session_open(const struct cli_opts *o, struct fs_session *s)
{
	int ret = fs_volume_open(o, s);

	if (ret)
		return ret;
	/* A group's System volume: the Mac's root (group_root.c). */
	ret = fs_group_session(o, s);
	if (ret >= 0)
		return ret;
	ret = fs_unlock_volume(o, s->vol, NULL);
	return ret ? ret : fs_open_view(o, s, o->no_firmlinks ? APFSI_FS_NO_FIRMLINKS : 0);
}

void fs_session_close(struct fs_session *s)
{
	apfsi_fs_close(s->view);
	apfsi_image_close(s->img);
	memset(s, 0, sizeof(*s));
}
