/* SPDX-License-Identifier: MIT */
/*
 * readall.c - the commands' whole-file reader: apfsi_file_read_all (one
 * reader per core, chunks handed on in order), with the commands' sink
 * signature and their negative errno.
 */
#include "cmd_fs.h"

struct sink_ctx {
	fs_sink_fn sink;
	void *ctx;
};

static int to_sink(const void *p, size_t n, void *arg)
{
	const struct sink_ctx *s = arg;

	return s->sink(p, n, s->ctx);
}

int fs_read_all(apfsi_file *f, fs_sink_fn sink, void *ctx)
{
	struct sink_ctx s = { sink, ctx };

	/* The library has logged what failed on stderr already (the CLI's log). */
	return cli_api_errno(apfsi_file_read_all(f, 0, to_sink, &s));
}
