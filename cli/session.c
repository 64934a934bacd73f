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

#include "api.h"
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
/* The volume --volume names, or the default: the library chooses, api_select.c explains. */
static int choose_volume(const struct cli_opts *o, struct fs_session *s)
{
	return cli_api_select_volume(o, s->img, &s->vol);
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
	if (ret < 0) {
		ret = fs_unlock_volume(o, s->vol, NULL);
		if (!ret)
			ret = fs_open_view(o, s, o->no_firmlinks ? APFSI_FS_NO_FIRMLINKS : 0);
	}
	return ret ? ret : fs_private_check(o, s->view);
}

void fs_session_close(struct fs_session *s)
{
	apfsi_fs_close(s->view);
	apfsi_image_close(s->img);
	memset(s, 0, sizeof(*s));
}
