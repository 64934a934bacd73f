/* SPDX-License-Identifier: MIT */
/*
 * unlock.c - unlock a volume through the library (apfsi_volume_unlock*:
 * which crypto users a credential fits, tried in parallel) and explain a
 * failure stage by stage in the CLI's words, from what the library says of
 * each user: whether it was tried and why not (apfsi_volume_user_fit), and
 * what came of the try (apfsi_volume_unlock_outcome).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/uuid.h"
#include "api.h"
#include "audit.h"
#include "credential.h"
#include "unlock_progress.h"
#include "usernames.h"

/* Names beside crypto-user UUIDs in messages (cli_unlock_show_names). */
static bool show_names;

void cli_unlock_show_names(bool on)
{
	show_names = on;
}

/* One unlock: the volume, its facts, and what was asked. */
struct unl {
	const struct cli_opts *o;
	apfsi_volume *vol;
	struct apfsi_volume_info vi;
	struct cli_cred *cr;
	const uint8_t *want;        /* --user, or NULL */
	uint8_t want_buf[16];
	unsigned nusers;
};

/* "UUID (Type)", or "UUID (Type: alice, Alice Appleseed)" when the image names the user. */
static void user_label(const struct apfsi_user_info *u, char *buf, size_t len)
{
	char *sn = show_names && u->short_name ? cli_esc_dup(u->short_name, "") : NULL;
	char *fn = sn && u->full_name ? cli_esc_dup(u->full_name, "") : NULL;
	char id[37];

	cli_uuid_str(u->uuid, id);
	if (sn)
		snprintf(buf, len, "%s (%s: %s%s%s)", id, u->type_name, sn, fn ? ", " : "",
			 fn ? fn : "");
	else
		snprintf(buf, len, "%s (%s)", id, u->type_name);
	free(sn);
	free(fn);
}

static void report_damaged(const char *vname, const struct apfsi_user_info *u)
{
	char id[37];

	cli_uuid_str(u->uuid, id);
	if (!u->parsed)
		fprintf(stderr, "apfsinspect: volume '%s': crypto user %s: damaged record in the "
				"volume keybag at block %llu, entry %u: %s\n", cli_safe_str(vname),
			id, (unsigned long long)u->keybag_block, u->keybag_entry, u->parse_error);
	else
		fprintf(stderr, "apfsinspect: volume '%s': crypto user %s: record in the volume "
				"keybag at block %llu, entry %u asks for %llu PBKDF2 iterations "
				"(accepted: 1 to %llu): damaged or crafted\n", cli_safe_str(vname),
			id, (unsigned long long)u->keybag_block, u->keybag_entry,
			(unsigned long long)u->pbkdf2_iterations, APFSI_MAX_PBKDF2_ITERATIONS);
}

int cli_check_records(apfsi_volume *vol, const char *vname, unsigned nusers)
{
	struct apfsi_user_info u;
	int ret = 0;

	for (unsigned i = 0; i < nusers; i++)
		if (cli_user_info(vol, i, &u) && u.damaged) {
			report_damaged(vname, &u);
			ret = EXIT_ERROR;
		}
	return ret;
}

static enum apfsi_credential api_kind(const struct cli_cred *cr)
{
	return cr->kind == CRED_RECOVERY ? APFSI_CRED_RECOVERY_KEY : APFSI_CRED_PASSWORD;
}

/* Why user i is not tried with this credential (APFSI_FIT_TRY: it is). */
static enum apfsi_user_fit fit_of(const struct unl *u, unsigned i)
{
	enum apfsi_user_fit fit = APFSI_FIT_TRY;

	apfsi_volume_user_fit(u->vol, i, api_kind(u->cr), u->want, &fit);
	return fit;
}

static const char *skip_why(enum apfsi_user_fit s)
{
	switch (s) {
	case APFSI_FIT_NOT_PRK: return "a recovery key only fits the Personal Recovery User";
	case APFSI_FIT_DAMAGED: return "damaged record (named above)";
	case APFSI_FIT_HW_BOUND: return "hardware-bound: its key is held by the original Mac's "
				 "Secure Enclave (T2/Apple silicon); it can only be unlocked "
				 "on that Mac";
	case APFSI_FIT_ESCROW: return "escrowed: an iCloud/institutional record without PBKDF2 "
			       "parameters needs data escrowed with Apple (iCloud) or the "
			       "institution's private key";
	case APFSI_FIT_NO_KDF: return "its record has no PBKDF2 parameters";
	default: return "";
	}
}

/* --user as a UUID (want NULL without it); -EINVAL after saying why. */
static int user_filter(struct unl *u)
{
	u->want = NULL;
	if (!u->o->user)
		return 0;
	if (apfs_uuid_parse(u->o->user, u->want_buf)) {
		fprintf(stderr, "apfsinspect: --user '%s' is not a UUID\n", u->o->user);
		return -EINVAL;
	}
	u->want = u->want_buf;
	return 0;
}

/* The users this credential is tried on (into idx), those passed over counted in res. */
static unsigned choose_users(const struct unl *u, unsigned *idx, struct apfsi_unlock_result *res)
{
	struct apfsi_user_info info;
	unsigned n = 0;

	for (unsigned i = 0; i < u->nusers; i++) {
		switch (fit_of(u, i)) {
		case APFSI_FIT_TRY: idx[n++] = i; break;
		case APFSI_FIT_DAMAGED:
			res->damaged++;
			if (cli_user_info(u->vol, i, &info))
				report_damaged(u->vi.name, &info);
			break;
		case APFSI_FIT_HW_BOUND: res->hardware_bound++; break;
		case APFSI_FIT_ESCROW:
		case APFSI_FIT_NO_KDF: res->unusable++; break;
		default: break;
		}
	}
	return n;
}

static void put_label(const struct unl *u, unsigned i, const char *fmt)
{
	struct apfsi_user_info info;
	char l[192];

	if (!cli_user_info(u->vol, i, &info))
		return;
	user_label(&info, l, sizeof(l));
	fprintf(stderr, fmt, l);
}

/* Every crypto user this credential was not tried on, and why (N2, P4). */
static void report_not_tried(const struct unl *u)
{
	unsigned others = 0, not_prk = 0, shown = 0;
	const char *vn = cli_safe_str(u->vi.name);

	for (unsigned i = 0; i < u->nusers; i++) {
		enum apfsi_user_fit s = fit_of(u, i);

		others += s == APFSI_FIT_OTHER_USER;
		not_prk += s == APFSI_FIT_NOT_PRK;
		if (s == APFSI_FIT_TRY || s == APFSI_FIT_OTHER_USER || s == APFSI_FIT_NOT_PRK)
			continue;
		if (!shown++)
			fprintf(stderr, "apfsinspect: volume '%s': crypto users not tried:\n", vn);
		put_label(u, i, "  %s: ");
		fprintf(stderr, "%s\n", skip_why(s));
	}
	if (others)
		fprintf(stderr, "apfsinspect: volume '%s': %u other crypto user%s not tried "
				"(--user names one)\n", vn, others, others == 1 ? "" : "s");
	if (not_prk)
		fprintf(stderr, "apfsinspect: volume '%s': %u other crypto user%s not tried "
				"(%s)\n", vn, not_prk, not_prk == 1 ? "" : "s",
			skip_why(APFSI_FIT_NOT_PRK));
}

/* README "Hardware-bound keys": what the analyst can still do. */
static void hw_guidance(const char *vname)
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
		"Preboot volume.\n", cli_safe_str(vname));
}

/* "  UUID (Type), hint "..."": the hint is what helps the analyst most here. */
static void list_user(apfsi_volume *vol, unsigned i)
{
	struct apfsi_user_info info;
	char l[192];

	if (!cli_user_info(vol, i, &info))
		return;
	user_label(&info, l, sizeof(l));
	fprintf(stderr, "  %s", l);
	cli_put_hint(stderr, info.hint);
	fputc('\n', stderr);
}

static bool any_offline(const struct unl *u)
{
	struct apfsi_user_info info;

	for (unsigned i = 0; i < u->nusers; i++)
		if (cli_user_info(u->vol, i, &info) && info.offline_unlockable && !info.damaged)
			return true;
	return false;
}

static int explain_hw(const struct unl *u)
{
	/* Escrowed or damaged records are no path either: the hardware is the verdict. */
	fprintf(stderr, "apfsinspect: volume '%s': no crypto user it could be tried on can be "
			"unlocked off the original Mac\n", cli_safe_str(u->vi.name));
	report_not_tried(u);
	if (u->o->user && any_offline(u))
		fprintf(stderr, "apfsinspect: volume '%s': other crypto users can be tried "
				"offline: leave out --user\n", cli_safe_str(u->vi.name));
	else
		hw_guidance(u->vi.name);
	return EXIT_HWBOUND;
}

/* Nothing to try: say exactly why. */
static int explain_none(const struct unl *u, const struct apfsi_unlock_result *res)
{
	const char *vn = cli_safe_str(u->vi.name);

	if (res->damaged && !res->hardware_bound && !res->unusable)
		return EXIT_ERROR;  /* the damage was named above */
	if (res->hardware_bound)
		return explain_hw(u);
	if (res->unusable) {
		fprintf(stderr, "apfsinspect: volume '%s': the matching crypto user record "
				"cannot be unlocked offline (iCloud/institutional escrow, or no "
				"PBKDF2 parameters); see listcryptousers --json\n", u->vi.name);
		report_not_tried(u);
		return EXIT_LOCKED;
	}
	if (u->o->user)
		fprintf(stderr, "apfsinspect: volume '%s' has no crypto user %s; its users are:\n",
			vn, u->o->user);
	else if (u->cr->kind == CRED_RECOVERY)
		fprintf(stderr, "apfsinspect: volume '%s' has no Personal Recovery User, so no "
				"recovery key can unlock it; its users are:\n", vn);
	else
		fprintf(stderr, "apfsinspect: volume '%s' has no crypto users\n", vn);
	for (unsigned i = 0; i < u->nusers; i++)
		list_user(u->vol, i);
	return EXIT_LOCKED;
}

/* Users tried that could not be checked at all: named, and true if any. */
static bool report_unchecked(const struct unl *u, const unsigned *idx, unsigned n)
{
	struct apfsi_user_outcome oc;
	bool other = false;

	for (unsigned k = 0; k < n; k++) {
		if (apfsi_volume_unlock_outcome(u->vol, idx[k], &oc) ||
		    oc.status != APFSI_STATUS_ERROR)
			continue;
		other = true;
		put_label(u, idx[k], "apfsinspect: crypto user %s: ");
		fprintf(stderr, "%s%s\n", oc.why, oc.error == APFSI_ERR_UNSUPPORTED ?
			" (see the message above)" : "");
	}
	return other;
}

static void say_wrong(const struct unl *u, unsigned n)
{
	const struct cli_cred *cr = u->cr;
	const char *vn = cli_safe_str(u->vi.name);

	if (cr->kind == CRED_POTFILE)
		fprintf(stderr, "apfsinspect: volume '%s': the password%s potfile '%s' holds for "
				"the crypto users tried do%s not unlock them (a line edited, or not "
				"cracked from this record):\n", vn, cr->ncands == 1 ? "" : "s",
			cr->potfile, cr->ncands == 1 ? "es" : "");
	else if (cr->ngiven > 1)
		fprintf(stderr, "apfsinspect: volume '%s': none of the %zu candidates from %s "
				"unlocks any of the %u crypto user%s tried:\n", vn, cr->ngiven,
			cr->source, n, n == 1 ? "" : "s");
	else
		fprintf(stderr, "apfsinspect: volume '%s': wrong %s for the %u crypto user%s "
				"tried:\n", vn, cr->kind == CRED_RECOVERY ? "recovery key" :
			"passphrase", n, n == 1 ? "" : "s");
}

static int explain_fail(const struct unl *u, const unsigned *idx, unsigned n)
{
	bool other = report_unchecked(u, idx, n);

	say_wrong(u, n);
	for (unsigned k = 0; k < n; k++)
		list_user(u->vol, idx[k]);
	report_not_tried(u);
	if (!u->vi.software_crypto)
		fprintf(stderr, "apfsinspect: note: the container does not use software "
				"cryptography (no NX_CRYPTO_SW): its volumes are encrypted by the "
				"original Mac's hardware\n");
	/* Some user could not be checked at all: not a verdict on the credential. */
	return other ? EXIT_ERROR : EXIT_LOCKED;
}

/* The engine's progress, on the terminal's line (unlock_progress.c); never cancels. */
static int show_progress(uint64_t done, uint64_t total, void *arg)
{
	cand_progress_total(arg, (size_t)total);
	cand_progress_set(arg, (size_t)done);
	return 0;
}

/*
 * The library's try: the secret, the dictionary (the library adds the
 * normal forms of each candidate the user gave) or the potfile's pairs.
 */
static int try_cred(const struct unl *u, struct apfsi_unlock_options *opt,
		    struct apfsi_unlock_result *res)
{
	const struct cli_cred *cr = u->cr;

	if (cr->kind == CRED_POTFILE)
		return apfsi_volume_unlock_pairs(u->vol, (const char *const *)cr->cands, cr->lens,
						 cr->cand_user, cr->ncands, opt, res);
	if (cr->ngiven > 1)
		return apfsi_volume_unlock_candidates(u->vol, (const char *const *)cr->cands,
						      cr->lens, cr->ngiven, opt, res);
	return apfsi_volume_unlock(u->vol, api_kind(cr), cr->cands[0], cr->lens[0], opt, res);
}

/* The try ended: nothing more to say on success, else why. */
static int verdict(const struct unl *u, int ret, const unsigned *idx, unsigned n,
		   struct apfsi_unlock_result *res)
{
	res->tried = n;
	if (ret == APFSI_ERR_UNSUPPORTED && res->user >= 0) {
		fprintf(stderr, "apfsinspect: volume '%s': the credential unwrapped its KEK and "
				"VEK, but that key does not decrypt the file-system root "
				"(unsupported key variant)\n", cli_safe_str(u->vi.name));
		return EXIT_LOCKED;
	}
	/*
	 * A secret the library refused before trying it (longer than
	 * APFSI_MAX_SECRET): said as such, never as a wrong one.
	 */
	if (ret == APFSI_ERR_INVALID && u->cr->kind != CRED_RECOVERY) {
		fprintf(stderr, "apfsinspect: ");
		cli_put_safe(stderr, apfsi_last_message(), false);
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	/*
	 * No user fitted: a wrong credential, or users that could not be checked
	 * (their outcomes say); a malformed recovery key is a wrong one too.
	 */
	if (ret && res->user < 0 && ret != APFSI_ERR_NOMEM && ret != APFSI_ERR_CANCELLED)
		return explain_fail(u, idx, n);
	return ret ? cli_api_exit(ret) : 0;
}

static int run(struct unl *u, const unsigned *idx, unsigned n, struct apfsi_unlock_result *res)
{
	struct cand_progress progress;
	/* Key bytes are never asked for here: none kept beyond the cipher's schedule. */
	struct apfsi_unlock_options opt = { .user_uuid = u->want, .progress = show_progress,
					    .progress_arg = &progress,
					    .flags = APFSI_UNLOCK_NO_KEY_COPY };
	int ret;

	cand_progress_start(&progress, SIZE_MAX, u->cr->kind == CRED_POTFILE || n == 1 ?
			    "candidates" : "candidate-user pairs");
	ret = try_cred(u, &opt, res);
	cand_progress_end(&progress);
	return verdict(u, ret, idx, n, res);
}

/*
 * The users to try, the potfile's passwords for them, and the try.  0, or
 * the exit code after saying why.
 */
static int try_passwords(struct unl *u, struct apfsi_unlock_result *res)
{
	unsigned *idx = calloc(u->nusers + 1, sizeof(*idx));
	unsigned n;
	int ret;

	if (!idx)
		return EXIT_ERROR;
	if (user_filter(u)) {
		free(idx);
		return EXIT_USAGE;
	}
	n = choose_users(u, idx, res);
	if (!n)
		ret = explain_none(u, res);
	else if (u->cr->kind == CRED_POTFILE)
		ret = cli_potfile_candidates(u->cr->potfile, u->vol, u->vi.name, idx, n, u->cr);
	else
		ret = 0;
	if (!ret && n)
		ret = run(u, idx, n, res);
	free(idx);
	return ret;
}

int cli_volume_users(apfsi_volume *vol, const char *vname, unsigned *n)
{
	int ret = apfsi_volume_user_count(vol, n);

	/* The keybag's own damage was named as it was read; only "no keys at all" is said here. */
	if (ret == APFSI_ERR_NOT_FOUND)
		fprintf(stderr, "apfsinspect: volume '%s' is encrypted but the container keybag "
				"holds no keys for it\n", cli_safe_str(vname));
	return ret ? EXIT_ERROR : 0;
}

const char *cli_cred_kind_name(enum cred_kind kind)
{
	return kind == CRED_VEK ? "vek" : kind == CRED_RECOVERY ? "recovery-key" :
	       kind == CRED_POTFILE ? "potfile" : "passphrase";
}

static int unlock_vek(const struct unl *u)
{
	struct apfsi_unlock_options opt = { .flags = APFSI_UNLOCK_NO_KEY_COPY };
	int ret = apfsi_volume_unlock(u->vol, APFSI_CRED_VOLUME_KEY, u->cr->vek, u->cr->veklen,
				      &opt, NULL);

	if (ret == APFSI_ERR_WRONG_CREDENTIAL)
		fprintf(stderr, "apfsinspect: volume '%s': the key given with --vek does not "
				"decrypt the file-system root\n", cli_safe_str(u->vi.name));
	if (!ret)
		cli_audit_unlock(u->vol, -1, cli_cred_kind_name(u->cr->kind), u->cr->source);
	/* A bare 16-byte key lacks its blob's UUID (the CoreStorage tweak): no verdict on it. */
	if (ret == APFSI_ERR_WRONG_CREDENTIAL && u->cr->veklen == 16)
		return EXIT_ERROR;
	return cli_api_exit(ret);
}

int cli_unlock(const struct cli_opts *o, apfsi_volume *vol, struct cli_cred *cr,
	       struct apfsi_unlock_result *res)
{
	struct unl u = { .o = o, .vol = vol, .cr = cr };
	int ret;

	memset(res, 0, sizeof(*res));
	res->user = -1;
	if (apfsi_volume_info(vol, &u.vi))
		return EXIT_ERROR;
	if (u.vi.per_file_keys) {
		fprintf(stderr, "apfsinspect: volume '%s' uses per-file keys held by the original "
				"Mac's Secure Enclave; it cannot be decrypted off that Mac\n",
				cli_safe_str(u.vi.name));
		return EXIT_HWBOUND;
	}
	if (cr->kind == CRED_VEK)
		return unlock_vek(&u);
	ret = cli_volume_users(vol, u.vi.name, &u.nusers);
	if (!ret)
		ret = try_passwords(&u, res);
	if (!ret)
		cli_audit_unlock(vol, res->user, cli_cred_kind_name(cr->kind), cr->source);
	return ret;
}

int cli_unlock_volume_if_needed(const struct cli_opts *o, apfsi_volume *vol)
{
	struct apfsi_volume_info vi;
	struct apfsi_unlock_result res;
	struct cli_cred cr;
	int ret = apfsi_volume_info(vol, &vi);

	if (ret || !vi.locked)
		return ret ? EXIT_ERROR : 0;
	ret = cli_cred_get(o, true, &cr);
	if (ret) {
		cli_cred_wipe(&cr);  /* it may have kept some secrets before failing */
		return ret;
	}
	if (cr.kind == CRED_NONE) {
		fprintf(stderr, "apfsinspect: volume '%s' is encrypted and locked: give "
				"--passphrase, --stdin-passphrase, --passphrase-file, --recovery-key, "
				"--vek or --potfile\n", cli_safe_str(vi.name));
		return EXIT_LOCKED;
	}
	ret = cli_unlock(o, vol, &cr, &res);
	cli_cred_wipe(&cr);
	return ret;
}
