#!/usr/bin/env bash
# bench/walk.sh - metadata walks at scale (issue 14),
# part of `make bench`: `apfsinspect bodyfile` against TSK's `fls -r -m` on
# generated Data volumes of 10k and 100k entries (and 1M with WALK_1M=1:
# the generator then needs ~5 GB of RAM and 3 minutes), by wall time, by
# instructions (callgrind: what counts on a busy machine) and by peak RSS.
# The fixed costs of small commands are bench/fixed.sh's.  Prints Markdown.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect MK=$PWD/$B/mkimage
SHARED=${SHARED:-$(cd .. && pwd)/shared}
RUNS=${RUNS:-7}
W=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-walk.XXXXXX")
trap 'rm -rf "$W"' EXIT
. bench/lib.sh

# peak RSS (KiB) by GNU time, which forks from a small process of its own
rss() { /usr/bin/time -f '%M' -o "$W/rss" "$@" > /dev/null 2>&1; tail -1 "$W/rss"; }
# The Data volume's superblock block, for fls -B.
apsb() {
	"$BIN" list --json "$1" | python3 -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        if o.get("role") == "Data" and o.get("superblock_block"):
            print(o["superblock_block"]); sys.exit(0)
        for v in o.values(): walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(json.load(sys.stdin))'
}

echo "## Metadata walks (issue 14)"
echo
echo "2 cores; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); RUNS=$RUNS medians."
echo "Images: \`mkimage macos-boot --unencrypted --files N\` (two users' documents, N each, one"
echo "directory per user), read once before each series so that they are in the page cache."
echo
echo "| entries | bodyfile ms | \`fls -r -m\` ms | fls / ours (wall) | instructions per entry, ours | fls | fls / ours (instructions) | peak RSS ours / fls |"
echo "|---|---|---|---|---|---|---|---|"
SIZES="5000 50000"
[ -n "${WALK_1M:-}" ] && SIZES="$SIZES 500000"
for f in $SIZES; do
	IMG=$W/scale.img
	"$MK" macos-boot "$IMG" --unencrypted --files "$f" > /dev/null 2>&1 || continue
	A=$(apsb "$IMG")
	n=$("$BIN" bodyfile --volume Data "$IMG" | wc -l)
	cat "$IMG" > /dev/null
	T=$(med "$BIN" bodyfile --volume Data "$IMG")
	F=$(med fls -r -m / -B "$A" "$IMG")
	IO=$(ir "$BIN" bodyfile --volume Data "$IMG")
	IF=$(ir fls -r -m / -B "$A" "$IMG")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s / %s KiB |\n' "$n" "$T" "$F" "$(ratio "$F" "$T")" \
		"$(awk -v i="$IO" -v n="$n" 'BEGIN { printf "%.0f", i / n }')" \
		"$(awk -v i="$IF" -v n="$n" 'BEGIN { printf "%.0f", i / n }')" "$(ratio "$IF" "$IO")" \
		"$(rss "$BIN" bodyfile --volume Data "$IMG")" "$(rss fls -r -m / -B "$A" "$IMG")"
	rm -f "$IMG"
done
echo
