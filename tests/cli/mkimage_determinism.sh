#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# mkimage_determinism.sh - the same scenario and seed give the same bytes;
# another seed gives other bytes.  Compared by tests/tools/image_sum.py, which reads
# a sparse image's data regions only (all-users is 1.5 GiB, most of it holes).
. "$(dirname "$0")/../lib.sh"

sum() { python3 "$TESTS/tools/image_sum.py" "$1"; }
for s in basic all-users dir-stats sealed scale; do
	"$MKIMAGE" $s "$WORK/a.img" --seed 7 --iterations 1000
	"$MKIMAGE" $s "$WORK/b.img" --seed 7 --iterations 1000
	"$MKIMAGE" $s "$WORK/c.img" --seed 8 --iterations 1000
	expect_eq "$s: same seed, same image" "$(sum "$WORK/a.img")" "$(sum "$WORK/b.img")"
	if [ "$(sum "$WORK/a.img")" != "$(sum "$WORK/c.img")" ]; then ok "$s: another seed differs"
	else notok "$s: another seed differs"; fi
done
expect_rc "unknown scenario fails" 1 "$MKIMAGE" no-such-scenario "$WORK/x.img"
expect_rc "bad option fails with usage" 2 "$MKIMAGE" basic "$WORK/x.img" --block-size 1234
done_testing
