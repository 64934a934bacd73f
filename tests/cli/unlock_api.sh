#!/usr/bin/env bash
# unlock_api.sh - unlockvolume's failure messages, now worded from the
# library's per-user verdicts (apfsi_volume_user_fit, _unlock_outcome):
# what testdata/README.md documents of all-users and demo decides each line.
# The NX_CRYPTO_SW note belongs to hardware-encrypted containers only; no
# generated image has one with a user a password could be tried on (macos-boot
# --hardware binds every Data KEK to the Secure Enclave), so its absence on a
# software container is what is checked here.
. "$TESTS/lib.sh"
A=$WORK/all-users.img D=$WORK/demo.img
"$MKIMAGE" all-users "$A" > /dev/null || notok "mkimage all-users"
"$MKIMAGE" demo "$D" > /dev/null || notok "mkimage demo"

# all-users Data: FileVault in software (NX_CRYPTO_SW), eight users with PBKDF2 parameters.
expect_rc "all-users Data, wrong password: exit 3" 3 "$BIN" unlockvolume --volume Data --passphrase wrong "$A"
expect_grep "all eight users tried" "^apfsinspect: volume 'Data': wrong passphrase for the 8 crypto users tried:$" "$ERR"
expect_grep "alice listed with her hint" '^  5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D \(Local Open Directory User\), hint "alice hint"$' "$ERR"
check "a software container: no NX_CRYPTO_SW note" [ "${ERR/NX_CRYPTO_SW/}" = "$ERR" ]
# A recovery key fits only the Personal Recovery User: the seven others counted, not listed.
expect_rc "all-users Data, wrong recovery key: exit 3" 3 "$BIN" unlockvolume --volume Data --recovery-key AAAA-BBBB-CCCC-DDDD-EEEE-FFFF "$A"
expect_grep "the PRK tried" '^  EBC6C064-0000-11AA-AA11-00306543ECAC \(Personal Recovery User\)$' "$ERR"
expect_grep "seven others not tried, and why" "7 other crypto users not tried \(a recovery key only fits the Personal Recovery User\)$" "$ERR"
# --user names bob: the other seven are counted as not tried.
expect_rc "--user bob with alice's password: exit 3" 3 "$BIN" unlockvolume --volume Data --user 0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9 --passphrase alice-password "$A"
expect_grep "one user tried" "wrong passphrase for the 1 crypto user tried:$" "$ERR"
expect_grep "seven others named by --user" "7 other crypto users not tried \(--user names one\)$" "$ERR"
# demo: the right password names the user that took it.
expect_rc "demo: demo unlocks" 0 "$BIN" unlockvolume --passphrase demo "$D"
expect_grep "demo: by its Local Open Directory user" 'by crypto user 3D5A2E71-8C4B-4F0A-9E16-2B7C5D8A4F03 \(Local Open Directory User\)$' "$OUT"
# A secret over APFSI_MAX_SECRET (4096 bytes) is refused before any try: never "wrong".
long=$(head -c 4097 /dev/zero | tr '\0' a)
expect_rc "a 4097-byte passphrase: refused, exit 2" 2 "$BIN" unlockvolume --passphrase "$long" "$D"
expect_grep "... saying why" 'secret longer than 4096 bytes' "$ERR"
check "... and not called a wrong passphrase" [ "${ERR/wrong passphrase/}" = "$ERR" ]
expect_rc "a 4096-byte passphrase is tried: wrong, exit 3" 3 "$BIN" unlockvolume --passphrase "${long:1}" "$D"
expect_grep "... for both users" "wrong passphrase for the 2 crypto users tried:$" "$ERR"
done_testing
