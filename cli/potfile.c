/* SPDX-License-Identifier: MIT */
/*
 * potfile.c - passwords hashcat or John the Ripper cracked from our `hashes`
 * export, found by the hash each crypto user exports (apfsi_user_info's
 * hash_line), each tried on its own user (apfsi_volume_unlock_pairs).
 *
 * hashcat's potfile and John's john.pot both hold "HASH:PLAIN" lines without
 * the --username label; hashcat writes the hash in lower case (compared here
 * without regard to case) and a plain holding ':', tabs or non-UTF-8 bytes
 * as $HEX[...] (decoded here); other plains are raw, trailing spaces kept.
 * A raw plain may itself hold ':', so a line is split where the user's hash
 * ends, never at the last ':'.  The plains are secrets: they go straight into
 * the credential's secure-heap candidates, the read buffers are wiped, and
 * nothing of them is printed.  A potfile is a shared, growing file: lines of
 * other formats are passed over, and both its size and its line length are
 * bounded.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/secmem.h"
#include "credential.h"
#include "usernames.h"

#define POT_MAX_BYTES (1ull << 30)  /* hashcat potfiles of big rigs reach 100s of MB */
#define POT_MAX_LINE 4096           /* our hashes are 140 bytes; plains at most 256 */

struct pot_scan {
	const char *path;
	const char *vname;
	const unsigned *users;  /* indexes for apfsi_volume_user */
	unsigned nusers;
	struct apfsi_user_info *info; /* each user's, hash_line NULL when it has none */
	struct cli_cred *cr;
	size_t long_lines;
};

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode hashcat's $HEX[...] in place; false if p is not one (then raw). */
static bool unhex_plain(char *p, size_t *len)
{
	size_t n = *len;

	if (n < 6 || strncmp(p, "$HEX[", 5) || p[n - 1] != ']' || (n - 6) % 2)
		return false;
	for (size_t i = 5; i + 1 < n; i++)
		if (hexval(p[i]) < 0)
			return false;
	for (size_t i = 0; i < (n - 6) / 2; i++)
		p[i] = (char)(hexval(p[5 + 2 * i]) << 4 | hexval(p[6 + 2 * i]));
	*len = (n - 6) / 2;
	OPENSSL_cleanse(p + *len, n - *len);
	return true;
}

/* The candidate array's companion: which user (apfsi_volume_user's index) each is for. */
static int add_for_user(struct pot_scan *s, char *plain, size_t len, size_t lineno,
			unsigned user)
{
	unsigned *cu = realloc(s->cr->cand_user, (s->cr->ncands + 1) * sizeof(*cu));

	if (!cu)
		return -ENOMEM;
	s->cr->cand_user = cu;
	cu[s->cr->ncands] = user;
	return cli_cred_add(s->cr, plain, len, lineno);
}

static int scan_line(struct pot_scan *s, char *line, size_t n, size_t lineno)
{
	if (strncmp(line, "$fvde$", 6))
		return 0;
	for (unsigned i = 0; i < s->nusers; i++) {
		const char *hash = s->info[i].hash_line;
		size_t hl = hash ? strlen(hash) : 0, pl;
		int ret;

		if (!hl || n <= hl || line[hl] != ':' || strncasecmp(line, hash, hl))
			continue;
		pl = n - hl - 1;  /* the plain: all after the ':' that ends the hash */
		unhex_plain(line + hl + 1, &pl);
		ret = add_for_user(s, line + hl + 1, pl, lineno, s->users[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * One line into buf (without its '\n'), its length in *n: 1, or 0 at the
 * end of the file, or -1 for a line longer than cap (then skipped whole).
 * Byte by byte, not fgets(): a NUL in a line must not hide where it ends.
 */
static int read_line(FILE *f, char *buf, size_t cap, size_t *n)
{
	int c;

	*n = 0;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (*n == cap) {
			while ((c = getc_unlocked(f)) != EOF && c != '\n')
				;
			return -1;
		}
		buf[(*n)++] = (char)c;
	}
	buf[*n] = '\0';
	return c == EOF && !*n ? 0 : 1;
}

static int scan_lines(struct pot_scan *s, FILE *f)
{
	char line[POT_MAX_LINE + 1];
	size_t lineno = 0, n;
	int ret = 0, got;

	while (!ret && (got = read_line(f, line, POT_MAX_LINE, &n)) != 0) {
		lineno++;
		if (got < 0)
			s->long_lines++;
		else
			ret = scan_line(s, line, n, lineno);
	}
	OPENSSL_cleanse(line, sizeof(line));
	return ret;
}

/* The file, through a buffer of ours that is wiped after (it held plains). */
static int scan_file(struct pot_scan *s)
{
	static char iobuf[BUFSIZ];
	FILE *f = fopen(s->path, "r");
	struct stat st;
	int ret;

	if (!f) {
		fprintf(stderr, "apfsinspect: cannot open potfile '%s': %s\n", s->path,
			strerror(errno));
		return EXIT_ERROR;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > POT_MAX_BYTES) {
		fprintf(stderr, "apfsinspect: potfile '%s' is not a regular file of at most "
				"%llu bytes\n", s->path, POT_MAX_BYTES);
		fclose(f);
		return EXIT_USAGE;
	}
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	ret = scan_lines(s, f);
	fclose(f);
	OPENSSL_cleanse(iobuf, sizeof(iobuf));
	if (s->long_lines)
		fprintf(stderr, "apfsinspect: potfile '%s': passed over %zu line%s longer than %d "
				"bytes\n", s->path, s->long_lines, s->long_lines == 1 ? "" : "s",
			POT_MAX_LINE);
	return ret ? (ret == -E2BIG ? EXIT_USAGE : EXIT_ERROR) : 0;
}

/* Nothing to try: say so by user, with the hint that may help guess further. */
static int say_unmatched(const struct pot_scan *s)
{
	char id[37];

	for (unsigned i = 0; i < s->nusers; i++) {
		const struct apfsi_user_info *u = &s->info[i];

		cli_uuid_str(u->uuid, id);
		fprintf(stderr, "apfsinspect: crypto user %s (%s): %s", id, u->type_name,
			u->hash_line ? "no line of the potfile holds its hash" :
				       "its record has no crackable hash");
		cli_put_hint(stderr, u->hint);
		fputc('\n', stderr);
	}
	fprintf(stderr, "apfsinspect: volume '%s': potfile '%s' holds no password for the %u "
			"crypto user%s tried\n", cli_safe_str(s->vname), s->path, s->nusers,
		s->nusers == 1 ? "" : "s");
	return EXIT_LOCKED;
}

/* Each user's description (its hash line). */
static int load_users(apfsi_volume *vol, struct pot_scan *s)
{
	for (unsigned i = 0; i < s->nusers; i++)
		if (!cli_user_info(vol, s->users[i], &s->info[i]))
			return -EIO;
	return 0;
}

int cli_potfile_candidates(const char *path, apfsi_volume *vol, const char *vname,
			   const unsigned *users, unsigned nusers, struct cli_cred *cr)
{
	struct pot_scan s = { .path = path, .vname = vname, .users = users, .nusers = nusers,
			      .cr = cr };
	int ret = EXIT_ERROR;

	s.info = calloc(nusers ? nusers : 1, sizeof(*s.info));
	if (s.info && !load_users(vol, &s))
		ret = scan_file(&s);
	if (!ret && !cr->ncands)
		ret = say_unmatched(&s);
	free(s.info);
	return ret;
}
