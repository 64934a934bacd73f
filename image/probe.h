/* SPDX-License-Identifier: MIT */
/*
 * probe.h - the formats' probes, as the probe table (probe.c) lists them.
 * Each lives in its format's file; outside code uses dev.h.
 */
#ifndef IMAGE_PROBE_H
#define IMAGE_PROBE_H

#include <stdbool.h>

#include "image/dev.h"

struct apfs_probe {
	const char *name;  /* --format NAME; NULL: detection only */
	const char *alias; /* another accepted spelling, or NULL */
	apfs_probe_fn probe;
	/*
	 * What the format holds is a disk (E01, VM disks, UDIF): stop probing
	 * there.  Probing reads the end of the layer too (UDIF's koly, VHD's
	 * footer), which for a 4 GiB E01 makes libewf build its whole chunk
	 * table: 4 x the cost of the rest of `listcryptousers`.  Layers that
	 * hold arbitrary bytes (a split set, a decrypted stream) are probed on.
	 */
	bool holds_disk;
};

int apfs_split_probe(struct apfs_dev *lower, struct apfs_dev **out);
int apfs_ewf_probe(struct apfs_dev *lower, struct apfs_dev **out);
int apfs_vmdk_probe(struct apfs_dev *lower, struct apfs_dev **out);
int apfs_vhdi_probe(struct apfs_dev *lower, struct apfs_dev **out);
int apfs_qcow_probe(struct apfs_dev *lower, struct apfs_dev **out);
int apfs_sparseimage_probe(struct apfs_dev *lower, struct apfs_dev **out);

int apfs_encrcdsa_probe(struct apfs_dev *lower, struct apfs_dev **out);

/*
 * An encrypted disk image whose header (encrcdsa v2) is at the start of
 * header_src and whose ciphertext is `data` from its byte 0 (chunk 0 there;
 * the header's data offset is not used): an encrypted sparse bundle keeps
 * the header in its `token` file and the ciphertext in its bands.  Asks
 * for the passphrase (apfs_dev_set_passphrase_cb).  On success *out reads
 * the decrypted stream (the header's data length) and owns data;
 * header_src stays the caller's, who may close it at once.  0, or a
 * negative errno, logged (-APFS_EREJECTED: no passphrase given opens it).
 */
int apfs_encrcdsa_over(struct apfs_dev *header_src, struct apfs_dev *data,
		       struct apfs_dev **out);

/* Containers recognised by their signature but not read (refuse.c). */
int apfs_refuse_probe(struct apfs_dev *lower, struct apfs_dev **out);

/* A directory given as the image that is not a bundle: say so (refuse.c). */
int apfs_refuse_dir(const char *path);

/*
 * A directory given as the image (sparsebundle.c): 1 and *out when it is a
 * sparse bundle (the device of its logical bytes, or of their decryption),
 * 0 when it holds no Info.plist, < 0 (logged) when it cannot be read or is
 * another kind of bundle.
 */
int apfs_sparsebundle_open(const char *dir, struct apfs_dev **out);

#endif
