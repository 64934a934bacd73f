/* SPDX-License-Identifier: MIT */
/*
 * ewf_floor.c - the floor under reading an E01 through libewf, for `make
 * bench`: the first segment's set found (libewf_glob), one handle opened,
 * and 4096 bytes read at each byte offset given, then closed.  Nothing of
 * ours runs, so a command that reads the same offsets through our E01 layer
 * cannot cost less than this process.
 *
 * Usage: ewf_floor FIRST_SEGMENT [OFFSET...]; exit 0 when every step worked.
 */
#include <libewf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_at(libewf_handle_t *h, const char *arg)
{
	static uint8_t buf[4096];
	char *end;
	unsigned long long off = strtoull(arg, &end, 10);

	if (*end || libewf_handle_read_random(h, buf, sizeof(buf), (off64_t)off, NULL) !=
			    (ssize_t)sizeof(buf)) {
		fprintf(stderr, "ewf_floor: read of 4096 bytes at %s failed\n", arg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char **names = NULL;
	int n = 0, ret = 1;
	libewf_handle_t *h = NULL;

	if (argc < 2 ||
	    libewf_glob(argv[1], strlen(argv[1]), LIBEWF_FORMAT_UNKNOWN, &names, &n, NULL) != 1)
		return 1;
	if (libewf_handle_initialize(&h, NULL) == 1 &&
	    libewf_handle_open(h, names, n, LIBEWF_OPEN_READ, NULL) == 1) {
		ret = 0;
		for (int i = 2; !ret && i < argc; i++)
			ret = read_at(h, argv[i]) ? 1 : 0;
		libewf_handle_close(h, NULL);
	}
	libewf_handle_free(&h, NULL);
	libewf_glob_free(names, n, NULL);
	return ret;
}
