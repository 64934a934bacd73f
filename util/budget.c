/* SPDX-License-Identifier: MIT */
/* budget.c - the process-wide budget of open-file memory (see budget.h). */
#include <stdatomic.h>

#include "util/budget.h"
#include "util/err.h"

static atomic_size_t used;

/*
 * Taken only where it fits, by compare-and-swap: adding first and giving
 * back what does not fit would let every other thread see, meanwhile, a
 * budget spent by a request that is about to be refused, and refuse its
 * own (the mount's workers open files at once).
 */
int apfs_budget_take(size_t bytes, const char *what)
{
	size_t was = atomic_load(&used);

	while (bytes <= APFS_OPEN_BUDGET && was <= APFS_OPEN_BUDGET - bytes)
		if (atomic_compare_exchange_weak(&used, &was, was + bytes))
			return 0;
	apfs_err("%s: %zu bytes more would take open files past their memory budget of %zu "
		 "MiB: refused", what, bytes, APFS_OPEN_BUDGET >> 20);
	return -ENOMEM;
}

void apfs_budget_give(size_t bytes)
{
	atomic_fetch_sub(&used, bytes);
}

size_t apfs_budget_used(void)
{
	return atomic_load(&used);
}
