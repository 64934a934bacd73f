#!/usr/bin/env bash
# mkimage_snapshot.sh - the snapshot scenario: TSK lists snapshot "before"
# (xid 2) and reads both the current files and the snapshot's older ones.
. "$(dirname "$0")/../lib.sh"

if ! command -v fls >/dev/null || ! command -v fsstat >/dev/null; then
	skip "snapshot checks" "sleuthkit not installed"; done_testing; exit 0
fi
S=$WORK/snap.img
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$S"
A=$(timeout 20 pstat "$S" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
out=$(timeout 20 fsstat -B "${A:-0}" "$S" 2>&1)
expect_grep "fsstat lists snapshot 'before' at xid 2" '^\[2\] .* before' "$out"
names() { timeout 20 fls -B "${A:-0}" "$@" "$S" 2>&1 | sed 's/^.*:	//' | sort | tr '\n' ' '; }
expect_eq "current files" "a.txt keep.txt new.txt " "$(names)"
expect_eq "snapshot files" "a.txt gone.txt keep.txt " "$(names -S 2)"
expect_eq "current a.txt" "version 2" "$(timeout 20 icat -B "$A" "$S" 16 2>&1)"
expect_eq "snapshot a.txt" "version 1" "$(timeout 20 icat -B "$A" -S 2 "$S" 16 2>&1)"
expect_eq "snapshot gone.txt" "deleted later" "$(timeout 20 icat -B "$A" -S 2 "$S" 18 2>&1)"
done_testing
