/* SPDX-License-Identifier: MIT */
/*
 * error.c - errors of the public API: the layers below return negative
 * errnos (util/err.h) and log what they found where they found it; the API
 * returns an APFSI_ERR_* and keeps, per thread, the message that names the
 * structure and the block (the first error logged on the thread since the
 * call began, else one of the API's own).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MSG_MAX 1024

static _Thread_local char last_msg[MSG_MAX];  /* apfsi_last_message() */
static _Thread_local char fresh_msg[MSG_MAX]; /* first error logged since apfsi_enter */
static _Thread_local bool fresh;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static apfsi_log_fn user_fn;
static void *user_arg;
static int user_max = -1;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static const char *const texts[] = {
	[APFSI_OK] = "success",
	[APFSI_ERR_NOMEM] = "out of memory",
	[APFSI_ERR_IO] = "input/output error reading the image",
	[APFSI_ERR_TRUNCATED] = "block past the end of a truncated image",
	[APFSI_ERR_CORRUPT] = "damaged structure",
	[APFSI_ERR_NOT_APFS] = "no APFS container",
	[APFSI_ERR_UNSUPPORTED] = "not supported",
	[APFSI_ERR_INVALID] = "invalid argument",
	[APFSI_ERR_NOT_FOUND] = "not found",
	[APFSI_ERR_AMBIGUOUS] = "matches several volumes",
	[APFSI_ERR_NOT_DIR] = "not a directory",
	[APFSI_ERR_IS_DIR] = "is a directory",
	[APFSI_ERR_NOT_LINK] = "not a symbolic link",
	[APFSI_ERR_LOOP] = "directory cycle",
	[APFSI_ERR_NAME_TOO_LONG] = "name or path too long",
	[APFSI_ERR_LOCKED] = "volume is locked",
	[APFSI_ERR_WRONG_CREDENTIAL] = "wrong credential",
	[APFSI_ERR_HW_BOUND] = "key bound to the original Mac's hardware",
	[APFSI_ERR_NO_USER] = "no crypto user takes this kind of credential",
	[APFSI_ERR_IMAGE_LOCKED] = "encrypted image needs its passphrase",
	[APFSI_ERR_CANCELLED] = "cancelled",
	[APFSI_ERR_INCOMPLETE] = "incomplete: records that may hold entries are missing",
};

const char *apfsi_strerror(int err)
{
	if (err < 0 || (size_t)err >= sizeof(texts) / sizeof(texts[0]) || !texts[err])
		return "unknown error";
	return texts[err];
}

const char *apfsi_last_message(void)
{
	return last_msg;
}

/* Every message of the layers below: an error kept for the thread, all to the user's fn. */
static void hook(int level, const char *msg)
{
	apfsi_log_fn fn;
	void *arg;
	int max;

	if (level == APFS_LOG_ERR && !fresh) {
		snprintf(fresh_msg, sizeof(fresh_msg), "%s", msg);
		fresh = true;
	}
	pthread_mutex_lock(&log_lock);
	fn = user_fn, arg = user_arg, max = user_max;
	pthread_mutex_unlock(&log_lock);
	if (fn && level <= max)
		fn(level, msg, arg);
}

static void install(void)
{
	apfs_log_set_hook(hook);
	apfs_log_set_level(APFS_LOG_ERR);
}

void apfsi_log_init(void)
{
	pthread_once(&log_once, install);
}

void apfsi_set_log(apfsi_log_fn fn, int max_level, void *arg)
{
	int lvl = max_level < APFSI_LOG_ERROR ? APFSI_LOG_ERROR :
		  max_level > APFSI_LOG_DEBUG ? APFSI_LOG_DEBUG : max_level;

	apfsi_log_init();
	pthread_mutex_lock(&log_lock);
	user_fn = fn, user_arg = arg, user_max = fn ? lvl : -1;
	pthread_mutex_unlock(&log_lock);
	/* Errors always reach the hook (kept per thread); the rest only when wanted. */
	apfs_log_set_level(fn ? lvl : APFS_LOG_ERR);
}

void apfsi_enter(void)
{
	fresh = false;
}

/* The first error logged on this thread since apfsi_enter, or NULL. */
const char *apfsi_logged(void)
{
	return fresh ? fresh_msg : NULL;
}

int apfsi_code(int neg_errno)
{
	switch (-neg_errno) {
	case 0: return APFSI_OK;
	case ENOMEM: return APFSI_ERR_NOMEM;
	case APFS_ETRUNC: return APFSI_ERR_TRUNCATED;
	case APFS_ECORRUPT:
	case APFS_EBADCSUM:
	case EFBIG:
	case EOVERFLOW: return APFSI_ERR_CORRUPT;
	case APFS_ENOTAPFS: return APFSI_ERR_NOT_APFS;
	case ENOTSUP: return APFSI_ERR_UNSUPPORTED;
	case EINVAL: return APFSI_ERR_INVALID;
	case ENOENT: return APFSI_ERR_NOT_FOUND;
	case ENOTDIR: return APFSI_ERR_NOT_DIR;
	case EISDIR: return APFSI_ERR_IS_DIR;
	case ELOOP: return APFSI_ERR_LOOP;
	case ENAMETOOLONG:
	case ERANGE:
	case E2BIG: return APFSI_ERR_NAME_TOO_LONG;
	case APFS_ELOCKED: return APFSI_ERR_LOCKED;
	case APFS_EREJECTED: return APFSI_ERR_WRONG_CREDENTIAL;
	case APFS_EHWBOUND: return APFSI_ERR_HW_BOUND;
	case ECANCELED: return APFSI_ERR_CANCELLED;
	case APFS_EINCOMPLETE: return APFSI_ERR_INCOMPLETE;
	default: return APFSI_ERR_IO;
	}
}

int apfsi_fail(int code, const char *fmt, ...)
{
	const char *logged = apfsi_logged();
	va_list ap;

	if (code == APFSI_OK)
		return code;
	if (logged) {
		/* The layer that found the damage named the structure and the block. */
		snprintf(last_msg, sizeof(last_msg), "%s", logged);
	} else {
		va_start(ap, fmt);
		vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
		va_end(ap);
	}
	fresh = false;
	return code;
}

int apfsi_say(int code, const char *msg)
{
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
	fresh = false;
	return code;
}

int apfsi_fail_errno(int neg_errno, const char *what)
{
	int code = apfsi_code(neg_errno);

	return apfsi_fail(code, "%s: %s", what, apfsi_strerror(code));
}
