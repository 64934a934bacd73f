/* SPDX-License-Identifier: MIT */
/*
 * credential.h - gathering secrets from the command line, stdin, a file or
 * a no-echo terminal prompt; and unlocking a volume with them.  Secrets live
 * only in buffers that cli_cred_wipe() clears with OPENSSL_cleanse.
 */
#ifndef CLI_CREDENTIAL_H
#define CLI_CREDENTIAL_H

#include "cli.h"
#include "apfsinspect.h"
#include "keybag/keybag.h"

enum cred_kind { CRED_NONE, CRED_PASSWORD, CRED_RECOVERY, CRED_VEK, CRED_POTFILE };

struct cli_cred {
	enum cred_kind kind;
	char **cands;     /* candidate passwords (one for -passphrase, many for a file) */
	size_t *lens;
	size_t *line;     /* source line of each candidate (its NFC/NFD forms share it) */
	size_t ncands;
	size_t ngiven;    /* candidates the user gave, before the added normal forms */
	unsigned *cand_user; /* potfile: the user (position among those tried) of each */
	const char *potfile; /* --potfile F: read when the users to match are known */
	uint8_t vek[32];
	size_t veklen;
	const char *source; /* "--passphrase-file F" etc., for messages (never the secret) */
};

/*
 * Collect the credential the options name.  With none given and `prompt`
 * set, ask on the terminal without echo (if stdin is one).  Returns 0,
 * EXIT_USAGE, or EXIT_ERROR, having printed why.
 */
int cli_cred_get(const struct cli_opts *o, bool prompt, struct cli_cred *cr);
void cli_cred_wipe(struct cli_cred *cr);
/* "passphrase", "recovery-key", "vek" or "potfile": what unlocked (JSON, audit log). */
const char *cli_cred_kind_name(enum cred_kind kind);

/* Append a candidate secret (copied into the secure heap); `line` is its source line. */
int cli_cred_add(struct cli_cred *cr, const char *s, size_t len, size_t line);

/*
 * --potfile: add as candidates the passwords the potfile holds for these
 * users (indexes into k->users), matched by the hash each exports, with
 * cr->cand_user[] naming the user of each.  With none found it says so by
 * user and returns EXIT_LOCKED; EXIT_ERROR/EXIT_USAGE when the file is
 * unreadable or too large.
 */
int cli_potfile_candidates(const char *path, const struct apfs_volume *v,
			   const struct kb_volume_keys *k,
			   const unsigned *users, unsigned nusers, struct cli_cred *cr);

/* ', hint "..."' (escaped: image data) when the user has a hint. */
void cli_put_hint(FILE *f, const struct kb_user *u);
/*
 * The passphrase of an encrypted image (not the volume's): --image-passphrase,
 * --image-passphrase-file (one candidate a line), or a no-echo prompt
 * "Password for image NAME: " when stdin is a terminal (else kind CRED_NONE).
 * 0, EXIT_USAGE or EXIT_ERROR, having printed why.
 */
int cli_cred_get_image(const struct cli_opts *o, const char *image, struct cli_cred *cr);

/* kb_load() with the CLI's message for a volume without keys; an exit code. */
int cli_load_keys(struct apfs_volume *v, struct kb_volume_keys **k);

/* Name every damaged record of a volume's keybag; EXIT_ERROR if there is one. */
int cli_check_records(const struct apfs_volume *v, const struct kb_volume_keys *k);

/*
 * Unlock cv's volume with cr (trying users in parallel on all cores), print
 * nothing on success, and return 0; else print why and return the exit code.
 * res: which user matched (index into keys->users) and which candidate, or
 * how many users were tried and passed over.
 * keys may be NULL (then loaded here and freed); *keys_out receives them.
 */
int cli_unlock(const struct cli_opts *o, struct cli_volume *cv, struct cli_cred *cr,
	       struct kb_volume_keys **keys_out, struct apfsi_unlock_result *res);

/*
 * Names to show beside crypto-user UUIDs in unlock messages (or NULL);
 * the caller keeps db alive until its last unlock.
 */
struct kb_names;
void cli_unlock_set_names(const struct kb_names *db);

/* Unlock the selected volume if it is encrypted, prompting when needed. */
int cli_unlock_if_needed(const struct cli_opts *o, struct cli_volume *cv);

#endif
