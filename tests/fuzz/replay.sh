#!/usr/bin/env bash
# tests/fuzz/replay.sh - every fuzz target's entry point over its committed
# seeds and every regression input ever found (tests/fuzz/regress/TARGET/),
# through tests/fuzz/driver.c: no clang needed, and under `make asan` a
# memory error in any of them fails the suite.  Each target gets a generous
# time bound (a hang is a failure); the fuzzing itself is `make fuzz`.
# Also checks that the sparse-image harness rebuilds what mkseed took apart:
# the basic and demo seeds must walk their whole trees, the demo one after
# the harness re-encrypted its keybags and unlocked the volume.
. "$(dirname "$0")/../lib.sh"

FUZZ=$PWD/$B/fuzz
IMAGE_TARGETS=" container keybag fs decmpfs snapshot group diff libapi "
for bin in "$FUZZ"/*; do
	t=$(basename "$bin")
	[ "$t" = mkseed ] && continue
	dirs=()
	for d in tests/fuzz/seeds/$t tests/fuzz/regress/$t; do
		[ -d "$d" ] && dirs+=("$d")
	done
	[[ "$IMAGE_TARGETS" == *" $t "* ]] && dirs+=(tests/fuzz/seeds/image)
	if [ ${#dirs[@]} -eq 0 ]; then
		notok "fuzz target $t has no seeds"
		continue
	fi
	out=$(timeout 300 "$bin" "${dirs[@]}" 2>&1)
	rc=$?
	n=$(grep -c '^ok ' <<< "$out")
	if [ $rc -eq 0 ] && [ "$n" -gt 0 ] && ! grep -q '^not ok' <<< "$out"; then
		ok "fuzz target $t: $n inputs replayed"
	else
		notok "fuzz target $t: exit $rc after $n inputs"
		tail -20 <<< "$out" | sed 's/^/# /'
	fi
done

walked() { # seed -> entries fuzz_walk visited
	FUZZ_VERBOSE=1 "$FUZZ/fs" "tests/fuzz/seeds/image/$1" 2>&1 |
		sed -n 's/^fuzz_walk: \([0-9]*\) entries.*/\1/p'
}
# basic: the small tree's 9 entries and the two hard links (testdata/README.md).
expect_eq "sparse-image seed 'basic' walks the 11 entries of the basic scenario" 11 \
	"$(walked basic)"
# demo: encrypted, so the walk also proves the re-encrypted keybags and the unlock;
# compared with `ls -R` of a freshly generated demo image.
"$MKIMAGE" demo "$WORK/demo.img" --iterations 1 > /dev/null
want=$("$BIN" ls -R --passphrase demo "$WORK/demo.img" / | grep -cvE '^$|:$')
expect_eq "sparse-image seed 'demo' walks what ls -R lists of the demo image" "$want" \
	"$(walked demo)"
# fz_libapi reaches the same tree through the public API alone (memfd image, apfsi_*).
expect_eq "fz_libapi walks the 11 entries of seed 'basic' through apfsinspect.h" \
	"live: 11 entries" \
	"$(FUZZ_VERBOSE=1 "$FUZZ/libapi" tests/fuzz/seeds/image/basic 2>&1 |
	   sed -n 's/^fz_libapi: //p')"
# ... and diffs and checks seals through it: snapshot-diff's 14 changes from `before`
# to the live tree, and sealed's 237 fs-tree nodes and 3085 data hashes, all matching
# (testdata/README.md).
expect_eq "fz_libapi finds snapshot-diff's 14 changes through apfsi_fs_diff" \
	"diff 0x2..live: 14 changes" \
	"$(FUZZ_VERBOSE=1 "$FUZZ/libapi" tests/fuzz/seeds/libapi/snapshot-diff 2>&1 |
	   sed -n 's/^fz_libapi: \(diff .*\)/\1/p')"
# ... and reads dated-runs' directory of 200 files (scale, --entries 201) in inode order
# with its dates added from sorted runs of a temporary file too.
expect_eq "fz_libapi reads seed 'dated-runs' dates added from runs" \
	"directory 16: 200 entries, dates added in runs" \
	"$(FUZZ_VERBOSE=1 "$FUZZ/libapi" tests/fuzz/seeds/libapi/dated-runs 2>&1 |
	   sed -n 's/^fz_libapi: \(directory .*\)/\1/p')"
"$MKIMAGE" sealed "$WORK/sealed.img" > /dev/null
"$FUZZ/mkseed" image "$WORK/sealed.img" "$WORK/sealed.seed"
expect_eq "fz_libapi checks sealed's 237 nodes and 3085 data hashes through apfsi_volume_verify_seal" \
	"seal: 237 nodes, 0 mismatched; 3085 data hashes, 0 mismatched" \
	"$(FUZZ_VERBOSE=1 "$FUZZ/libapi" "$WORK/sealed.seed" 2>&1 | sed -n 's/^fz_libapi: \(seal: .*\)/\1/p')"

done_testing
