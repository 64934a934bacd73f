/* SPDX-License-Identifier: MIT */
/* format.c - times and sizes for the command output. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clibase.h"

void fmt_time_ns(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "-");
}

/*
 * The civil date (proleptic Gregorian, UTC) of days since 1970-01-01: the
 * algorithm of Howard Hinnant's "chrono-Compatible Low-Level Date
 * Algorithms" (civil_from_days), eras of 400 years.  Every day a u64 of
 * nanoseconds reaches (to 2554) has a 4-digit year.
 */
static void civil(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

/* v as n decimal digits at p, zero-padded; the end. */
static char *digits(char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/*
 * Written by hand: gmtime_r and strftime were 11 % of a DFXML walk's
 * instructions (four times a file).  tests/cli/time_format.sh holds it to
 * Python's datetime.
 */
void fmt_iso_ns(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000u, sod = s % 86400;
	unsigned y, m, d;
	char t[32], *p = t;
	size_t n;

	civil(s / 86400, &y, &m, &d);
	p = digits(p, y, 4);
	*p++ = '-';
	p = digits(p, m, 2);
	*p++ = '-';
	p = digits(p, d, 2);
	*p++ = 'T';
	p = digits(p, sod / 3600, 2);
	*p++ = ':';
	p = digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = digits(p, sod % 60, 2);
	*p++ = '.';
	p = digits(p, ns % 1000000000u, 9);
	*p++ = 'Z';
	if (!len)
		return;
	n = (size_t)(p - t) < len ? (size_t)(p - t) : len - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
}

/* Not sprintf's "%02x" a byte: that was 29 % of `extract --tar`'s instructions (digests). */
static const char hexd[] = "0123456789abcdef";

void cli_hex(char *out, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[b[i] >> 4];
		out[2 * i + 1] = hexd[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * v in decimal, by hand: printf's "%llu" was over half of the instructions
 * of `extract`'s facts file and a third of `bodyfile`'s.
 */
/* v in base (8 or 10) at out, its digits only; the end.  Inlined: base is a constant. */
static inline char *fmt_radix(char *out, uint64_t v, unsigned base)
{
	char b[22], *p = b + sizeof(b);  /* 2^64 - 1: 20 decimal digits, 22 octal */
	size_t n;

	do
		*--p = (char)('0' + v % base);
	while (v /= base);
	n = (size_t)(b + sizeof(b) - p);
	memcpy(out, p, n);
	return out + n;
}

char *cli_fmt_u64(char *out, uint64_t v)
{
	return fmt_radix(out, v, 10);
}

void cli_put_u64(FILE *f, uint64_t v)
{
	char b[20];

	fwrite(b, 1, (size_t)(cli_fmt_u64(b, v) - b), f);
}

char *cli_fmt_u64_w(char *out, uint64_t v, int width)
{
	char b[20];
	int n = (int)(cli_fmt_u64(b, v) - b);

	for (; width > n; width--)
		*out++ = ' ';
	memcpy(out, b, (size_t)n);
	return out + n;
}

char *cli_fmt_digits(char *out, uint64_t v, int n)
{
	return digits(out, v, n);
}

char *cli_fmt_octal(char *out, uint64_t v)
{
	return fmt_radix(out, v, 8);
}

void cli_put_hex(FILE *f, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		putc(hexd[b[i] >> 4], f);
		putc(hexd[b[i] & 15], f);
	}
}

void cli_uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		 u[12], u[13], u[14], u[15]);
}

/* SI units with one decimal, as diskutil prints them. */
void fmt_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1000.0 && u < 6) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

/* Threads for `jobs` independent jobs: one per online core, at most `max`. */
unsigned cli_workers(uint64_t jobs, unsigned max)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t w = n < 1 ? 1 : (uint64_t)n;

	if (w > max)
		w = max;
	return (unsigned)(w < jobs ? w : jobs);
}
