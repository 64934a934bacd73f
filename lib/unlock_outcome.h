/* SPDX-License-Identifier: MIT */
/*
 * unlock_outcome.h - recording what an unlock did with each crypto user,
 * for apfsi_volume_unlock_outcome (unlock_outcome.c); unlock.c records.
 */
#ifndef LIB_UNLOCK_OUTCOME_H
#define LIB_UNLOCK_OUTCOME_H

#include "internal.h"
#include "unlock_engine.h"

struct apfsi_outcome_req {
	const uint8_t *want;        /* the one user asked for, or NULL */
	bool recovery;              /* the credential is a recovery key */
	const struct apfsi_job *job; /* the run, or NULL when none started */
	const size_t *from;         /* the caller's index of each of the job's candidates */
};

/* Replace vol's outcomes by this unlock's (k: the users it chose from). */
void apfsi_outcome_record(struct apfsi_volume *vol, const struct kb_volume_keys *k,
			  const struct apfsi_outcome_req *q);
/* No outcomes: a volume-key unlock, or the volume's close. */
void apfsi_outcome_forget(struct apfsi_volume *vol);

#endif
