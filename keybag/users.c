/* SPDX-License-Identifier: MIT */
/*
 * users.c - crypto-user classification and names (docs/apfs-format.md §6.1,
 * docs/users.md §2), key-flag decoding (§4.5), recovery-key syntax (§5.6).
 *
 * No type field is known inside a KEK blob, so a user's type comes from its
 * ke_uuid alone: a few fixed UUIDs, the volume UUID for "Disk User", and
 * "Local Open Directory User" (an OD GeneratedUID) for everything else.
 */
#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "keybag/internal.h"

static const struct {
	uint8_t uuid[16];
	enum kb_user_type type;
} known_uuids[] = {
	/* EBC6C064-0000-11AA-AA11-00306543ECAC */
	{ { 0xeb, 0xc6, 0xc0, 0x64, 0x00, 0x00, 0x11, 0xaa,
	    0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac }, KB_USER_PERSONAL_RECOVERY },
	/* EC1C2AD9-B618-4ED6-BD8D-50F361C27507 */
	{ { 0xec, 0x1c, 0x2a, 0xd9, 0xb6, 0x18, 0x4e, 0xd6,
	    0xbd, 0x8d, 0x50, 0xf3, 0x61, 0xc2, 0x75, 0x07 }, KB_USER_ICLOUD_RECOVERY },
	/* 64C0C6EB-0000-11AA-AA11-00306543ECAC */
	{ { 0x64, 0xc0, 0xc6, 0xeb, 0x00, 0x00, 0x11, 0xaa,
	    0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac }, KB_USER_ICLOUD_EXTERNAL },
	/* 2FA31400-BAFF-4DE7-AE2A-C3AA6E1FD340 (type name inferred, §6.1) */
	{ { 0x2f, 0xa3, 0x14, 0x00, 0xba, 0xff, 0x4d, 0xe7,
	    0xae, 0x2a, 0xc3, 0xaa, 0x6e, 0x1f, 0xd3, 0x40 }, KB_USER_INSTITUTIONAL_RECOVERY },
	/* C064EBC6-0000-11AA-AA11-00306543ECAC (type name inferred, §6.1) */
	{ { 0xc0, 0x64, 0xeb, 0xc6, 0x00, 0x00, 0x11, 0xaa,
	    0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac }, KB_USER_INSTITUTIONAL_EXTERNAL },
	/* 2457711A-523C-4604-B75A-F48A571D5036 */
	{ { 0x24, 0x57, 0x71, 0x1a, 0x52, 0x3c, 0x46, 0x04,
	    0xb7, 0x5a, 0xf4, 0x8a, 0x57, 0x1d, 0x50, 0x36 }, KB_USER_MDM_BOOTSTRAP },
};

/**
 * kb_classify() - the crypto-user type of a tag-3 record's ke_uuid.
 * @user_uuid: ke_uuid.
 * @vol_uuid: the volume's UUID ("Disk User" records use it).
 */
enum kb_user_type kb_classify(const uint8_t user_uuid[16], const uint8_t vol_uuid[16])
{
	for (size_t i = 0; i < sizeof(known_uuids) / sizeof(known_uuids[0]); i++) {
		if (!memcmp(user_uuid, known_uuids[i].uuid, 16))
			return known_uuids[i].type;
	}
	if (vol_uuid && !memcmp(user_uuid, vol_uuid, 16))
		return KB_USER_DISK;
	return KB_USER_LOCAL_OD;
}

/**
 * kb_type_name() - the "Type:" string diskutil apfs listCryptoUsers prints.
 */
const char *kb_type_name(enum kb_user_type t)
{
	switch (t) {
	case KB_USER_LOCAL_OD:
		return "Local Open Directory User";
	case KB_USER_PERSONAL_RECOVERY:
		return "Personal Recovery User";
	case KB_USER_ICLOUD_RECOVERY:
		return "iCloud Recovery User";
	case KB_USER_ICLOUD_EXTERNAL:
		return "iCloud Recovery External Key";
	case KB_USER_INSTITUTIONAL_RECOVERY:
		return "Institutional Recovery User";
	case KB_USER_INSTITUTIONAL_EXTERNAL:
		return "Institutional Recovery External Key";
	case KB_USER_MDM_BOOTSTRAP:
		return "MDM Bootstrap Token External Key";
	case KB_USER_DISK:
		return "Disk User";
	}
	return "Unknown";
}

/**
 * kb_type_plist() - the APFSCryptoUserType string of the -plist output.
 *
 * Observed values (docs/users.md §2.2): LocalOpenDirectory, PersonalRecovery,
 * ICloud, ICloudRecovery, MDMRecovery.  Which iCloud record gets which of
 * the two iCloud strings is inferred: the MDM *External Key* is
 * "MDMRecovery", so the iCloud External Key is taken to be "ICloudRecovery"
 * and the iCloud Recovery User "ICloud" (matching JTS's ICLOUD_USER /
 * ICLOUD_RECOVERY names).
 */
const char *kb_type_plist(enum kb_user_type t)
{
	switch (t) {
	case KB_USER_LOCAL_OD:
		return "LocalOpenDirectory";
	case KB_USER_PERSONAL_RECOVERY:
		return "PersonalRecovery";
	case KB_USER_ICLOUD_RECOVERY:
		return "ICloud";                /* inferred, see above */
	case KB_USER_ICLOUD_EXTERNAL:
		return "ICloudRecovery";        /* inferred, see above */
	case KB_USER_INSTITUTIONAL_RECOVERY:
		return "Institutional";         /* inferred: no sample, by analogy */
	case KB_USER_INSTITUTIONAL_EXTERNAL:
		return "InstitutionalRecovery"; /* inferred: no sample, by analogy */
	case KB_USER_MDM_BOOTSTRAP:
		return "MDMRecovery";
	case KB_USER_DISK:
		return "Disk";                  /* inferred: §6.1 "(Disk)" */
	}
	return "Unknown";
}

bool kb_blob_hw_bound(const struct kb_blob *b)
{
	return (b->flags & KB_FLAG_HARDWARE) || b->meta_len == 22;
}

static void append(char *out, size_t outlen, size_t *pos, const char *s)
{
	int n;

	if (*pos >= outlen)
		return;
	n = snprintf(out + *pos, outlen - *pos, "%s%s", *pos ? "," : "", s);
	if (n > 0)
		*pos += (size_t)n;
}

/**
 * kb_flags_str() - name the flag bits of a blob's metadata.
 * @b: the blob.
 * @out: receives e.g. "CoreStorage-128,rewrapped-128" or "none".
 * @outlen: size of out (truncated to fit).
 */
void kb_flags_str(const struct kb_blob *b, char *out, size_t outlen)
{
	uint8_t rest = (uint8_t)(b->flags & ~(KB_FLAG_HARDWARE | KB_FLAG_CS_128 |
					      KB_FLAG_REWRAPPED_128));
	char other[16];
	size_t pos = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	if (b->flags & KB_FLAG_HARDWARE)
		append(out, outlen, &pos, "hardware-bound");
	if (b->flags & KB_FLAG_CS_128)
		append(out, outlen, &pos, "CoreStorage-128");
	if (b->flags & KB_FLAG_REWRAPPED_128)
		append(out, outlen, &pos, "rewrapped-128");
	if (rest) {
		snprintf(other, sizeof(other), "0x%02x", rest);
		append(out, outlen, &pos, other);
	}
	if (b->meta_len == 22)
		append(out, outlen, &pos, "SEP-identifier");
	if (!pos)
		snprintf(out, outlen, "none");
}

/**
 * kb_normalize_recovery_key() - canonical form of a personal recovery key.
 * @in: 24 letters or digits, dashes and spaces ignored, any case.
 * @out: receives "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX" and a NUL.
 *
 * Return: 0, or -EINVAL when in is not a recovery key (out is then wiped).
 */
int kb_normalize_recovery_key(const char *in, char out[30])
{
	size_t n = 0, pos = 0;

	for (; *in; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch == '-' || ch == ' ')
			continue;
		if (ch > 0x7f || !isalnum(ch) || n == 24)
			goto bad;
		if (n && n % 4 == 0)
			out[pos++] = '-';
		out[pos++] = (char)toupper(ch);
		n++;
	}
	if (n != 24)
		goto bad;
	out[pos] = '\0';
	return 0;
bad:
	OPENSSL_cleanse(out, 30);
	return -EINVAL;
}
