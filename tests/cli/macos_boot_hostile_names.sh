#!/usr/bin/env bash
# macos_boot_hostile_names.sh - the Preboot volume's user databases are
# untrusted (issue 12 item 7): a `mkimage macos-boot` image whose
# CryptoUserInfo.plist / AllUsersInfo.plist are replaced in place
# (tests/tools/patch_file.py) by an XML form, damaged files, a nesting bomb,
# users that are not in the keybag (and keybag users with no entry),
# disagreeing and duplicate names, and names with control characters and
# commas.  Each gives a warning and never a wrong attribution: a name is
# shown only against the UUID its file records it for.  Expected values:
# testdata/README.md "macos-boot" (seed 1) and what each patched file says.
. "$(dirname "$0")/../lib.sh"

GROUP=A4E450A2-3927-4B8B-9563-466A28663AE5
ALICE=D1CC7D4F-07C8-4B06-911E-28D5ABFED48B
BOB=8B3D543C-1866-431E-890B-9CFBE96F201C
GHOST=11111111-2222-4333-8444-555555555555
DB=/$GROUP/var/db
CUI=$WORK/cui.orig AUI=$WORK/aui.orig

BASE=$WORK/base.img
expect_rc "mkimage macos-boot" 0 "$MKIMAGE" macos-boot "$BASE"
# The original bytes, only to find them in the image (the patch tool checks they occur once).
"$BIN" cat --volume Preboot "$BASE" "$DB/CryptoUserInfo.plist" > "$CUI"
"$BIN" cat --volume Preboot "$BASE" "$DB/AllUsersInfo.plist" > "$AUI"

fresh() { cp --sparse=always "$BASE" "$IMG"; }
patch() { python3 "$TESTS/tools/patch_file.py" "$IMG" "$1" "$2"; }
names() { # -> "UUID short|full|hint" for the first two users, from listcryptousers --json
	"$BIN" listcryptousers --json "$IMG" 2>"$WORK/names.err" | python3 -c '
import json,sys
d=json.load(sys.stdin)
for u in d["volumes"][0]["users"][:2]:
	n=u["names"]
	print(u["user_uuid"], "-" if n is None else "%s|%s|%s" % (n["short_name"], n["full_name"], n["hint"]))'
}
# Byte substitutions in a copy of a binary plist (strings are stored as ASCII).
subst() { # IN OUT PY-PAIRS
	python3 -c "import sys; b=open(sys.argv[1],'rb').read()
for a,c in $3: assert a in b, a; b=b.replace(a,c)
open(sys.argv[2],'wb').write(b)" "$1" "$2"
}
IMG=$WORK/t.img

# ---- XML instead of binary --------------------------------------------------
python3 - "$WORK/x.xml" <<PY
import sys
x = ('<plist version="1.0"><dict><key>$ALICE</key><dict><key>ShortName</key><string>alice</string>'
     '<key>FullName</key><string>Alice Appleseed</string><key>PasswordHint</key><string>alice hint'
     '</string></dict><key>$BOB</key><dict><key>ShortName</key><string>bob</string></dict></dict></plist>')
open(sys.argv[1], 'w').write(x)
PY
fresh; patch "$CUI" "$WORK/x.xml"
expect_eq "XML CryptoUserInfo: the same names" "$ALICE alice|Alice Appleseed|alice hint
$BOB bob|Bob Builder|None" "$(names)"
expect_eq "XML CryptoUserInfo: no warning" "" "$(cat "$WORK/names.err")"

# ---- damaged: trailer gone; XML cut short ------------------------------------
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[-32:]=bytes(32); open(sys.argv[2],'wb').write(b)" \
	"$CUI" "$WORK/cut.bin"
fresh; patch "$CUI" "$WORK/cut.bin"
expect_eq "damaged binary: names from AllUsersInfo only (no hint there)" "$ALICE alice|Alice Appleseed|None
$BOB bob|Bob Builder|None" "$(names)"
expect_grep "damaged binary: the file is named, not used (a JSON warning under --json)" \
	"\"level\":\"warning\",.*\"message\":\"Preboot:$DB/CryptoUserInfo.plist: not used: binary plist trailer" \
	"$(cat "$WORK/names.err")"
head -c 200 "$WORK/x.xml" > "$WORK/half.xml"
fresh; patch "$CUI" "$WORK/half.xml"
expect_eq "XML cut short: names from AllUsersInfo only" "$ALICE alice|Alice Appleseed|None
$BOB bob|Bob Builder|None" "$(names)"
expect_grep "XML cut short: not a valid property list" \
	"CryptoUserInfo.plist: not used: not a valid property list" "$(cat "$WORK/names.err")"
fresh; patch "$CUI" "$WORK/half.xml"; patch "$AUI" "$WORK/half.xml"
expect_eq "both damaged: no names at all" "$ALICE -
$BOB -" "$(names)"
expect_rc "both damaged: fdesetup-list still lists the UUIDs" 0 "$BIN" fdesetup-list "$IMG"
expect_eq "both damaged: empty short names, never a guess" ",$ALICE
,$BOB" "$OUT"
expect_grep "both damaged: says who has no name" "crypto user $ALICE .* has no entry" "$ERR"
expect_rc "both damaged, with bob's password: fdesetup-list" 0 \
	"$BIN" fdesetup-list --passphrase bob-password "$IMG"
expect_eq "both damaged, unlocked: the names come from dslocal" "alice,$ALICE
bob,$BOB" "$OUT"
expect_rc "both damaged, unlocked: listcryptousers --json" 0 \
	"$BIN" listcryptousers --json --passphrase bob-password "$IMG"
expect_eq "both damaged, unlocked: dslocal is the only source (admin: its admin group)" \
	"alice Alice Appleseed True Data:/private/var/db/dslocal/nodes/Default/users/alice.plist Data:/private/var/db/dslocal/nodes/Default/groups/admin.plist" \
	"$(printf '%s' "$OUT" | python3 -c 'import json,sys; n=json.load(sys.stdin)["volumes"][0]["users"][0]["names"]; print(n["short_name"], n["full_name"], n["admin"], *n["sources"])')"
expect_eq "both damaged, unlocked: bob is no admin" "False" \
	"$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["volumes"][0]["users"][1]["names"]["admin"])')"

# ---- a nesting bomb (libplist 2.2 recurses) ----------------------------------
python3 -c "import sys; open(sys.argv[1],'w').write('<plist version=\"1.0\">'+'<array>'*24+'</array>'*24+'</plist>')" "$WORK/deep.xml"
fresh; patch "$CUI" "$WORK/deep.xml"
expect_eq "nesting: refused before parsing, AllUsersInfo still used" "$ALICE alice|Alice Appleseed|None
$BOB bob|Bob Builder|None" "$(names)"
expect_grep "nesting: says why" "nested too deep" "$(cat "$WORK/names.err")"

# ---- users on one side only ----------------------------------------------------
subst "$CUI" "$WORK/ghost-c.bin" "[(b'$ALICE', b'$GHOST')]"
subst "$AUI" "$WORK/ghost-a.bin" "[(b'$ALICE', b'$GHOST')]"
fresh; patch "$CUI" "$WORK/ghost-c.bin"; patch "$AUI" "$WORK/ghost-a.bin"
expect_eq "alice's records moved to an unknown UUID: alice's UUID gets no name" "$ALICE -
$BOB bob|Bob Builder|None" "$(names)"
expect_grep "plist user not in the keybag: warned" \
	"CryptoUserInfo.plist names user $GHOST \\('alice'\\), who has no crypto-user record" "$(cat "$WORK/names.err")"
expect_grep "keybag user without an entry: warned" "crypto user $ALICE \\(Local Open Directory User\\) has no entry" \
	"$(cat "$WORK/names.err")"
expect_rc "one side only: fdesetup-list" 0 "$BIN" fdesetup-list "$IMG"
expect_eq "one side only: alice's UUID unnamed, the ghost not listed" ",$ALICE
bob,$BOB" "$OUT"

# ---- disagreeing and duplicate names ------------------------------------------
python3 - "$WORK/dup.xml" <<PY
import sys
u = lambda k, s: '<key>%s</key><dict><key>ShortName</key><string>%s</string></dict>' % (k, s)
open(sys.argv[1], 'w').write('<plist version="1.0"><dict>' + u('$ALICE', 'alice') + u('$BOB', 'alice')
                             + u('$GHOST', 'alice') + '</dict></plist>')
PY
fresh; patch "$CUI" "$WORK/dup.xml"
expect_eq "bob called alice by one file, bob by the other: unset, alice stays alice" "$ALICE alice|Alice Appleseed|None
$BOB None|Bob Builder|None" "$(names)"
expect_grep "disagreement: both values named" \
	"crypto user $BOB: Preboot:$DB/AllUsersInfo.plist disagrees .* short name \\('alice' there, 'bob' here\\)" \
	"$(cat "$WORK/names.err")"
expect_grep "duplicate short name: warned" "short name 'alice' is recorded for two users, $ALICE and $GHOST" \
	"$(cat "$WORK/names.err")"
expect_rc "disagreement: fdesetup-list" 0 "$BIN" fdesetup-list "$IMG"
expect_eq "disagreement: alice once, bob unnamed" "alice,$ALICE
,$BOB" "$OUT"

# ---- names with a control character and a comma: escaped per format ----------
subst "$CUI" "$WORK/esc-c.bin" "[(b'Alice Appleseed', b'Alice\\x1bAppleseed'), (b'bob', b'b,b')]"
subst "$AUI" "$WORK/esc-a.bin" "[(b'Alice Appleseed', b'Alice\\x1bAppleseed'), (b'bob', b'b,b')]"
fresh; patch "$CUI" "$WORK/esc-c.bin"; patch "$AUI" "$WORK/esc-a.bin"
expect_rc "escapes: listcryptousers --json" 0 "$BIN" listcryptousers --json "$IMG"
expect_grep "json: the control character as \\u001b" '"full_name": "Alice\\u001bAppleseed"' "$OUT"
expect_eq "json: decodes to the stored bytes" "$(printf 'Alice\033Appleseed')" \
	"$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["volumes"][0]["users"][0]["names"]["full_name"])')"
expect_rc "escapes: listcryptousers -plist" 0 "$BIN" listcryptousers -plist "$IMG"
expect_eq "plist: readable by plistlib, the byte written as \\x1b" 'Alice\x1bAppleseed b,b' \
	"$(printf '%s' "$OUT" | python3 -c 'import plistlib,sys; u=plistlib.loads(sys.stdin.buffer.read())["Users"]; print(u[0]["FullName"], u[1]["ShortName"])')"
expect_rc "escapes: fdesetup-list" 0 "$BIN" fdesetup-list "$IMG"
expect_eq "fdesetup-list: the comma escaped, so each line still splits in two" "alice,$ALICE
b\\x2cb,$BOB" "$OUT"
expect_rc "escapes: wrong password" 3 "$BIN" unlockvolume --passphrase nope "$IMG"
expect_grep "unlock message: escaped name" "alice, Alice\\\\x1bAppleseed\\)" "$ERR"
check "unlock message: no raw control byte on the terminal" eval '! printf "%s" "$ERR" | grep -q "$(printf "\033")"'

# ---- the generator's own hostile entries (testdata/README.md, --preboot-hostile) ----
# "A reader names alice as before, bob by his short name only, nobody else, and warns."
PH=$WORK/ph.img
expect_rc "mkimage macos-boot --preboot-hostile" 0 "$MKIMAGE" macos-boot "$PH" --preboot-hostile
IMG=$PH
expect_eq "--preboot-hostile: alice as before, bob by his short name only" \
	"$ALICE alice|Alice Appleseed|alice hint
$BOB bob|None|None" "$(names)"
W=$(cat "$WORK/names.err")
expect_grep "--preboot-hostile: mallory is not in the keybag" \
	"names user 5A5A5A5A-0000-4000-8000-00000000BEEF \\('mallory'\\), who has no crypto-user record" "$W"
expect_grep "--preboot-hostile: the impostor's short name is alice's" \
	"short name 'alice' is recorded for two users, $ALICE and 5A5A5A5A-0000-4000-8000-00000000A11C" "$W"
expect_grep "--preboot-hostile: a key that is no UUID" "entry 'not-a-uuid' is not named by a UUID" "$W"
expect_grep "--preboot-hostile: a value that is no dictionary" \
	"entry '0BAD0BAD-0000-4000-8000-000000000000' is not a dictionary" "$W"
expect_grep "--preboot-hostile: bob's FullName of the wrong type" "the full name of $BOB is not a string" "$W"
expect_grep "--preboot-hostile: carol claims bob's UUID" "user 'carol' is one of several short names for $BOB" "$W"
expect_rc "--preboot-hostile: fdesetup-list -extended" 0 "$BIN" fdesetup-list -extended "$PH"
expect_eq "--preboot-hostile: nobody else listed" "alice bob" \
	"$(printf '%s\n' "$OUT" | awk '$2 == "OS" && $3 == "User" {print $4}' | paste -sd' ')"
check "--preboot-hostile: no mallory, eve or carol anywhere in the listing" \
	eval '! printf "%s" "$OUT" | grep -qiE "mallory|eve|carol|impostor"'

done_testing
