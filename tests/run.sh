#!/usr/bin/env bash
# tests/run.sh - run the whole suite: unit binaries (cmocka, TAP output) and
# the shell tests in tests/cli and tests/fuse, JOBS at a time (default: one
# per core), each in a work directory of its own.  Every test speaks TAP
# ("ok", "not ok", "ok ... # SKIP why"); this script counts the lines and
# ends with "N passed, N failed, N skipped".  Exit status 1 on any failure.
set -u
cd "$(dirname "$0")/.."
export B=${B:-build}
export BIN=$PWD/$B/apfsinspect MKIMAGE=$PWD/$B/mkimage TESTS=$PWD/tests
export SHARED=${SHARED:-$(cd .. && pwd)/shared}
export CMOCKA_MESSAGE_OUTPUT=TAP
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-test.XXXXXX")
WORK=$ROOT
RES=$ROOT/results
mkdir -p "$RES"
export WORK
trap 'rm -rf "$ROOT"' EXIT

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

# A sanitizer's reports during test IDX (ASan, LeakSanitizer and UBSan write
# LOG_PATH.PID): each a failure, its head shown.  Without this, a report of
# a process whose stderr was closed (the daemon of a detached mount, its
# leaks at unmount above all) was lost, and a foreground one only failed a
# test that looked at the exit status.
san_reports() { # idx
	local f
	for f in "$RES/$1".san.*; do
		[ -e "$f" ] || continue
		echo "not ok - a sanitizer's report (process ${f##*.}):"
		head -40 "$f" | sed 's/^/#   /'
		rm -f "$f"
	done
}

# One test: its own work directory (scripts use fixed names in $WORK), its
# output and seconds into $RES/IDX.out and IDX.secs, IDX.rc last.
run_test() { # idx, name, command...
	local idx=$1 name=$2 t0=$SECONDS rc
	shift 2
	export WORK=$ROOT/t$idx
	mkdir -p "$WORK"
	# Under the sanitizers, their reports go to files of this test's (see
	# san_reports): a detached mount's daemon has no stderr anyone reads.
	if [ -n "$SAN_BUILD" ]; then
		export ASAN_OPTIONS="${SAN_ASAN:+$SAN_ASAN:}log_path=$RES/$idx.san"
		export UBSAN_OPTIONS="${SAN_UBSAN:+$SAN_UBSAN:}log_path=$RES/$idx.san"
	fi
	timeout "${TEST_TIMEOUT:-600}" "$@" > "$RES/$idx.out" 2>&1
	rc=$?
	san_reports "$idx" >> "$RES/$idx.out"
	echo $((SECONDS - t0)) > "$RES/$idx.secs"
	rm -rf "$WORK"
	echo "$rc" > "$RES/$idx.rc"
}

# Count and print one finished test (in the order the tests were listed).
report() { # idx
	local idx=$1 name=${names[$1]} out=$RES/$1.out rc
	rc=$(cat "$RES/$idx.rc")
	if [ "$rc" -ne 0 ] && ! grep -E '^not ok ' "$out" | grep -qvE '# *SKIP'; then
		echo "not ok - $name exited with status $rc" >> "$out"
	fi
	if ! grep -qE '^(not )?ok ' "$out"; then
		echo "not ok - $name printed no test results" >> "$out"
	fi
	check_plan "$name" "$out"
	count "$name" "$out" "$(cat "$RES/$idx.secs")"
	if grep -E '^not ok ' "$out" | grep -qvE '# *SKIP'; then
		sed 's/^/    | /' "$out" | grep -vE '^    \| ok ' | head -60
	fi
	[ -n "${VERBOSE:-}" ] && sed 's/^/    | /' "$out"
	rm -f "$out"
}

# An ASan build: the options given are kept, each test's log_path added (run_test).
SAN_BUILD=
if grep -q __asan_init "$B/apfsinspect" 2> /dev/null; then
	SAN_BUILD=1 SAN_ASAN=${ASAN_OPTIONS:-} SAN_UBSAN=${UBSAN_OPTIONS:-}
fi

# The list: unit binaries, then the shell tests, filtered by the argument.
only=${1:-}
names=() cmds=()
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	[ -n "$only" ] && [[ "$t" != *"$only"* && "unit/$(basename "$t")" != *"$only"* ]] &&
		continue
	names+=("unit/$(basename "$t")") cmds+=("$t")
done
for t in tests/cli/*.sh tests/fuse/*.sh tests/fuzz/*.sh; do
	[ -e "$t" ] || continue
	[ -n "$only" ] && [[ "$t" != *"$only"* ]] && continue
	names+=("${t#tests/}") cmds+=("bash $t")
done

# A filter that selects nothing is a mistake (a mutant "survives" a run of no test).
if [ ${#names[@]} -eq 0 ]; then
	echo "run.sh: no test matches '$only'" >&2
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

# JOBS tests at a time (default: one per core).  A script whose head says
# "run.sh: alone" (it changes something system-wide, such as the kernel's
# core_pattern) runs with no other test beside it.
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
alone() { [[ ${cmds[$1]} == bash* ]] && head -20 "${cmds[$1]#bash }" | grep -q 'run.sh: alone'; }
running=0 next_report=0
reap() { # report what has finished, in list order
	while [ "$next_report" -lt "${#names[@]}" ] && [ -e "$RES/$next_report.rc" ]; do
		report "$next_report"
		next_report=$((next_report + 1))
	done
}
drain() { # wait until at most $1 tests run
	while [ "$running" -gt "$1" ]; do
		wait -n
		running=$((running - 1))
		reap
	done
}
# Scripts whose head says "run.sh: long" start first: the others fill the
# cores beside them, and none is left running alone at the end.  Results are
# still reported in list order.
long() { [[ ${cmds[$1]} == bash* ]] && head -5 "${cmds[$1]#bash }" | grep -q 'run.sh: long'; }
order=()
for i in "${!names[@]}"; do long "$i" && order+=("$i"); done
for i in "${!names[@]}"; do long "$i" || order+=("$i"); done
for i in "${order[@]}"; do
	if alone "$i"; then drain 0; fi
	# shellcheck disable=SC2086  # a unit binary or "bash SCRIPT"
	run_test "$i" "${names[$i]}" ${cmds[$i]} &
	running=$((running + 1))
	if alone "$i"; then drain 0; else drain $((JOBS - 1)); fi
done
drain 0
wait
reap

[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
