/* SPDX-License-Identifier: MIT */
/*
 * audit.c - `--log FILE`: one JSON line appended per run, so that a second
 * examiner can repeat it: the tool's version and commit, the command line
 * with every secret value replaced by "*", the image (path, size and, with
 * --hash-image, its SHA-256 before and after), the containers and volumes
 * opened, which crypto user and which kind of credential unlocked a volume,
 * start and end in UTC and the exit status.  Never a secret: the values of
 * --passphrase and the other secret options are found the way harden.c
 * finds them to hide them from ps, and nothing else here sees a secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/uuid.h"
#include "audit.h"

#define MAX_ARGS 256
#define MAX_CONT 16
#define MAX_UNLOCKS 8
/* Volumes noted: as many as MAX_CONT containers hold (NX_MAX_FILE_SYSTEMS, 100, each). */
#define MAX_VOLS (MAX_CONT * 100)

struct vol_note {
	char uuid[37];
	char *name;
};

static struct {
	const char *log;
	bool hash;
	const char *image;
	/* Absolute paths, taken before any work: the mount daemon ends in another directory. */
	char log_abs[PATH_MAX], image_abs[PATH_MAX];
	bool image_found;
	struct timespec start;
	char *args[MAX_ARGS];
	int nargs;
	char sha_before[65];
	int sha_err;
	char cont[MAX_CONT][37];
	unsigned ncont;
	struct vol_note vols[MAX_VOLS];
	unsigned nvols;
	struct vol_note chosen;
	struct {
		char vol[37], user[37];
		char type[64];              /* "" without a user */
		const char *cred, *source;
	} unl[MAX_UNLOCKS];
	unsigned nunl;
} au;

/* One argument as it goes into the log: a secret value becomes "*". */
static char *redact(const char *arg, const struct cli_secret *s, int n, int idx)
{
	for (int k = 0; k < n; k++)
		if (s[k].idx == idx) {
			char *r = malloc(s[k].off + 2);

			if (r) {
				memcpy(r, arg, s[k].off);
				strcpy(r + s[k].off, "*");
			}
			return r;
		}
	return strdup(arg);
}

/* --log F or --log=F spelled out; cli_audit_opts() confirms it (usage errors still log). */
static void prescan_log(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return;
		if (!strcmp(argv[i], "--log") && i + 1 < argc)
			au.log = argv[i + 1];
		else if (!strncmp(argv[i], "--log=", 6))
			au.log = argv[i] + 6;
	}
}

void cli_audit_start(int argc, char **argv)
{
	struct cli_secret s[16];
	int n;

	clock_gettime(CLOCK_REALTIME, &au.start);
	n = argc > 1 ? cli_find_secrets(argc - 1, argv + 1, s, 16) : 0;
	for (int k = 0; k < n; k++)
		s[k].idx++;  /* index into the whole argv */
	for (int i = 0; i < argc && au.nargs < MAX_ARGS; i++)
		au.args[au.nargs++] = redact(argv[i], s, n < 0 ? 0 : n, i);
	prescan_log(argc, argv);
}

/* The log's absolute path, whether it exists yet or not. */
static bool log_abs_path(void)
{
	char dir[PATH_MAX], real[PATH_MAX], *slash;
	const char *base;

	if (realpath(au.log, au.log_abs))
		return true;
	slash = strrchr(au.log, '/');
	base = slash ? slash + 1 : au.log;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - au.log) + 1 : 1,
		 slash ? au.log : ".");
	if (!*base || !realpath(dir, real))
		return false;
	return snprintf(au.log_abs, sizeof(au.log_abs), "%s/%s", real, base) <
	       (int)sizeof(au.log_abs);
}

/* The log must never be the evidence: the same file as IMAGE, or inside it (a bundle). */
static bool log_is_image(void)
{
	struct stat is, ls;
	size_t n = strlen(au.image_abs);

	if (!au.image_found || stat(au.image_abs, &is))
		return false;
	if (!stat(au.log_abs, &ls) && ls.st_dev == is.st_dev && ls.st_ino == is.st_ino)
		return true;
	return S_ISDIR(is.st_mode) && !strncmp(au.log_abs, au.image_abs, n) &&
	       au.log_abs[n] == '/';
}

/* Checked and created before the image is read: opened for writing only once it is not the image. */
static int open_log(void)
{
	int fd;

	if (!log_abs_path()) {
		fprintf(stderr, "apfsinspect: --log %s: %s\n", cli_safe_str(au.log), strerror(errno));
		return EXIT_ERROR;
	}
	if (log_is_image()) {
		fprintf(stderr, "apfsinspect: --log %s: that is the image: evidence is never written "
			"to\n", cli_safe_str(au.log));
		return EXIT_USAGE;
	}
	fd = open(au.log_abs, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "apfsinspect: --log %s: %s\n", cli_safe_str(au.log), strerror(errno));
		return EXIT_ERROR;
	}
	close(fd);
	au.log = au.log_abs;
	return 0;
}

int cli_audit_opts(const struct cli_opts *o)
{
	int ret;

	au.image = o->image;
	au.image_found = realpath(o->image, au.image_abs) != NULL;
	au.log = o->log;
	au.hash = o->hash_image;
	if (au.hash && !au.log) {
		fprintf(stderr, "apfsinspect: --hash-image needs --log FILE (the record it goes into)\n");
		return EXIT_USAGE;
	}
	if (!au.log)
		return 0;
	/* Before any work: a run whose record cannot be kept does not start. */
	ret = open_log();
	if (ret) {
		au.log = NULL;
		return ret;
	}
	if (au.hash)
		au.sha_err = cli_sha256_file(au.image_found ? au.image_abs : au.image, au.sha_before);
	return 0;
}

static void note_vol(struct vol_note *n, const uint8_t uuid[16], const char *name)
{
	apfs_uuid_str(uuid, n->uuid);
	free(n->name);
	n->name = strdup(name);
}

void cli_audit_note_container(const uint8_t uuid[16])
{
	if (au.ncont < MAX_CONT)
		apfs_uuid_str(uuid, au.cont[au.ncont++]);
}

void cli_audit_note_volume(const uint8_t uuid[16], const char *name, bool chosen)
{
	if (chosen)
		note_vol(&au.chosen, uuid, name);
	else if (au.nvols < MAX_VOLS)
		note_vol(&au.vols[au.nvols++], uuid, name);
}

static void note_api_vol(apfsi_volume *vol, bool chosen)
{
	struct apfsi_volume_info vi;

	if (!apfsi_volume_info(vol, &vi))
		cli_audit_note_volume(vi.uuid, vi.name, chosen);
}

void cli_audit_api_image(apfsi_image *img)
{
	struct apfsi_image_info ii;
	struct apfsi_container_info ci;
	apfsi_volume *vol;

	if (apfsi_image_info(img, &ii))
		return;
	for (unsigned i = 0; i < ii.containers && au.ncont < MAX_CONT; i++)
		if (!apfsi_container_info(img, i, &ci))
			cli_audit_note_container(ci.uuid);
	for (unsigned i = 0; i < ii.volumes && au.nvols < MAX_VOLS; i++)
		if (!apfsi_image_volume(img, i, &vol))
			note_api_vol(vol, false);
}

void cli_audit_api_volume(apfsi_volume *vol)
{
	note_api_vol(vol, true);
}

/* The user's UUID and type name, from the keybag alone (no user database read for it). */
static void note_user(apfsi_volume *vol, int user, char uuid[37], char *type, size_t len)
{
	enum apfsi_user_type t;
	uint8_t u[16];

	if (apfsi_volume_user_id(vol, (unsigned)user, u, &t))
		return;
	apfs_uuid_str(u, uuid);
	snprintf(type, len, "%s", apfsi_user_type_name(t));
}

void cli_audit_unlock(apfsi_volume *vol, int user, const char *kind, const char *source)
{
	struct apfsi_volume_info vi;

	if (au.nunl == MAX_UNLOCKS || apfsi_volume_info(vol, &vi))
		return;
	apfs_uuid_str(vi.uuid, au.unl[au.nunl].vol);
	if (user >= 0)
		note_user(vol, user, au.unl[au.nunl].user, au.unl[au.nunl].type,
			  sizeof(au.unl[au.nunl].type));
	au.unl[au.nunl].source = source;
	au.unl[au.nunl++].cred = kind;
}

static void put_time(struct json *j, const char *key, const struct timespec *t)
{
	char buf[64];

	fmt_iso_ns((uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec, buf, sizeof(buf));
	json_str(j, key, buf);
}

static void put_image(struct json *j)
{
	const char *path = au.image_found ? au.image_abs : au.image;
	char after[65];
	struct stat st;
	int err;

	json_str(j, "image", au.image);
	json_str(j, "image_realpath", au.image_found ? au.image_abs : NULL);
	if (path && !stat(path, &st))
		json_u64(j, "image_size", (uint64_t)st.st_size);
	else
		json_null(j, "image_size");
	if (!au.hash)
		return;
	err = cli_sha256_file(path, after);
	json_str(j, "image_sha256_before", au.sha_err ? NULL : au.sha_before);
	json_str(j, "image_sha256_after", err ? NULL : after);
	if (au.sha_err || err)
		json_str(j, "image_hash_error", strerror(-(au.sha_err ? au.sha_err : err)));
	else
		json_bool(j, "image_unchanged", !strcmp(au.sha_before, after));
}

static void put_volumes(struct json *j)
{
	json_arr_open(j, "container_uuids");
	for (unsigned i = 0; i < au.ncont; i++)
		json_str(j, NULL, au.cont[i]);
	json_arr_close(j);
	json_arr_open(j, "volumes");
	for (unsigned i = 0; i < au.nvols; i++) {
		json_obj_open(j, NULL);
		json_str(j, "volume", au.vols[i].name);
		json_str(j, "volume_uuid", au.vols[i].uuid);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_str(j, "selected_volume", au.chosen.name);
	json_str(j, "selected_volume_uuid", au.chosen.uuid[0] ? au.chosen.uuid : NULL);
	json_arr_open(j, "unlocked");
	for (unsigned i = 0; i < au.nunl; i++) {
		json_obj_open(j, NULL);
		json_str(j, "volume_uuid", au.unl[i].vol);
		json_str(j, "user_uuid", au.unl[i].user[0] ? au.unl[i].user : NULL);
		json_str(j, "user_type", au.unl[i].type[0] ? au.unl[i].type : NULL);
		json_str(j, "credential", au.unl[i].cred);
		json_str(j, "credential_source", au.unl[i].source);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void put_record(struct json *j, int ret, const struct timespec *end)
{
	char host[256] = "";

	json_str(j, "record", "apfsinspect-run");
	json_str(j, "version", cli_version);
	json_str(j, "commit", cli_commit);
	json_arr_open(j, "command_line");
	for (int i = 0; i < au.nargs; i++)
		json_str(j, NULL, au.args[i]);
	json_arr_close(j);
	gethostname(host, sizeof(host) - 1);
	json_str(j, "host", host);
	json_u64(j, "uid", getuid());
	put_image(j);
	put_volumes(j);
	put_time(j, "start", &au.start);
	put_time(j, "end", end);
	json_i64(j, "exit_status", ret);
}

/* The pretty-printed document on one line: outside strings, a newline and its indent go. */
static size_t one_line(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\n') {
			s[o++] = s[i];
			continue;
		}
		while (i + 1 < n && s[i + 1] == ' ')
			i++;
	}
	return o;
}

static int append(const char *rec, size_t n)
{
	int fd = open(au.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	ssize_t w = fd >= 0 ? write(fd, rec, n) : -1;  /* one write: records never interleave */
	int err = w < 0 ? errno : (size_t)w != n ? EIO : 0;

	if (fd >= 0 && close(fd) && !err)
		err = errno;
	if (err)
		fprintf(stderr, "apfsinspect: --log %s: the record was not written: %s\n",
			cli_safe_str(au.log), strerror(err));
	return err ? EXIT_ERROR : 0;
}

int cli_audit_finish(int ret)
{
	struct timespec end;
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	clock_gettime(CLOCK_REALTIME, &end);
	m = au.log ? open_memstream(&buf, &len) : NULL;
	if (m) {
		json_begin(&j, m);
		put_record(&j, ret, &end);
		json_end(&j);
		fclose(m);
		len = one_line(buf, len);
		buf[len++] = '\n';  /* json_end's, which one_line() took */
		if (append(buf, len) && !ret)
			ret = EXIT_ERROR;
	} else if (au.log) {
		ret = ret ? ret : EXIT_ERROR;
	}
	free(buf);
	for (int i = 0; i < au.nargs; i++)
		free(au.args[i]);
	for (unsigned i = 0; i < au.nvols; i++)
		free(au.vols[i].name);
	free(au.chosen.name);
	return ret;
}
