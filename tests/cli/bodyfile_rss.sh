#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# bodyfile_rss.sh - bodyfile's (and timeline's) peak resident memory (the kernel's ru_maxrss of
# the finished process, from GNU time) stays within 16 MB on the trees that
# cost it most (issue 14, item 3: "of ls -R/bodyfile <= 16 MB at any tree
# size"): one directory of 249,999 files, whose window of names in inode
# order is the largest a walk holds (cli/dirwin.h: up to 6 MiB, lent from the
# block cache, apfs/cache.h); the same of 99,999 files on an encrypted volume
# (the unlock's libraries and keys resident beside it); and chains of
# directories 100 deep, encrypted, where a window is held at every level.
# Before the window's memory was lent from the cache these took 19.4, 17.7
# and 18.4 MB.  Every walk's output is checked complete against the
# generator's documented counts (testdata/README.md `scale`: D directories
# and N - D files), so a walk that stops early cannot pass on little memory.
# Memory only: timing never decides a test (bench/scale.sh measures speed).
. "$(dirname "$0")/../lib.sh"

if [ ! -x /usr/bin/time ]; then
	skip "peak RSS" "GNU time (/usr/bin/time) not installed"; done_testing; exit 0
fi
# Under AddressSanitizer the shadow memory and the quarantine are most of the
# resident memory: the walks are still checked complete, the peaks skipped.
ASAN=
grep -q __asan_init "$BIN" && ASAN="an AddressSanitizer build (shadow memory and quarantine)"
PW=scale-password

# peak_kb CMD...: run CMD (stdout to $WORK/rss.out), print its peak RSS in KiB.
peak_kb() {
	/usr/bin/time -f '%M' -o "$WORK/rss.kb" "$@" > "$WORK/rss.out" 2> /dev/null ||
		{ echo "status $?"; return; }
	tail -1 "$WORK/rss.kb"
}
under() { # DESC LIMIT_KB KB
	if [ -n "$ASAN" ]; then
		skip "$1" "$ASAN"
	elif [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -le "$2" ]; then ok "$1: $3 KiB <= $2"; else
		notok "$1: $3 KiB, limit $2"; fi
}
# complete DESC N DIRS: the body file has N lines, N - DIRS of them the
# generator's files (fGGGGGGGG.txt) and DIRS its directories (dDDDDD).
complete() {
	expect_eq "$1: every entry" "$2" "$(wc -l < "$WORK/rss.out" | tr -d ' ')"
	expect_eq "$1: the files" $(($2 - $3)) \
		"$(grep -c '^[0-9]*|/[^|]*/f[0-9]\{8\}\.txt|' "$WORK/rss.out")"
	expect_eq "$1: the directories" "$3" "$(grep -c '^[0-9]*|[^|]*/d[0-9]\{5\}|' "$WORK/rss.out")"
}

# One directory of N - 1 files (--per-dir N - 1: D = 1).
IMG=$WORK/one.img
expect_rc "mkimage scale: one directory of 249,999 files" 0 \
	"$MKIMAGE" scale "$IMG" --entries 250000 --per-dir 249999 --unencrypted
kb=$(peak_kb "$BIN" bodyfile "$IMG")
complete "bodyfile, one directory of 249,999 files" 250000 1
under "bodyfile, one directory of 249,999 files, peak RSS" 16384 "$kb"
# timeline walks as bodyfile does (it held each directory's names whole: 26.7 MB here)
kb=$(peak_kb "$BIN" timeline "$IMG")
expect_eq "timeline, one directory of 249,999 files: a header and every entry" 250001 \
	"$(wc -l < "$WORK/rss.out" | tr -d ' ')"
expect_eq "timeline, one directory of 249,999 files: the files" 249999 \
	"$(grep -c '^"/d00000/f[0-9]\{8\}\.txt",' "$WORK/rss.out")"
under "timeline, one directory of 249,999 files, peak RSS" 16384 "$kb"
# extract (its facts file keeps the dates added): its peak here, to compare below
kb_x250=$(peak_kb "$BIN" extract --tar - --manifest "$WORK/m.txt" "$IMG" /)
expect_eq "extract, one directory of 249,999 files: every file in its facts file" 249999 \
	"$(grep -c '/d00000/f[0-9]\{8\}\.txt' "$WORK/m.txt.facts")"
rm -f "$IMG" "$WORK/m.txt" "$WORK/m.txt.facts"

# 599,999 files: their dates added (16 bytes an entry, 9.6 MB; 21.5 MB of peak
# RSS when held whole) go past the library's 4 MiB for them into three sorted
# runs of an unlinked temporary file (lib/dir_added_runs.c), which leaves no
# name behind in TMPDIR.
IMG=$WORK/big.img
mkdir -p "$WORK/tmp"
expect_rc "mkimage scale: one directory of 599,999 files" 0 \
	"$MKIMAGE" scale "$IMG" --entries 600000 --per-dir 599999 --unencrypted --shuffle
kb=$(TMPDIR=$WORK/tmp peak_kb "$BIN" timeline "$IMG")
expect_eq "timeline, one directory of 599,999 files: a header and every entry" 600001 \
	"$(wc -l < "$WORK/rss.out" | tr -d ' ')"
expect_eq "timeline, one directory of 599,999 files: the files" 599999 \
	"$(grep -c '^"/d00000/f[0-9]\{8\}\.txt",' "$WORK/rss.out")"
expect_eq "timeline, one directory of 599,999 files: each file once" 599999 \
	"$(grep -o '^"/d00000/f[0-9]\{8\}\.txt",' "$WORK/rss.out" | sort -u | wc -l | tr -d ' ')"
under "timeline, one directory of 599,999 files, peak RSS" 16384 "$kb"
expect_eq "timeline, one directory of 599,999 files: nothing left in TMPDIR" "" \
	"$(ls -A "$WORK/tmp")"
# extract's memory does not grow with the directory (it grew by 10.6 MB from
# 249,999 to 599,999 files when the dates were held whole)
kb=$(TMPDIR=$WORK/tmp peak_kb "$BIN" extract --tar - --manifest "$WORK/m.txt" "$IMG" /)
expect_eq "extract, one directory of 599,999 files: every file in its facts file" 599999 \
	"$(grep -c '/d00000/f[0-9]\{8\}\.txt' "$WORK/m.txt.facts")"
if [[ "$kb_x250" =~ ^[0-9]+$ ]]; then
	under "extract, 599,999 files against 249,999, peak RSS" $((kb_x250 + 1024)) "$kb"
else
	notok "extract, one directory of 249,999 files: $kb_x250"
fi
rm -f "$IMG" "$WORK/m.txt" "$WORK/m.txt.facts"

IMG=$WORK/one-enc.img
expect_rc "mkimage scale: one directory of 99,999 files, encrypted" 0 \
	"$MKIMAGE" scale "$IMG" --entries 100000 --per-dir 99999
kb=$(peak_kb "$BIN" bodyfile --passphrase "$PW" "$IMG")
complete "bodyfile, one encrypted directory of 99,999 files" 100000 1
under "bodyfile, one encrypted directory of 99,999 files, peak RSS" 16384 "$kb"
rm -f "$IMG"

# 200,000 entries 100 deep: D = 200 directories of 999 files each, in two
# chains of 100 (/d00000/d00001/.../d00099 and /d00100/.../d00199).
IMG=$WORK/deep-enc.img
expect_rc "mkimage scale: chains 100 deep, encrypted" 0 \
	"$MKIMAGE" scale "$IMG" --entries 200000 --depth 100
kb=$(peak_kb "$BIN" bodyfile --passphrase "$PW" "$IMG")
complete "bodyfile, encrypted chains 100 deep" 200000 200
under "bodyfile, encrypted chains 100 deep, peak RSS" 16384 "$kb"
expect_eq "bodyfile, the files 100 directories deep (the chains' last)" 1998 \
	"$(grep -c '|/d00[01]00/\(d[0-9]\{5\}/\)\{99\}f[0-9]\{8\}\.txt|' "$WORK/rss.out")"
rm -f "$IMG"
done_testing
