/* SPDX-License-Identifier: MIT */
/*
 * readall.c - the commands' whole-file reader: lib/readall.c's parallel
 * ordered reader (one reader per core, chunks handed on in order), its
 * buffers kept in a struct fs_reader from one file to the next.
 */
#include <stdlib.h>

#include "lib/readall.h"
#include "cmd_fs.h"

struct fs_reader {
	struct apfsi_reader *r;
};

struct sink_ctx {
	fs_sink_fn sink;
	void *ctx;
};

static int to_sink(const void *p, size_t n, void *arg)
{
	const struct sink_ctx *s = arg;

	return s->sink(p, n, s->ctx);
}

struct fs_reader *fs_reader_new(void)
{
	struct fs_reader *fr = calloc(1, sizeof(*fr));

	if (fr && !(fr->r = apfsi_reader_new())) {
		free(fr);
		fr = NULL;
	}
	return fr;
}

void fs_reader_free(struct fs_reader *fr)
{
	if (fr)
		apfsi_reader_free(fr->r);
	free(fr);
}

int fs_reader_read(struct fs_reader *fr, struct apfs_file *f, fs_sink_fn sink, void *ctx)
{
	struct sink_ctx s = { sink, ctx };

	/* The layers below have said what failed on stderr already (the CLI's log). */
	return apfsi_reader_read(fr->r, f, 0, to_sink, &s, NULL, 0);
}

int fs_read_all(struct apfs_file *f, fs_sink_fn sink, void *ctx)
{
	struct fs_reader *r = fs_reader_new();
	int ret = r ? fs_reader_read(r, f, sink, ctx) : -ENOMEM;

	fs_reader_free(r);
	return ret;
}
