#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# gen_macos_boot.sh - `mkimage macos-boot`, an Intel Mac's disk as macOS 11+
# lays it out, checked against testdata/README.md "macos-boot" (the values)
# and ../shared/docs/macos-boot.md (the layout) by readers that are not ours:
# apfsck 0.2.1 and 7-Zip on the --unencrypted twin, Python's plistlib on the
# Preboot and dslocal plists 7-Zip extracts, Python reading superblock fields
# at the reference's offsets, TSK (mmls, fsstat, pstat, fls, icat) and
# libfsapfs (with the OpenSSL 3 shim) on the FileVault image; then our own
# list, listcryptousers and unlockvolume.
. "$(dirname "$0")/../lib.sh"

# ---- README values (seed 1) ------------------------------------------------
GROUP=A4E450A2-3927-4B8B-9563-466A28663AE5
SYSTEM=86515046-7A3C-4EC2-9DB8-DAC80DDB81CF
ALICE=D1CC7D4F-07C8-4B06-911E-28D5ABFED48B
BOB=8B3D543C-1866-431E-890B-9CFBE96F201C
SNAP=com.apple.os.update-B622D86AB2957EDDDAC853F4170060A56ED287D45D175D31734351646DCD931C
PRK=QWER-TYUI-OPAS-DFGH-JKLZ-XCVB
# The 18 firmlinks of 10.15.1 / 12 (docs/macos-boot.md §3), in the file's order.
FIRMLINKS="/AppleInternal /Applications /Library /System/Library/Caches /System/Library/Assets
/System/Library/PreinstalledAssets /System/Library/AssetsV2 /System/Library/PreinstalledAssetsV2
/System/Library/CoreServices/CoreTypes.bundle/Contents/Library /System/Library/Speech /Users
/Volumes /cores /opt /private /usr/local /usr/libexec/cups /usr/share/snmp"

IMG=$WORK/mb.img PLAIN=$WORK/mb-plain.img HW=$WORK/mb-hw.img GPT=$WORK/mb-gpt.img
expect_rc "mkimage macos-boot" 0 "$MKIMAGE" macos-boot "$IMG"
expect_rc "mkimage macos-boot --unencrypted" 0 "$MKIMAGE" macos-boot "$PLAIN" --unencrypted
expect_rc "mkimage macos-boot --hardware" 0 "$MKIMAGE" macos-boot "$HW" --hardware
expect_rc "mkimage macos-boot --gpt --unencrypted" 0 "$MKIMAGE" macos-boot "$GPT" --gpt \
	--unencrypted
"$MKIMAGE" macos-boot "$WORK/again.img" >/dev/null
expect_eq "the same seed gives the same image" "$(python3 "$TESTS/tools/image_sum.py" "$IMG")" \
	"$(python3 "$TESTS/tools/image_sum.py" "$WORK/again.img")"
rm -f "$WORK/again.img"

# ---- container and volume superblocks at the reference's offsets ----------
# Python reads the fields; only the superblock's block number comes from
# `list --json` (a locator: every field checked is read here).
sb_fields() { # IMG [OFFSET] -> one line per volume: role features group root_to_xid name
	local blocks
	blocks=$("$BIN" list --json "$1" | python3 -c '
import json, sys
for v in json.load(sys.stdin)["containers"][0]["volumes"]:
    print(v["superblock_block"])')
	python3 - "$1" "${2:-0}" $blocks <<'EOF'
import struct, sys, uuid
img, off, blocks = sys.argv[1], int(sys.argv[2]), [int(b) for b in sys.argv[3:]]
with open(img, "rb") as f:
    f.seek(off); nx = f.read(4096)
    print("nx", struct.unpack_from("<I", nx, 180)[0], struct.unpack_from("<Q", nx, 1264)[0],
          "eph" if struct.unpack_from("<Q", nx, 1312)[0] else "no-eph")
    for b in blocks:
        f.seek(off + b * 4096); s = f.read(4096)
        name = s[704:960].split(b"\0")[0].decode()
        # apfs_role 964, apfs_features 40, apfs_volume_group_id 1008,
        # apfs_root_to_xid 968, apfs_next_obj_id 176, apfs_volname 704, apfs_vol_uuid 240
        print(hex(struct.unpack_from("<H", s, 964)[0]), hex(struct.unpack_from("<Q", s, 40)[0]),
              str(uuid.UUID(bytes=s[1008:1024])).upper(), struct.unpack_from("<Q", s, 968)[0],
              hex(struct.unpack_from("<Q", s, 176)[0]), name)
        print("uuid", str(uuid.UUID(bytes=s[240:256])).upper(), name)
EOF
}
fields=$(sb_fields "$IMG")
# nx_max_file_systems: one per 512 MiB of the 2.5 GiB container; NX_CRYPTO_SW (4).
expect_grep "container: nx_max_file_systems 5, NX_CRYPTO_SW, nx_ephemeral_info set" \
	'^nx 5 4 eph$' "$fields"
Z=00000000-0000-0000-0000-000000000000
expect_grep "System: role 0x1, VOLGRP feature, group id = Data UUID, root_to_xid 0" \
	"^0x1 0x10 $GROUP 0 0xfffffff[0-9a-f]{8} Macintosh HD\$" "$fields"
expect_grep "System volume UUID (README)" "^uuid $SYSTEM Macintosh HD\$" "$fields"
expect_grep "Data volume UUID = the group's (README)" "^uuid $GROUP Macintosh HD - Data\$" "$fields"
expect_grep "Preboot: role 0x10, no group" "^0x10 0x0 $Z 0 0x[0-9a-f]+ Preboot\$" "$fields"
expect_grep "Recovery: role 0x4, no group" "^0x4 0x0 $Z 0 0x[0-9a-f]+ Recovery\$" "$fields"
expect_grep "Data: role 0x40, VOLGRP feature, group id = its own UUID" \
	"^0x40 0x10 $GROUP 0 0x[0-9a-f]+ Macintosh HD - Data\$" "$fields"
expect_grep "VM: role 0x8, no group" "^0x8 0x0 $Z 0 0x[0-9a-f]+ VM\$" "$fields"
# apfs_next_obj_id (byte 176) of System is in SYSTEM_OBJ_ID_MARK's range (§2).
expect_grep "System: apfs_next_obj_id from 0x0FFFFFFF00000010 on" \
	'^0x1 .* 0xfffffff000000[1-9a-f][0-9a-f] Macintosh HD$' "$fields"
expect_grep "--hardware: no NX_CRYPTO_SW" '^nx 5 0 eph$' "$(sb_fields "$HW")"
expect_grep "--unencrypted: no NX_CRYPTO_SW" '^nx 5 0 eph$' "$(sb_fields "$PLAIN")"

# ---- apfsck 0.2.1 on the unencrypted twin --------------------------------
src=$SHARED/tools/apfsprogs-0.2.1
if [ -d "$src" ] && cp -r "$src" "$WORK/apfsprogs" && chmod -R u+w "$WORK/apfsprogs" &&
	make -s -C "$WORK/apfsprogs/apfsck" >"$WORK/apfsck.log" 2>&1; then
	CK=$WORK/apfsprogs/apfsck/apfsck
	# -w: also what apfsck calls weird (blocks older than their volume, ...).
	out=$("$CK" -w "$PLAIN" 2>&1); rc=$?
	expect_eq "apfsck -w: --unencrypted twin is clean (${out%%$'\n'*})" 0 "$rc"
	"$MKIMAGE" macos-boot "$WORK/many.img" --unencrypted --files 300 --seed 7 >/dev/null
	out=$("$CK" "$WORK/many.img" 2>&1); rc=$?
	expect_eq "apfsck: --files 300 --seed 7 twin is clean (${out%%$'\n'*})" 0 "$rc"
	rm -f "$WORK/many.img"
else
	skip "apfsck" "apfsprogs 0.2.1 not found or did not build ($src)"
fi

# ---- 7-Zip lists the twin; Python reads what it extracts -------------------
X=$WORK/7z
if command -v 7zz >/dev/null; then
	out=$(7zz l "$PLAIN" 2>&1)
	expect_grep "7zz lists the five volumes" 'Volume5$' "$out"
	for p in Volume1/usr/share/firmlinks "Volume2/$GROUP/var/db/CryptoUserInfo.plist" \
		"Volume4/Users/alice/Documents/file-00009.txt" Volume3/$GROUP/README.txt; do
		expect_grep "7zz lists $p" " $p\$" "$out"
	done
	mkdir -p "$X" && (cd "$X" && 7zz x -y "$PLAIN" >/dev/null 2>&1)
	want=$(for f in $FIRMLINKS; do printf '%s\t%s\n' "$f" "${f#/}"; done | sha256sum)
	expect_eq "/usr/share/firmlinks: the 18 lines of §3, TAB, LF" "$want" \
		"$(sha256sum <"$X/Volume1/usr/share/firmlinks")"
	for f in $FIRMLINKS; do
		check "firmlinked $f is an empty directory on System, present on Data" \
			test -d "$X/Volume1$f" -a -d "$X/Volume4$f" -a -z "$(ls -A "$X/Volume1$f")"
	done
	expect_eq "alice's document 3 (README rule)" "alice file 00003 seed 1" \
		"$(cat "$X/Volume4/Users/alice/Documents/file-00003.txt")"
	expect_eq "bob's welcome.txt" "Welcome, Bob Builder" \
		"$(cat "$X/Volume4/Users/bob/Desktop/welcome.txt")"
	expect_eq "10 documents per user by default" "10 10" \
		"$(ls "$X/Volume4/Users/alice/Documents" | wc -l) $(ls "$X/Volume4/Users/bob/Documents" | wc -l)"
	out=$(python3 - "$X" "$GROUP" <<'EOF'
import plistlib, sys
x, g = sys.argv[1], sys.argv[2]
def load(p):
    with open(x + "/" + p, "rb") as f:
        d = f.read()
    return ("binary" if d.startswith(b"bplist00") else "xml"), plistlib.loads(d)
k, cu = load("Volume2/%s/var/db/CryptoUserInfo.plist" % g)
print("CryptoUserInfo", k, len(cu))
for u, d in sorted(cu.items(), key=lambda i: i[1]["ShortName"]):
    print("cu", u, d["ShortName"], d["FullName"], repr(d["PasswordHint"]), d["UserType"],
          "picture" if d.get("PictureData", b"")[:4] == b"II*\0" else "no-picture")
k, au = load("Volume2/%s/var/db/AllUsersInfo.plist" % g)
print("AllUsersInfo", k, len(au))
for n, d in sorted(au.items()):
    print("au", n, d["GeneratedUID"], d["RealName"], type(d["UID"]).__name__, d["UID"],
          d["Admin"], d["HomeDir"])
k, tok = load("Volume2/%s/var/db/secureaccesstoken.plist" % g)
k2, tok2 = load("Volume4/private/var/db/dslocal/nodes/Default/secureaccesstoken.plist")
print("token", k, len(tok["SecureAccessToken"]), tok == tok2)
k, w = load("Volume2/%s/System/Library/Caches/com.apple.corestorage/EncryptedRoot.plist.wipekey" % g)
print("wipekey", k, " ".join(u["UserIdent"] + "/" + u["UserType"] for u in w["CryptoUsers"]))
for n in ("alice", "bob", "root"):
    k, r = load("Volume4/private/var/db/dslocal/nodes/Default/users/%s.plist" % n)
    print("ds", k, r["name"], r["realname"], r["generateduid"], r["uid"], r["home"])
k, a = load("Volume4/private/var/db/dslocal/nodes/Default/groups/admin.plist")
print("admin", k, a["gid"], a["users"], a["groupmembers"])
EOF
)
	expect_grep "CryptoUserInfo.plist: binary, two users" '^CryptoUserInfo binary 2$' "$out"
	expect_grep "CryptoUserInfo: alice by her generateduid" \
		"^cu $ALICE alice Alice Appleseed 'alice hint' OpenDirectory picture\$" "$out"
	expect_grep "CryptoUserInfo: bob by his generateduid" \
		"^cu $BOB bob Bob Builder '' OpenDirectory no-picture\$" "$out"
	expect_grep "AllUsersInfo.plist: binary, two users" '^AllUsersInfo binary 2$' "$out"
	expect_grep "AllUsersInfo: alice, admin" \
		"^au alice $ALICE Alice Appleseed int 501 True /Users/alice\$" "$out"
	expect_grep "AllUsersInfo: bob, not admin" \
		"^au bob $BOB Bob Builder int 502 False /Users/bob\$" "$out"
	expect_grep "secureaccesstoken.plist: Preboot's copy is Data's" '^token binary 32 True$' "$out"
	expect_grep "EncryptedRoot.plist.wipekey: XML, both users" \
		"^wipekey xml $ALICE/268828674 $BOB/268828674\$" "$out"
	expect_grep "dslocal alice.plist: arrays of strings" \
		"^ds binary \['alice'\] \['Alice Appleseed'\] \['$ALICE'\] \['501'\] \['/Users/alice'\]\$" "$out"
	expect_grep "dslocal root.plist: a system account" \
		"^ds binary \['root'\] \['System Administrator'\] \['FFFFEEEE-DDDD-CCCC-BBBB-AAAA00000000'\] \['0'\] \['/var/root'\]\$" "$out"
	expect_grep "dslocal groups/admin.plist: root and alice" \
		"^admin binary \['80'\] \['root', 'alice'\] \['FFFFEEEE-DDDD-CCCC-BBBB-AAAA00000000', '$ALICE'\]\$" "$out"
	expect_grep "dslocal bob.plist" \
		"^ds binary \['bob'\] \['Bob Builder'\] \['$BOB'\] \['502'\] \['/Users/bob'\]\$" "$out"
	rm -rf "$X"
	"$MKIMAGE" macos-boot "$WORK/x.img" --unencrypted --preboot-xml >/dev/null
	mkdir -p "$X" && (cd "$X" && 7zz x -y "$WORK/x.img" 'Volume2/*' >/dev/null 2>&1)
	for f in CryptoUserInfo AllUsersInfo secureaccesstoken; do
		expect_eq "--preboot-xml: $f.plist is XML" '<?xml' \
			"$(head -c 5 "$X/Volume2/$GROUP/var/db/$f.plist")"
	done
	out=$(python3 -c 'import plistlib, sys; d = plistlib.load(open(sys.argv[1], "rb"))
print(d[sys.argv[2]]["ShortName"], d[sys.argv[2]]["FullName"])' \
		"$X/Volume2/$GROUP/var/db/CryptoUserInfo.plist" "$ALICE")
	expect_eq "--preboot-xml: the same content" "alice Alice Appleseed" "$out"
	rm -rf "$X" "$WORK/x.img"
	"$MKIMAGE" macos-boot "$WORK/x.img" --unencrypted --preboot-hostile >/dev/null
	mkdir -p "$X" && (cd "$X" && 7zz x -y "$WORK/x.img" 'Volume2/*' >/dev/null 2>&1)
	out=$(python3 -c 'import plistlib, sys
cu = plistlib.load(open(sys.argv[1] + "/CryptoUserInfo.plist", "rb"))
au = plistlib.load(open(sys.argv[1] + "/AllUsersInfo.plist", "rb"))
print(len(cu), len(au), cu[sys.argv[2]]["FullName"], cu[sys.argv[3]]["FullName"],
      cu["not-a-uuid"]["ShortName"], au["carol"]["GeneratedUID"] == sys.argv[3])' \
		"$X/Volume2/$GROUP/var/db" "$ALICE" "$BOB")
	expect_eq "--preboot-hostile: README's extra entries, genuine ones kept" \
		"6 4 Alice Appleseed 42 eve True" "$out"
	rm -rf "$X" "$WORK/x.img"
	"$MKIMAGE" macos-boot "$WORK/f.img" --unencrypted --files 37 --seed 5 >/dev/null
	out=$(7zz l "$WORK/f.img" 2>&1)
	expect_eq "--files 37: 37 documents per user" 74 \
		"$(printf '%s\n' "$out" | grep -c 'Users/[a-z]*/Documents/file-')"
	expect_grep "--seed 5: another group UUID" 'Volume2/[0-9A-F-]{36}$' "$out"
	check "--seed 5: not seed 1's group" eval "! printf '%s\n' \"\$out\" | grep -q $GROUP"
	rm -f "$WORK/f.img"
else
	skip "7-Zip and plistlib checks" "7zz not installed (Debian package 7zip)"
fi

# ---- --users: names no test knows in advance ---------------------------------
# The Preboot plists (read by plistlib from 7-Zip's extraction) are the truth;
# the dslocal records must agree, and each made-up user's password follows the
# README rule (SHORT-password).
U=$WORK/users.img
"$MKIMAGE" macos-boot "$WORK/users-plain.img" --unencrypted --users 7 --seed 3 >/dev/null
"$MKIMAGE" macos-boot "$U" --users 7 --seed 3 >/dev/null
if command -v 7zz >/dev/null; then
	mkdir -p "$X" && (cd "$X" && 7zz x -y "$WORK/users-plain.img" 'Volume2/*' 'Volume4/private/*' \
		>/dev/null 2>&1)
	users=$(python3 - "$X" <<'EOF'
import glob, plistlib, sys
x = sys.argv[1]
cu = plistlib.load(open(glob.glob(x + "/Volume2/*/var/db/CryptoUserInfo.plist")[0], "rb"))
au = plistlib.load(open(glob.glob(x + "/Volume2/*/var/db/AllUsersInfo.plist")[0], "rb"))
for guid, d in cu.items():
    n = d["ShortName"]
    ds = plistlib.load(open(x + "/Volume4/private/var/db/dslocal/nodes/Default/users/%s.plist" % n, "rb"))
    same = (au[n]["GeneratedUID"] == guid == ds["generateduid"][0] and
            au[n]["RealName"] == d["FullName"] == ds["realname"][0] and str(au[n]["UID"]) == ds["uid"][0])
    print(guid, n, "agree" if same else "DISAGREE")
EOF
)
	expect_eq "--users 7: seven users in CryptoUserInfo.plist" 7 "$(printf '%s\n' "$users" | grep -c .)"
	expect_eq "--users 7: Preboot and dslocal agree on every user" 0 \
		"$(printf '%s\n' "$users" | grep -vc ' agree$')"
	rm -rf "$X"
	out=$("$BIN" listcryptousers --volume 4 "$U")
	expect_grep "--users 7: 11 crypto users (7 + 4 recovery and external)" '\(11 found\)' "$out"
	while read -r guid name _; do
		expect_rc "--users 7: $name unlocks with $name-password" 0 \
			"$BIN" unlockvolume --volume 4 --passphrase "$name-password" "$U"
		expect_grep "--users 7: ... and is named by $guid" "$guid" "$OUT"
	done < <(printf '%s\n' "$users" | tail -2)
else
	skip "--users checks" "7zz not installed"
fi
rm -f "$U" "$WORK/users-plain.img"

# ---- TSK --------------------------------------------------------------------
if command -v mmls >/dev/null && command -v fls >/dev/null; then
	out=$(mmls "$GPT" 2>&1)
	expect_grep "--gpt: EFI System Partition first, 409600 sectors at 40" \
		'^[0-9]+:  000 +0000000040 +0000409639 +0000409600 +EFI System Partition$' "$out"
	expect_grep "--gpt: the APFS partition after it" \
		'^[0-9]+:  001 +0000409640 .* Apple_APFS$' "$out"
	out=$(fsstat -o 40 "$GPT" 2>&1)
	expect_grep "--gpt: the EFI partition is FAT32 labelled EFI" 'Volume Label \(Boot Sector\): EFI' "$out"
	if command -v fsck.fat >/dev/null; then
		dd if="$GPT" of="$WORK/efi.img" bs=512 skip=40 count=409600 conv=sparse status=none
		expect_rc "--gpt: fsck.fat -n finds the EFI file system clean" 0 fsck.fat -n "$WORK/efi.img"
		rm -f "$WORK/efi.img"
	else
		skip "fsck.fat on the EFI partition" "dosfstools not installed"
	fi
	out=$(pstat "$PLAIN" 2>&1)
	expect_grep "pstat names the System volume and its role" \
		'Name \(Role\): Macintosh HD \(System\)' "$out"
	tsk_vol() { # IMG NUMBER DESC PATTERN... (fls -r of the volume)
		local img=$1 n=$2 d=$3 apsb; shift 3
		apsb=$("$BIN" list --json "$img" | python3 -c "
import json, sys; print(json.load(sys.stdin)['containers'][0]['volumes'][$n - 1]['superblock_block'])")
		TSKOUT=$(fls -r -B "$apsb" "$img" 2>&1)
		for p in "$@"; do expect_grep "TSK fls: $d lists $p" "$p" "$TSKOUT"; done
		APSB=$apsb
	}
	tsk_vol "$PLAIN" 2 Preboot "d/d [0-9]+:	$GROUP\$" '\+ r/r [0-9]+:	CryptoUserInfo.plist$'
	tsk_vol "$PLAIN" 3 Recovery "d/d [0-9]+:	$GROUP\$" 'README.txt$'
	tsk_vol "$PLAIN" 4 Data 'd/d [0-9]+:	Users$' '\+ d/d [0-9]+:	alice$' \
		'dslocal$' 'file-00009.txt$'
	inode=$(printf '%s\n' "$TSKOUT" | awk '/\talice$/ { a = 1 } a && /\twelcome.txt$/ { print; exit }' |
		sed 's/.*r\/r \([0-9]*\):.*/\1/')
	expect_eq "TSK icat: alice's welcome.txt" "Welcome, Alice Appleseed" \
		"$(icat -B "$APSB" "$PLAIN" "${inode:-0}" 2>&1)"
else
	skip "TSK checks" "sleuthkit (mmls, fls) not installed"
fi

# ---- libfsapfs unlocks the Data volume --------------------------------------
SHIM_SRC=$SHARED/tools/fsapfs-openssl3-shim.c SHIM=$WORK/fsapfs-shim.so
if command -v fsapfsinfo >/dev/null &&
	cc -O2 -shared -fPIC -o "$SHIM" "$SHIM_SRC" -ldl -lcrypto 2>/dev/null; then
	fsapfs() { LD_PRELOAD=$SHIM fsapfsinfo "$@" 2>&1; }
	md5() { printf '%s\n' "$1" | md5sum | cut -d' ' -f1; }
	for c in "-p alice-password" "-p bob-password" "-r $PRK"; do
		out=$(fsapfs -f 4 $c -F /Users/alice/Desktop/welcome.txt "$IMG")
		expect_grep "libfsapfs: Data opens with ${c%% *} ${c#* } (welcome.txt 25 bytes)" \
			'Size[[:space:]]*: 25$' "$out"
	done
	rm -f "$WORK/body"
	fsapfs -f 4 -p alice-password -H -B "$WORK/body" -d "$IMG" >/dev/null
	expect_eq "libfsapfs: alice's document 7 bytes (md5)" "$(md5 'alice file 00007 seed 1')" \
		"$(grep '/Users/alice/Documents/file-00007.txt|' "$WORK/body" | cut -d'|' -f1)"
	expect_eq "libfsapfs: bob's welcome.txt bytes (md5)" "$(md5 'Welcome, Bob Builder')" \
		"$(grep '/Users/bob/Desktop/welcome.txt|' "$WORK/body" | cut -d'|' -f1)"
	out=$(fsapfs -o 209735680 -f 4 -F /Users/alice/Desktop/welcome.txt "$GPT")
	expect_grep "libfsapfs: --gpt's container at byte 209735680 (welcome.txt 25 bytes)" \
		'Size[[:space:]]*: 25$' "$out"
	# A home's usual folders carry an access control list, as macOS gives them; the
	# folders below them and the files do not.
	for p in Desktop Documents Downloads Library Pictures Public Library/Preferences \
		Desktop/welcome.txt; do
		printf '%s %s\n' "$p" "$(fsapfs -f 4 -F "/Users/bob/$p" "$PLAIN" |
			sed -n 's/^[[:space:]]*Attribute: [0-9]*[[:space:]]*: //p' | tr '\n' ' ')"
	done > "$WORK/acl.fsapfs"
	expect_eq "libfsapfs: bob's usual folders hold com.apple.system.Security, nothing else" \
		"$(for p in Desktop Documents Downloads Library Pictures Public; do
			echo "$p com.apple.system.Security "; done; echo 'Library/Preferences '
			echo 'Desktop/welcome.txt ')" "$(cat "$WORK/acl.fsapfs")"
	out=$(fsapfs -f 4 -p not-the-password -F /Users/alice/Desktop/welcome.txt "$IMG")
	expect_grep "libfsapfs: a wrong password reads nothing" 'file entry not found|Unable' "$out"
else
	skip "libfsapfs checks" "fsapfsinfo or $SHIM_SRC unavailable"
fi

# ---- our own reader -----------------------------------------------------------
out=$("$BIN" list "$IMG")
for r in System Preboot Recovery Data VM; do
	expect_grep "list: a volume with role $r" "Role\).*\($r\)" "$out"
done
out=$("$BIN" list "$GPT" 2>&1)
expect_grep "list: --gpt finds the container past the EFI partition" \
	'APFS container at 209735680' "$out"
out=$("$BIN" listcryptousers --volume 4 "$IMG")
expect_grep "listcryptousers: 6 crypto users" '\(6 found\)' "$out"
for u in "$ALICE" "$BOB" EBC6C064-0000-11AA-AA11-00306543ECAC 2457711A-523C-4604-B75A-F48A571D5036 \
	EC1C2AD9-B618-4ED6-BD8D-50F361C27507 64C0C6EB-0000-11AA-AA11-00306543ECAC; do
	expect_grep "listcryptousers: $u" "\+-- $u\$" "$out"
done
expect_rc "unlockvolume: alice-password" 0 "$BIN" unlockvolume --volume 4 --passphrase alice-password "$IMG"
expect_grep "unlockvolume: names alice's generateduid" "$ALICE" "$OUT"
expect_rc "unlockvolume: bob-password" 0 "$BIN" unlockvolume --volume 4 --passphrase bob-password "$IMG"
expect_grep "unlockvolume: names bob's generateduid" "$BOB" "$OUT"
expect_rc "unlockvolume: the Personal Recovery Key" 0 "$BIN" unlockvolume --volume 4 \
	--recovery-key "$PRK" "$IMG"
expect_rc "unlockvolume: a wrong password" 3 "$BIN" unlockvolume --volume 4 \
	--passphrase wrong-password "$IMG"
expect_rc "--hardware: alice-password cannot unlock offline (4: bound to the Mac)" 4 \
	"$BIN" unlockvolume --volume 4 --passphrase alice-password "$HW"
out=$("$BIN" snapshots --volume 1 "$IMG")
expect_grep "System boots from snapshot $SNAP" "	$SNAP\$" "$out"
# The access control list of a home's usual folders: "group:everyone deny delete", as
# macOS gives them (tests/lib.sh builds its bytes from xnu's kauth.h).
ACL=$(acl_deny_delete_hex)
for u in alice bob; do
	for p in Desktop Documents Downloads Library Pictures Public; do
		expect_eq "$u's $p: com.apple.system.Security, everyone deny delete" "$ACL" \
			"$("$BIN" xattr --volume Data "$PLAIN" "/Users/$u/$p" com.apple.system.Security |
			xxd -p | tr -d '\n')"
	done
done
run_rc "$BIN" stat --volume Data "$PLAIN" /Users/alice/Library/Preferences
expect_eq "alice's Library/Preferences: no xattr" "0 " "$RC $(grep '^xattr' <<< "$OUT")"
out=$("$BIN" stat --volume 1 "$IMG" /Users)
expect_grep "System /Users: SF_FIRMLINK (0x800000)" '^flags: 0x800000$' "$out"
ino=$(printf '%s\n' "$out" | sed -n 's/^inode: \([0-9]*\)$/\1/p')
check "System /Users: inode $ino is from 0x0FFFFFFF00000010 on (macos-boot.md §2)" \
	test "${ino:-0}" -ge $((0x0fffffff00000010)) -a "${ino:-0}" -lt $((0x0fffffff10000000))
out=$("$BIN" stat --volume 1 "$IMG" /)
expect_grep "System root is inode 2" '^inode: 2$' "$out"
done_testing
