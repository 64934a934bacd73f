/* SPDX-License-Identifier: MIT */
/*
 * exitcode.c - the exit code of an error from below (-errno, util/err.h's
 * codes): a wrong or missing credential and a hardware-bound key each have
 * their own (README: "Exit codes"), everything else is an error.
 */
#include "util/err.h"
#include "clibase.h"

int cli_exit_code(int err)
{
	switch (-err) {
	case 0: return EXIT_OK;
	case APFS_EREJECTED:
	case APFS_ELOCKED: return EXIT_LOCKED;
	case APFS_EHWBOUND: return EXIT_HWBOUND;
	default: return EXIT_ERROR;
	}
}
