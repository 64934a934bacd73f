/* SPDX-License-Identifier: MIT */
/* liblog.h - the library's messages on stderr (liblog.c). */
#ifndef CLI_LIBLOG_H
#define CLI_LIBLOG_H

/* Call once at start, before --json's error stream begins. */
void cli_lib_log_init(void);

#endif
