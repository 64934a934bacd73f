/* SPDX-License-Identifier: MIT */
/*
 * hint.c - a crypto user's password hint beside its label, in the
 * wrong-password and potfile messages: image data, so escaped.
 */
#include "credential.h"

void cli_put_hint(FILE *f, const char *hint)
{
	if (!hint)
		return;
	fputs(", hint \"", f);
	cli_put_safe(f, hint, true);
	fputc('"', f);
}
