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

pass=0 fail=0 skip=0
failed_names=()
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
