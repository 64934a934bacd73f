/* SPDX-License-Identifier: MIT */
/*
 * unlock.c - unlock a volume: pick the crypto users a credential can match,
 * try them in parallel (PBKDF2 dominates, one derivation per user and
 * candidate), install the VEK, and explain a failure stage by stage.
 */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "credential.h"
#include "keybag/names.h"
#include "unlock_progress.h"

#define MAX_THREADS 64

struct job {
	const struct kb_volume_keys *k;
	const struct cli_cred *cr;
	const unsigned *users;  /* indexes into k->users */
	unsigned nusers;
	const unsigned *cand_user; /* potfile: each candidate's user (position in users) */
	unsigned batch;         /* candidates a task tries at once (PBKDF2 lanes; 1 with cand_user) */
	size_t ntasks;          /* candidate batches x users, or candidates with cand_user */
	atomic_size_t next;
	atomic_bool found;      /* a candidate fit */
	size_t found_cand, found_up; /* which, on which user (position in users) */
	struct cand_progress *progress;
	pthread_mutex_t lock;
	int *status;            /* per user: last result other than a rejection */
	uint8_t vek[32];
	size_t veklen;
	uint8_t cs_uuid[16];
};

/* Task t: candidates *c to *c + *n - 1 on the user at position *up of j->users. */
static void task_split(const struct job *j, size_t t, size_t *c, size_t *n, size_t *up)
{
	*c = j->cand_user ? t : t / j->nusers * j->batch;
	*n = j->cr->ncands - *c < j->batch ? j->cr->ncands - *c : j->batch;
	*up = j->cand_user ? j->cand_user[t] : t % j->nusers;
}

/* What candidate c on the user at position up gave. */
static void record(struct job *j, size_t c, size_t up, int ret, const uint8_t *vek,
		   size_t veklen, const uint8_t *cs)
{
	pthread_mutex_lock(&j->lock);
	if (ret == 0 && !atomic_load(&j->found)) {
		atomic_store(&j->found, true);
		j->found_cand = c;
		j->found_up = up;
		memcpy(j->vek, vek, veklen);
		j->veklen = veklen;
		memcpy(j->cs_uuid, cs, 16);
	} else if (ret && ret != -APFS_EREJECTED) {
		j->status[up] = ret;
	}
	pthread_mutex_unlock(&j->lock);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	uint8_t vek[32], cs[16];
	size_t veklen = 0, t, c, n, up;

	while (!atomic_load(&j->found) && (t = atomic_fetch_add(&j->next, 1)) < j->ntasks) {
		unsigned which = 0;
		int ret;

		task_split(j, t, &c, &n, &up);
		ret = kb_unlock_user_many(j->k, &j->k->users[j->users[up]], (unsigned)n,
					  j->cr->cands + c, j->cr->lens + c, &which, vek, &veklen,
					  cs);
		record(j, c + which, up, ret, vek, veklen, cs);
		cand_progress_add(j->progress, n);
	}
	OPENSSL_cleanse(vek, sizeof(vek));
	return NULL;
}


static void run_job(struct job *j)
{
	pthread_t th[MAX_THREADS];
	unsigned n = cli_workers(j->ntasks, MAX_THREADS), started = 0;

	/* One task needs no thread: the right password with --user stays at
	 * one PBKDF2 plus the unwraps. */
	if (n <= 1) {
		worker(j);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (!pthread_create(&th[started], NULL, worker, j))
			started++;
	if (!started)
		worker(j);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/* The names the image records, for messages (cli_unlock_set_names). */
static const struct kb_names *unlock_names;

void cli_unlock_set_names(const struct kb_names *db)
{
	unlock_names = db;
}

/* "UUID (Type)", or "UUID (Type: alice, Alice Appleseed)" when the image names the user. */
static void user_label(const struct kb_user *u, char *buf, size_t len)
{
	const struct kb_name *n = unlock_names ? kb_names_find(unlock_names, u->uuid) : NULL;
	char *sn = n && n->short_name ? cli_esc_dup(n->short_name, "") : NULL;
	char *fn = n && n->full_name ? cli_esc_dup(n->full_name, "") : NULL;
	char id[37];

	apfs_uuid_str(u->uuid, id);
	if (sn)
		snprintf(buf, len, "%s (%s: %s%s%s)", id, kb_type_name(u->type), sn,
			 fn ? ", " : "", fn ? fn : "");
	else
		snprintf(buf, len, "%s (%s)", id, kb_type_name(u->type));
	free(sn);
	free(fn);
}

/* A record that cannot be tried because the keybag is damaged or crafted. */
static bool damaged_record(const struct kb_user *u)
{
	return !u->parsed ||
	       (u->kek.has_kdf && (u->kek.iterations == 0 || u->kek.iterations > KB_MAX_ITERATIONS));
}

static void report_damaged(const struct apfs_volume *v, const struct kb_user *u)
{
	char id[37];

	apfs_uuid_str(u->uuid, id);
	if (!u->parsed)
		fprintf(stderr, "apfsinspect: volume '%s': crypto user %s: damaged record in the "
				"volume keybag at block %llu, entry %u: %s\n",
				cli_safe_str(v->name), id,
			(unsigned long long)u->keybag_block, u->entry_index, u->why);
	else
		fprintf(stderr, "apfsinspect: volume '%s': crypto user %s: record in the volume "
				"keybag at block %llu, entry %u asks for %llu PBKDF2 iterations "
				"(accepted: 1 to %llu): damaged or crafted\n",
				cli_safe_str(v->name), id,
			(unsigned long long)u->keybag_block, u->entry_index,
			(unsigned long long)u->kek.iterations, KB_MAX_ITERATIONS);
}

int cli_check_records(const struct apfs_volume *v, const struct kb_volume_keys *k)
{
	int ret = 0;

	for (unsigned i = 0; i < k->nusers; i++)
		if (damaged_record(&k->users[i])) {
			report_damaged(v, &k->users[i]);
			ret = EXIT_ERROR;
		}
	return ret;
}

/* Why a crypto user is not tried with this credential. */
enum skip { TRY, SKIP_OTHER_USER, SKIP_NOT_PRK, SKIP_DAMAGED, SKIP_HW, SKIP_ESCROW, SKIP_NO_KDF };

static bool escrow_type(enum kb_user_type t)
{
	return t == KB_USER_ICLOUD_RECOVERY || t == KB_USER_ICLOUD_EXTERNAL ||
	       t == KB_USER_INSTITUTIONAL_RECOVERY || t == KB_USER_INSTITUTIONAL_EXTERNAL;
}

static enum skip skip_reason(const uint8_t *want, const struct cli_cred *cr,
			     const struct kb_user *u)
{
	if (want && memcmp(u->uuid, want, 16))
		return SKIP_OTHER_USER;
	if (cr->kind == CRED_RECOVERY && u->type != KB_USER_PERSONAL_RECOVERY)
		return SKIP_NOT_PRK;
	if (damaged_record(u))
		return SKIP_DAMAGED;
	if (u->hw_bound)
		return SKIP_HW;
	if (!u->offline_unlockable)
		return escrow_type(u->type) ? SKIP_ESCROW : SKIP_NO_KDF;
	return TRY;
}

static const char *skip_why(enum skip s)
{
	switch (s) {
	case SKIP_NOT_PRK: return "a recovery key only fits the Personal Recovery User";
	case SKIP_DAMAGED: return "damaged record (named above)";
	case SKIP_HW: return "hardware-bound: its key is held by the original Mac's Secure "
			     "Enclave (T2/Apple silicon); it can only be unlocked on that Mac";
	case SKIP_ESCROW: return "escrowed: an iCloud/institutional record without PBKDF2 "
				 "parameters needs data escrowed with Apple (iCloud) or the "
				 "institution's private key";
	case SKIP_NO_KDF: return "its record has no PBKDF2 parameters";
	default: return "";
	}
}

/* --user as a UUID (want NULL without it); -EINVAL after saying why. */
static int user_filter(const struct cli_opts *o, uint8_t want[16], const uint8_t **out)
{
	*out = NULL;
	if (!o->user)
		return 0;
	if (apfs_uuid_parse(o->user, want)) {
		fprintf(stderr, "apfsinspect: --user '%s' is not a UUID\n", o->user);
		return -EINVAL;
	}
	*out = want;
	return 0;
}

/* Which users this credential can match; counts those it must skip. */
static int choose_users(const struct cli_opts *o, const struct apfs_volume *v,
			const struct kb_volume_keys *k, const struct cli_cred *cr, unsigned *idx,
			struct cli_unlock_result *res)
{
	const uint8_t *want;
	uint8_t buf[16];
	unsigned n = 0;

	if (user_filter(o, buf, &want))
		return -EINVAL;
	for (unsigned i = 0; i < k->nusers; i++) {
		switch (skip_reason(want, cr, &k->users[i])) {
		case TRY: idx[n++] = i; break;
		case SKIP_DAMAGED: report_damaged(v, &k->users[i]); res->damaged++; break;
		case SKIP_HW: res->hwbound++; break;
		case SKIP_ESCROW:
		case SKIP_NO_KDF: res->unusable++; break;
		default: break;
		}
	}
	return (int)n;
}

/* Every crypto user this credential was not tried on, and why (N2, P4). */
static void report_not_tried(const struct cli_opts *o, const struct apfs_volume *v,
			     const struct kb_volume_keys *k, const struct cli_cred *cr)
{
	const uint8_t *want;
	uint8_t buf[16];
	unsigned others = 0, not_prk = 0, shown = 0;
	char l[192];

	if (user_filter(o, buf, &want))
		return;
	for (unsigned i = 0; i < k->nusers; i++) {
		enum skip s = skip_reason(want, cr, &k->users[i]);

		others += s == SKIP_OTHER_USER;
		not_prk += s == SKIP_NOT_PRK;
		if (s == TRY || s == SKIP_OTHER_USER || s == SKIP_NOT_PRK)
			continue;
		if (!shown++)
			fprintf(stderr, "apfsinspect: volume '%s': crypto users not tried:\n",
				cli_safe_str(v->name));
		user_label(&k->users[i], l, sizeof(l));
		fprintf(stderr, "  %s: %s\n", l, skip_why(s));
	}
	if (others)
		fprintf(stderr, "apfsinspect: volume '%s': %u other crypto user%s not tried "
				"(--user names one)\n", cli_safe_str(v->name), others,
				others == 1 ? "" : "s");
	if (not_prk)
		fprintf(stderr, "apfsinspect: volume '%s': %u other crypto user%s not tried "
				"(%s)\n", cli_safe_str(v->name), not_prk, not_prk == 1 ? "" : "s",
			skip_why(SKIP_NOT_PRK));
}

/* README "Hardware-bound keys": what the analyst can still do. */
static void hw_guidance(const struct apfs_volume *v)
{
	fprintf(stderr,
		"apfsinspect: volume '%s': no password or recovery key can unlock it away from "
		"the original Mac.\n"
		"  What can still be done: on that Mac, unlocked with a user's password or the "
		"recovery key,\n"
		"  take a logical (decrypted) acquisition, e.g. with `asr` or a collector that "
		"reads the\n"
		"  mounted volume (Target Disk Mode and a physical image give only ciphertext); "
		"before a\n"
		"  running Mac is powered off, record `fdesetup list -extended` and `diskutil apfs "
		"listcryptousers /`.\n"
		"  Without a credential, `apfsinspect fdesetup-list` names the users from the "
		"Preboot volume.\n", cli_safe_str(v->name));
}

/* "  UUID (Type), hint "..."": the hint is what helps the analyst most here. */
static void list_user(const struct kb_user *u)
{
	char l[192];

	user_label(u, l, sizeof(l));
	fprintf(stderr, "  %s", l);
	cli_put_hint(stderr, u);
	fputc('\n', stderr);
}

static void list_users(const struct kb_volume_keys *k)
{
	for (unsigned i = 0; i < k->nusers; i++)
		list_user(&k->users[i]);
}

static bool any_offline(const struct kb_volume_keys *k)
{
	for (unsigned i = 0; i < k->nusers; i++)
		if (k->users[i].offline_unlockable && !damaged_record(&k->users[i]))
			return true;
	return false;
}

/* Nothing to try: say exactly why. */
static int explain_none(const struct cli_opts *o, const struct apfs_volume *v,
			const struct kb_volume_keys *k, const struct cli_cred *cr,
			const struct cli_unlock_result *res)
{
	if (res->damaged && !res->hwbound && !res->unusable)
		return EXIT_ERROR;  /* the damage was named above */
	if (res->hwbound) {
		/* Escrowed or damaged records are no path either: the hardware is the verdict. */
		fprintf(stderr, "apfsinspect: volume '%s': no crypto user it could be tried on "
				"can be unlocked off the original Mac\n", cli_safe_str(v->name));
		report_not_tried(o, v, k, cr);
		if (o->user && any_offline(k))
			fprintf(stderr, "apfsinspect: volume '%s': other crypto users can be tried "
					"offline: leave out --user\n", cli_safe_str(v->name));
		else
			hw_guidance(v);
		return EXIT_HWBOUND;
	}
	if (res->unusable) {
		fprintf(stderr, "apfsinspect: volume '%s': the matching crypto user record "
				"cannot be unlocked offline (iCloud/institutional escrow, or no "
				"PBKDF2 parameters); see listcryptousers --json\n", v->name);
		report_not_tried(o, v, k, cr);
		return EXIT_LOCKED;
	}
	if (o->user)
		fprintf(stderr, "apfsinspect: volume '%s' has no crypto user %s; its users are:\n",
			cli_safe_str(v->name), o->user);
	else if (cr->kind == CRED_RECOVERY)
		fprintf(stderr, "apfsinspect: volume '%s' has no Personal Recovery User, so no "
				"recovery key can unlock it; its users are:\n",
				cli_safe_str(v->name));
	else
		fprintf(stderr, "apfsinspect: volume '%s' has no crypto users\n",
			cli_safe_str(v->name));
	list_users(k);
	return EXIT_LOCKED;
}

static int explain_fail(const struct cli_opts *o, const struct apfs_volume *v,
			const struct kb_volume_keys *k, const struct cli_cred *cr,
			const struct job *j)
{
	bool other = false;
	char l[192];

	for (unsigned i = 0; i < j->nusers; i++) {
		int st = j->status[i];

		if (!st)
			continue;
		other = true;
		user_label(&k->users[j->users[i]], l, sizeof(l));
		fprintf(stderr, "apfsinspect: crypto user %s: %s\n", l,
			st == -EOPNOTSUPP ? "unsupported key variant or iteration count "
					    "(see the message above)" : strerror(-st));
	}
	if (cr->kind == CRED_POTFILE)
		fprintf(stderr, "apfsinspect: volume '%s': the password%s potfile '%s' holds for "
				"the crypto users tried do%s not unlock them (a line edited, or not "
				"cracked from this record):\n", cli_safe_str(v->name),
				cr->ncands == 1 ? "" : "s",
			cr->potfile, cr->ncands == 1 ? "es" : "");
	else if (cr->ngiven > 1)
		fprintf(stderr, "apfsinspect: volume '%s': none of the %zu candidates from %s "
				"unlocks any of the %u crypto user%s tried:\n",
				cli_safe_str(v->name), cr->ngiven,
			cr->source, j->nusers, j->nusers == 1 ? "" : "s");
	else
		fprintf(stderr, "apfsinspect: volume '%s': wrong %s for the %u crypto user%s "
				"tried:\n", cli_safe_str(v->name),
			cr->kind == CRED_RECOVERY ? "recovery key" : "passphrase", j->nusers,
			j->nusers == 1 ? "" : "s");
	for (unsigned i = 0; i < j->nusers; i++)
		list_user(&k->users[j->users[i]]);
	report_not_tried(o, v, k, cr);
	if (!(get_le64(v->c->nx.nx_flags) & APFS_NX_CRYPTO_SW))
		fprintf(stderr, "apfsinspect: note: the container does not use software "
				"cryptography (no NX_CRYPTO_SW): its volumes are encrypted by the "
				"original Mac's hardware\n");
	/* Some user could not be checked at all: not a verdict on the credential. */
	return other ? EXIT_ERROR : EXIT_LOCKED;
}

static int install_vek(struct apfs_volume *v, const uint8_t *vek, size_t len,
		       const uint8_t *cs, const char *who)
{
	int ret = apfs_volume_set_key(v, vek, len, cs);

	if (ret == -APFS_EREJECTED)
		fprintf(stderr, "apfsinspect: volume '%s': %s, but that key does not decrypt "
				"the file-system root (unsupported key variant)\n",
				cli_safe_str(v->name), who);
	return ret;
}

/*
 * The users to try (j->users) and what to try on them: every candidate on
 * every user, or for --potfile each password on the user whose hash it
 * cracked.  0, or the exit code after saying why there is nothing to try.
 */
static int plan_job(const struct cli_opts *o, struct cli_volume *cv, struct cli_cred *cr,
		    struct job *j, unsigned *idx, struct cli_unlock_result *res)
{
	int n = choose_users(o, cv->v, j->k, cr, idx, res), ret;

	if (n <= 0)
		return n < 0 ? EXIT_USAGE : explain_none(o, cv->v, j->k, cr, res);
	if (cr->kind == CRED_POTFILE) {
		ret = cli_potfile_candidates(cr->potfile, cv->v, j->k, idx, (unsigned)n, cr);
		if (ret)
			return ret;
		j->cand_user = cr->cand_user;
	}
	j->users = idx;
	j->nusers = (unsigned)n;
	j->batch = j->cand_user ? 1 : kb_unlock_batch();
	j->ntasks = j->cand_user ? cr->ncands :
		    (cr->ncands + j->batch - 1) / j->batch * (size_t)n;
	return 0;
}

/* The job ran: install the VEK found, or explain the failure. */
static int job_outcome(const struct cli_opts *o, struct cli_volume *cv,
		       const struct cli_cred *cr, struct job *j, struct cli_unlock_result *res)
{
	if (!atomic_load(&j->found))
		return explain_fail(o, cv->v, j->k, cr, j);
	res->user = (int)j->users[j->found_up];
	res->cand = j->found_cand;
	return cli_exit_code(install_vek(cv->v, j->vek, j->veklen, j->cs_uuid,
					 "the credential unwrapped its KEK and VEK"));
}

static int try_passwords(const struct cli_opts *o, struct cli_volume *cv,
			 const struct kb_volume_keys *k, struct cli_cred *cr,
			 struct cli_unlock_result *res)
{
	struct cand_progress progress;
	struct job j = { .k = k, .cr = cr, .progress = &progress };
	unsigned *idx = calloc(k->nusers + 1, sizeof(*idx));
	int ret = idx ? plan_job(o, cv, cr, &j, idx, res) : EXIT_ERROR;

	if (ret) {
		free(idx);
		return ret;
	}
	j.status = calloc(j.nusers, sizeof(int));
	pthread_mutex_init(&j.lock, NULL);
	cand_progress_start(&progress, j.cand_user ? cr->ncands : cr->ncands * j.nusers,
			    j.cand_user || j.nusers == 1 ? "candidates" : "candidate-user pairs");
	if (j.status)
		run_job(&j);
	cand_progress_end(&progress);
	res->tried = j.nusers;
	ret = j.status ? job_outcome(o, cv, cr, &j, res) : EXIT_ERROR;
	OPENSSL_cleanse(j.vek, sizeof(j.vek));
	pthread_mutex_destroy(&j.lock);
	free(j.status);
	free(idx);
	return ret;
}

int cli_load_keys(struct apfs_volume *v, struct kb_volume_keys **k)
{
	int ret = kb_load(v->c, v->uuid, k);

	/* kb_load() named any damage; only "no keys at all" is said here. */
	if (ret == -ENOENT)
		fprintf(stderr, "apfsinspect: volume '%s' is encrypted but the container keybag "
				"holds no keys for it\n", cli_safe_str(v->name));
	return ret ? EXIT_ERROR : 0;
}

const char *cli_cred_kind_name(enum cred_kind kind)
{
	return kind == CRED_VEK ? "vek" : kind == CRED_RECOVERY ? "recovery-key" :
	       kind == CRED_POTFILE ? "potfile" : "passphrase";
}

int cli_unlock(const struct cli_opts *o, struct cli_volume *cv, struct cli_cred *cr,
	       struct kb_volume_keys **keys_out, struct cli_unlock_result *res)
{
	struct apfs_volume *v = cv->v;
	struct kb_volume_keys *k = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	res->user = -1;
	if (apfs_volume_hw_encrypted(v)) {
		fprintf(stderr, "apfsinspect: volume '%s' uses per-file keys held by the original "
				"Mac's Secure Enclave; it cannot be decrypted off that Mac\n",
				cli_safe_str(v->name));
		return EXIT_HWBOUND;
	}
	if (cr->kind == CRED_VEK) {
		ret = apfs_volume_set_key(v, cr->vek, cr->veklen, NULL);
		if (ret == -APFS_EREJECTED || ret == -EINVAL)
			fprintf(stderr, "apfsinspect: volume '%s': the key given with --vek does not "
					"decrypt the file-system root\n", cli_safe_str(v->name));
		if (!ret)
			cli_audit_unlock(v, NULL, cli_cred_kind_name(cr->kind), cr->source);
		return cli_exit_code(ret);
	}
	ret = cli_load_keys(v, &k);
	if (ret)
		return ret;
	ret = try_passwords(o, cv, k, cr, res);
	if (!ret)
		cli_audit_unlock(v, res->user >= 0 ? &k->users[res->user] : NULL,
				 cli_cred_kind_name(cr->kind), cr->source);
	if (keys_out)
		*keys_out = k;
	else
		kb_free(k);
	return ret;
}

int cli_unlock_if_needed(const struct cli_opts *o, struct cli_volume *cv)
{
	struct cli_unlock_result res;
	struct cli_cred cr;
	int ret;

	if (!apfs_volume_encrypted(cv->v) || cv->v->xts)
		return 0;
	ret = cli_cred_get(o, true, &cr);
	if (ret) {
		cli_cred_wipe(&cr);  /* it may have kept some secrets before failing */
		return ret;
	}
	if (cr.kind == CRED_NONE) {
		fprintf(stderr, "apfsinspect: volume '%s' is encrypted and locked: give "
				"--passphrase, --stdin-passphrase, --passphrase-file, --recovery-key, "
				"--vek or --potfile\n", cli_safe_str(cv->v->name));
		return EXIT_LOCKED;
	}
	ret = cli_unlock(o, cv, &cr, NULL, &res);
	cli_cred_wipe(&cr);
	return ret;
}
