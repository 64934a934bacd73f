/* SPDX-License-Identifier: MIT */
/*
 * unlock.c - unlock a volume with the library's engine (lib/unlock_engine.h:
 * which crypto users a credential can match, tried in parallel), install
 * the VEK, and explain a failure stage by stage in the CLI's words.
 */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "credential.h"
#include "keybag/names.h"
#include "lib/unlock_engine.h"
#include "unlock_progress.h"

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
		if (apfsi_record_damaged(&k->users[i])) {
			report_damaged(v, &k->users[i]);
			ret = EXIT_ERROR;
		}
	return ret;
}

/* Why a crypto user is not tried with this credential (the library's rules). */
static enum apfsi_skip skip_reason(const uint8_t *want, const struct cli_cred *cr,
				   const struct kb_user *u)
{
	return apfsi_skip_reason(want, cr->kind == CRED_RECOVERY, u);
}

static const char *skip_why(enum apfsi_skip s)
{
	switch (s) {
	case APFSI_SKIP_NOT_PRK: return "a recovery key only fits the Personal Recovery User";
	case APFSI_SKIP_DAMAGED: return "damaged record (named above)";
	case APFSI_SKIP_HW: return "hardware-bound: its key is held by the original Mac's Secure "
			     "Enclave (T2/Apple silicon); it can only be unlocked on that Mac";
	case APFSI_SKIP_ESCROW: return "escrowed: an iCloud/institutional record without PBKDF2 "
				 "parameters needs data escrowed with Apple (iCloud) or the "
				 "institution's private key";
	case APFSI_SKIP_NO_KDF: return "its record has no PBKDF2 parameters";
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

/* Which users this credential can match; counts those it must skip, names the damaged. */
static int choose_users(const struct cli_opts *o, const struct apfs_volume *v,
			const struct kb_volume_keys *k, const struct cli_cred *cr, unsigned *idx,
			struct apfsi_unlock_result *res)
{
	const uint8_t *want;
	uint8_t buf[16];
	unsigned n;

	if (user_filter(o, buf, &want))
		return -EINVAL;
	n = apfsi_choose_users(k, want, cr->kind == CRED_RECOVERY, idx, res);
	for (unsigned i = 0; i < k->nusers; i++)
		if (skip_reason(want, cr, &k->users[i]) == APFSI_SKIP_DAMAGED)
			report_damaged(v, &k->users[i]);
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
		enum apfsi_skip s = skip_reason(want, cr, &k->users[i]);

		others += s == APFSI_SKIP_OTHER_USER;
		not_prk += s == APFSI_SKIP_NOT_PRK;
		if (s == APFSI_TRY || s == APFSI_SKIP_OTHER_USER || s == APFSI_SKIP_NOT_PRK)
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
			skip_why(APFSI_SKIP_NOT_PRK));
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
		if (k->users[i].offline_unlockable && !apfsi_record_damaged(&k->users[i]))
			return true;
	return false;
}

/* Nothing to try: say exactly why. */
static int explain_none(const struct cli_opts *o, const struct apfs_volume *v,
			const struct kb_volume_keys *k, const struct cli_cred *cr,
			const struct apfsi_unlock_result *res)
{
	if (res->damaged && !res->hardware_bound && !res->unusable)
		return EXIT_ERROR;  /* the damage was named above */
	if (res->hardware_bound) {
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
			const struct apfsi_job *j)
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
		    struct apfsi_job *j, unsigned *idx, struct apfsi_unlock_result *res)
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
	j->cands = cr->cands;
	j->lens = cr->lens;
	j->ncands = cr->ncands;
	return 0;
}

/* The job ran: install the VEK found, or explain the failure. */
static int job_outcome(const struct cli_opts *o, struct cli_volume *cv,
		       const struct cli_cred *cr, struct apfsi_job *j,
		       struct apfsi_unlock_result *res)
{
	if (!j->found)
		return explain_fail(o, cv->v, j->k, cr, j);
	res->user = (int)j->users[j->found_up];
	res->candidate = j->found_cand;
	return cli_exit_code(install_vek(cv->v, j->vek, j->veklen, j->cs_uuid,
					 "the credential unwrapped its KEK and VEK"));
}

/* The engine's progress, on the terminal's line (unlock_progress.c); never cancels. */
static int show_progress(uint64_t done, uint64_t total, void *arg)
{
	(void)total;
	cand_progress_set(arg, (size_t)done);
	return 0;
}

static int try_passwords(const struct cli_opts *o, struct cli_volume *cv,
			 const struct kb_volume_keys *k, struct cli_cred *cr,
			 struct apfsi_unlock_result *res)
{
	struct cand_progress progress;
	struct apfsi_job j = { .k = k, .progress = show_progress, .progress_arg = &progress };
	unsigned *idx = calloc(k->nusers + 1, sizeof(*idx));
	int ret = idx ? plan_job(o, cv, cr, &j, idx, res) : EXIT_ERROR;

	if (ret) {
		free(idx);
		return ret;
	}
	cand_progress_start(&progress, (size_t)apfsi_job_total(&j),
			    j.cand_user || j.nusers == 1 ? "candidates" : "candidate-user pairs");
	ret = apfsi_job_run(&j);
	cand_progress_end(&progress);
	res->tried = j.nusers;
	ret = ret ? EXIT_ERROR : job_outcome(o, cv, cr, &j, res);
	apfsi_job_free(&j);
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
	       struct kb_volume_keys **keys_out, struct apfsi_unlock_result *res)
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
	struct apfsi_unlock_result res;
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
