/* SPDX-License-Identifier: MIT */
/*
 * liblog.c - the library's messages on stderr, in the words and form they
 * always had ("apfsinspect: warning: ..."), for the commands that use the
 * public API.  main() sets it up before anything else logs, so that a
 * command's --json error stream (jsonerr.c), which takes the messages over
 * while it runs, is not replaced by the library's own hook later.
 */
#include <stdio.h>

#include "apfsinspect.h"
#include "clibase.h"
#include "liblog.h"

/* A message names volumes, files and users from the image: escaped for a terminal. */
void cli_lib_log(int level, const char *msg, void *arg)
{
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };

	(void)arg;
	fprintf(stderr, "apfsinspect: %s", prefix[level & 3]);
	cli_put_safe(stderr, msg, false);
	fputc('\n', stderr);
}

void cli_lib_log_init(void)
{
	apfsi_set_log(cli_lib_log, APFSI_LOG_WARNING, NULL);
}
