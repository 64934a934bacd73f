/* SPDX-License-Identifier: MIT */
/*
 * usernames.c - the user databases of usernames.h, found and read by the
 * library (lib/usernames.h) among the volumes of cv's container; their
 * warnings printed, and the unlock that lets dslocal be read.
 */
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "usernames.h"

int cli_names_load(struct cli_image *img, struct cli_volume *cv, struct kb_names *db)
{
	struct apfs_volume **sibs = calloc(img->nvols ? img->nvols : 1, sizeof(*sibs));
	unsigned n = 0;

	memset(db, 0, sizeof(*db));
	if (!sibs)
		return -ENOMEM;
	for (unsigned i = 0; i < img->nvols; i++)
		if (img->vols[i].cidx == cv->cidx)
			sibs[n++] = img->vols[i].v;
	apfsi_names_read(sibs, n, cv->v, db);
	free(sibs);
	return 0;
}

/* Warnings hold paths from the image: no control byte reaches the terminal. */
void cli_names_warn(const struct kb_names *db)
{
	for (unsigned i = 0; i < db->nwarn; i++) {
		fputs("apfsinspect: warning: ", stderr);
		for (const unsigned char *p = (const unsigned char *)db->warnings[i]; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				fprintf(stderr, "\\x%02x", *p);
			else
				fputc(*p, stderr);
		fputc('\n', stderr);
	}
}

int cli_names_unlock(const struct cli_opts *o, struct cli_volume *cv)
{
	struct apfsi_unlock_result res;
	struct cli_cred cr = { 0 };
	int ret;

	if (!apfs_volume_encrypted(cv->v) || cv->v->xts ||
	    !(o->passphrase || o->stdin_passphrase || o->passphrase_file || o->recovery_key ||
	      o->vek_hex))
		return 0;
	ret = cli_cred_get(o, false, &cr);
	if (!ret)
		ret = cli_unlock(o, cv, &cr, NULL, &res);
	cli_cred_wipe(&cr);
	return ret;
}
