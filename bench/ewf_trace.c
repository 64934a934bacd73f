/* SPDX-License-Identifier: MIT */
/*
 * ewf_trace.c - an LD_PRELOAD library for `make bench`: prints to stderr
 * "ewf_trace: OFFSET" for each libewf_handle_read_random call, then makes
 * it.  bench/containers.sh takes the offsets a command of ours reads from
 * an E01 and hands them to ewf_floor, so that libewf alone reads the same.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <libewf.h>
#include <stdio.h>

ssize_t libewf_handle_read_random(libewf_handle_t *h, void *buf, size_t len, off64_t off,
				  libewf_error_t **err)
{
	ssize_t (*real)(libewf_handle_t *, void *, size_t, off64_t, libewf_error_t **);

	*(void **)&real = dlsym(RTLD_NEXT, "libewf_handle_read_random");
	fprintf(stderr, "ewf_trace: %lld\n", (long long)off);
	return real ? real(h, buf, len, off, err) : -1;
}
