/* SPDX-License-Identifier: MIT */
/*
 * unlock_progress.h - how far a dictionary run has got, on stderr when it
 * is a terminal: tries done of all, the rate, and the time left.
 */
#ifndef CLI_UNLOCK_PROGRESS_H
#define CLI_UNLOCK_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct cand_progress {
	atomic_size_t done;
	size_t total;
	const char *what;     /* "candidates" or "candidate-user pairs" */
	bool on;              /* stderr is a terminal */
	bool shown;           /* a line is on the terminal, to clear at the end */
	double start, last;   /* monotonic seconds */
	pthread_mutex_t lock; /* one thread prints at a time */
};

void cand_progress_start(struct cand_progress *p, size_t total, const char *what);
/* done tries so far: a line after the first batch, then one a second at most.  Any thread. */
void cand_progress_set(struct cand_progress *p, size_t done);
/* The total, once the library says it (it adds candidates' normal forms); any thread. */
void cand_progress_total(struct cand_progress *p, size_t total);
void cand_progress_end(struct cand_progress *p);

#endif
