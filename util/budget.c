/* SPDX-License-Identifier: MIT */
/* budget.c - the process-wide budget of open-file memory (see budget.h). */
#include <stdatomic.h>

#include "util/budget.h"
#include "util/err.h"

static atomic_size_t used;

int apfs_budget_take(size_t bytes, const char *what)
{
	size_t now = atomic_fetch_add(&used, bytes) + bytes;

	if (now <= APFS_OPEN_BUDGET && now >= bytes)
		return 0;
	atomic_fetch_sub(&used, bytes);
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
