/* SPDX-License-Identifier: MIT */
/*
 * mount.c - `apfsinspect mount`: open the image, pick and unlock the
 * volume, then mount it read-only and serve it with libfuse's
 * multi-threaded loop.  Everything that can fail for a reason the user
 * should see (wrong credential, no such snapshot, bad mountpoint, bad -o)
 * happens before fuse_daemonize(), so it reaches the terminal with its
 * exit code and nothing stays mounted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "afuse.h"
#include "clibase.h"  /* cli/: options and exit codes */
#include "liblog.h"   /* cli/: the library's messages on stderr */
#include "cmd_fs.h"   /* cli/: --private-dir's directory */
#include "session.h"  /* cli/: the session every reading command opens */

static const char mount_help[] =
	"usage: apfsinspect mount [--volume SEL] [--snapshot NAME|XID] [--private-dir]\n"
	"                         [credential] [-f] [-o OPTS] IMAGE MOUNTPOINT\n"
	"  Mount a volume read-only with FUSE; unmount with 'fusermount3 -u MOUNTPOINT'.\n"
	"  --volume SEL          number, name, UUID or role (default: the Data volume);\n"
	"                        a volume group's System volume, or 'group': the Mac's root\n"
	"                        (firmlinks into the Data volume; --no-firmlinks: System alone)\n"
	"  --snapshot NAME|XID   mount a snapshot instead of the live file system\n"
	"  --private-dir         mount the volume's private directory, which no path from\n"
	"                        / reaches, as the root: macOS keeps a file deleted while\n"
	"                        still open there until its last close (an orphan, named\n"
	"                        0xINODE-dead, link count 0).  One volume, not a group's root\n"
	"  --passphrase P | --stdin-passphrase | --passphrase-file F | --recovery-key K\n"
	"  | --vek HEX           unlock an encrypted volume (prompts if none is given)\n"
	"  -f                    stay in the foreground (log to stderr)\n"
	"  -o OPTS               FUSE mount options, e.g. allow_other,default_permissions\n"
	"                        (-o may be given again: each adds to the others);\n"
	"                        'ro' is always added; readdirplus=yes (default: attributes\n"
	"                        with each directory's entries), =auto (less memory for\n"
	"                        walks of names only), =no\n";

/* The open image behind a mount. */
struct mount_state {
	struct fs_session s;  /* image, volume (unlocked), view */
	struct afuse af;
};

/* The same opening as every reading command (fs_session_open), then statfs's sizes. */
static int open_volume(const struct cli_opts *o, struct mount_state *m)
{
	int ret = fs_session_open(o, &m->s);

	if (ret)
		return ret;
	m->af.fs = m->s.view;
	m->af.top = fs_top_ino(o);
	ret = apfsi_fs_usage(m->af.fs, &m->af.usage);
	if (ret) {
		fprintf(stderr, "apfsinspect: %s\n", apfsi_last_message());
		return EXIT_ERROR;
	}
	return 0;
}

/* fsname= value: the image path with ',' and '\' escaped for -o parsing. */
static char *fsname_opt(const char *image)
{
	size_t n = strlen(image);
	char *s = malloc(sizeof("ro,subtype=apfsinspect,fsname=") + 2 * n);
	char *p;

	if (!s)
		return NULL;
	p = s + sprintf(s, "ro,subtype=apfsinspect,fsname=");
	for (; *image; image++) {
		if (*image == ',' || *image == '\\')
			*p++ = '\\';
		*p++ = *image;
	}
	*p = '\0';
	return s;
}

/*
 * argv for fuse_session_new(): the user's -o first, so that our "ro" wins, less
 * readdirplus= (ours to apply: af->rdplus).  -EINVAL for a bad readdirplus=.
 */
static int build_args(const struct cli_opts *o, struct afuse *af, struct fuse_args *args)
{
	char *own = fsname_opt(o->image), *user = o->fuse_opts ? strdup(o->fuse_opts) : NULL;
	int ret = !own || (o->fuse_opts && !user) || fuse_opt_add_arg(args, "apfsinspect");

	if (!ret && user && afuse_take_rdplus(user, &af->rdplus)) {
		free(own);
		free(user);
		return -EINVAL;
	}
	if (!ret && user && *user)
		ret = fuse_opt_add_arg(args, "-o") || fuse_opt_add_arg(args, user);
	if (!ret)
		ret = fuse_opt_add_arg(args, "-o") || fuse_opt_add_arg(args, own);
	free(own);
	free(user);
	return ret ? -ENOMEM : 0;
}

/*
 * A message into syslog as the CLI writes it to stderr (cli_put_safe): a
 * name from the image in it is data, and its control bytes must not start
 * a line of their own.  Escaped into this thread's buffer: workers log at
 * once.
 */
static void log_syslog(int level, const char *msg, void *arg)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char buf[4096];
	FILE *m = fmemopen(buf, sizeof(buf), "w");

	(void)arg;
	if (!m)
		return;
	cli_put_safe(m, msg, false);
	fclose(m);
	buf[sizeof(buf) - 1] = '\0';
	syslog(prio[level & 3], "%s", buf);
}

/* The mountpoint as an absolute path: fuse_daemonize() changes to "/". */
static int check_mountpoint(const char *arg, char **mnt)
{
	struct stat st;

	*mnt = realpath(arg, NULL);
	if (!*mnt || stat(*mnt, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "apfsinspect: mountpoint '%s' is not a directory\n", arg);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * After fuse_daemonize()'s fork: the child keeps the parent's non-dumpable
 * flag, RLIMIT_CORE and MADV_DONTDUMP, but not its memory locks, so the
 * keys are locked again.  And the working directory leaves "/" (where root
 * may write a core file) for /proc, where no file can be created and no
 * file system is held busy.
 */
static void settle_daemon(void)
{
	apfsi_secure_relock();
	if (chdir("/proc"))
		(void)!chdir("/");
}

/* Idle FUSE workers to keep (see serve()): 10, or 1-64 from the environment. */
static unsigned fuse_idle_workers(void)
{
	const char *s = getenv("APFSINSPECT_FUSE_IDLE_WORKERS");
	char *end;
	unsigned long n = s ? strtoul(s, &end, 10) : 0;

	return s && *s && !*end && n >= 1 && n <= 64 ? (unsigned)n : 10;
}

/* Mount, detach unless -f, and serve until unmounted or signalled. */
static int serve(const struct cli_opts *o, struct mount_state *m, const char *mnt)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	/*
	 * Ten idle workers, libfuse's own pool (fuse_idle_workers()).  With one,
	 * a worker that finishes while another waits on /dev/fuse exits and the
	 * next request starts a thread: on this machine's kernel (6.18, idle,
	 * 5 interleaved runs of bench/fuse.sh's fio randread 4 KiB psync) one
	 * reader got 18.3k IOPS with one idle worker against 33.1k with ten
	 * (fsapfsmount 27.2k, libfuse's null 37.4k), encrypted 17.5k against
	 * 32.2k; sequential dd 1.55 against 1.86 GB/s; find the same.  An
	 * earlier kernel had measured the reverse for one reader, so
	 * APFSINSPECT_FUSE_IDLE_WORKERS=1..64 still chooses (issue 14).
	 */
	struct fuse_loop_config lc = { .clone_fd = 0, .max_idle_threads = fuse_idle_workers() };
	struct fuse_session *se = NULL;
	int ret = EXIT_ERROR, built = build_args(o, &m->af, &args);

	if (built) {
		if (built == -EINVAL) {
			fprintf(stderr, "apfsinspect: -o readdirplus= takes yes, no or auto\n");
			ret = EXIT_USAGE;
		}
		goto out;
	}
	se = fuse_session_new(&args, &afuse_ll_ops, sizeof(afuse_ll_ops), &m->af);
	if (!se) {
		fprintf(stderr, "apfsinspect: the FUSE options were not accepted (see above)\n");
		ret = EXIT_USAGE;
		goto out;
	}
	if (fuse_session_mount(se, mnt))
		goto out_destroy;
	if (fuse_daemonize(o->foreground) || fuse_set_signal_handlers(se))
		goto out_unmount;
	settle_daemon();
	m->af.log = o->foreground ? cli_lib_log : log_syslog;
	if (!o->foreground) {
		openlog("apfsinspect", LOG_PID, LOG_DAEMON);
		apfsi_set_log(log_syslog, APFSI_LOG_WARNING, NULL);
	}
	ret = fuse_session_loop_mt(se, &lc) ? EXIT_ERROR : EXIT_OK;
	fuse_remove_signal_handlers(se);
out_unmount:
	fuse_session_unmount(se);
out_destroy:
	fuse_session_destroy(se);
out:
	fuse_opt_free_args(&args);
	return ret;
}

/**
 * cmd_mount - `apfsinspect mount [options] IMAGE MOUNTPOINT`
 *
 * Returns the exit code: 0 after a clean unmount (or, detached, once the
 * mount is up), 3 for a rejected credential with nothing mounted.
 */
int cmd_mount(int argc, char **argv)
{
	struct mount_state m;
	struct cli_opts o;
	char *mnt = NULL;
	int ret;

	ret = cli_parse(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_MOUNTPOINT, 1, 1,
			mount_help, &o);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	memset(&m, 0, sizeof(m));
	/* Before a password is asked for: without libfuse3 there is nothing to serve. */
	if (fuse_dl_load())
		return EXIT_ERROR;
	ret = check_mountpoint(o.args[0], &mnt);
	if (!ret)
		ret = open_volume(&o, &m);
	/* Even unused (a plain volume), a secret from argv must not live for days. */
	cli_wipe_secret_args();
	if (!ret)
		ret = serve(&o, &m, mnt);
	fs_session_close(&m.s);
	free(mnt);
	return ret;
}
