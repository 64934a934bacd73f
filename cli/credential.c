/* SPDX-License-Identifier: MIT */
/* credential.c - collect a credential without ever echoing or logging it. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/secmem.h"
#include "audit.h"
#include "credential.h"

#define MAX_SECRET 1024
#define MAX_CANDIDATES 1000000

/* Add a candidate; `line` is where it came from (1 for a single secret). */
int cli_cred_add(struct cli_cred *cr, const char *s, size_t len, size_t line)
{
	size_t *l, *ln;
	char **c;

	if (cr->ncands >= MAX_CANDIDATES)
		return -E2BIG;
	c = realloc(cr->cands, (cr->ncands + 1) * sizeof(*c));
	if (c)
		cr->cands = c;
	l = realloc(cr->lens, (cr->ncands + 1) * sizeof(*l));
	if (l)
		cr->lens = l;
	ln = realloc(cr->line, (cr->ncands + 1) * sizeof(*ln));
	if (ln)
		cr->line = ln;
	if (!c || !l || !ln)
		return -ENOMEM;
	cr->line[cr->ncands] = line;
	cr->cands[cr->ncands] = apfs_secret_alloc(len + 1);
	if (!cr->cands[cr->ncands])
		return -ENOMEM;
	memcpy(cr->cands[cr->ncands], s, len);
	cr->cands[cr->ncands][len] = '\0';
	cr->lens[cr->ncands++] = len;
	return 0;
}

/* Read lines (without the newline, and a CR before it) as candidates. */
static int read_lines(FILE *f, struct cli_cred *cr, bool one)
{
	char line[MAX_SECRET + 2];
	size_t lineno = 0;
	int ret = 0;

	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t n = strcspn(line, "\n");

		if (n == strlen(line) && !feof(f)) {
			fprintf(stderr, "apfsinspect: %s: a line is longer than %d bytes\n",
				cr->source, MAX_SECRET);
			ret = -E2BIG;
			break;
		}
		if (n && line[n - 1] == '\r')
			n--;
		ret = cli_cred_add(cr, line, n, lineno);
		if (ret || one)
			break;
	}
	OPENSSL_cleanse(line, sizeof(line));
	return ret;
}

/*
 * read_lines through a buffer of ours, wiped after: stdio's own buffer
 * would keep the passphrases in freed memory (or in stdin's buffer).
 * Static, as stdin keeps using it after we return.
 */
static int read_secret_lines(FILE *f, struct cli_cred *cr, bool one)
{
	static char iobuf[BUFSIZ];
	int ret;

	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));  /* before any read; refused is harmless */
	ret = read_lines(f, cr, one);
	OPENSSL_cleanse(iobuf, sizeof(iobuf));
	return ret;
}

static int prompt_tty(struct cli_cred *cr, const char *prompt)
{
	struct termios old, noecho;
	int ret;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old))
		return -ENOTTY;
	noecho = old;
	noecho.c_lflag &= (tcflag_t)~ECHO;
	/* A prompt is not a message: as it is, even under --json. */
	fprintf(cli_stderr_raw(), "%s", prompt);
	fflush(cli_stderr_raw());
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
	ret = read_secret_lines(stdin, cr, true);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', cli_stderr_raw());
	return ret ? ret : cr->ncands ? 0 : -ENODATA;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int parse_vek(const char *hex, struct cli_cred *cr)
{
	size_t n = strlen(hex);

	if (n != 64 && n != 32)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		cr->vek[i] = (uint8_t)(hi << 4 | lo);
	}
	cr->veklen = n / 2;
	return 0;
}

static int from_file(const char *path, struct cli_cred *cr)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f) {
		fprintf(stderr, "apfsinspect: cannot open '%s': %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	ret = read_secret_lines(f, cr, false);
	fclose(f);
	if (!ret && !cr->ncands) {
		fprintf(stderr, "apfsinspect: '%s' holds no candidate passphrase\n", path);
		return EXIT_USAGE;
	}
	return ret ? EXIT_ERROR : 0;
}

/*
 * A non-ASCII image passphrase is also tried in NFC and NFD (apfsi_password_forms
 * says why); a volume's password gets its forms from the library's unlock.
 */
static int add_normal_forms(struct cli_cred *cr)
{
	size_t n = cr->ncands;
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		char *f[2];
		size_t fl[2];
		unsigned nf = 0;

		ret = apfsi_password_forms(cr->cands[i], f, fl, &nf) ? -ENOMEM : 0;
		for (unsigned k = 0; k < nf; k++) {
			if (!ret)
				ret = cli_cred_add(cr, f[k], fl[k], cr->line[i]);
			apfsi_secret_free(f[k]);
		}
	}
	return ret;
}

static int cred_collect(const struct cli_opts *o, bool prompt, struct cli_cred *cr);

int cli_cred_get(const struct cli_opts *o, bool prompt, struct cli_cred *cr)
{
	int ret = cred_collect(o, prompt, cr);

	/* The credential holds its own copy now: the command line's goes. */
	cli_wipe_secret_args();
	cr->ngiven = cr->ncands;
	return ret;
}

static int cred_collect(const struct cli_opts *o, bool prompt, struct cli_cred *cr)
{
	memset(cr, 0, sizeof(*cr));
	cr->kind = CRED_PASSWORD;
	if (o->vek_hex) {
		cr->kind = CRED_VEK;
		cr->source = "--vek";
		if (parse_vek(o->vek_hex, cr)) {
			fprintf(stderr, "apfsinspect: --vek takes 64 hex digits (or 32 for a "
					"CoreStorage 128-bit key)\n");
			return EXIT_USAGE;
		}
		return 0;
	}
	if (o->recovery_key) {
		cr->kind = CRED_RECOVERY;
		cr->source = "--recovery-key";
		return cli_cred_add(cr, o->recovery_key, strlen(o->recovery_key), 1) ? EXIT_ERROR : 0;
	}
	if (o->passphrase) {
		cr->source = "--passphrase";
		return cli_cred_add(cr, o->passphrase, strlen(o->passphrase), 1) ? EXIT_ERROR : 0;
	}
	if (o->potfile) {
		cr->kind = CRED_POTFILE;
		cr->source = "--potfile";
		cr->potfile = o->potfile;
		return 0;
	}
	if (o->passphrase_file) {
		cr->source = "--passphrase-file";
		return from_file(o->passphrase_file, cr);
	}
	if (o->stdin_passphrase) {
		cr->source = "--stdin-passphrase";
		if (read_secret_lines(stdin, cr, true) || !cr->ncands) {
			fprintf(stderr, "apfsinspect: no passphrase on standard input\n");
			return EXIT_USAGE;
		}
		return 0;
	}
	cr->kind = CRED_NONE;
	if (!prompt)
		return 0;
	cr->source = "the prompt";
	if (prompt_tty(cr, "Passphrase: ") == 0) {
		cr->kind = CRED_PASSWORD;
		return 0;
	}
	return 0;
}

/*
 * The image's passphrase: its own options, or the prompt naming the image.
 * Only its own argument copy is wiped here: the volume's credential, if
 * any, is collected after the image is open.
 */
int cli_cred_get_image(const struct cli_opts *o, const char *image, struct cli_cred *cr)
{
	char prompt[512];
	int ret = 0;

	memset(cr, 0, sizeof(*cr));
	cr->kind = CRED_PASSWORD;
	if (o->image_passphrase) {
		cr->source = "--image-passphrase";
		ret = cli_cred_add(cr, o->image_passphrase, strlen(o->image_passphrase), 1) ?
		      EXIT_ERROR : 0;
		cli_wipe_secret_arg(o->image_passphrase);
	} else if (o->image_passphrase_file) {
		cr->source = "--image-passphrase-file";
		ret = from_file(o->image_passphrase_file, cr);
	} else {
		cr->kind = CRED_NONE;
		snprintf(prompt, sizeof(prompt), "Password for image %s: ", image);
		if (prompt_tty(cr, prompt) == 0)
			cr->kind = CRED_PASSWORD;
	}
	cr->ngiven = cr->ncands;
	if (!ret && cr->kind == CRED_PASSWORD && add_normal_forms(cr))
		ret = EXIT_ERROR;
	return ret;
}

void cli_cred_wipe(struct cli_cred *cr)
{
	for (size_t i = 0; i < cr->ncands; i++)
		apfs_secret_free(cr->cands[i]);
	free(cr->cands);
	free(cr->lens);
	free(cr->line);
	free(cr->cand_user);
	OPENSSL_cleanse(cr->vek, sizeof(cr->vek));
	memset(cr, 0, sizeof(*cr));
}
