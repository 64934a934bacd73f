#!/usr/bin/env bash
# bench/walk.sh - metadata walks at scale and small fixed costs (issue 14),
# part of `make bench`: `apfsinspect bodyfile` against TSK's `fls -r -m` on
# generated Data volumes of 10k and 100k entries (and 1M with WALK_1M=1:
# the generator then needs ~5 GB of RAM and 3 minutes), by wall time, by
# instructions (callgrind: what counts on a busy machine) and by peak RSS;
# `list`, `listcryptousers` and `unlockvolume --user` against
# `fsapfsinfo` and a bare PBKDF2 process by CPU time.  Prints Markdown.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect MK=$PWD/$B/mkimage
SHARED=${SHARED:-$(cd .. && pwd)/shared}
RUNS=${RUNS:-7}
W=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-walk.XXXXXX")
trap 'rm -rf "$W"' EXIT
. bench/lib.sh

# CPU time (user + system, ms) of one run, from the kernel's rusage of the child.
cpu1() {
	python3 - "$@" <<'EOF'
import os, sys
null = os.open(os.devnull, os.O_WRONLY)
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ,
                      file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
_, _, ru = os.wait4(pid, 0)
print("%.1f" % ((ru.ru_utime + ru.ru_stime) * 1000))
EOF
}
cpu() {
	local i
	for ((i = 0; i < RUNS; i++)); do cpu1 "$@"; done | sort -n |
		awk -v n="$RUNS" 'NR == int(n / 2) + 1'
}
row4() { printf '| %s | %s | %s | %s |\n' "$@"; }
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

echo "## Fixed costs (issue 14)"
echo
echo "| what | CPU ms (user + system), median | ratio | peak RSS |"
echo "|---|---|---|---|"
SHIM=
if command -v fsapfsinfo > /dev/null && [ -e "$SHARED/tools/fsapfs-openssl3-shim.c" ]; then
	cc -O2 -shared -fPIC -o "$W/shim.so" "$SHARED/tools/fsapfs-openssl3-shim.c" -ldl -lcrypto && SHIM=$W/shim.so
fi
"$MK" many-files "$W/many.img" > /dev/null
F=$(cpu fsapfsinfo "$W/many.img")
T=$(cpu "$BIN" list "$W/many.img")
row4 "\`list\`, many-files (plain) vs \`fsapfsinfo\` ($F ms)" "$T" "$(ratio "$T" "$F") × fsapfsinfo; target ≤ 1.2" \
	"$(rss "$BIN" list "$W/many.img") KiB (target ≤ 8192); fsapfsinfo $(rss fsapfsinfo "$W/many.img") KiB"
if [ -e "$SHARED/images/encrypted.img.gz" ] && [ -n "$SHIM" ]; then
	gzip -dc "$SHARED/images/encrypted.img.gz" > "$W/enc.img"
	U=1BEC6FD3-1871-4697-BF1F-20C2620146D8
	F=$(LD_PRELOAD=$SHIM cpu fsapfsinfo "$W/enc.img")
	T=$(cpu "$BIN" listcryptousers "$W/enc.img")
	row4 "\`listcryptousers\`, encrypted.img vs \`fsapfsinfo\` (shim, $F ms)" "$T" "$(ratio "$T" "$F") × fsapfsinfo; target ≤ 1.2" \
		"$(rss "$BIN" listcryptousers "$W/enc.img") KiB"
	P=$(cpu "$B/bench/pbkdf2" 100000 1)
	T=$(cpu "$BIN" unlockvolume --user $U --passphrase hunter2hunter2 "$W/enc.img")
	row4 "\`unlockvolume --user\`, encrypted.img vs \`bench/pbkdf2 100000 1\` ($P ms)" "$T" "$(ratio "$T" "$P") × PBKDF2 process; target ≤ 1.2" \
		"$(rss "$BIN" unlockvolume --user $U --passphrase hunter2hunter2 "$W/enc.img") KiB (target ≤ 8192); PBKDF2 process $(rss "$B/bench/pbkdf2" 100000 1) KiB"
fi
T=$(rss "$BIN" ls -R "$W/many.img" /)
row4 "\`ls -R\` / \`bodyfile\`, many-files (100,170 entries)" "-" "-" "$T / $(rss "$BIN" bodyfile "$W/many.img") KiB (target ≤ 16384)"
echo
