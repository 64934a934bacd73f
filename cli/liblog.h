/* SPDX-License-Identifier: MIT */
/* liblog.h - the library's messages on stderr (liblog.c). */
#ifndef CLI_LIBLOG_H
#define CLI_LIBLOG_H

/* Call once at start, before --json's error stream begins. */
/* The library's log callback: "apfsinspect: [warning: ]MESSAGE" on stderr, escaped. */
void cli_lib_log(int level, const char *msg, void *arg);
void cli_lib_log_init(void);

#endif
