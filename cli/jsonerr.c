/* SPDX-License-Identifier: MIT */
/*
 * jsonerr.c - under --json, errors and warnings leave on stderr as JSON
 * objects, one a line, so that a program reading both streams never has
 * to parse prose.  Every message in the tool (the library's through the
 * log hook, the commands' fprintf(stderr)) already goes to stderr as
 * "apfsinspect: [warning: ]TEXT\n" lines; stderr is replaced by a stream
 * that gathers each message (and the lines that continue it, such as a
 * command's usage text) and writes it as one object:
 *
 *   {"schema_version":1,"level":"error","code":"checksum_mismatch",
 *    "message":"...","structure":"omap node","block":1234,"detail":[...]}
 *
 * A message is written when the next one starts or the command ends (the
 * library's at once: log_hook).  The code is stable: the one a call site set with cli_jerr_code(), or
 * the first row of `classes` whose text the message contains (README,
 * "JSON output").  structure/block/inode appear when the message names
 * them ("... STRUCTURE at block N", "inode N").
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "audit.h"
#include "clibase.h"

#define PREFIX "apfsinspect: "
#define MSG_MAX 8192

static const struct {
	const char *text, *code;
} classes[] = {
	{ "does not apply to this command", "option_not_applicable" },
	{ "entries may be missing", "listing_incomplete" },
	{ "snapshots may be missing", "listing_incomplete" },
	{ "records may be missing", "records_missing" },
	{ "records are missing", "records_missing" },
	{ "records of it are missing", "records_missing" },
	{ "byte runs are missing", "records_missing" },
	{ "unrecognized option", "usage" },
	{ "invalid option", "usage" },
	{ "requires an argument", "usage" },
	{ "is not a number", "usage" },
	{ "is not a size", "usage" },
	{ "missing IMAGE", "usage" },
	{ "wrong number of arguments", "usage" },
	{ "credential option at a time", "usage" },
	{ "not both", "usage" },
	{ "is not a command", "usage" },
	{ "choose one with --volume", "volume_ambiguous" },
	{ "--volume '", "volume_not_found" },
	{ "write error", "write_error" },
	{ "bad checksum", "checksum_mismatch" },
	{ "truncated", "image_truncated" },
	{ "magic", "bad_magic" },
	{ "Secure Enclave", "hardware_bound" },
	{ "hardware", "hardware_bound" },
	{ "does not decrypt", "credential_rejected" },
	{ "wrong passphrase", "credential_rejected" },
	{ "wrong recovery key", "credential_rejected" },
	{ "unlocks any of the", "credential_rejected" },
	{ "not unlock them", "credential_rejected" },
	{ "rejected", "credential_rejected" },
	{ "did not unlock", "credential_rejected" },
	{ "locked", "volume_locked" },
	{ "not supported", "unsupported" },
	{ "lies outside", "out_of_range" },
	{ "B-tree", "corrupt_btree" },
	{ "object map", "corrupt_omap" },
	{ "decmpfs", "corrupt_decmpfs" },
	{ "firmlink", "firmlinks" },
	{ "No such file or directory", "not_found" },
	{ "Permission denied", "permission_denied" },
	/* last: a row above names a cause, this only what was not done */
	{ ": not followed", "directory_not_followed" },
};

static FILE *real;         /* fd 2 itself */
static FILE *orig;         /* the stderr replaced */
static char msg[MSG_MAX];  /* the message being gathered, "\n"-separated lines */
static size_t mlen;
static char line[MSG_MAX];
static size_t llen;
static const char *next_code;

bool cli_json_stderr_active(void)
{
	return real != NULL;
}

static void put_str(const char *s, size_t n)
{
	static const struct cli_escape esc = { .quote = true, .letters = "n",
					       .ctl = "\\u%04x" };
	char *copy = strndup(s, n);

	fputc('"', real);
	cli_put_escaped(real, copy ? copy : "", &esc);
	fputc('"', real);
	free(copy);
}

/* The code of a message no call site named: its class, else its level ("error", "warning", "note"). */
static const char *classify(const char *text, const char *level)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strstr(text, classes[i].text))
			return classes[i].code;
	return level;
}

/* `"key":N` for the first "WORD N" in text (WORD followed by a space and digits). */
static void put_number(const char *text, const char *word, const char *key)
{
	size_t wl = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
		if (p[wl] == ' ' && p[wl + 1] >= '0' && p[wl + 1] <= '9' &&
		    (p == text || p[-1] == ' ')) {
			fprintf(real, ",\"%s\":%llu", key, strtoull(p + wl + 1, NULL, 10));
			return;
		}
}

/* "...: omap node at block 12" or "... in omap node at block 12": the words before " at block". */
static void put_structure(const char *text)
{
	const char *at = strstr(text, " at block "), *s = text;

	if (!at)
		return;
	for (const char *p = text; p < at; p++) {
		if (!strncmp(p, ": ", 2))
			s = p + 2;
		else if (!strncmp(p, " in ", 4))
			s = p + 4;
	}
	if (at > s) {
		fputs(",\"structure\":", real);
		put_str(s, (size_t)(at - s));
	}
}

static void put_detail(const char *rest)
{
	fputs(",\"detail\":[", real);
	for (bool first = true; *rest; first = false) {
		const char *nl = strchr(rest, '\n');
		size_t n = nl ? (size_t)(nl - rest) : strlen(rest);

		if (!first)
			fputc(',', real);
		put_str(rest, n);
		rest += n + (nl != NULL);
	}
	fputc(']', real);
}

/* The gathered message as one JSON line. */
static void emit(void)
{
	char *text = msg, *nl;
	const char *level = "error";

	if (!mlen)
		return;
	msg[mlen] = '\0';
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	if (!strncmp(text, PREFIX, strlen(PREFIX)))
		text += strlen(PREFIX);
	if (!strncmp(text, "warning: ", 9) || !strncmp(text, "note: ", 6)) {
		level = text[0] == 'w' ? "warning" : "note";
		text += strlen(level) + 2;
	}
	fprintf(real, "{\"schema_version\":%d,\"level\":\"%s\",\"code\":\"%s\",\"message\":",
		CLI_SCHEMA_VERSION, level, next_code ? next_code : classify(text, level));
	put_str(text, strlen(text));
	put_structure(text);
	put_number(text, "block", "block");
	put_number(text, "inode", "inode");
	if (nl && nl[1])
		put_detail(nl + 1);
	fputs("}\n", real);
	fflush(real);
	next_code = NULL;
	mlen = 0;
}

/*
 * The code of the message about to be written: the one gathered so far
 * (which waits for lines that continue it) is written first, with its own.
 */
void cli_jerr_code(const char *code)
{
	if (real) {
		fflush(stderr);
		flockfile(stderr);
		emit();
		funlockfile(stderr);
	}
	next_code = code;
}

/* A whole line: it starts a message, or continues the one gathered. */
static void take_line(void)
{
	line[llen] = '\0';
	if (!strncmp(line, PREFIX, strlen(PREFIX)) || !mlen) {
		emit();
		mlen = 0;
	} else if (mlen + 1 < MSG_MAX) {
		msg[mlen++] = '\n';
	}
	for (size_t i = 0; i < llen && mlen + 1 < MSG_MAX; i++)
		msg[mlen++] = line[i];
	llen = 0;
}

static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	(void)c;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			take_line();
		else if (llen + 1 < MSG_MAX)
			line[llen++] = buf[i];
	}
	return (ssize_t)n;
}

/*
 * The library's messages (util/log.c's hook) are one line each: written at
 * once, so that a long walk's warnings are not held back until the next
 * message; the commands' own messages wait for the lines that continue them.
 */
static void log_hook(int level, const char *text)
{
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };

	flockfile(stderr);  /* the stream's lock: the cookie's buffers are shared */
	emit();
	mlen = (size_t)snprintf(msg, MSG_MAX, PREFIX "%s%s", prefix[level & 3], text);
	if (mlen >= MSG_MAX)
		mlen = MSG_MAX - 1;
	emit();
	funlockfile(stderr);
}

FILE *cli_stderr_raw(void)
{
	return real ? real : stderr;
}

void cli_json_stderr_begin(void)
{
	static const cookie_io_functions_t io = { .write = cookie_write };
	int fd = dup(STDERR_FILENO);
	FILE *f;

	real = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!real) {
		if (fd >= 0)
			close(fd);
		return;  /* messages stay text: better than none */
	}
	f = fopencookie(NULL, "w", io);
	if (!f) {
		fclose(real);
		real = NULL;
		return;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	orig = stderr;
	stderr = f;
	apfs_log_set_hook(log_hook);
}

void cli_json_stderr_end(void)
{
	FILE *f = stderr;

	if (!real)
		return;
	apfs_log_set_hook(NULL);
	fflush(f);
	if (llen)
		take_line();
	emit();
	stderr = orig;
	fclose(real);
	real = NULL;
	fclose(f);
}
