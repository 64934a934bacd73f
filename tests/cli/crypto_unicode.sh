#!/usr/bin/env bash
# crypto_unicode.sh - a non-ASCII password.  key-variants' volume Modern has
# Local OD user A1B2C3D4-0009-... whose password is stored for PBKDF2 as the
# NFD form of "pässwörd" (testdata/README.md).  The NFD bytes come from
# Python's unicodedata, not from our code; tests/tools/fvde_check.py
# (hashlib) and libfsapfs confirm independently that those bytes are the
# password in the image, then our reader must accept it typed either way.
. "$TESTS/lib.sh"
K=$WORK/key-variants.img
"$MKIMAGE" key-variants "$K" > /dev/null || { notok "mkimage key-variants"; done_testing; exit 0; }
U9=A1B2C3D4-0009-4000-8000-000000000009
NFC=$(python3 -c 'import unicodedata; print(unicodedata.normalize("NFC", "p\u00e4ssw\u00f6rd"))')
NFD=$(python3 -c 'import unicodedata; print(unicodedata.normalize("NFD", "p\u00e4ssw\u00f6rd"))')
expect_eq "NFC form is 10 bytes (p, U+00E4, ssw, U+00F6, rd)" 10 "$(printf %s "$NFC" | wc -c)"
expect_eq "NFD form is 12 bytes (two U+0308)" "70 61 cc 88 73 73 77 6f cc 88 72 64" \
	"$(printf %s "$NFD" | od -An -tx1 | tr -s ' ' | sed 's/^ //;s/ $//')"

# The image side, checked by tools that share no code with us.
expect_rc "hashes --volume Modern" 0 "$BIN" hashes --format john --volume Modern "$K"
H9=$(printf '%s\n' "$OUT" | sed -n "s/^[^:/]*\/$U9:\([^:]*\):.*/\1/p")
check "user 9's record cracks with the NFD bytes (hashlib)" \
	python3 "$TESTS/tools/fvde_check.py" "$H9" "$NFD"
if python3 "$TESTS/tools/fvde_check.py" "$H9" "$NFC"; then
	notok "user 9's record does not crack with the NFC bytes"
else
	ok "user 9's record does not crack with the NFC bytes"
fi
SHIM_SRC=${SHARED:-../shared}/tools/fsapfs-openssl3-shim.c
if command -v fsapfsinfo > /dev/null && [ -e "$SHIM_SRC" ] &&
   cc -O2 -shared -fPIC -o "$WORK/shim.so" "$SHIM_SRC" -ldl -lcrypto 2>/dev/null; then
	out=$(LD_PRELOAD=$WORK/shim.so fsapfsinfo -f 3 -p "$NFD" -F /marker.txt "$K" 2>&1)
	expect_grep "libfsapfs unlocks Modern with the NFD bytes" 'Size[[:space:]]*: 17$' "$out"
else
	skip "libfsapfs unlocks Modern with the NFD bytes" "fsapfsinfo or the shim unavailable"
fi

# Our reader: typed NFC (as a keyboard gives it) or NFD, it names user 9.
for form in NFC NFD; do
	pw=${!form}
	expect_rc "unlockvolume --volume Modern, password typed $form: exit 0" 0 \
		"$BIN" unlockvolume --volume Modern --passphrase "$pw" "$K"
	expect_grep "typed $form: names user 9" "unlocked by crypto user $U9 \\(Local Open Directory User\\)\$" "$OUT"
	expect_rc "typed $form, --user 9, --json: exit 0" 0 \
		"$BIN" unlockvolume --json --volume Modern --user "$U9" --passphrase "$pw" "$K"
	expect_grep "typed $form: JSON names user 9" "\"user_uuid\": \"$U9\"" "$OUT"
done
expect_rc "one wrong letter (pässwört): exit 3" 3 \
	"$BIN" unlockvolume --volume Modern --passphrase "${NFC%d}t" "$K"
expect_rc "without the umlauts (password): exit 3" 3 \
	"$BIN" unlockvolume --volume Modern --passphrase passwrd "$K"
expect_rc "Modern's ASCII user still unlocks" 0 \
	"$BIN" unlockvolume --volume Modern --passphrase modern-password "$K"
expect_grep "modern-password names user 6" "A1B2C3D4-0006-4000-8000-000000000006" "$OUT"
# A passphrase file: the NFD form tried for line 2 is reported as line 2.
printf 'wrong\n%s\nalso-wrong\n' "$NFC" > "$WORK/cands.txt"
expect_rc "passphrase file with the NFC password on line 2: exit 0" 0 \
	"$BIN" unlockvolume --volume Modern --user "$U9" --passphrase-file "$WORK/cands.txt" "$K"
expect_grep "passphrase file: reports line 2" 'candidate on line 2 of' "$OUT"
printf 'wrong\n%s\n' "${NFC%d}t" > "$WORK/cands.txt"
expect_rc "passphrase file, no match: exit 3" 3 \
	"$BIN" unlockvolume --volume Modern --passphrase-file "$WORK/cands.txt" "$K"
expect_grep "passphrase file, no match: counts the 2 lines given" 'none of the 2 candidates' "$ERR"
done_testing
