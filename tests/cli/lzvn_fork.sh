#!/usr/bin/env bash
# lzvn_fork.sh - our LZVN decoder on real Apple data: the resource fork of
# basic.img's compressed.txt (inode 32, decmpfs type 8), extracted by TSK's
# icat (an independent reader), decoded by tests/unit/test_lzvn.c's
# test_real_fork, which checks the `seq 1 5000` SHA-256 from IMAGES.md.
. "$(dirname "$0")/../lib.sh"
need_image basic.img
if ! command -v icat > /dev/null || ! command -v istat > /dev/null; then
	skip "compressed.txt fork" "TSK (icat/istat) not installed"
	done_testing
	exit 0
fi
img=$IMAGES/basic.img
# The attribute id of the RSRC attribute, from istat: "Type: RSRC (4353-3)".
attr=$(istat -o 40 -B 505 "$img" 32 | sed -n 's/.*Type: RSRC (\([0-9]*-[0-9]*\)).*/\1/p')
expect_grep "istat lists the resource fork of inode 32" '^4353-[0-9]+$' "$attr"
icat -o 40 -B 505 "$img" "32-$attr" > "$WORK/fork32.bin"
expect_eq "fork size (istat says 10163)" 10163 "$(stat -c %s "$WORK/fork32.bin")"
run_rc env LZVN_FORK="$WORK/fork32.bin" "$B/tests/test_lzvn"
if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -qE '^ok .*test_real_fork$'; then
	ok "LZVN decodes the fork to seq 1 5000 (SHA-256 from IMAGES.md)"
else
	notok "LZVN decodes the fork (status $RC)"
	printf '%s\n' "$OUT" "$ERR" | grep -v '^ok' | sed 's/^/#   /' | head -20
fi
done_testing
