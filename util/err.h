/* SPDX-License-Identifier: MIT */
/*
 * err.h - the error convention and the message log.
 *
 * Every fallible function returns 0 or a negative errno.  The problem is
 * logged once, where it is detected, naming the structure and the block;
 * callers pass the code up unchanged.
 */
#ifndef APFS_ERR_H
#define APFS_ERR_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define APFS_ECORRUPT EUCLEAN      /* inconsistent on-disk structure */
#define APFS_EBADCSUM EBADMSG      /* Fletcher-64 checksum mismatch */
#define APFS_ELOCKED ENOKEY        /* volume is encrypted and no key given */
#define APFS_EREJECTED EKEYREJECTED /* credential did not unwrap: wrong secret */
#define APFS_EHWBOUND EKEYREVOKED  /* key bound to the original Mac's SEP */
#define APFS_ENOTAPFS EMEDIUMTYPE  /* input is not APFS (or has none) */
/*
 * Block lies past the end of a truncated image.  Not ENODATA, which says an
 * inode has no such attribute: when the two were one, a compressed file whose
 * resource fork lay past the end read as a file without decmpfs (empty, exit
 * 0), and a fork there was "no resource fork".
 */
#define APFS_ETRUNC ENOMEDIUM
_Static_assert(APFS_ETRUNC != ENODATA, "a truncated image is not a missing attribute");
#define APFS_EINCOMPLETE ENOLINK   /* a listing's every readable entry given; nodes holding others could not be read */

/*
 * An errno from the OS (a read of the image, an open), kept apart from the
 * codes above: a removed medium's ENOMEDIUM, or a host file system's EUCLEAN,
 * is an I/O error of the image, not a truncated image or damaged APFS.
 */
static inline int apfs_os_errno(int e)
{
	switch (e) {
	case APFS_ECORRUPT:
	case APFS_EBADCSUM:
	case APFS_ELOCKED:
	case APFS_EREJECTED:
	case APFS_EHWBOUND:
	case APFS_ENOTAPFS:
	case APFS_ETRUNC:
	case APFS_EINCOMPLETE:
		return EIO;
	default:
		return e;
	}
}

/* A failed OS call's -errno as the layers above take it; 0 or a code of ours passes. */
static inline int apfs_os_ret(int ret)
{
	return ret < 0 ? -apfs_os_errno(-ret) : ret;
}

/* Messages go through a hook: stderr for the CLI, stderr or syslog for FUSE. */
typedef void (*apfs_log_fn)(int level, const char *msg);

enum { APFS_LOG_ERR, APFS_LOG_WARN, APFS_LOG_INFO, APFS_LOG_DEBUG };

void apfs_log_set_hook(apfs_log_fn fn);
void apfs_log_set_level(int max_level);
/*
 * The calling thread's messages dropped (nested: as many offs as ons), for
 * a look whose failure is answered another way (fs_byino.c: a plan that
 * declines, after which the caller reads and reports as usual).
 */
void apfs_log_mute(bool on);
/* Whether the calling thread's messages are dropped now (btree.c: a message said only once waits). */
bool apfs_log_muted(void);
/*
 * The calling thread's errors kept in buf (cap bytes: each ended by a NUL,
 * the list by an empty one; those that do not fit are dropped) instead of
 * said, until a call with buf NULL: for work done ahead by helper threads
 * whose failure is said only if the caller comes to it (readall.c: a
 * reader's chunk, said when it is handed on, once, not by each reader that
 * met it).  apfs_log_replay says them, in order, on the calling thread.
 */
void apfs_log_capture(char *buf, size_t cap);
void apfs_log_replay(const char *buf);
/* A capture buffer's size: a chain of messages, from the image's layer up. */
#define APFS_LOG_KEPT 4096
void apfs_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define apfs_err(...) apfs_log(APFS_LOG_ERR, __VA_ARGS__)
#define apfs_warn(...) apfs_log(APFS_LOG_WARN, __VA_ARGS__)
#define apfs_info(...) apfs_log(APFS_LOG_INFO, __VA_ARGS__)
#define apfs_dbg(...) apfs_log(APFS_LOG_DEBUG, __VA_ARGS__)

/* strerror(-err), but in words for a code of our own that libc words wrongly (truncated image). */
const char *apfs_strerror(int err);

/* Count of errors logged since start (lets the CLI avoid printing twice). */
unsigned apfs_log_error_count(void);

#endif
