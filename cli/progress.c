/* SPDX-License-Identifier: MIT */
/*
 * progress.c - a one-line progress report on stderr for long work (a file
 * of GiBs hashed or extracted), shown only when stderr is a terminal so
 * that logs and pipelines get nothing but the messages that matter.
 */
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "clibase.h"

/* Work smaller than this is over before a report would help. */
#define PROGRESS_MIN (256ull << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_start(struct progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->unit = NULL;
	p->total = total;
	p->done = 0;
	p->things = 0;
	p->shown = p->running = false;
	/* Under --json stderr carries JSON objects only. */
	p->on = total >= PROGRESS_MIN && isatty(STDERR_FILENO) && !cli_json_stderr_active();
	p->last = p->on ? now_s() : 0;
}

/* Each thing (a PBKDF2 of 100,000 rounds) takes long enough: the one-second rule decides. */
void progress_start_count(struct progress *p, const char *what, const char *unit,
			  uint64_t total)
{
	progress_start(p, what, 0);
	p->unit = unit;
	p->total = total;
	p->on = total > 1 && isatty(STDERR_FILENO) && !cli_json_stderr_active();
	p->last = p->on ? now_s() : 0;
}

void progress_add(struct progress *p, uint64_t n)
{
	double t;

	p->done += n;
	if (!p->on || (t = now_s()) - p->last < 1.0)
		return;
	p->last = t;
	p->shown = true;
	if (p->unit) {
		fprintf(stderr, "\rapfsinspect: %s: %llu of %llu %s (%.0f%%)  ", p->what,
			(unsigned long long)p->done, (unsigned long long)p->total, p->unit,
			100.0 * p->done / p->total);
		return;
	}
	fprintf(stderr, "\rapfsinspect: %s: %.1f of %.1f GiB (%.0f%%)  ", p->what,
		p->done / 1073741824.0, p->total / 1073741824.0,
		p->total ? 100.0 * p->done / p->total : 100.0);
}

void progress_start_running(struct progress *p, const char *what, const char *unit)
{
	progress_start(p, what, 0);
	p->unit = unit;
	p->running = true;
	p->on = isatty(STDERR_FILENO) && !cli_json_stderr_active();
	p->last = p->on ? now_s() : 0;
}

void progress_running_add(struct progress *p, uint64_t things, uint64_t bytes)
{
	double t;

	p->things += things;
	p->done += bytes;
	if (!p->on || (t = now_s()) - p->last < 1.0)
		return;
	p->last = t;
	p->shown = true;
	fprintf(stderr, "\rapfsinspect: %s: %llu %s, %.1f GiB so far  ", p->what,
		(unsigned long long)p->things, p->unit, p->done / 1073741824.0);
}

void progress_end(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->on = p->shown = false;
}
