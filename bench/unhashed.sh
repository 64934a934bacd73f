#!/usr/bin/env bash
# bench/unhashed.sh - listing a directory on a volume whose directory
# records carry no name hash (`mkimage unhashed --per-dir N`: /many of N
# files), where a readdir cookie is an entry's ordinal.  A FUSE READDIR
# takes a bufferful and resumes from the last cookie it took; resuming by
# counting made a listing quadratic (apfs/fs_resume.c).  Instructions
# (callgrind) per entry of bench/readdir_pages (128 entries a call, as a
# 4 KiB buffer of such names holds) at 25,000 and 100,000 entries: flat is
# linear.  Then `find` through the mount with -o readdirplus=no (every
# listing by cookie) against libfsapfs's fsapfsmount on the same image.
# Called by bench/run.sh (make bench), or alone.  Timing decides no test.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect MK=$PWD/$B/mkimage PAGES=$PWD/$B/bench/readdir_pages
RUNS=${RUNS:-7}
W=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-unhashed.XXXXXX")
M=$W/mnt
mkdir -p "$M"
cleanup() {
	mountpoint -q "$M" && timeout 10 fusermount3 -u "$M"
	rm -rf "$W"
}
trap cleanup EXIT
. bench/lib.sh

echo "## A directory without name hashes, listed a bufferful at a time (issue 14)"
echo
echo "Load average (1, 5, 15 min) at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| what | value | ratio |"
echo "|---|---|---|"
for n in 25000 100000; do
	"$MK" unhashed "$W/u$n.img" --per-dir "$n" > /dev/null || exit 1
done
if command -v valgrind > /dev/null && [ -x "$PAGES" ]; then
	I25=$(ir "$PAGES" "$W/u25000.img" /many 128)
	I100=$(ir "$PAGES" "$W/u100000.img" /many 128)
	P25=$((I25 / 25000)) P100=$((I100 / 100000))
	row "instructions an entry, /many of 25,000, 128 a call" "$P25" "1.00"
	row "instructions an entry, /many of 100,000, 128 a call" "$P100" \
		"$(ratio "$P100" "$P25") × at 25,000 (flat: linear)"
else
	row "instructions" "skipped: valgrind or $PAGES missing" "-"
fi
if [ ! -c /dev/fuse ] || ! command -v fusermount3 > /dev/null; then
	row "find through the mount" "skipped: /dev/fuse or fusermount3 missing" "-"
	exit 0
fi
A=() F=()
for ((i = 0; i < RUNS; i++)); do
	A+=("$(find_ms "$BIN mount -o readdirplus=no $W/u100000.img $M")")
	command -v fsapfsmount > /dev/null && F+=("$(find_ms "fsapfsmount $W/u100000.img $M")")
done
MA=$(med_of "${A[@]}")
row "\`find\` of 100,002 entries, apfsinspect mount -o readdirplus=no (ms)" "$MA" "1.00"
if [ ${#F[@]} -gt 0 ]; then
	MF=$(med_of "${F[@]}")
	row "\`find\`, same image, libfsapfs \`fsapfsmount\` (ms)" "$MF" \
		"$(ratio "$MF" "$MA") × apfsinspect"
fi
echo
