#!/usr/bin/env bash
# bench/fixed.sh - small fixed costs (issue 14, item 3), part of `make bench`:
# `list` and `listcryptousers` against libfsapfs's `fsapfsinfo` (with the
# OpenSSL 3 shim for encrypted volumes), `unlockvolume --user` with the right
# password against a bare PBKDF2 process (bench/pbkdf2, libcrypto only, same
# iterations), on shared and generated images.  Per pair: CPU time (user +
# system, medians of RUNS interleaved runs: both see the same load), the
# instructions (callgrind: repeatable on a busy machine), minor page faults
# (on these VMs a large part of a short process's CPU) and peak RSS (GNU
# time).  Targets: CPU <= 1.2 x the peer; RSS <= 8 MiB for list and unlock,
# <= 16 MiB for ls -R and bodyfile.  Prints Markdown.  BIN=... measures
# another build (the "before" column of BENCHMARKS.md).
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=${BIN:-$PWD/$B/apfsinspect} MK=$PWD/$B/mkimage
SHARED=${SHARED:-$(cd .. && pwd)/shared}
RUNS=${RUNS:-11}
W=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-fixed.XXXXXX")
trap 'rm -rf "$W"' EXIT
. bench/lib.sh

# peak RSS (KiB) by GNU time
rss() { env "$@" /usr/bin/time -f '%M' -o "$W/rss" "${CMD[@]}" > /dev/null 2>&1; tail -1 "$W/rss"; }

# pair WHAT TARGET [VAR=VAL...] A... -- [VAR=VAL...] B...: one row, A ours, B the peer.
pair() {
	local what=$1 target=$2 side=A ca cb fa fb ia ib ra rb
	local -a EA=() EB=() A=() Bc=() CMD
	shift 2
	for w in "$@"; do
		if [ "$w" = -- ]; then side=B; continue; fi
		if [ "$side" = A ]; then
			if [ ${#A[@]} = 0 ] && [[ $w == [A-Z_]*=* ]]; then EA+=("$w"); else A+=("$w"); fi
		elif [ ${#Bc[@]} = 0 ] && [[ $w == [A-Z_]*=* ]]; then EB+=("$w"); else Bc+=("$w"); fi
	done
	read -r ca cb fa fb < <(python3 bench/cpu_pair.py "$RUNS" "${EA[@]}" "${A[@]}" -- "${EB[@]}" "${Bc[@]}")
	ia=$(env "${EA[@]}" bash -c '. bench/lib.sh; ir "$@"' _ "${A[@]}")
	ib=$(env "${EB[@]}" bash -c '. bench/lib.sh; ir "$@"' _ "${Bc[@]}")
	CMD=("${A[@]}"); ra=$(rss "${EA[@]}")
	CMD=("${Bc[@]}"); rb=$(rss "${EB[@]}")
	printf '| %s | %s / %s | **%s** (%s) | %s / %s | %s | %s / %s | %s / %s KiB |\n' "$what" \
		"$ca" "$cb" "$(ratio "$ca" "$cb")" "$target" \
		"$(awk -v i="$ia" 'BEGIN { printf "%.2f M", i / 1e6 }')" \
		"$(awk -v i="$ib" 'BEGIN { printf "%.2f M", i / 1e6 }')" "$(ratio "$ia" "$ib")" \
		"$fa" "$fb" "$ra" "$rb"
}

echo "## Fixed costs (issue 14)"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg);"
echo "RUNS=$RUNS interleaved runs per pair; \`$(basename "$BIN")\` $("$BIN" --version 2>/dev/null | head -1)."
echo
echo "| what (ours vs peer) | CPU ms, ours / peer | CPU ratio (target) | instructions, ours / peer | ratio | page faults | peak RSS, ours / peer |"
echo "|---|---|---|---|---|---|---|"
SHIM=
if command -v fsapfsinfo > /dev/null && [ -e "$SHARED/tools/fsapfs-openssl3-shim.c" ]; then
	cc -O2 -shared -fPIC -o "$W/shim.so" "$SHARED/tools/fsapfs-openssl3-shim.c" -ldl -lcrypto && SHIM=$W/shim.so
fi
for f in basic.img dfvfs-apfs.raw encrypted.img; do
	[ -e "$SHARED/images/$f.gz" ] && gzip -dc "$SHARED/images/$f.gz" > "$W/$f"
done
"$MK" many-files "$W/many.img" > /dev/null
"$MK" all-users "$W/all-users.img" --iterations 100000 > /dev/null
P=$PWD/$B/bench/pbkdf2
if command -v fsapfsinfo > /dev/null; then
	pair "\`list\`, many-files (generated, 100,170 files) vs \`fsapfsinfo\`" "≤ 1.2" \
		"$BIN" list "$W/many.img" -- fsapfsinfo "$W/many.img"
	# basic.img is a GPT disk: fsapfsinfo needs the container's offset (IMAGES.md: 20480).
	[ -e "$W/basic.img" ] && pair "\`list\`, basic.img (shared, GPT) vs \`fsapfsinfo -o 20480\`" "≤ 1.2" \
		"$BIN" list "$W/basic.img" -- fsapfsinfo -o 20480 "$W/basic.img"
	[ -e "$W/dfvfs-apfs.raw" ] && pair "\`list\`, dfvfs-apfs.raw (shared) vs \`fsapfsinfo\`" "≤ 1.2" \
		"$BIN" list "$W/dfvfs-apfs.raw" -- fsapfsinfo "$W/dfvfs-apfs.raw"
fi
if [ -n "$SHIM" ]; then
	[ -e "$W/encrypted.img" ] && pair "\`listcryptousers\`, encrypted.img (shared) vs \`fsapfsinfo\` (shim)" "≤ 1.2" \
		"$BIN" listcryptousers "$W/encrypted.img" -- LD_PRELOAD="$SHIM" fsapfsinfo "$W/encrypted.img"
	pair "\`listcryptousers\`, all-users (generated, 8 users) vs \`fsapfsinfo\` (shim)" "≤ 1.2" \
		"$BIN" listcryptousers "$W/all-users.img" -- LD_PRELOAD="$SHIM" fsapfsinfo "$W/all-users.img"
fi
[ -e "$W/encrypted.img" ] && pair "\`unlockvolume --user\`, encrypted.img (shared, 100,000 iterations) vs \`bench/pbkdf2 100000 1\`" "≤ 1.2" \
	"$BIN" unlockvolume --user 1BEC6FD3-1871-4697-BF1F-20C2620146D8 --passphrase hunter2hunter2 "$W/encrypted.img" -- "$P" 100000 1
pair "\`unlockvolume --user\`, all-users Data (generated, 100,000 iterations) vs \`bench/pbkdf2 100000 1\`" "≤ 1.2" \
	"$BIN" unlockvolume --volume Data --user 5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D --passphrase alice-password "$W/all-users.img" -- "$P" 100000 1
echo
CMD=("$BIN" ls -R "$W/many.img" /); L=$(rss)
CMD=("$BIN" bodyfile "$W/many.img"); T=$(rss)
echo "Peak RSS of the walks over many-files (100,170 entries; target ≤ 16,384 KiB): \`ls -R\` $L KiB, \`bodyfile\` $T KiB."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
