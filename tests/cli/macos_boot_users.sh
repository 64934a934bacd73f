#!/usr/bin/env bash
# macos_boot_users.sh - a whole Mac disk (`mkimage macos-boot`): volume groups
# in `list` (text, --json, -plist), the crypto users' names read from the
# Preboot volume without a credential (listcryptousers --json/-plist,
# fdesetup-list), the System volume and the group standing for the Data
# volume, names from dslocal after an unlock, and the hardware verdict.
# Expected values: testdata/README.md "macos-boot" (seed 1) and
# ../shared/docs/users.md §2.1/§2.3 (layouts); -plist read by Python's
# plistlib, --json by Python's json.
. "$(dirname "$0")/../lib.sh"

# ---- testdata/README.md "macos-boot", seed 1 --------------------------------
GROUP=A4E450A2-3927-4B8B-9563-466A28663AE5   # = the Data volume's UUID
SYSTEM=86515046-7A3C-4EC2-9DB8-DAC80DDB81CF
ALICE=D1CC7D4F-07C8-4B06-911E-28D5ABFED48B
BOB=8B3D543C-1866-431E-890B-9CFBE96F201C
PRK=EBC6C064-0000-11AA-AA11-00306543ECAC
MDM=2457711A-523C-4604-B75A-F48A571D5036
ICU=EC1C2AD9-B618-4ED6-BD8D-50F361C27507
ICX=64C0C6EB-0000-11AA-AA11-00306543ECAC
DATA_NAME="Macintosh HD - Data"
DB=/$GROUP/var/db

IMG=$WORK/mbu.img HW=$WORK/mbu-hw.img
expect_rc "mkimage macos-boot" 0 "$MKIMAGE" macos-boot "$IMG"
expect_rc "mkimage macos-boot --hardware" 0 "$MKIMAGE" macos-boot "$HW" --hardware

py_json() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
py_plist() { python3 -c "import plistlib,sys; d=plistlib.loads(sys.stdin.buffer.read()); $1"; }

# ---- list: the group ------------------------------------------------------------
expect_rc "list" 0 "$BIN" list "$IMG"
expect_eq "list: System and Data name their group" 2 \
	"$(printf '%s\n' "$OUT" | grep -c "APFS Volume Group: *$GROUP\$")"
expect_grep "list: the group block" "^    \\+-> Volume Group $GROUP\$" "$OUT"
expect_eq "list: the group's members, System first (listVolumeGroups' order)" \
	"1 (System)|Macintosh HD|$SYSTEM|4 (Data)|$DATA_NAME|$GROUP" \
	"$(printf '%s\n' "$OUT" | sed -n '/Volume Group /,$p' | sed -n 's/^ *\(APFS Volume (Role)\|Name\|Volume UUID\): *//p' | paste -sd'|')"
expect_grep "list: software FileVault is not hardware-encrypted" 'Hardware Encrypted: +No$' "$OUT"
expect_rc "list --json" 0 "$BIN" list --json "$IMG"
expect_eq "json: volume_groups" "$GROUP 1:System 4:Data" "$(printf '%s' "$OUT" | py_json '
g=d["containers"][0]["volume_groups"]; assert len(g)==1
print(g[0]["volume_group"], " ".join("%d:%s"%(m["number"],m["role"]) for m in g[0]["members"]))')"
expect_eq "json: volume_group per volume (null outside the group)" "$GROUP None None $GROUP None" \
	"$(printf '%s' "$OUT" | py_json 'print(" ".join(str(v["volume_group"]) for v in d["containers"][0]["volumes"]))')"
expect_rc "list -plist" 0 "$BIN" list -plist "$IMG"
expect_eq "plist: roles, names, encryption, group (diskutil's keys)" \
	"System:Macintosh HD:False:$GROUP Preboot:Preboot:False:- Recovery:Recovery:False:- Data:$DATA_NAME:True:$GROUP VM:VM:False:-" \
	"$(printf '%s' "$OUT" | py_plist '
v=d["Containers"][0]["Volumes"]
print(" ".join("%s:%s:%s:%s"%(x["Roles"][0],x["Name"],x["Encryption"],x.get("APFSVolumeGroupID","-")) for x in v))')"
expect_eq "plist: container keys fleet/osquery read" "True True True True True True" \
	"$(printf '%s' "$OUT" | py_plist '
c=d["Containers"][0]
print(*[k in c for k in ("APFSContainerUUID","CapacityCeiling","CapacityFree","ContainerReference","PhysicalStores","Fusion")])')"
expect_eq "plist: Data is FileVault, locked" "True True" \
	"$(printf '%s' "$OUT" | py_plist 'v=d["Containers"][0]["Volumes"][3]; print(v["FileVault"], v["Locked"])')"
expect_rc "list --plist --json: refused" 2 "$BIN" list --plist --json "$IMG"

# ---- listcryptousers: text byte-identical in diskutil's layout (users.md §2.1) ----
want_text() {
	printf 'Cryptographic users for %s (6 found)\n' "$DATA_NAME"
	printf '|\n+-- %s\n|   Type: Local Open Directory User\n' "$ALICE"
	printf '|\n+-- %s\n|   Type: Local Open Directory User\n' "$BOB"
	printf '|\n+-- %s\n|   Type: Personal Recovery User\n' "$PRK"
	printf '|\n+-- %s\n|   Type: MDM Bootstrap Token External Key\n' "$MDM"
	printf '|\n+-- %s\n|   Type: iCloud Recovery User\n' "$ICU"
	printf '|\n+-- %s\n    Type: iCloud Recovery External Key\n' "$ICX"
}
WANT=$(want_text)
for sel in "" "--volume Data" "--volume System" "--volume $SYSTEM" "--volume $GROUP" "--volume 1"; do
	# shellcheck disable=SC2086
	expect_rc "listcryptousers $sel" 0 "$BIN" listcryptousers $sel "$IMG"
	expect_eq "listcryptousers $sel: the Data volume's users, diskutil's text" "$WANT" "$OUT"
done
expect_eq "listcryptousers: names need no warning" "" "$ERR"

# ---- names without a credential ---------------------------------------------------
NAMES='
for u in d["volumes"][0]["users"]:
	n=u["names"]
	print(u["user_uuid"], "-" if n is None else "%s|%s|%s|%s|%s|%s" % (n["short_name"], n["full_name"], n["admin"], n["uid"], n["hint"], n["picture"]))'
want_names="$ALICE alice|Alice Appleseed|True|501|alice hint|True
$BOB bob|Bob Builder|False|502|None|False
$PRK -
$MDM -
$ICU -
$ICX -"
expect_rc "listcryptousers --json (no credential)" 0 "$BIN" listcryptousers --json "$IMG"
expect_eq "json: names, admin, uid, hint, picture from Preboot (README table)" "$want_names" \
	"$(printf '%s' "$OUT" | py_json "$NAMES")"
expect_eq "json: the volume and its group" "$GROUP $GROUP" \
	"$(printf '%s' "$OUT" | py_json 'print(d["volumes"][0]["volume_uuid"], d["volumes"][0]["volume_group"])')"
expect_eq "json: the source of alice's names" \
	"Preboot:$DB/CryptoUserInfo.plist Preboot:$DB/AllUsersInfo.plist" \
	"$(printf '%s' "$OUT" | py_json 'print(*d["volumes"][0]["users"][0]["names"]["sources"])')"
expect_rc "listcryptousers -plist" 0 "$BIN" listcryptousers -plist "$IMG"
expect_eq "plist: diskutil's keys, then the names" \
	"LocalOpenDirectory $ALICE alice Alice Appleseed True 501 alice hint True Preboot:$DB/CryptoUserInfo.plist
LocalOpenDirectory $BOB bob Bob Builder False 502 - False Preboot:$DB/CryptoUserInfo.plist
PersonalRecovery $PRK -" \
	"$(printf '%s' "$OUT" | py_plist '
for u in d["Users"][:3]:
	print(u["APFSCryptoUserType"], u["APFSCryptoUserUUID"], *([u["ShortName"], u["FullName"], u["Admin"], u["UID"], u.get("PasswordHint","-"), u["HasPicture"], u["NameSource"]] if "ShortName" in u else ["-"]))')"

# ---- fdesetup list (users.md §2.3) ---------------------------------------------
expect_rc "fdesetup-list" 0 "$BIN" fdesetup-list "$IMG"
expect_eq "fdesetup-list: SHORTNAME,UUID per OS user" "alice,$ALICE
bob,$BOB" "$OUT"
expect_rc "fdesetup-list --volume System" 0 "$BIN" fdesetup-list --volume System "$IMG"
expect_eq "fdesetup-list --volume System: the same" "alice,$ALICE
bob,$BOB" "$OUT"
expect_rc "fdesetup-list -extended" 0 "$BIN" fdesetup-list -extended "$IMG"
expect_eq "fdesetup-list -extended: header and TYPE/USER columns" \
	"ESCROW UUID TYPE USER|$ALICE OS User alice|$BOB OS User bob|$PRK Personal Recovery Record|$MDM Bootstrap Token|$ICU iCloud Recovery User|$ICX iCloud Recovery External Key" \
	"$(printf '%s\n' "$OUT" | sed 's/  */ /g; s/^ //' | paste -sd'|')"

# ---- after an unlock: dslocal records too ---------------------------------------
expect_rc "listcryptousers --json with bob's password" 0 \
	"$BIN" listcryptousers --json --passphrase bob-password "$IMG"
DSL=Data:/private/var/db/dslocal/nodes/Default
expect_eq "json: dslocal records and the admin group join the sources" \
	"$DSL/users/alice.plist $DSL/groups/admin.plist|$DSL/users/bob.plist $DSL/groups/admin.plist" \
	"$(printf '%s' "$OUT" | py_json 'print("|".join(" ".join(u["names"]["sources"][2:]) for u in d["volumes"][0]["users"][:2]))')"
expect_eq "json: the same names after the unlock" "$want_names" "$(printf '%s' "$OUT" | py_json "$NAMES")"
expect_rc "listcryptousers with a wrong password: exit 3" 3 \
	"$BIN" listcryptousers --passphrase nope "$IMG"

# ---- unlock messages: names beside UUIDs, nobody left out --------------------------
expect_rc "wrong password: exit 3" 3 "$BIN" unlockvolume --passphrase nope "$IMG"
expect_grep "wrong password: all six tried, alice named" \
	"wrong passphrase for the 6 crypto users tried" "$ERR"
expect_grep "wrong password: alice's label, with her hint (README)" "^  $ALICE \\(Local Open Directory User: alice, Alice Appleseed\\), hint \"alice hint\"\$" "$ERR"
check "wrong password: nobody untried" eval '! printf "%s" "$ERR" | grep -q "not tried"'
expect_rc "alice's password" 0 "$BIN" unlockvolume --passphrase alice-password --volume System "$IMG"
expect_grep "alice's password: Data unlocked by alice" "unlocked by crypto user $ALICE" "$OUT"

# ---- the hardware variant: names, exit 4, guidance --------------------------------
expect_rc "hardware: list" 0 "$BIN" list "$HW"
expect_grep "hardware: Data is hardware-encrypted (no NX_CRYPTO_SW, TSK's rule)" \
	'Hardware Encrypted: +Yes$' "$OUT"
expect_rc "hardware: list --json" 0 "$BIN" list --json "$HW"
expect_eq "hardware: json software_crypto false, Data hardware_encrypted" "False True" \
	"$(printf '%s' "$OUT" | py_json 'c=d["containers"][0]; print(c["software_crypto"], c["volumes"][3]["hardware_encrypted"])')"
expect_rc "hardware: fdesetup-list names the users" 0 "$BIN" fdesetup-list "$HW"
expect_eq "hardware: fdesetup-list" "alice,$ALICE
bob,$BOB" "$OUT"
expect_rc "hardware: alice's password exits 4" 4 "$BIN" unlockvolume --passphrase alice-password "$HW"
expect_eq "hardware: every user named as not tried, hardware-bound" 6 \
	"$(printf '%s\n' "$ERR" | grep -c 'hardware-bound: .*only be unlocked on that Mac')"
expect_grep "hardware: alice by name" "$ALICE \\(Local Open Directory User: alice, Alice Appleseed\\): hardware-bound" "$ERR"
expect_grep "hardware: what can still be done" 'What can still be done: on that Mac' "$ERR"
expect_grep "hardware: record before power-off" 'fdesetup list -extended' "$ERR"
expect_rc "hardware: the recovery key exits 4" 4 "$BIN" unlockvolume --recovery-key QWER-TYUI-OPAS-DFGH-JKLZ-XCVB "$HW"

# ---- Preboot in XML (--preboot-xml): the same names --------------------------------
XI=$WORK/mbu-xml.img
expect_rc "mkimage macos-boot --preboot-xml" 0 "$MKIMAGE" macos-boot "$XI" --preboot-xml
expect_rc "XML Preboot: listcryptousers --json" 0 "$BIN" listcryptousers --json "$XI"
expect_eq "XML Preboot: the same names as binary" "$want_names" "$(printf '%s' "$OUT" | py_json "$NAMES")"
expect_eq "XML Preboot: no warning" "" "$ERR"

# ---- another seed, more users: names not known in advance --------------------------
# --seed 7 --users 9: UUIDs and made-up names nobody wrote down.  The --unencrypted twin
# has the same Preboot; 7-Zip (an independent reader) extracts its user databases and
# Python's plistlib says who is who; passwords follow testdata/README.md's rule.
if command -v 7zz >/dev/null; then
	S7=$WORK/s7.img T7=$WORK/s7-plain.img X7=$WORK/s7x
	"$MKIMAGE" macos-boot "$S7" --seed 7 --users 9 --files 2 >/dev/null
	"$MKIMAGE" macos-boot "$T7" --seed 7 --users 9 --files 2 --unencrypted >/dev/null
	mkdir -p "$X7" && (cd "$X7" && 7zz x -y "$T7" >/dev/null 2>&1)
	want=$(python3 - "$X7" <<'PY'
import glob, plistlib, sys
c = glob.glob(sys.argv[1] + "/Volume2/*/var/db/CryptoUserInfo.plist")
a = glob.glob(sys.argv[1] + "/Volume2/*/var/db/AllUsersInfo.plist")
assert len(c) == 1 and len(a) == 1, (c, a)
cu, au = plistlib.load(open(c[0], "rb")), plistlib.load(open(a[0], "rb"))
by_uuid = {v["GeneratedUID"]: v for v in au.values()}
for u, d in sorted(cu.items(), key=lambda i: i[1]["ShortName"]):
    x = by_uuid[u]
    print("%s,%s|%s|%s|%s|%s|%s" % (d["ShortName"], u, d["FullName"], x["Admin"], x["UID"],
                                    d["PasswordHint"] or None, bool(d.get("PictureData"))))
PY
)
	expect_eq "seed 7: nine users in the Preboot plist" 9 "$(printf '%s\n' "$want" | wc -l)"
	check "seed 7: the UUIDs differ from seed 1's" eval "! printf '%s' \"\$want\" | grep -q $ALICE"
	expect_rc "seed 7: fdesetup-list" 0 "$BIN" fdesetup-list "$S7"
	expect_eq "seed 7: fdesetup-list names each user as the Preboot plist does" \
		"$(printf '%s\n' "$want" | cut -d'|' -f1)" "$(printf '%s\n' "$OUT" | sort)"
	expect_rc "seed 7: listcryptousers --json" 0 "$BIN" listcryptousers --json "$S7"
	expect_eq "seed 7: names, admin, uid, hint, picture against the plists" "$want" \
		"$(printf '%s' "$OUT" | py_json '
us = sorted((u for u in d["volumes"][0]["users"] if u["names"]), key=lambda u: u["names"]["short_name"])
for u in us:
	n = u["names"]
	print("%s,%s|%s|%s|%s|%s|%s" % (n["short_name"], u["user_uuid"], n["full_name"], n["admin"], n["uid"], n["hint"], n["picture"]))')"
	line=$(printf '%s\n' "$want" | sed -n 5p) short=${line%%,*} uuid=${line#*,}
	uuid=${uuid%%|*}
	expect_rc "seed 7: $short's password (README rule)" 0 "$BIN" unlockvolume --passphrase "$short-password" "$S7"
	expect_grep "seed 7: unlocked by $short's UUID" "by crypto user $uuid " "$OUT"
else
	skip "seed 7 against 7-Zip" "7zz not installed (Debian package 7zip)"
fi

done_testing
