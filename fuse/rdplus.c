/* SPDX-License-Identifier: MIT */
/*
 * rdplus.c - `-o readdirplus=yes|no|auto`, the choice libfuse's own
 * command-line helper offers (fuse_parse_conn_info_opts), which
 * fuse_session_new() refuses as unknown: taken out of the user's -o list
 * here and applied in INIT (ll_ops.c).
 */
#include <errno.h>
#include <string.h>

#include "afuse.h"

#define KEY "readdirplus="

/* The end of the option at s: the next ',' not escaped by '\' (libfuse's rule). */
static char *opt_end(char *s)
{
	while (*s && *s != ',') {
		if (*s == '\\' && s[1])
			s++;
		s++;
	}
	return s;
}

static int mode_of(const char *v, size_t n, enum afuse_rdplus *mode)
{
	static const char *const names[] = { "yes", "auto", "no" };  /* enum afuse_rdplus */

	for (unsigned i = 0; i < 3; i++)
		if (n == strlen(names[i]) && !memcmp(v, names[i], n)) {
			*mode = (enum afuse_rdplus)i;
			return 0;
		}
	return -EINVAL;
}

int afuse_take_rdplus(char *opts, enum afuse_rdplus *mode)
{
	char *s = opts, *out = opts;

	*mode = AFUSE_RDPLUS_YES;
	while (*s) {
		char *e = opt_end(s);
		size_t n = (size_t)(e - s);

		/* "readdirplus=" with no value, or the bare word, is refused too. */
		if ((n >= strlen(KEY) && !memcmp(s, KEY, strlen(KEY))) ||
		    (n == strlen(KEY) - 1 && !memcmp(s, KEY, n))) {
			if (mode_of(s + strlen(KEY), n - strlen(KEY), mode))
				return -EINVAL;
		} else if (n) {
			if (out != opts)
				*out++ = ',';
			memmove(out, s, n);
			out += n;
		}
		s = *e ? e + 1 : e;
	}
	*out = '\0';
	return 0;
}

void afuse_apply_rdplus(enum afuse_rdplus mode, struct fuse_conn_info *conn)
{
	if (mode == AFUSE_RDPLUS_NO)
		conn->want &= ~(unsigned)(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
	else if (mode == AFUSE_RDPLUS_YES)
		conn->want &= ~(unsigned)FUSE_CAP_READDIRPLUS_AUTO;
}
