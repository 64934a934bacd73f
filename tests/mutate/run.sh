#!/usr/bin/env bash
# tests/mutate/run.sh - mutation testing (`make mutate`): apply each mutant of
# tests/mutate/mutants.txt to a copy of the tree, rebuild, run the tests the
# list names for it, and count it killed when one of them fails.  Prints
# each survivor and the kill rate; exits 1 below MUTATE_MIN (90 %).
#
#   tests/mutate/run.sh [FILTER]      mutants whose file contains FILTER, or
#                                     the ids FILTER lists (K03,B01)
#   MUTATE_SAMPLE=N                   only N mutants, spread over the list
#                                     (MUTATE_SAMPLE_OFFSET=K shifts them)
#   MUTATE_MIN=P                      the kill rate to reach (90; CI's sample
#                                     uses 100: any survivor fails it)
#   MUTATE_CONFIRM=1                  run a survivor against the whole suite
#                                     before reporting it (slow, but a mutant
#                                     run against the wrong tests looks like
#                                     a survivor)
#
# A mutant is anchored on its exact original text, never on a line number:
# text that is gone, or found more than once in the file, stops the run
# with an error naming the mutant (the list must be fixed, not skipped).
# The tree is copied to a scratch directory first: the checkout is never
# modified, so an interrupted run leaves nothing behind.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
LIST=${MUTANTS:-tests/mutate/mutants.txt}
MIN=${MUTATE_MIN:-90}
FILTER=${1:-}
S=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-mutate.XXXXXX")
trap 'rm -rf "$S"' EXIT

# The scratch tree: tracked files and untracked, unignored ones, as they are, their
# times kept, and the tree's own build/ with its times: make then rebuilds only what
# is older than its sources (in CI, nothing: the suite's build is of this tree).
git ls-files -co --exclude-standard -z | xargs -0 cp -p --parents -t "$S"
[ -d build ] && cp -a build "$S/"
cd "$S" || exit 1
export SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
make -s -j"$(nproc)" testbins > "$S/build.log" 2>&1 || { cat "$S/build.log"; exit 1; }

# Every anchor, and every test each names (a name that matches no test would run none, and
# tests/run.sh would then fail: a mutant "killed" by nothing).
python3 "$ROOT/tests/mutate/mutants.py" check "$LIST" || exit 2
mapfile -t ROWS < <(python3 "$ROOT/tests/mutate/mutants.py" list "$LIST" "$FILTER" "${MUTATE_SAMPLE:-0}")
[ ${#ROWS[@]} -gt 0 ] || { echo "no mutants selected"; exit 1; }

killed=0 survived=0 equivalent=0 stillborn=0 total=0 survivors=()
for row in "${ROWS[@]}"; do
	IFS=$'\t' read -r id file tests eq <<< "$row"
	total=$((total + 1))
	cp "$file" "$S/orig"
	if ! python3 "$ROOT/tests/mutate/mutants.py" apply "$LIST" "$id" "$file"; then
		echo "mutants.txt: mutant $id cannot be applied (see above)"; exit 2
	fi
	# Only what the named tests run: the two programs and their unit binaries
	# (relinking every unit test for each mutant is most of a run's time).
	bins=("build/apfsinspect" "build/mkimage")
	# (a unit test named with its folder, unit/test_x, is the same binary: found when such
	# a name left the stale binary to run, and the mutant survived)
	for t in $tests; do case ${t##*/} in test_*) bins+=("build/tests/${t##*/}") ;; esac; done
	if ! make -s -j"$(nproc)" "${bins[@]}" > "$S/build.log" 2>&1; then
		stillborn=$((stillborn + 1)); verdict="does not build"
	else
		verdict=survived
		for t in $tests; do
			if ! tests/run.sh "$t" > "$S/run.log" 2>&1; then verdict=killed; break; fi
		done
		if [ "$verdict" = survived ] && [ -n "${MUTATE_CONFIRM:-}" ] &&
			make -s -j"$(nproc)" testbins > "$S/build.log" 2>&1 &&
			! tests/run.sh > "$S/run.log" 2>&1; then
			verdict="killed only by the whole suite (name the test that killed it)"
		fi
	fi
	cp "$S/orig" "$file"
	touch "$file"
	case $verdict in
	killed) killed=$((killed + 1)) ;;
	survived|killed\ only*)
		if [ "$eq" = 1 ]; then equivalent=$((equivalent + 1)); verdict="$verdict (equivalent, see the list)"
		else survived=$((survived + 1)); survivors+=("$id $file: $verdict"); fi ;;
	esac
	printf '%-5s %-28s %s\n' "$id" "$file" "$verdict"
done
echo
for s in "${survivors[@]}"; do echo "survivor: $s"; done
# Equivalent mutants (marked in the list, with why) are left out of the rate.
live=$((total - stillborn - equivalent))
rate=$(( live ? killed * 100 / live : 0 ))
echo "mutants: $total, killed $killed, survived $survived, equivalent $equivalent," \
	"not building $stillborn: kill rate $rate %"
[ "$rate" -ge "$MIN" ]
