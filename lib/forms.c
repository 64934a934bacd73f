/* SPDX-License-Identifier: MIT */
/*
 * forms.c - a password's normal forms for callers that hand secrets over one
 * at a time (an encrypted image's passphrase callback): unlock_cands.c's
 * rule, in locked memory the caller releases with apfsi_secret_free.
 */
#include "util/err.h"
#include "util/secmem.h"
#include "internal.h"
#include "unlock_cands.h"

int apfsi_password_forms(const char *s, char *out[2], size_t len[2], unsigned *n)
{
	apfsi_enter();
	if (n)
		*n = 0;
	if (!s || !out || !len || !n)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_password_forms: NULL argument");
	apfsi_secure_init();  /* before an image's passphrase, no unlock has set it up */
	if (apfsi_normal_forms(s, out, len, n)) {
		while (*n)
			apfs_secret_free(out[--*n]);
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory for a password's normal forms");
	}
	return APFSI_OK;
}

void apfsi_secret_free(char *secret)
{
	apfs_secret_free(secret);
}
