#!/usr/bin/env bash
# mkimage_libfsapfs.sh - libfsapfs (an independent reader) unlocks every
# encrypted volume of the all-users image with each password-type
# credential and reads /marker.txt; checksums are computed by md5sum here,
# never taken from our own output.
. "$(dirname "$0")/../lib.sh"

if ! command -v fsapfsinfo >/dev/null; then
	skip "libfsapfs checks" "fsapfsinfo (libfsapfs-utils) not installed"; done_testing; exit 0
fi
SHIM_SRC=${SHARED:-../shared}/tools/fsapfs-openssl3-shim.c
SHIM=$WORK/fsapfs-shim.so
if [ ! -e "$SHIM_SRC" ] || ! cc -O2 -shared -fPIC -o "$SHIM" "$SHIM_SRC" -ldl -lcrypto 2>/dev/null; then
	skip "libfsapfs checks" "cannot build $SHIM_SRC"; done_testing; exit 0
fi
fsapfs() { LD_PRELOAD=$SHIM fsapfsinfo "$@" 2>&1; }

IMG=$WORK/all-users.img
expect_rc "mkimage all-users" 0 "$MKIMAGE" all-users "$IMG" --iterations 1000
MARKER_MD5=$(printf 'all-users marker\n' | md5sum | cut -d' ' -f1)

out=$(fsapfs "$IMG")
expect_grep "three volumes" 'Number of volumes[[:space:]]*: 3' "$out"
for n in Data Backup Plain; do expect_grep "volume $n listed" "Name[[:space:]]*: $n\$" "$out"; done
expect_eq "two volumes locked" 2 "$(printf '%s\n' "$out" | grep -c 'Is locked')"

# marker VOLUME-INDEX DESC FSAPFSINFO-CREDENTIAL-ARGS...
marker() {
	local f=$1 d=$2 body=$WORK/body.$1; shift 2
	out=$(fsapfs -f "$f" "$@" -F /marker.txt "$IMG")
	expect_grep "$d: /marker.txt is 17 bytes" 'Size[[:space:]]*: 17$' "$out"
	rm -f "$body"
	fsapfs -f "$f" "$@" -H -B "$body" -d "$IMG" >/dev/null
	expect_eq "$d: /marker.txt bytes (md5)" "$MARKER_MD5" \
		"$(grep '/marker.txt|' "$body" 2>/dev/null | cut -d'|' -f1)"
}
marker 1 "Data, Local OD alice" -p alice-password
marker 1 "Data, Local OD bob" -p bob-password
marker 1 "Data, Personal Recovery key" -r ABCD-EFGH-IJKL-MNOP-QRST-UVWX
marker 1 "Data, MDM bootstrap secret" -p bootstrap-secret
marker 2 "Backup, Disk User" -p disk-password
marker 3 "Plain, no credential"

out=$(fsapfs -f 1 -p not-the-password -F /marker.txt "$IMG")
expect_grep "Data, wrong password: nothing readable" 'libfsapfs_internal_volume_get_file_system_btree: unable to unlock volume' "$out"
out=$(fsapfs -f 2 -p alice-password -F /marker.txt "$IMG")
expect_grep "Backup does not open with Data's password" 'libfsapfs_internal_volume_get_file_system_btree: unable to unlock volume' "$out"

out=$(fsapfs -f 1 -p alice-password -H "$IMG")
for p in /marker.txt /hello.txt /dir/nested.txt /dir/sub/deep.txt /link /multi.bin; do
	expect_grep "Data lists $p" "\}$p\$" "$out"
done
fsapfs -f 1 -p alice-password -H -B "$WORK/body.multi" -d "$IMG" >/dev/null
hello=$(grep '/hello.txt|' "$WORK/body.multi" | cut -d'|' -f1)
expect_eq "Data: hello.txt bytes (md5)" "$(printf 'hello, world\n' | md5sum | cut -d' ' -f1)" "$hello"

# Key variants: CoreStorage 128-bit VEK and KEK (flags 0x02 and 0x10), 256-bit.
IMG=$WORK/key-variants.img
expect_rc "mkimage key-variants" 0 "$MKIMAGE" key-variants "$IMG" --iterations 1000
marker 1 "Legacy, CoreStorage 128-bit user (0x02)" -p cs-password
marker 1 "Legacy, re-wrapped 128-bit KEK user (0x10)" -p ten-password
marker 3 "Modern, 256-bit user" -p modern-password

# demo: the README's credentials.
IMG=$WORK/demo.img
expect_rc "mkimage demo" 0 "$MKIMAGE" demo "$IMG" --iterations 1000
for c in "-p demo" "-r DEMO-1234-ABCD-5678-EFGH-9012"; do
	out=$(fsapfs $c -F /dir/sub/deep.txt "$IMG")
	expect_grep "demo opens with ${c%% *} (deep.txt is 5 bytes)" 'Size[[:space:]]*: 5$' "$out"
done
done_testing
