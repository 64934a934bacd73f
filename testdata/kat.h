/* SPDX-License-Identifier: MIT */
/* kat.h - the known-answer test against Apple's encrypted image (kat.c, katder.c). */
#ifndef MK_KAT_H
#define MK_KAT_H

#include "mk.h"

int kat_der_find(const uint8_t *p, size_t len, uint8_t tag, const uint8_t **val, size_t *vlen);
int kat_blob_inputs(const uint8_t *der, size_t len, struct mk_blob *b);

/*
 * Rebuild the keybags of the Apple image `image` (password pw) with the
 * writer and write, into outdir: {ckb,vkb}-nopad.bin (plaintext, zero
 * padding), {ckb,vkb}-plain.bin (Apple's leftover padding supplied),
 * {ckb,vkb}-cipher.bin (that, encrypted) and fsnode-cipher.bin (the fs
 * root node decrypted and encrypted again).  Prints the blocks and the
 * padding ranges on stdout.
 */
int mk_kat(const char *image, const char *pw, const char *outdir);

#endif
