# crypto_generated.sh - crypto users of every type and key variant, on
# images from build/mkimage.  Expected types and credentials come from the
# image specification (issue 4, testdata/README.md) and diskutil's strings
# (docs/users.md); libfsapfs (mkimage_libfsapfs.sh) independently unlocks
# the same images, and hashes are checked by tests/tools/fvde_check.py.
. "$TESTS/lib.sh"
A=$WORK/all-users.img K=$WORK/key-variants.img
"$MKIMAGE" all-users "$A" > /dev/null && "$MKIMAGE" key-variants "$K" > /dev/null ||
	{ notok "mkimage all-users / key-variants"; done_testing; exit 0; }

expect_rc "all-users: listcryptousers --volume Data" 0 "$BIN" listcryptousers --volume Data "$A"
expect_eq "all-users: eight users with diskutil's type strings" \
"Cryptographic users for Data (8 found)
|
+-- 5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D
|   Type: Local Open Directory User
|
+-- 0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9
|   Type: Local Open Directory User
|
+-- EBC6C064-0000-11AA-AA11-00306543ECAC
|   Type: Personal Recovery User
|
+-- 2457711A-523C-4604-B75A-F48A571D5036
|   Type: MDM Bootstrap Token External Key
|
+-- EC1C2AD9-B618-4ED6-BD8D-50F361C27507
|   Type: iCloud Recovery User
|
+-- 64C0C6EB-0000-11AA-AA11-00306543ECAC
|   Type: iCloud Recovery External Key
|
+-- 2FA31400-BAFF-4DE7-AE2A-C3AA6E1FD340
|   Type: Institutional Recovery User
|
+-- C064EBC6-0000-11AA-AA11-00306543ECAC
    Type: Institutional Recovery External Key" "$OUT"
BU=$("$BIN" list --json "$A" | sed -n 's/^ *"volume_uuid": "\(.*\)",$/\1/p' | sed -n 2p)
expect_rc "all-users: every encrypted volume without --volume" 0 "$BIN" listcryptousers "$A"
expect_grep "all-users: Backup has its Disk User" "^\\+-- $BU\$" "$OUT"
expect_grep "all-users: Backup's user type" 'Type: Disk User' "$OUT"
check "all-users: Plain is not listed" eval '! printf "%s" "$OUT" | grep -q "for Plain"'
expect_rc "Plain: plain statement" 0 "$BIN" listcryptousers --volume Plain "$A"
expect_grep "Plain: not encrypted" 'Volume Plain is not encrypted' "$OUT"
expect_rc "plist of Data" 0 "$BIN" listcryptousers --plist --volume Data "$A"
expect_eq "plist: diskutil's type names" \
	"LocalOpenDirectory LocalOpenDirectory PersonalRecovery MDMRecovery" \
	"$(printf '%s' "$OUT" | python3 -c 'import plistlib,sys; print(" ".join(u["APFSCryptoUserType"] for u in plistlib.loads(sys.stdin.buffer.read())["Users"][:4]))')"
expect_rc "json of all-users" 0 "$BIN" listcryptousers --json "$A"
expect_grep "json: alice's hint" '"hint": "alice hint"' "$OUT"
expect_grep "json: disk hint" '"hint": "disk hint"' "$OUT"
expect_eq "json: 9 users in all" 9 "$(printf '%s' "$OUT" | grep -c '"plist_type"')"
# The generator gives every record PBKDF2 parameters (testdata/README.md: the iCloud and
# institutional secrets are generator-only): none is refused for its UUID's type alone.
expect_eq "json: every record with PBKDF2 parameters is offline-unlockable" 0 \
	"$(printf '%s' "$OUT" | grep -c '"offline_unlockable": false')"

unlock() { # DESC EXPECTED-UUID-AND-TYPE ARGS...
	local d=$1 want=$2; shift 2
	expect_rc "$d: exit 0" 0 "$BIN" unlockvolume "$@" "$A"
	expect_grep "$d: names the user" "by crypto user $want" "$OUT"
}
unlock "alice" "5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D \\(Local Open Directory User\\)" --volume Data --passphrase alice-password
unlock "bob" "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9 \\(Local Open Directory User\\)" --volume Data --passphrase bob-password
unlock "recovery key" "EBC6C064-0000-11AA-AA11-00306543ECAC \\(Personal Recovery User\\)" --volume Data --recovery-key ABCD-EFGH-IJKL-MNOP-QRST-UVWX
unlock "recovery key, lower case, no dashes" "EBC6C064-0000-11AA-AA11-00306543ECAC" --volume Data --recovery-key abcdefghijklmnopqrstuvwx
unlock "recovery key as a passphrase" "EBC6C064-0000-11AA-AA11-00306543ECAC" --volume Data --passphrase ABCD-EFGH-IJKL-MNOP-QRST-UVWX
unlock "MDM bootstrap secret" "2457711A-523C-4604-B75A-F48A571D5036 \\(MDM Bootstrap Token External Key\\)" --volume Data --passphrase bootstrap-secret
unlock "alice with --user" "5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D" --volume Data --user 5a4b3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d --passphrase alice-password
unlock "Backup disk user" "$BU \\(Disk User\\)" --volume Backup --passphrase disk-password
expect_rc "Data is the default volume" 0 "$BIN" unlockvolume --passphrase bob-password "$A"
expect_rc "alice's password for bob: exit 3" 3 "$BIN" unlockvolume --volume Data --user 0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9 --passphrase alice-password "$A"
expect_rc "wrong password: exit 3" 3 "$BIN" unlockvolume --volume Data --passphrase nope "$A"
expect_grep "wrong password: all eight records were tried" 'for the 8 crypto users tried' "$ERR"
check "wrong password: no user left untried" eval '! printf "%s" "$ERR" | grep -q "not tried"'
unlock "iCloud user with PBKDF2 parameters: tried, not refused by type" \
	"EC1C2AD9-B618-4ED6-BD8D-50F361C27507 \\(iCloud Recovery User\\)" --volume Data \
	--user EC1C2AD9-B618-4ED6-BD8D-50F361C27507 --passphrase icloud-user-secret
expect_rc "recovery key, wrong: exit 3" 3 "$BIN" unlockvolume --volume Data --recovery-key ABCD-EFGH-IJKL-MNOP-QRST-UVWY "$A"
expect_grep "recovery key, wrong: the other 7 counted as not tried, and why" \
	"7 other crypto users not tried \\(a recovery key only fits the Personal Recovery User\\)" "$ERR"
expect_rc "--user alice, wrong: exit 3" 3 "$BIN" unlockvolume --volume Data --user 5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D --passphrase nope "$A"
expect_grep "--user alice, wrong: 7 others counted" "7 other crypto users not tried \\(--user names one\\)" "$ERR"
expect_rc "disk password on Data: exit 3" 3 "$BIN" unlockvolume --volume Data --passphrase disk-password "$A"

expect_rc "hashes of all-users" 0 "$BIN" hashes "$A"
H=$OUT
expect_eq "hashes: Local OD users and the Disk User (3 lines)" 3 "$(printf '%s\n' "$H" | grep -c '^\$fvde\$2\$')"
n=0
for pw in alice-password bob-password disk-password; do
	for h in $H; do python3 "$TESTS/tools/fvde_check.py" "$h" "$pw" && n=$((n + 1)); done
done
expect_eq "hashes: each password cracks exactly one line" 3 "$n"
expect_rc "hashes --all" 0 "$BIN" hashes --all --format john --volume Data "$A"
expect_eq "hashes --all: all 8 Data records" 8 "$(printf '%s\n' "$OUT" | grep -c ':\$fvde\$2\$')"
DU=$("$BIN" list --json "$A" | sed -n 's/^ *"volume_uuid": "\(.*\)",$/\1/p' | sed -n 1p)
expect_grep "john: hint travels with the hash" "^$DU/"'5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D:\$fvde\$2\$16\$[0-9a-f]{32}\$1000\$[0-9a-f]{80}:::alice hint::$' "$OUT"
check "john: the recovery record cracks with the recovery key" python3 "$TESTS/tools/fvde_check.py" \
	"$(printf '%s\n' "$OUT" | grep '/EBC6C064' | cut -d: -f2)" ABCD-EFGH-IJKL-MNOP-QRST-UVWX

# Key variants.
expect_rc "key-variants: list users of Legacy" 0 "$BIN" listcryptousers --json --volume Legacy "$K"
expect_grep "Legacy: CoreStorage VEK flag" '"key_flags": "CoreStorage-128"' "$OUT"
expect_grep "Legacy: 0x10 user" '"key_flags": "rewrapped-128"' "$OUT"
expect_grep "Legacy: hardware-bound user" '"key_flags": "hardware-bound"' "$OUT"
expect_grep "Legacy: macOS 26 metadata" '"key_metadata": "490000000200[0-9a-f]{32}"' "$OUT"
expect_grep "Legacy: hint" '"hint": "cs hint"' "$OUT"
kv() { # DESC VOLUME PASSWORD USER-N
	expect_rc "$1: exit 0" 0 "$BIN" unlockvolume --volume "$2" --passphrase "$3" "$K"
	expect_grep "$1: names user $4" "A1B2C3D4-000$4-4000-8000-00000000000$4" "$OUT"
}
kv "CoreStorage 128-bit KEK and VEK" Legacy cs-password 1
kv "flag 0x10 KEK" Legacy ten-password 2
kv "128-bit KEK, 256-bit VEK (Catalina)" Catalina catalina-password 5
kv "256-bit" Modern modern-password 6
expect_rc "hardware-bound user alone: exit 4" 4 "$BIN" unlockvolume --volume Modern --user A1B2C3D4-0007-4000-8000-000000000007 --passphrase x "$K"
expect_grep "hardware-bound: explains" 'only be unlocked on that Mac' "$ERR"
expect_rc "macOS 26 SEP-bound user alone: exit 4" 4 "$BIN" unlockvolume --volume Modern --user A1B2C3D4-0008-4000-8000-000000000008 --passphrase x "$K"
expect_rc "hashes of Legacy" 0 "$BIN" hashes --volume Legacy "$K"
expect_grep "Legacy: 16700 form for the CoreStorage user" '^\$fvde\$1\$16\$[0-9a-f]{32}\$1000\$[0-9a-f]{48}$' "$OUT"
check "16700 line cracks with cs-password" python3 "$TESTS/tools/fvde_check.py" \
	"$(printf '%s\n' "$OUT" | grep '^\$fvde\$1\$')" cs-password
check "0x10 line cracks with ten-password (18300)" python3 "$TESTS/tools/fvde_check.py" \
	"$(printf '%s\n' "$OUT" | grep '^\$fvde\$2\$')" ten-password
expect_grep "hardware-bound records are skipped with a note" 'skipped 2 records' "$ERR"
done_testing
