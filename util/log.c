/* SPDX-License-Identifier: MIT */
/* log.c - the one place messages leave the library. */
#include <stdio.h>
#include <string.h>

#include "util/err.h"

static void log_stderr(int level, const char *msg)
{
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };

	fprintf(stderr, "apfsinspect: %s%s\n", prefix[level], msg);
}

static apfs_log_fn log_hook = log_stderr;
static int log_max = APFS_LOG_WARN;
static _Atomic unsigned log_errors;
static _Thread_local unsigned log_muted;
static _Thread_local char *log_kept;  /* apfs_log_capture's buffer, or NULL */
static _Thread_local size_t log_kept_cap, log_kept_used;

void apfs_log_set_hook(apfs_log_fn fn)
{
	log_hook = fn ? fn : log_stderr;
}

void apfs_log_set_level(int max_level)
{
	log_max = max_level;
}

void apfs_log_mute(bool on)
{
	if (on)
		log_muted++;
	else if (log_muted)
		log_muted--;
}

bool apfs_log_muted(void)
{
	return log_muted;
}

void apfs_log_capture(char *buf, size_t cap)
{
	log_kept = cap ? buf : NULL;
	log_kept_cap = cap;
	log_kept_used = 0;
	if (log_kept)
		log_kept[0] = '\0';
}

/* One more error into the capture buffer, if a line and the list's end fit. */
static void keep(const char *fmt, va_list ap)
{
	size_t room = log_kept_cap - log_kept_used;
	int n;

	if (room < 3)
		return;
	n = vsnprintf(log_kept + log_kept_used, room - 1, fmt, ap);
	if (n <= 0) {
		log_kept[log_kept_used] = '\0';
		return;
	}
	log_kept_used += ((size_t)n < room - 2 ? (size_t)n : room - 2) + 1;
	log_kept[log_kept_used] = '\0';
}

void apfs_log_replay(const char *buf)
{
	for (const char *p = buf; p && *p; p += strlen(p) + 1)
		apfs_log(APFS_LOG_ERR, "%s", p);
}

unsigned apfs_log_error_count(void)
{
	return log_errors;
}

void apfs_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (log_muted)
		return;
	if (level == APFS_LOG_ERR && log_kept) {
		va_start(ap, fmt);
		keep(fmt, ap);
		va_end(ap);
		return;
	}
	if (level == APFS_LOG_ERR)
		log_errors++;
	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_hook(level, msg);
}

/*
 * Our codes in our words: they borrow errno values whose own text would
 * mislead ("Structure needs cleaning" for damaged data; found in review:
 * `verify` gave it as a seal's reason).  An OS error of the same value is
 * passed up as EIO (apfs_os_errno), so these words hold.
 */
const char *apfs_strerror(int err)
{
	switch (-err) {
	case APFS_ETRUNC: return "past the end of a truncated image";
	case APFS_ECORRUPT: return "damaged file-system data";
	case APFS_EBADCSUM: return "a checksum does not match";
	case APFS_EINCOMPLETE: return "entries may be missing";
	case APFS_ELOCKED: return "the volume is locked (give a credential)";
	case APFS_ENOTAPFS: return "no APFS container there";
	default: return strerror(-err);
	}
}
