/* SPDX-License-Identifier: MIT */
/*
 * usernames.c - the user databases of usernames.h, found and read by the
 * library among the volumes of the volume's container, and their warnings
 * printed (the unlock that lets dslocal be read: names_unlock.c).
 */
#include "api.h"
#include "usernames.h"

/* Warnings hold paths from the image: no control byte reaches the terminal. */
void cli_names_warn(const char *warning)
{
	fputs("apfsinspect: warning: ", stderr);
	for (const unsigned char *p = (const unsigned char *)warning; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	fputc('\n', stderr);
}

bool cli_user_info(apfsi_volume *vol, unsigned i, struct apfsi_user_info *u)
{
	bool ok;

	cli_api_quiet(true);
	ok = !apfsi_volume_user(vol, i, u);
	cli_api_quiet(false);
	return ok;
}

unsigned cli_names_load(apfsi_volume *vol)
{
	struct apfsi_name_db_info db = { 0 };
	const char *w;

	cli_api_quiet(true);
	if (apfsi_volume_name_db(vol, &db))
		db.sources = db.warnings = 0;
	cli_api_quiet(false);
	for (unsigned i = 0; i < db.warnings; i++)
		if (!apfsi_volume_name_db_warning(vol, i, &w))
			cli_names_warn(w);
	return db.sources;
}
