# crypto_potfile.sh - from hash to unlocked volume (issue 16): the labelled
# `hashes` formats checked with hashcat itself (Debian hashcat + pocl on the
# CPU, --username mode), unlocking from the potfile hashcat wrote, potfiles
# made by hand in hashcat's and John's forms ($HEX[] plains, ':' in plains),
# and hints shown escaped.  Expected users, passwords and hints come from the
# generator's specification (testdata/scenarios.c all-users table; Disk User
# UUID = volume UUID) and, for the real image, ../shared/images/IMAGES.md.
# hashcat 6.2.6 with pocl compiles its OpenCL kernels on the first run of a
# mode (measured: ~65 s CPU for 18300, ~35 s for 16700; cached under
# ~/.cache/hashcat), then each run takes ~3 s.
. "$TESTS/lib.sh"
A=$WORK/pot-all-users.img O=$WORK/pot-odd.img D=$WORK/potdir
ODD_PW='col:on pass ' ODD_HINT=$'\e[2Jhint:\a"\\'
mkdir -p "$D" && echo hi > "$D/f.txt"
"$MKIMAGE" all-users "$A" --iterations 10 > /dev/null &&
	"$MKIMAGE" from-dir "$O" --dir "$D" --seed 2 --iterations 10 --password "$ODD_PW" \
		--hint "$ODD_HINT" > /dev/null ||
	{ notok "mkimage all-users / from-dir"; done_testing; exit 0; }
vol_uuid() { "$BIN" list --json "$1" | sed -n 's/^ *"volume_uuid": "\(.*\)",$/\1/p' | sed -n "$2p"; }
DV=$(vol_uuid "$A" 1) BV=$(vol_uuid "$A" 2) OV=$(vol_uuid "$O" 1)
OU=F0D1A2B3-C4D5-4E6F-8A9B-0C1D2E3F4A5B  # from-dir's user (testdata/fromdir.c FD_USER)
# label|password, from the specification: Data's eight users, Backup's Disk User.
SPEC="$DV/5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D|alice-password
$DV/0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9|bob-password
$DV/EBC6C064-0000-11AA-AA11-00306543ECAC|ABCD-EFGH-IJKL-MNOP-QRST-UVWX
$DV/2457711A-523C-4604-B75A-F48A571D5036|bootstrap-secret
$DV/EC1C2AD9-B618-4ED6-BD8D-50F361C27507|icloud-user-secret
$DV/64C0C6EB-0000-11AA-AA11-00306543ECAC|icloud-external-secret
$DV/2FA31400-BAFF-4DE7-AE2A-C3AA6E1FD340|institutional-user-secret
$DV/C064EBC6-0000-11AA-AA11-00306543ECAC|institutional-external-secret
$BV/$BV|disk-password"
labels() { printf '%s\n' "$1" | cut -d'|' -f1 | sort; }

# --- the formats -----------------------------------------------------------
expect_rc "hashcat-user --all: exit 0" 0 "$BIN" hashes --all --format hashcat-user "$A"
HU=$OUT HU_ERR=$ERR
expect_eq "hashcat-user: one line per record of both encrypted volumes, labelled VOLUUID/USERUUID" \
	"$(labels "$SPEC")" "$(printf '%s\n' "$HU" | cut -d: -f1 | sort)"
expect_eq "hashcat-user: every line is LABEL:HASH, the label free of ':'" 9 \
	"$(printf '%s\n' "$HU" | grep -cE '^[0-9A-F-]{36}/[0-9A-F-]{36}:\$fvde\$2\$16\$[0-9a-f]{32}\$10\$[0-9a-f]{80}$')"
expect_grep "--all: the recovery record is marked with what cracking it gives (stderr)" \
	"^apfsinspect: line [0-9]+: $DV/EBC6C064-0000-11AA-AA11-00306543ECAC \\(Personal Recovery User\\): cracking it gives the Personal Recovery Key" "$HU_ERR"
expect_grep "--all: an iCloud record is marked as not enough offline" \
	"$DV/EC1C2AD9-B618-4ED6-BD8D-50F361C27507 .*not enough to unlock offline" "$HU_ERR"
expect_rc "hashcat (bare) --all: exit 0" 0 "$BIN" hashes --all "$A"
expect_eq "hashcat: the same hashes, bare" "$(printf '%s\n' "$HU" | cut -d: -f2)" "$OUT"
expect_rc "hashcat-user without --all: exit 0" 0 "$BIN" hashes --format hashcat-user "$A"
expect_eq "without --all: alice, bob and the Disk User only" \
	"$DV/0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9 $DV/5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D $BV/$BV" \
	"$(printf '%s\n' "$OUT" | cut -d: -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
expect_rc "john: exit 0" 0 "$BIN" hashes --format john "$A"
# John's passwd-style fields: login:hash:uid:gid:gecos(hint):home:shell (john PR #5623).
expect_eq "john: alice's line has 7 fields, the hint in the 5th" \
	"$DV/5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D|alice hint|7" \
	"$(printf '%s\n' "$OUT" | awk -F: '$1 ~ /5A4B3C2D/ { print $1 "|" $5 "|" NF }')"
expect_rc "john --all: exit 0" 0 "$BIN" hashes --all --format john "$A"
# Each hash field as JtR's fvde_common_valid() (src/fvde_common_plug.c) takes it
# apart: "$fvde$", version 1|2, salt length 16, 32 hex salt, decimal
# iterations, 48 or 80 hex blob; '$'-split into exactly these fields.
expect_eq "john: every line's hash passes John's fvde valid() rules" 9 "$(printf '%s\n' "$OUT" | python3 -c '
import re, sys
n = 0
for line in sys.stdin:
    f = line.rstrip("\n").split(":")
    t = f[1].split("$")
    ok = (len(f) == 7 and f[1].startswith("$fvde$") and len(t) == 7 and t[2] in ("1", "2")
          and t[3] == "16" and re.fullmatch("[0-9a-fA-F]{32}", t[4]) and t[5].isdigit()
          and re.fullmatch("[0-9a-fA-F]{48}|[0-9a-fA-F]{80}", t[6]))
    n += bool(ok)
print(n)')"
expect_rc "json --all: exit 0" 0 "$BIN" hashes --all --json "$A"
expect_eq "json: label = volume_uuid/user_uuid, hash = the hashcat-user line's, mode, iterations" \
	"$HU" "$(printf '%s' "$OUT" | python3 -c '
import json, sys
for h in json.load(sys.stdin)["hashes"]:
    assert h["label"] == h["volume_uuid"] + "/" + h["user_uuid"]
    assert h["mode"] == 18300 and h["pbkdf2_iterations"] == 10 and h["volume"] in ("Data", "Backup")
    print(h["label"] + ":" + h["hash"])')"
expect_eq "json: hints, types and which records are passwords" \
	"alice hint|Local Open Directory User|True disk hint|Disk User|True None|Personal Recovery User|False" \
	"$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = {h["user_uuid"]: h for h in json.load(sys.stdin)["hashes"]}
print(" ".join("%s|%s|%s" % (d[u]["hint"], d[u]["user_type"], d[u]["password_user"])
               for u in sys.argv[1:]))' 5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D "$BV" \
		EBC6C064-0000-11AA-AA11-00306543ECAC)"
expect_rc "--format and --json together: exit 2" 2 "$BIN" hashes --format john --json "$A"
expect_rc "--format bogus: exit 2" 2 "$BIN" hashes --format hashcat-users "$A"

# --- hints, escaped --------------------------------------------------------
expect_rc "listcryptousers default: exit 0" 0 "$BIN" listcryptousers --volume Data "$A"
check "default listing stays diskutil's: no Hint line" eval '! printf "%s" "$OUT" | grep -q Hint'
expect_rc "listcryptousers --hints: exit 0" 0 "$BIN" listcryptousers --hints --volume Data "$A"
expect_eq "--hints: the line after alice's Type" "|   Hint: alice hint" \
	"$(printf '%s\n' "$OUT" | grep -A2 '^+-- 5A4B3C2D' | sed -n 3p)"
expect_eq "--hints: only the users that have one" 1 "$(printf '%s\n' "$OUT" | grep -c 'Hint:')"
expect_rc "--hints on a hint with control characters" 0 "$BIN" listcryptousers --hints "$O"
expect_eq "the hint's ESC and BEL are shown as \\xNN, its backslash doubled" '    Hint: \x1b[2Jhint:\x07"\\' \
	"$(printf '%s\n' "$OUT" | grep 'Hint:')"
expect_rc "wrong password: exit 3" 3 "$BIN" unlockvolume --passphrase nope "$O"
expect_grep "wrong password: the tried user's hint, escaped" \
	"^  $OU \\(Local Open Directory User\\), hint \"\\\\x1b\\[2Jhint:\\\\x07\\\\\"\\\\\\\\\"$" "$ERR"
check "no raw control character reaches the terminal" eval '! printf "%s" "$ERR" | grep -q "$(printf "\\033")"'
expect_rc "wrong password on Data: exit 3" 3 "$BIN" unlockvolume --volume Data --passphrase nope "$A"
expect_grep "Data: alice's hint in the message" '5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D \(Local Open Directory User\), hint "alice hint"' "$ERR"

# --- potfiles made by hand (hashcat's and John's form) ----------------------
hash_of() { "$BIN" hashes --format hashcat-user "$1" 2>/dev/null | grep "/$2:" | cut -d: -f2; }
HA=$(hash_of "$A" 5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D) HO=$(hash_of "$O" "$OU")
hexof() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
P=$WORK/hand.pot
printf '%s:%s\n' "$HO" "$ODD_PW" > "$P"
expect_rc "raw plain holding ':' and a trailing space (john.pot form): exit 0" 0 "$BIN" unlockvolume --potfile "$P" "$O"
expect_grep "names the user and the potfile line" "by crypto user $OU .*line 1 of potfile" "$OUT"
check "the password is never printed" eval '! printf "%s%s" "$OUT" "$ERR" | grep -q "col:on"'
printf '%s:%s\n' "$HO" "${ODD_PW% }" > "$P"
expect_rc "the same plain without its trailing space: exit 3" 3 "$BIN" unlockvolume --potfile "$P" "$O"
expect_grep "says the potfile's password does not unlock" "potfile '$P' holds for the crypto users tried do(es)? not unlock" "$ERR"
printf '$fvde$%s:$HEX[%s]\n' "$(printf '%s' "${HA#\$fvde\$}" | tr a-f A-F)" "$(hexof alice-password)" > "$P"
expect_rc "\$HEX[] plain, hash in upper case: exit 0" 0 "$BIN" unlockvolume --volume Data --potfile "$P" "$A"
expect_grep "alice unlocked" "by crypto user 5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D" "$OUT"
# hashcat's $HEX[] holds whole bytes: an odd digit count is not one, so the
# plain is taken raw, and "$HEX[<alice-password>0]" raw is not her password.
printf '%s:$HEX[%s0]\n' "$HA" "$(hexof alice-password)" > "$P"
expect_rc "\$HEX[] with an odd digit count is a raw plain: exit 3" 3 "$BIN" unlockvolume --volume Data --potfile "$P" "$A"
expect_grep "... said as a password that does not unlock" "potfile '$P' holds for the crypto users tried do(es)? not unlock" "$ERR"
# John's passwd fields are ':'-separated: the from-dir user's hint holds a
# ':' (and ESC, BEL), each written as a space so the line keeps 7 fields.
expect_rc "john on a hint holding ':': exit 0" 0 "$BIN" hashes --format john "$O"
expect_eq "john: 7 fields, the hint (5th) with ':' and controls as spaces" \
	"7| [2Jhint  \"\\" "$(printf '%s\n' "$OUT" | awk -F: '{ print NF "|" $5 }')"
{ head -c 5000 /dev/zero | tr '\0' a; echo; echo 'deadbeef:x'; echo '$fvde$2$16$00:x'
  printf '%s:%s\n' "$HA" alice-password; } > "$P"
expect_rc "over-long and foreign lines passed over: exit 0" 0 "$BIN" unlockvolume --volume Data --potfile "$P" "$A"
expect_grep "the over-long line is reported" 'passed over 1 line longer than 4096 bytes' "$ERR"
{ head -c 200000 /dev/urandom; printf '\n$fvde$\0:x\n%s:%s\n' "$HA" alice-password; } > "$P"
expect_rc "random bytes and NULs around the line: exit 0, no crash" 0 "$BIN" unlockvolume --volume Data --potfile "$P" "$A"
expect_rc "potfile with no line for Backup's user: exit 3" 3 "$BIN" unlockvolume --volume Backup --potfile "$P" "$A"
expect_grep "says so by user, with the hint" "crypto user $BV \\(Disk User\\): no line of the potfile holds its hash, hint \"disk hint\"" "$ERR"
expect_rc "a missing potfile: exit 1" 1 "$BIN" unlockvolume --potfile "$WORK/none.pot" "$O"
expect_rc "a potfile that is not a regular file: exit 2" 2 "$BIN" unlockvolume --potfile /dev/null "$O"
expect_rc "--potfile with --passphrase: exit 2" 2 "$BIN" unlockvolume --potfile "$P" --passphrase x "$A"
printf '%s:%s\n' "$HA" alice-password > "$P"
expect_rc "ls takes --potfile like --passphrase" 0 "$BIN" ls --volume Data --potfile "$P" "$A"
expect_grep "ls lists the unlocked volume" '^marker.txt$' "$OUT"

# --- hashcat itself -----------------------------------------------------------
if ! command -v hashcat > /dev/null; then
	skip "hashcat cracks the hashcat-user export" "hashcat not installed (setup.sh TEST_PKGS)"
	done_testing; exit 0
fi
if ! hashcat -I 2>/dev/null | grep -q 'Type\.*: CPU\|Type\.*: GPU'; then
	skip "hashcat cracks the hashcat-user export" "hashcat finds no OpenCL device (pocl-opencl-icd)"
	done_testing; exit 0
fi
HF=$WORK/hc.hashes W=$WORK/hc.words POT=$WORK/hc.pot S=apfsinspect-test-$$
{ printf '%s\n' "$HU"; "$BIN" hashes --format hashcat-user "$O" 2>/dev/null; } > "$HF"
{ echo wrong-guess; printf '%s\n' "$SPEC" | cut -d'|' -f2; printf '%s\n' "$ODD_PW"; } > "$W"
# --session/--potfile-path: hashcat keeps sessions in the home directory, and a
# second run of the default session refuses to start (docs/issue-notes.md).
hc() { hashcat --session "$S" --potfile-path "$POT" --restore-disable \
	--logfile-disable --quiet "$@"; }
hc -m 18300 -a 0 --username "$HF" "$W" > /dev/null 2>"$WORK/hc.err"
expect_eq "hashcat --username accepts every line (no token or separator warning)" "" \
	"$(grep -i 'exception\|unmatched\|no hashes loaded' "$WORK/hc.err")"
expect_eq "hashcat cracks all 10 lines" 10 "$(wc -l < "$POT")"
hc -m 18300 --show --username "$HF" > "$WORK/hc.show" 2>/dev/null
# --show --username prints LABEL:HASH:PLAIN; the plain is what follows the hash.
expect_eq "hashcat --show maps each label back to its password (the specification's)" \
	"$(printf '%s\n' "$SPEC" | sort)" \
	"$(grep -v "/$OU:" "$WORK/hc.show" | sed 's/^\([^:]*\):[^:]*:/\1|/' | sort)"
expect_grep "the plain holding ':' comes back as \$HEX[]" \
	"^$OV/$OU:\\\$fvde\\\$2\\\$[^:]*:\\\$HEX\\[$(hexof "$ODD_PW")\\]\$" "$(cat "$WORK/hc.show")"
for v in Data Backup; do
	expect_rc "hashcat's potfile unlocks $v" 0 "$BIN" unlockvolume --volume $v --potfile "$POT" "$A"
done
expect_grep "Backup: by its Disk User" "by crypto user $BV \\(Disk User\\)" "$OUT"
expect_rc "hashcat's potfile, --user bob" 0 "$BIN" unlockvolume --volume Data --user 0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9 --potfile "$POT" "$A"
expect_rc "hashcat's \$HEX[] line unlocks the odd volume" 0 "$BIN" unlockvolume --potfile "$POT" "$O"
check "no cracked password is printed" eval '! printf "%s%s" "$OUT" "$ERR" | grep -q "col:on\|-password\|-secret"'

# Mode 16700: the CoreStorage 128-bit users of key-variants (specification:
# user 1 of Legacy cs-password, user 5 of Catalina catalina-password).  One
# export mixes both modes; each hashcat mode is given its own lines.
K=$WORK/pot-kv.img
if "$MKIMAGE" key-variants "$K" --iterations 10 > /dev/null; then
	"$BIN" hashes --format hashcat-user "$K" 2>/dev/null | grep '\$fvde\$1\$' > "$WORK/kv1.hashes"
	printf 'x\ncs-password\ncatalina-password\n' > "$WORK/kv.words"
	hc -m 16700 -a 0 --username "$WORK/kv1.hashes" "$WORK/kv.words" > /dev/null 2>&1
	hc -m 16700 --show --username "$WORK/kv1.hashes" > "$WORK/kv.show" 2>/dev/null
	expect_eq "16700: hashcat maps both CoreStorage labels to their passwords" \
		"A1B2C3D4-0001-4000-8000-000000000001|cs-password A1B2C3D4-0005-4000-8000-000000000005|catalina-password" \
		"$(sed 's/^[^/]*\/\([^:]*\):[^:]*:/\1|/' "$WORK/kv.show" | sort | tr '\n' ' ' | sed 's/ $//')"
	for v in Legacy Catalina; do
		expect_rc "16700: hashcat's potfile unlocks $v" 0 "$BIN" unlockvolume --volume $v --potfile "$POT" "$K"
	done
else
	notok "mkimage key-variants"
fi

# The real macOS image: its one Disk User, UUID = volume UUID (IMAGES.md).
if [ -e "$IMAGES/encrypted.img" ]; then
	E=$IMAGES/encrypted.img EU=1BEC6FD3-1871-4697-BF1F-20C2620146D8
	expect_rc "real image: hashcat-user" 0 "$BIN" hashes --format hashcat-user "$E"
	expect_grep "real image: label = documented volume/user UUID" "^$EU/$EU:\\\$fvde\\\$2\\\$16\\\$[0-9a-f]{32}\\\$100000\\\$" "$OUT"
	printf '%s\n' "$OUT" > "$WORK/enc.hashes"
	printf 'nope\nhunter2hunter2\n' > "$WORK/enc.words"
	hc -m 18300 -a 0 --username "$WORK/enc.hashes" "$WORK/enc.words" > /dev/null 2>&1
	expect_rc "real image: hashcat's potfile unlocks it" 0 "$BIN" unlockvolume --potfile "$POT" "$E"
	expect_grep "real image: by its Disk User" "by crypto user $EU \\(Disk User\\)" "$OUT"
else
	skip "real image with hashcat" "../shared/images/encrypted.img.gz not found"
fi
done_testing
