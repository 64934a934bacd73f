#!/usr/bin/env bash
# firmlinks_64k.sh - the reader's bound on System's /usr/share/firmlinks
# (FIRMLINKS_MAX_BYTES, 64 KiB), at its edge: testdata/README.md
# "group-firmlinks-64k" and "-64k1" are the group-firmlinks images with the
# file padded by a 14th, over-long line to 65536 and 65537 bytes.  At 65536
# the list applies (line 1: /Users is Data's, with data-marker.txt; the
# padding line is skipped with its own warning); at 65537 it is refused
# whole with the size named, and /Users is System's own (sys-marker.txt).
. "$(dirname "$0")/../lib.sh"

A() { "$BIN" "$@"; }
for s in 64k 64k1; do
	"$MKIMAGE" group-firmlinks-$s "$WORK/fl-$s.img" >/dev/null 2>&1 ||
		{ notok "mkimage group-firmlinks-$s"; done_testing; exit 1; }
done

expect_eq "64k: the firmlinks file is 65536 bytes" "size: 65536" \
	"$(A stat --volume System "$WORK/fl-64k.img" /usr/share/firmlinks 2>/dev/null | grep -o 'size: [0-9]*')"
run_rc A ls --volume group "$WORK/fl-64k.img" /Users
expect_eq "64k: ls /Users exits 0" 0 "$RC"
expect_eq "64k: /Users is Data's (the list applied)" "alice data-marker.txt" "$(printf %s "$OUT" | tr '\n' ' ')"
expect_grep "64k: the padding line is skipped as too long" \
	"firmlinks line 14: longer than 1024 bytes: skipped" "$ERR"
expect_eq "64k: no size refusal" "" "$(printf '%s\n' "$ERR" | grep 'beyond the 65536')"

expect_eq "64k1: the firmlinks file is 65537 bytes" "size: 65537" \
	"$(A stat --volume System "$WORK/fl-64k1.img" /usr/share/firmlinks 2>/dev/null | grep -o 'size: [0-9]*')"
run_rc A ls --volume group "$WORK/fl-64k1.img" /Users
expect_eq "64k1: ls /Users exits 0" 0 "$RC"
expect_eq "64k1: /Users is System's own (the list not applied)" "sys-marker.txt" "$OUT"
expect_grep "64k1: refused with its size" "/usr/share/firmlinks on the System volume is 65537 bytes, beyond the 65536 a firmlink list can plausibly need: not applied" "$ERR"
rm -f "$WORK"/fl-64k*.img
done_testing
