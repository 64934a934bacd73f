/* SPDX-License-Identifier: MIT */
/*
 * readdir_pages.c - a directory listed as a FUSE READDIR lists it, for
 * `make bench`: apfsi_fs_readdir with a callback that takes PAGE entries
 * and refuses the next (a full buffer), then again from the last cookie
 * taken, to the end.  Prints the entries and calls; run under callgrind
 * (bench/unhashed.sh) for instructions per entry.
 *
 *   readdir_pages IMAGE PATH PAGE
 */
#include <stdio.h>
#include <stdlib.h>

#include "apfsinspect.h"

struct page {
	unsigned size, taken;
	unsigned long n;
	uint64_t last;  /* the cookie of the last entry taken */
};

static int take(const struct apfsi_dirent *e, void *arg)
{
	struct page *p = arg;

	if (p->taken == p->size)
		return 1;
	p->taken++;
	p->n++;
	p->last = e->cookie;
	return 0;
}

int main(int argc, char **argv)
{
	struct page p = { 0 };
	struct apfsi_stat st;
	unsigned long calls = 0;
	apfsi_image *im;
	apfsi_volume *v;
	apfsi_fs *fs;
	int ret;

	if (argc != 4 || (p.size = (unsigned)strtoul(argv[3], NULL, 10)) == 0) {
		fprintf(stderr, "usage: readdir_pages IMAGE PATH PAGE\n");
		return 2;
	}
	if (apfsi_image_open(argv[1], NULL, &im) || apfsi_image_select_volume(im, NULL, &v) ||
	    apfsi_fs_open(v, NULL, 0, &fs) || apfsi_fs_stat_path(fs, argv[2], &st)) {
		fprintf(stderr, "readdir_pages: %s\n", apfsi_last_message());
		return 1;
	}
	do {
		p.taken = 0;
		ret = apfsi_fs_readdir(fs, st.ino, p.last, take, &p);
		calls++;
	} while (ret == 1);
	printf("%lu entries in %lu calls\n", p.n, calls);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
	return ret != 0;
}
