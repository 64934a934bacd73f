/* SPDX-License-Identifier: MIT */
/*
 * audit_image.c - the audit log's notes (audit.c) for the commands that
 * still open their image below the API (image.c's struct cli_image): its
 * containers and volumes, and the volume chosen.  Goes with cli/image.c.
 */
#include "audit.h"
#include "cli.h"

void cli_audit_image(const struct cli_image *img)
{
	for (unsigned i = 0; i < img->ncont; i++)
		cli_audit_note_container(img->cont[i]->nx.nx_uuid);
	for (unsigned i = 0; i < img->nvols; i++)
		cli_audit_note_volume(img->vols[i].v->uuid, img->vols[i].v->name, false);
}

void cli_audit_volume(const struct apfs_volume *v)
{
	cli_audit_note_volume(v->uuid, v->name, true);
}
