#!/usr/bin/env bash
# mkimage_bench.sh - the `bench` scenario, made small (--big-size), read back
# by TSK (volume Plain) and libfsapfs (both volumes, Secret unlocked with
# bench-password).  The expected bytes of /big.bin are recomputed here in
# Python from testdata/README.md's description (splitmix64 from the seed,
# little-endian), the small files with printf: none come from our output.
. "$(dirname "$0")/../lib.sh"

if ! command -v fls > /dev/null || ! command -v fsapfsinfo > /dev/null; then
	skip "bench checks" "sleuthkit or libfsapfs-utils not installed"; done_testing; exit 0
fi
SHIM_SRC=${SHARED:-../shared}/tools/fsapfs-openssl3-shim.c
SHIM=$WORK/bench-shim.so
if [ ! -e "$SHIM_SRC" ] || ! cc -O2 -shared -fPIC -o "$SHIM" "$SHIM_SRC" -ldl -lcrypto 2>/dev/null; then
	skip "bench checks" "cannot build $SHIM_SRC"; done_testing; exit 0
fi
fsapfs() { LD_PRELOAD=$SHIM fsapfsinfo "$@" 2>&1; }

SIZE=1048581   # 1 MiB + 5: four extents of 65 blocks, and a partial last block
IMG=$WORK/bench.img
expect_rc "mkimage bench --big-size $SIZE --seed 7" 0 "$MKIMAGE" bench "$IMG" --big-size $SIZE --seed 7
BIG=$(python3 "$(dirname "$0")/../tools/splitmix.py" "$SIZE" 7 md5)
small_md5() { for _ in $(seq 256); do printf 'small file %04d\n' "$1"; done | md5sum | cut -d' ' -f1; }

# TSK, volume Plain.
A=$(pstat "$IMG" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
files=$(fls -r -p -B "${A:-0}" "$IMG" 2>/dev/null)
ino() { printf '%s\n' "$files" | sed -n "s|^r/r \([0-9]*\):	$1\$|\1|p"; }
expect_eq "TSK: Plain /small holds 1000 files" 1000 "$(printf '%s\n' "$files" | grep -c '^r/r .*	small/f[0-9]\{4\}\.bin$')"
expect_eq "TSK: Plain /big.bin bytes (md5, splitmix64 recomputed)" "$BIG" \
	"$(icat -B "$A" "$IMG" "$(ino big.bin)" | md5sum | cut -d' ' -f1)"
expect_eq "TSK: Plain /small/f0999.bin bytes" "$(small_md5 999)" \
	"$(icat -B "$A" "$IMG" "$(ino small/f0999.bin)" | md5sum | cut -d' ' -f1)"

# libfsapfs, both volumes.
out=$(fsapfs "$IMG")
expect_grep "libfsapfs: Plain" 'Name[[:space:]]*: Plain$' "$out"
expect_grep "libfsapfs: Secret" 'Name[[:space:]]*: Secret$' "$out"
expect_eq "libfsapfs: one volume locked" 1 "$(printf '%s\n' "$out" | grep -c 'Is locked')"
for v in "1 Plain" "2 Secret -p bench-password"; do
	set -- $v; f=$1 name=$2; shift 2
	body=$WORK/bench.body.$f
	fsapfs -f "$f" "$@" -H -B "$body" -d "$IMG" > /dev/null
	md5() { grep "}$1|" "$body" | cut -d'|' -f1; }
	expect_eq "libfsapfs: $name /big.bin bytes" "$BIG" "$(md5 /big.bin)"
	expect_eq "libfsapfs: $name /small/f0000.bin bytes" "$(small_md5 0)" "$(md5 /small/f0000.bin)"
	expect_eq "libfsapfs: $name /small/f0500.bin bytes" "$(small_md5 500)" "$(md5 /small/f0500.bin)"
	expect_eq "libfsapfs: $name has 1000 small files" 1000 "$(grep -c '}/small/f[0-9]*\.bin|' "$body")"
done
out=$(fsapfs -f 2 -p not-bench -F /big.bin "$IMG")
expect_grep "libfsapfs: Secret stays shut with a wrong password" 'libfsapfs_internal_volume_get_file_system_btree: unable to unlock volume' "$out"

# Our reader names the documented user; the record says 1000 iterations.
expect_rc "unlockvolume Secret with bench-password" 0 \
	"$BIN" unlockvolume --volume Secret --passphrase bench-password "$IMG"
expect_grep "names the Local OD user" \
	'8E4C11A5-5EC2-4E7A-9B3D-0B1E2C3D4E5F \(Local Open Directory User\)' "$OUT"
expect_rc "hashes of Secret" 0 "$BIN" hashes --volume Secret "$IMG"
expect_grep "1000 PBKDF2 iterations" '^\$fvde\$2\$16\$[0-9a-f]{32}\$1000\$' "$OUT"
done_testing
