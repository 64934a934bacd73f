/* SPDX-License-Identifier: MIT */
/* verify.h - what `verify`'s two halves share (cmd_verify.c, verify_seal.c). */
#ifndef CLI_VERIFY_H
#define CLI_VERIFY_H

#include "api.h"

/*
 * The seals of img's sealed volumes (verify_seal.c): *checked counts those
 * checked, *bad those that failed; text lines on stdout, or with j objects
 * of its "seals" array.
 */
int verify_seals(apfsi_image *img, unsigned *checked, unsigned *bad, struct json *j);

#endif
