#!/usr/bin/env bash
# tests/run.sh - run the whole suite: unit binaries (cmocka, TAP output) and
# the shell tests in tests/cli and tests/fuse.  Every test speaks TAP
# ("ok", "not ok", "ok ... # SKIP why"); this script counts the lines and
# ends with "N passed, N failed, N skipped".  Exit status 1 on any failure.
set -u
cd "$(dirname "$0")/.."
export B=${B:-build}
export BIN=$PWD/$B/apfsinspect MKIMAGE=$PWD/$B/mkimage TESTS=$PWD/tests
export SHARED=${SHARED:-$(cd .. && pwd)/shared}
export CMOCKA_MESSAGE_OUTPUT=TAP
WORK=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-test.XXXXXX")
export WORK
trap 'rm -rf "$WORK"' EXIT

# Decompress the shared images once (never into the project tree).
export IMAGES=$WORK/images
mkdir -p "$IMAGES"
if [ -d "$SHARED/images" ]; then
	for f in "$SHARED"/images/*.gz; do
		[ -e "$f" ] && gzip -dc "$f" > "$IMAGES/$(basename "${f%.gz}")"
	done
	for f in "$SHARED"/images/*.dmg; do
		[ -e "$f" ] && cp "$f" "$IMAGES/"
	done
fi

# Under CI the shared images are required: without them ~300 checks would
# only be skipped and the run would still end "0 failed".
pass=0 fail=0 skip=0
failed_names=()
if [ "${CI:-}" = true ] && ! ls "$IMAGES"/*.img > /dev/null 2>&1; then
	echo "not ok - CI=true but $SHARED/images holds no image (README: Test images)"
	fail=1 failed_names+=("shared-images")
fi
count() { # name, output file, seconds
	local name=$1 out=$2 secs=$3 p f s
	# cmocka 1.1.5 prints a skipped test as "not ok ... # SKIP": a skip.
	p=$(grep -E '^ok ' "$out" | grep -cvE '# *SKIP')
	s=$(grep -cE '^(not )?ok .*# *SKIP' "$out")
	f=$(grep -E '^not ok ' "$out" | grep -cvE '# *SKIP')
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	[ "$f" -gt 0 ] && failed_names+=("$name")
	printf '%-36s %4d passed, %d failed, %d skipped  (%ss)\n' "$name" "$p" "$f" "$s" "$secs"
}

# A script that stops early (an exit in the middle, a crash between checks)
# prints fewer results than it planned: its "1..N" line must match them.
check_plan() { # name, output file
	local plan n
	# cmocka prints one plan per group: they add up.
	plan=$(grep -oE '^1\.\.[0-9]+' "$2" | cut -d. -f3 | awk '{ s += $1 } END { if (NR) print s }')
	n=$(grep -cE '^(not )?ok ' "$2")
	if [ -z "$plan" ]; then
		echo "not ok - $1 printed no TAP plan (1..N)" >> "$2"
	elif [ "$plan" -ne "$n" ]; then
		echo "not ok - $1 planned $plan tests but reported $n" >> "$2"
	fi
}

run_one() { # name, command...
	local name=$1 out=$WORK/out.$$.txt rc t0=$SECONDS
	shift
	timeout "${TEST_TIMEOUT:-600}" "$@" > "$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && ! grep -E '^not ok ' "$out" | grep -qvE '# *SKIP'; then
		echo "not ok - $name exited with status $rc" >> "$out"
	fi
	if ! grep -qE '^(not )?ok ' "$out"; then
		echo "not ok - $name printed no test results" >> "$out"
	fi
	check_plan "$name" "$out"
	count "$name" "$out" $((SECONDS - t0))
	if grep -E '^not ok ' "$out" | grep -qvE '# *SKIP'; then
		sed 's/^/    | /' "$out" | grep -vE '^    \| ok ' | head -60
	fi
	[ -n "${VERBOSE:-}" ] && sed 's/^/    | /' "$out"
	rm -f "$out"
}

only=${1:-}
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	[ -n "$only" ] && [[ "$t" != *"$only"* ]] && continue
	run_one "unit/$(basename "$t")" "$t"
done
for t in tests/cli/*.sh tests/fuse/*.sh tests/fuzz/*.sh; do
	[ -e "$t" ] || continue
	[ -n "$only" ] && [[ "$t" != *"$only"* ]] && continue
	run_one "${t#tests/}" bash "$t"
done

[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
