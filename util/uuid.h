/* SPDX-License-Identifier: MIT */
/* uuid.h - UUIDs as text (uuid.c). */
#ifndef APFS_UTIL_UUID_H
#define APFS_UTIL_UUID_H

#include <stdint.h>

/* Upper-case 8-4-4-4-12 into a 37-byte buffer. */
void apfs_uuid_str(const uint8_t uuid[16], char out[37]);
/* 8-4-4-4-12 with or without dashes, any case: 0, or -EINVAL. */
int apfs_uuid_parse(const char *s, uint8_t uuid[16]);

#endif
