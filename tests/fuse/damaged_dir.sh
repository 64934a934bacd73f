#!/usr/bin/env bash
# damaged_dir.sh - directories of a damaged fs tree through the mount, in
# each -o readdirplus mode.  `mkimage scale --per-dir 267`: /d00001 holds
# f00000267.txt ... f00000533.txt (testdata/README.md).  With its second
# leaf's index key set to its first leaf's last name (drec_swap.py --rekey
# f00000415.txt) and f00000415.txt and f00000373.txt then traded between
# the two leaves, every name still stands in a leaf that a walk of the
# directory reads, so `apfsinspect ls` lists all 267.  Through the mount
# the kernel asks for a 4 KiB buffer at a time, and each READDIR resumed
# the library's walk by cookie, which it refuses past the damaged leaf:
# readdirplus=no gave every name and then "Input/output error",
# readdirplus=auto 193 names and then the error.  Now one window serves
# every call.  And a name traded with a leaf the walk never reads
# (f00000372.txt with the next directory's f00000747.txt, in `--per-dir
# 260`) is an error through the mount too, not a listing one short.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	skip "damaged-directory mount tests" "/dev/fuse or fusermount3 (fuse3) missing"
	done_testing; exit 0
fi
mnt_prepare "$WORK"
T() { timeout -k 5 60 "$@"; }
IMG=$WORK/dmg.img
expect_rc "mkimage scale --per-dir 267" 0 "$MKIMAGE" scale "$IMG" --entries 1000 \
	--per-dir 267 --unencrypted
expect_rc "drec_swap.py --rekey f00000415.txt" 0 \
	python3 "$TESTS/tools/drec_swap.py" "$IMG" --rekey f00000415.txt
expect_rc "drec_swap.py f00000415.txt f00000373.txt" 0 \
	python3 "$TESTS/tools/drec_swap.py" "$IMG" f00000415.txt f00000373.txt
WANT=$(for i in $(seq 267 533); do printf 'f%08d.txt\n' "$i"; done | LC_ALL=C sort)
expect_eq "apfsinspect ls /d00001: its 267 names" "$WANT" \
	"$("$BIN" ls "$IMG" /d00001 2>/dev/null | LC_ALL=C sort)"
for opt in readdirplus=no readdirplus=auto readdirplus=yes; do
	expect_rc "mount -o $opt" 0 timeout 60 "$BIN" mount -o "$opt" "$IMG" "$MNT"
	got=$(T ls -f "$MNT/d00001" 2> "$WORK/ls.err"); rc=$?
	expect_eq "$opt: ls -f /d00001 exits 0" "0 " "$rc $(cat "$WORK/ls.err")"
	expect_eq "$opt: its 267 names, each once" "$WANT" \
		"$(printf '%s\n' "$got" | grep -v '^\.\.\?$' | LC_ALL=C sort)"
	expect_rc "$opt: unmount" 0 timeout 20 fusermount3 -u "$MNT"
done

IMG=$WORK/trade.img
expect_rc "mkimage scale --per-dir 260" 0 "$MKIMAGE" scale "$IMG" --entries 1000 \
	--per-dir 260 --unencrypted
expect_rc "drec_swap.py f00000372.txt f00000747.txt" 0 \
	python3 "$TESTS/tools/drec_swap.py" "$IMG" f00000372.txt f00000747.txt
for opt in readdirplus=no readdirplus=auto readdirplus=yes; do
	expect_rc "mount -o $opt" 0 timeout 60 "$BIN" mount -o "$opt" "$IMG" "$MNT"
	T ls -f "$MNT/d00001" > /dev/null 2> "$WORK/ls.err"; rc=$?
	expect_eq "$opt: ls -f /d00001, a name traded away: an error" \
		"2 ls: reading directory '$MNT/d00001': Input/output error" "$rc $(cat "$WORK/ls.err")"
	expect_rc "$opt: unmount" 0 timeout 20 fusermount3 -u "$MNT"
done
done_testing
