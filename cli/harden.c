/* SPDX-License-Identifier: MIT */
/*
 * harden.c - before any other work: a non-dumpable process with undumped,
 * locked key memory (util/secmem.c), and no secret left readable in
 * /proc/PID/cmdline.
 *
 * Any user can read /proc/PID/cmdline.  The kernel builds it from the
 * argument area of the process's memory: normally the raw bytes from the
 * first argument to the NUL after the last, so blanking a secret in place
 * still shows its length (the run of blanks between two NULs).  But when
 * the area's last byte is not NUL, the kernel takes the area as a title
 * that a program rewrote (setproctitle) and shows it only up to its first
 * NUL.  So the area becomes one title, the arguments joined by spaces with
 * each secret value shown as '*', then NULs, then a final non-NUL byte:
 * neither the secret nor its length can be read back, and the total size
 * of the area is visible only to its owner (/proc/PID/stat, which hides it
 * from others).  What no program can hide: the few milliseconds between
 * execve() and this code, and whatever the shell keeps (its history).
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "util/secmem.h"
#include "clibase.h"

#define MAX_SECRETS 8
#define UNHARDEN_ARGV (1u << 16)  /* beside the APFS_UNHARDEN_* bits */

static char **argv_copy;
static char **owned;  /* the copies, as option parsing may repoint argv_copy[i] */
static int nowned;
static char *secret_copy[MAX_SECRETS];
static int nsecret_copies;

/* APFSINSPECT_TEST_UNHARDENED=dumpable,keys,argv: the tests' controls. */
static unsigned unhardened(void)
{
	const char *e = getenv("APFSINSPECT_TEST_UNHARDENED");
	unsigned skip = 0;

	if (!e)
		return 0;
	if (strstr(e, "dumpable"))
		skip |= APFS_UNHARDEN_DUMPABLE;
	if (strstr(e, "keys"))
		skip |= APFS_UNHARDEN_KEYS;
	if (strstr(e, "argv"))
		skip |= UNHARDEN_ARGV;
	return skip;
}

static const struct cli_secret *secret_in(int i, const struct cli_secret *s, int n)
{
	for (int k = 0; k < n; k++)
		if (s[k].idx == i)
			return &s[k];
	return NULL;
}

/* The kernel gives the arguments back as one area only when they are contiguous. */
static bool contiguous(int argc, char **argv)
{
	for (int i = 0; i + 1 < argc; i++)
		if (argv[i + 1] != argv[i] + strlen(argv[i]) + 1)
			return false;
	return true;
}

/* The arguments joined by spaces, secrets as '*'; at most cap - 1 bytes. */
static size_t make_title(int argc, char **argv, const struct cli_secret *s, int n, char *t,
			 size_t cap)
{
	size_t len = 0;

	for (int i = 0; i < argc; i++) {
		const struct cli_secret *sec = secret_in(i, s, n);
		size_t keep = sec ? sec->off : strlen(argv[i]);

		for (size_t k = 0; k < keep && len + 1 < cap; k++)
			t[len++] = argv[i][k];
		if (sec && len + 1 < cap)
			t[len++] = '*';
		if (i + 1 < argc && len + 1 < cap)
			t[len++] = ' ';
	}
	t[len] = '\0';
	return len;
}

/* Rewrite the argument area as a title (see the top of the file). */
static void hide_in_area(int argc, char **argv, const struct cli_secret *s, int n)
{
	char *area = argv[0];
	size_t size = (size_t)(argv[argc - 1] - area) + strlen(argv[argc - 1]) + 1;
	char *title = size >= 2 ? malloc(size - 1) : NULL;

	if (!contiguous(argc, argv) || !title) {
		/* Blank in place: the secrets go, their lengths stay visible. */
		for (int k = 0; k < n; k++)
			OPENSSL_cleanse(argv[s[k].idx] + s[k].off, strlen(argv[s[k].idx] + s[k].off));
		free(title);
		return;
	}
	make_title(argc, argv, s, n, title, size - 1);
	OPENSSL_cleanse(area, size);
	strcpy(area, title);
	area[size - 1] = '.';  /* not NUL: the kernel shows the title alone */
	free(title);
}

/* A private copy of every argument, the secret ones in key memory. */
static char **copy_args(int argc, char **argv, const struct cli_secret *s, int n)
{
	char **c = calloc((size_t)argc + 1, sizeof(*c));

	for (int i = 0; c && i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;
		bool secret = secret_in(i, s, n) != NULL;

		c[i] = secret ? apfs_secret_alloc(len) : malloc(len);
		if (!c[i])
			return NULL;  /* exits: out of memory before any work */
		memcpy(c[i], argv[i], len);
		if (secret && nsecret_copies < MAX_SECRETS)
			secret_copy[nsecret_copies++] = c[i];
	}
	return c;
}

char **cli_harden(int argc, char **argv)
{
	struct cli_secret s[MAX_SECRETS];
	unsigned skip = unhardened();
	int n;

	if (apfs_harden_process(skip) & APFS_HARDEN_DUMPABLE_FAILED)
		fprintf(stderr, "apfsinspect: warning: cannot make the process non-dumpable: %s\n",
			strerror(errno));
	n = argc > 1 ? cli_find_secrets(argc - 1, argv + 1, s, MAX_SECRETS) : 0;
	if (n <= 0)
		return argv;
	for (int k = 0; k < n; k++)
		s[k].idx++;  /* index into the whole argv */
	argv_copy = copy_args(argc, argv, s, n);
	owned = argv_copy ? malloc(((size_t)argc + 1) * sizeof(*owned)) : NULL;
	if (owned) {
		memcpy(owned, argv_copy, ((size_t)argc + 1) * sizeof(*owned));
		nowned = argc;
	}
	if (!owned) {
		fprintf(stderr, "apfsinspect: out of memory\n");
		exit(EXIT_ERROR);
	}
	if (!(skip & UNHARDEN_ARGV))
		hide_in_area(argc, argv, s, n);
	/* error(), err() and assert() print these; they pointed into the area. */
	program_invocation_name = argv_copy[0];
	program_invocation_short_name = strrchr(argv_copy[0], '/') ?
					strrchr(argv_copy[0], '/') + 1 : argv_copy[0];
	return argv_copy;
}

void cli_wipe_secret_args(void)
{
	for (int k = 0; k < nsecret_copies; k++)
		OPENSSL_cleanse(secret_copy[k], strlen(secret_copy[k]));
}

void cli_wipe_secret_arg(const char *p)
{
	for (int k = 0; k < nsecret_copies; k++)
		if (secret_copy[k] && p >= secret_copy[k] &&
		    p <= secret_copy[k] + strlen(secret_copy[k]))
			OPENSSL_cleanse((char *)(uintptr_t)p, strlen(p));
}

void cli_free_args(void)
{
	for (int i = 0; i < nowned; i++) {
		bool secret = false;

		for (int k = 0; k < nsecret_copies; k++)
			secret |= owned[i] == secret_copy[k];
		if (secret)
			apfs_secret_free(owned[i]);
		else
			free(owned[i]);
	}
	free(owned);
	free(argv_copy);
	owned = argv_copy = NULL;
	nowned = nsecret_copies = 0;
}
