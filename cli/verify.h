/* SPDX-License-Identifier: MIT */
/* verify.h - what `verify`'s two halves share (cmd_verify.c, verify_seal.c). */
#ifndef CLI_VERIFY_H
#define CLI_VERIFY_H

#include "api.h"

/* What `verify` checked: stored hashes and seals. */
struct verify_tally {
	unsigned checked;    /* checked, whether they matched or not */
	unsigned bad;        /* of those, not matching */
	unsigned broken;     /* seals the integrity metadata says are broken: not checked */
	unsigned unchecked;  /* seals that could not be read, or their trees: not checked */
	unsigned unread;     /* volumes (or containers) not read: a seal they may have too */
	unsigned superseded; /* live seals broken, every snapshot's seal checked instead */
	unsigned unsealed;   /* snapshots of a sealed volume with no seal of their own */
	unsigned capped;     /* sealed snapshots past a volume's first 64: not walked */
	unsigned partial;    /* seals checked whose file data's hashes were not all */
};

/*
 * The seals of img's sealed volumes (verify_seal.c), counted in *t; text
 * lines on stdout, or with j objects of its "seals" array.
 */
int verify_seals(apfsi_image *img, struct verify_tally *t, struct json *j);

#endif
