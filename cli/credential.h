/* SPDX-License-Identifier: MIT */
/*
 * credential.h - gathering secrets from the command line, stdin, a file or
 * a no-echo terminal prompt; and unlocking a volume with them.  Secrets live
 * only in buffers that cli_cred_wipe() clears with OPENSSL_cleanse.
 */
#ifndef CLI_CREDENTIAL_H
#define CLI_CREDENTIAL_H

#include "clibase.h"
#include "apfsinspect.h"

enum cred_kind { CRED_NONE, CRED_PASSWORD, CRED_RECOVERY, CRED_VEK, CRED_POTFILE };

struct cli_cred {
	enum cred_kind kind;
	char **cands;     /* candidate passwords (one for -passphrase, many for a file) */
	size_t *lens;
	size_t *line;     /* source line of each candidate (its NFC/NFD forms share it) */
	size_t ncands;
	size_t ngiven;    /* candidates the user gave, before the added normal forms */
	unsigned *cand_user; /* potfile: the user of each (apfsi_volume_user's index) */
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
 * users (indexes for apfsi_volume_user), matched by the hash each exports
 * (apfsi_user_info.hash_line), with cr->cand_user[] naming the user of
 * each.  With none found it says so by user and returns EXIT_LOCKED;
 * EXIT_ERROR/EXIT_USAGE when the file is unreadable or too large.
 */
int cli_potfile_candidates(const char *path, apfsi_volume *vol, const char *vname,
			   const unsigned *users, unsigned nusers, struct cli_cred *cr);

/* ', hint "..."' (escaped: image data) when there is a hint (else nothing). */
void cli_put_hint(FILE *f, const char *hint);
/*
 * The passphrase of an encrypted image (not the volume's): --image-passphrase,
 * --image-passphrase-file (one candidate a line), or a no-echo prompt
 * "Password for image NAME: " when stdin is a terminal (else kind CRED_NONE).
 * 0, EXIT_USAGE or EXIT_ERROR, having printed why.
 */
int cli_cred_get_image(const struct cli_opts *o, const char *image, struct cli_cred *cr);

/*
 * The number of vol's crypto users, with the CLI's message for a volume
 * whose keybag holds no keys for it (the keybag's own damage is named as it
 * is read); an exit code.
 */
int cli_volume_users(apfsi_volume *vol, const char *vname, unsigned *n);

/* Name every damaged record of vol's volume keybag; EXIT_ERROR if there is one. */
int cli_check_records(apfsi_volume *vol, const char *vname, unsigned nusers);

/*
 * Unlock vol with cr, trying users in parallel on all cores; print nothing
 * on success, and return 0; else print why and return the exit code.  res:
 * which user matched (apfsi_volume_user's index) and which candidate, or
 * how many users were tried and passed over.
 */
int cli_unlock(const struct cli_opts *o, apfsi_volume *vol, struct cli_cred *cr,
	       struct apfsi_unlock_result *res);

/* Show the names the image records beside crypto-user UUIDs in unlock messages. */
void cli_unlock_show_names(bool on);

/* Unlock vol if it is encrypted and locked, prompting when needed. */
int cli_unlock_volume_if_needed(const struct cli_opts *o, apfsi_volume *vol);

#endif
