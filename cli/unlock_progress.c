/* SPDX-License-Identifier: MIT */
/*
 * unlock_progress.c - a one-line report of a dictionary run on stderr,
 * written when the first batch is done (so even a short run shows the rate
 * it gets) and then rewritten in place once a second, as the library's
 * unlock engine reports (counts and times only, never a password).  Only on a
 * terminal, like progress.c, so logs and pipelines see just the verdict.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "unlock_progress.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void cand_progress_start(struct cand_progress *p, size_t total, const char *what)
{
	atomic_init(&p->done, 0);
	p->total = total;
	p->what = what;
	/* Under --json stderr carries JSON objects only (README "JSON output"). */
	p->on = total > 1 && isatty(STDERR_FILENO) && !cli_json_stderr_active();
	p->shown = false;
	p->start = p->last = now_s();
	pthread_mutex_init(&p->lock, NULL);
}

static void show(struct cand_progress *p, size_t done, double t)
{
	double rate = done / (t - p->start);
	unsigned long left = rate > 0 && p->total > done ?
			     (unsigned long)((p->total - done) / rate + 0.5) : 0;

	p->last = t;
	p->shown = true;
	fprintf(stderr, "\rapfsinspect: %zu of %zu %s tried (%.1f/s, %lu:%02lu left)  ", done,
		p->total, p->what, rate, left / 60, left % 60);
	fflush(stderr);
}

void cand_progress_set(struct cand_progress *p, size_t done)
{
	double t;

	atomic_store(&p->done, done);
	if (!p->on || pthread_mutex_trylock(&p->lock))
		return;
	t = now_s();
	if (done < p->total && (!p->shown || t - p->last >= 1.0))
		show(p, done, t);
	pthread_mutex_unlock(&p->lock);
}

void cand_progress_total(struct cand_progress *p, size_t total)
{
	p->total = total;
	p->on = p->on && total > 1;
}

void cand_progress_end(struct cand_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->on = p->shown = false;
	pthread_mutex_destroy(&p->lock);
}
