#!/usr/bin/env bash
# mkimage_scale.sh - many-files (multi-level trees) and large (sparse GiB
# files) read back by TSK and libfsapfs; the two peers must agree on bytes.
. "$(dirname "$0")/../lib.sh"

if ! command -v fls >/dev/null || ! command -v fsapfsinfo >/dev/null; then
	skip "scale checks" "sleuthkit or libfsapfs-utils not installed"; done_testing; exit 0
fi
apsb() { pstat "$1" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1; }

M=$WORK/many.img
expect_rc "mkimage many-files" 0 "$MKIMAGE" many-files "$M"
A=$(apsb "$M")
# A case-sensitive volume with hashed directory records is normalization-insensitive (0x8).
expect_grep "libfsapfs: many-files incompatible features 0x8" \
	'Incompatible features[[:space:]]*: 0x00000008$' "$(fsapfsinfo "$M" 2>&1)"
expect_grep "TSK: many-files is case-sensitive" 'Case Sensitive: Yes' \
	"$(fsstat -B "${A:-0}" "$M" 2>/dev/null)"
# 100 dirs x 1000 files, /case + 3 files, /deep + 64 dirs + leaf.txt
expect_eq "TSK lists 100,170 entries" 100170 "$(fls -r -B "${A:-0}" "$M" 2>/dev/null | wc -l)"
out=$(fsapfsinfo -F /d042/f42000.txt "$M" 2>&1)
expect_grep "libfsapfs finds /d042/f42000.txt (11 bytes)" 'Size[[:space:]]*: 11$' "$out"
out=$(fsapfsinfo -F /d099/f99999.txt "$M" 2>&1)
expect_grep "libfsapfs finds the last file" 'Size[[:space:]]*: 0$' "$out"
for n in readme README ReadMe; do
	out=$(fsapfsinfo -F /case/$n "$M" 2>&1)
	expect_grep "case-sensitive volume keeps /case/$n" "Size[[:space:]]*: ${#n}\$" "$out"
done
deep=/deep; for i in $(seq 1 64); do deep=$deep/d$i; done
out=$(fsapfsinfo -F $deep/leaf.txt "$M" 2>&1)
expect_grep "64-level path resolves" 'Size[[:space:]]*: 5$' "$out"
inode=$(fls -B "$A" "$M" 2>/dev/null | sed -n 's/^d\/d \([0-9]*\):	d007$/\1/p')
out=$(fls -B "$A" "$M" "${inode:-0}" 2>/dev/null | grep -c 'f0[0-9]*\.txt$')
expect_eq "TSK: /d007 holds 1000 files" 1000 "$out"

L=$WORK/large.img
expect_rc "mkimage large" 0 "$MKIMAGE" large "$L"
expect_eq "2 GiB container written sparse (under 64 MiB on disk)" yes \
	"$([ "$(du -k "$L" | cut -f1)" -lt 65536 ] && echo yes || echo no)"
A=$(apsb "$L")
body=$WORK/large.body
fsapfsinfo -H -B "$body" -d "$L" >/dev/null 2>&1
md5_of() { grep "/$1|" "$body" | cut -d'|' -f1; }
expect_eq "sparse-1g.bin is 1 GiB of zeros (libfsapfs)" \
	"$(head -c 1073741824 /dev/zero | md5sum | cut -d' ' -f1)" "$(md5_of sparse-1g.bin)"
holey=$( { head -c 4096 /dev/zero | tr '\0' A; head -c $((64 * 1048576 - 8192)) /dev/zero
	   head -c 4096 /dev/zero | tr '\0' Z; } | md5sum | cut -d' ' -f1)
expect_eq "holey.bin: A block, hole, Z block (libfsapfs)" "$holey" "$(md5_of holey.bin)"
files=$(fls -B "$A" "$L" 2>/dev/null)
ino() { printf '%s\n' "$files" | sed -n "s/^r\/r \([0-9]*\):	$1\$/\1/p"; }
expect_eq "holey.bin (TSK)" "$holey" "$(icat -B "$A" "$L" "$(ino holey.bin)" | md5sum | cut -d' ' -f1)"
expect_eq "data-8m.bin: TSK and libfsapfs agree" "$(md5_of data-8m.bin)" \
	"$(icat -B "$A" "$L" "$(ino data-8m.bin)" | md5sum | cut -d' ' -f1)"
expect_eq "data-8m.bin is 8 MiB (TSK)" 8388608 "$(icat -B "$A" "$L" "$(ino data-8m.bin)" | wc -c)"
H=$WORK/huge.img
expect_rc "mkimage huge-file" 0 "$MKIMAGE" huge-file "$H"
out=$(fsapfsinfo -F /big-tail.bin "$H" 2>&1)
expect_grep "huge-file: big-tail.bin is 5 GiB + 4 KiB (libfsapfs)" 'Size[[:space:]]*: 5368713216$' "$out"
# An option where the image's file belongs is a usage error, not a file of that name
# (found in review: `mkimage scale --help` wrote a 19 MB image named "--help").
(cd "$WORK" && "$MKIMAGE" scale --help > /dev/null 2>&1); rc=$?
expect_eq "mkimage scale --help: usage, exit 2, no file written" "2 no" \
	"$rc $([ -e "$WORK/--help" ] && echo yes || echo no)"
(cd "$WORK" && "$MKIMAGE" wrap --x out.img --wrap sparseimage > /dev/null 2>&1); rc=$?
expect_eq "mkimage wrap with an option for its input: exit 2" "2" "$rc"
done_testing
