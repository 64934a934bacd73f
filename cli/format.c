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

void fmt_iso_ns(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char s[32];

	if (!gmtime_r(&t, &tm) || !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(s, sizeof(s), "?");
	snprintf(buf, len, "%s.%09lluZ", s, (unsigned long long)(ns % 1000000000ull));
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
