# list.sh - `apfsinspect list` on every shared image, checked against the
# values ../shared/images/IMAGES.md documents (written from macOS, TSK and
# libfsapfs output, not from ours).
. "$TESTS/lib.sh"

list_json() { "$BIN" list --json "$@" 2>/dev/null; }
field() { # field JSON KEY -> first value of "KEY": in the document
	printf '%s\n' "$1" | sed -n "s/^ *\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -1
}

check_basic() { # IMAGE LABEL
	local j
	expect_rc "$2: list exits 0" 0 "$BIN" list "$1"
	expect_grep "$2: container UUID" '^\+-- Container 35C91197-A294-4361-9B05-5A3607689022$' "$OUT"
	expect_grep "$2: GPT partition at 20480" 'GPT entry 1 \(Apple_APFS\), offset 20480$' "$OUT"
	expect_grep "$2: volume UUID" 'Volume 1 369159B9-E53C-4765-A5D8-1678F3CA7779$' "$OUT"
	expect_grep "$2: name and case" 'Name: +ACCEPT \(Case-insensitive\)$' "$OUT"
	expect_grep "$2: not FileVault" 'FileVault: +No$' "$OUT"
	expect_grep "$2: formatted by" 'Formatted By: +newfs_apfs \(2811.120.14.0.1\)$' "$OUT"
	expect_grep "$2: created" 'Created: +2026-07-27 20:00:30 UTC$' "$OUT"
	j=$(list_json "$1")
	expect_eq "$2: json xid" 5 "$(field "$j" xid)"
	expect_eq "$2: json offset" 20480 "$(field "$j" offset)"
	expect_eq "$2: json volume name" ACCEPT "$(field "$j" volume)"
}

need_image basic.img
check_basic "$IMAGES/basic.img" basic.img
for d in basic.dmg basic-bz2.dmg basic-lzfse.dmg; do
	if [ -e "$IMAGES/$d" ]; then check_basic "$IMAGES/$d" "$d"; else missing "$d" "not in ../shared/images"; fi
done

need_image encrypted.img
expect_rc "encrypted.img: list exits 0" 0 "$BIN" list "$IMAGES/encrypted.img"
expect_grep "encrypted.img: container UUID" 'Container FB213F63-E69F-47E5-8F5C-32FDDB3A400C$' "$OUT"
expect_grep "encrypted.img: bare container" '^    Offset: +0$' "$OUT"
expect_grep "encrypted.img: volume UUID" 'Volume 1 1BEC6FD3-1871-4697-BF1F-20C2620146D8$' "$OUT"
expect_grep "encrypted.img: name" 'Name: +Enc \(Case-insensitive\)$' "$OUT"
expect_grep "encrypted.img: encrypted and locked" 'FileVault: +Yes \(Locked\)$' "$OUT"
expect_grep "encrypted.img: software encryption" 'Encrypted: +Yes$' "$OUT"
expect_grep "encrypted.img: not hardware" 'Hardware Encrypted: +No$' "$OUT"
expect_grep "encrypted.img: formatted by" 'Formatted By: +storagekitd \(2811.120.14.0.1\)$' "$OUT"
expect_grep "encrypted.img: created" 'Created: +2026-07-28 11:16:37 UTC$' "$OUT"
expect_grep "encrypted.img: 5 files, 2 dirs" 'Files / Directories: +5 / 2$' "$OUT"
j=$(list_json "$IMAGES/encrypted.img")
expect_eq "encrypted.img: json xid 8" 8 "$(field "$j" xid)"
expect_eq "encrypted.img: json locked" true "$(field "$j" locked)"
expect_eq "encrypted.img: json APSB block 213" 213 \
	"$(printf '%s\n' "$j" | sed -n '/"volumes"/,$p' | sed -n 's/^ *"superblock_block": \([0-9]*\),*$/\1/p' | head -1)"
expect_rc "encrypted.img: --checkpoints" 0 "$BIN" list --checkpoints "$IMAGES/encrypted.img"
expect_grep "encrypted.img: newest checkpoint in use" 'xid 8 .*\(in use\)' "$OUT"
expect_rc "encrypted.img: --xid 7 picks an older checkpoint" 0 "$BIN" list --xid 7 "$IMAGES/encrypted.img"
expect_grep "encrypted.img: --xid 7 shown" 'Checkpoint: +xid 7 ' "$OUT"
expect_rc "encrypted.img: --xid 999 is an error" 1 "$BIN" list --xid 999 "$IMAGES/encrypted.img"
expect_grep "encrypted.img: --xid 999 message" 'no checkpoint with xid 999' "$ERR"

need_image dfvfs-apfs.raw
expect_rc "dfvfs: list exits 0" 0 "$BIN" list "$IMAGES/dfvfs-apfs.raw"
expect_grep "dfvfs: container UUID" 'Container D08A9FA0-D5A5-458B-813E-EBF9BF5D5338$' "$OUT"
expect_grep "dfvfs: volume UUID" 'Volume 1 458ED10D-8AC3-4AF1-8DFD-3954D151A3F3$' "$OUT"
expect_grep "dfvfs: name" 'Name: +apfs_test \(Case-insensitive\)$' "$OUT"
expect_grep "dfvfs: 1014 blocks" 'Block Count: +1014$' "$OUT"
expect_grep "dfvfs: formatted by" 'Formatted By: +newfs_apfs \(1933.61.1\)$' "$OUT"
expect_grep "dfvfs: created" 'Created: +2022-01-14 07:19:40 UTC$' "$OUT"
expect_eq "dfvfs: json xid 4" 4 "$(field "$(list_json "$IMAGES/dfvfs-apfs.raw")" xid)"
expect_rc "dfvfs: --offset 0 works" 0 "$BIN" list --offset 0 "$IMAGES/dfvfs-apfs.raw"
expect_rc "basic.img: --offset 20480 works" 0 "$BIN" list --offset 20480 "$IMAGES/basic.img"
expect_grep "basic.img: --offset finds the volume" 'ACCEPT' "$OUT"
done_testing
