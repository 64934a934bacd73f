/* SPDX-License-Identifier: MIT */
/*
 * session.h - the file-system session of the reading commands and the
 * mount: an image opened, the volume chosen, unlocked, and a view of its
 * file system (a volume group's System volume: the Mac's root), all through
 * the public API (apfsinspect.h).  Nothing below the API is in this header,
 * so fuse/ can include it.
 */
#ifndef CLI_SESSION_H
#define CLI_SESSION_H

#include "apfsinspect.h"
#include "clibase.h"


struct fs_session {
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_fs *view;
};

/*
 * Open the image, choose the volume (--volume, or the default), unlock it
 * (and a group's Data volume) with the credential given, open the view
 * (--snapshot, --no-firmlinks); the CLI's messages on stderr.  Returns the
 * exit code (0: s is open; close it either way).
 */
int fs_session_open(const struct cli_opts *o, struct fs_session *s);
void fs_session_close(struct fs_session *s);

/* Only the image and the volume chosen (no unlock, no view): the exit code. */
int fs_volume_open(const struct cli_opts *o, struct fs_session *s);

/*
 * Why a view of vol at snapshot sel (NULL: the live tree) did not open
 * (ret, a library code), said on stderr; what names sel there ("--snapshot
 * " or ""): the exit code.
 */
int fs_view_fail(apfsi_volume *vol, const char *what, const char *sel, int ret);

#endif
