#!/usr/bin/env bash
# fs_rss.sh - memory that does not grow with the tree: peak resident memory
# (the kernel's ru_maxrss of the finished process) of the walks over a
# generated 100,170-entry tree (many-files) stays within 16 MB, and of
# `list` within 8 MB (issue 14: the block cache and read buffers sized to
# the job).  Each walk's output is checked complete against TSK's count, so
# a walk that stopped early cannot pass on small memory.  Memory only:
# timing never decides a test (bench/walk.sh measures speed).
. "$(dirname "$0")/../lib.sh"

# GNU time: it forks from a process of its own (a few hundred KiB), where
# a child of python or bash starts with their pages counted in its peak.
if [ ! -x /usr/bin/time ]; then
	skip "peak RSS" "GNU time (/usr/bin/time) not installed"; done_testing; exit 0
fi
# peak_kb CMD...: run CMD (stdout to $WORK/rss.out), print its peak RSS in KiB.
peak_kb() {
	/usr/bin/time -f '%M' -o "$WORK/rss.kb" "$@" > "$WORK/rss.out" 2> /dev/null ||
		{ echo "status $?"; return; }
	tail -1 "$WORK/rss.kb"
}
M=$WORK/many.img
expect_rc "mkimage many-files" 0 "$MKIMAGE" many-files "$M"
# 100 dirs x 1000 files, /case + 3 files, /deep + 64 dirs + leaf.txt (README;
# TSK's fls -r counts the same 100,170 in mkimage_scale.sh).
N=100170
lines() { wc -l < "$WORK/rss.out" | tr -d ' '; }
# Under AddressSanitizer (the CI's second pass) the shadow memory and the
# allocator's quarantine are most of the resident memory: the limits speak of
# the real build, so there the walks are checked complete and the peaks skipped.
ASAN=
grep -q __asan_init "$BIN" && ASAN="an AddressSanitizer build (shadow memory and quarantine)"
under() { # DESC LIMIT_KB KB
	if [ -n "$ASAN" ]; then
		skip "$1" "$ASAN"
	elif [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -le "$2" ]; then ok "$1: $3 KiB <= $2"; else
		notok "$1: $3 KiB, limit $2"; fi
}

kb=$(peak_kb "$BIN" bodyfile "$M")
expect_eq "bodyfile lists every entry" $N "$(lines)"
under "bodyfile of 100,170 entries, peak RSS" 16384 "$kb"
kb=$(peak_kb "$BIN" ls -R -l "$M" /)
expect_eq "ls -R -l lists every entry" $N "$(grep -c '^[-dl][-rwx]\{9\} ' "$WORK/rss.out")"
under "ls -R -l of 100,170 entries, peak RSS" 16384 "$kb"
kb=$(peak_kb "$BIN" ls -R "$M" /)
under "ls -R of 100,170 entries, peak RSS" 16384 "$kb"
kb=$(peak_kb "$BIN" list "$M")
expect_grep "list names the volume" 'Name: *Many' "$(cat "$WORK/rss.out")"
under "list, peak RSS" 8192 "$kb"
done_testing
