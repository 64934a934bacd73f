/* SPDX-License-Identifier: MIT */
/* session_int.h - what session.c and group_root.c share (session.h is the session itself). */
#ifndef CLI_SESSION_INT_H
#define CLI_SESSION_INT_H

#include "credential.h"
#include "session.h"

/*
 * Unlock vol if it is locked: with cr (the credential already collected),
 * or, cr NULL, the one the options give (a prompt on a terminal; exit 3
 * with none).  The exit code.
 */
int fs_unlock_volume(const struct cli_opts *o, apfsi_volume *vol, struct cli_cred *cr);

/* s->view (and s->fs) of s->vol at --snapshot, with flags: the exit code. */
int fs_open_view(const struct cli_opts *o, struct fs_session *s, unsigned flags);

/* The view when s->vol is a group's System volume (group_root.c): an exit code; -1 otherwise. */
int fs_group_session(const struct cli_opts *o, struct fs_session *s);

#endif
