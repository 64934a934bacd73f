#!/usr/bin/env bash
# bench/scale.sh - metadata walks at the scale of a real Mac (issue 14):
# generator scenario `scale` (testdata/scen_stream.c) at 10k, 100k, 1M
# and 10M entries; `apfsinspect bodyfile`, `ls -R` and `timeline` beside TSK
# `fls -r -m`, libfsapfs `fsapfsinfo -H` and `find` through
# `apfsinspect mount` and libfsapfs `fsapfsmount`, each with a timeout.
# Called by bench/run.sh (make bench), or alone.  Prints a Markdown
# section; timing never decides a test.
#
# Per size and tool: wall time (median of RUNS runs up to SCALE_RUNS_MAX
# entries, one run above), peak RSS (GNU time, else bench/rusage.py; for a mount the
# daemon's VmHWM), the lines it printed, and instructions per entry
# (callgrind, up to SCALE_IR_MAX entries: callgrind runs ~50 x slower).
#
#   SCALE_SIZES="10000 100000 1000000 10000000"  entries to generate
#   SCALE_DIR=/tmp      where images go (10M: 2.2 GB each, deleted after each size)
#   SCALE_TIMEOUT=900   seconds a command may take before it counts as not finishing
#   SCALE_IR_MAX=100000 largest size counted with callgrind
#   SCALE_IR_PEERS_MAX=$SCALE_IR_MAX  the same for the peers (fls, fsapfsinfo), which
#                       cost more instructions per entry than ours
#   SCALE_RUNS_MAX=100000 largest size timed RUNS times (above: once)
#   SCALE_IR_LIBFSAPFS_MAX=$SCALE_IR_PEERS_MAX  the same for fsapfsinfo alone (~50 min
#                       under callgrind at 100k on a loaded machine)
#   SCALE_FSAPFSINFO_MAX=$SCALE_LIBFSAPFS_MAX  the same for fsapfsinfo alone (it did
#                       not finish 1M in 900 s, where fsapfsmount's find took 97 s)
#   SCALE_LIBFSAPFS_MAX=  largest size given to fsapfsinfo and fsapfsmount (default: all;
#                       at 10M they did not finish in 180 s)
#   SCALE_PER_DIR=      files per directory (mkimage --per-dir; default 999):
#                       SCALE_PER_DIR=99999999 puts every file in one directory
#   SCALE_SHUFFLE=1     names unrelated to inode order (mkimage --shuffle), as on a real
#                       volume: what a walk in name order (ls -l) pays for
#   SCALE_EXTRACT_MAX=1000000  largest size given to extract (into SCALE_DIR)
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect MK=$PWD/$B/mkimage
SHARED=${SHARED:-$(cd .. && pwd)/shared}
RUNS=${RUNS:-5}
SIZES=${SCALE_SIZES:-10000 100000 1000000 10000000}
TMO=${SCALE_TIMEOUT:-900}
IR_MAX=${SCALE_IR_MAX:-100000}
RUNS_MAX=${SCALE_RUNS_MAX:-100000}
IR_PEERS_MAX=${SCALE_IR_PEERS_MAX:-$IR_MAX}
LIBFSAPFS_MAX=${SCALE_LIBFSAPFS_MAX:-100000000}
IR_LIBFSAPFS_MAX=${SCALE_IR_LIBFSAPFS_MAX:-$IR_PEERS_MAX}
FSAPFSINFO_MAX=${SCALE_FSAPFSINFO_MAX:-$LIBFSAPFS_MAX}
PER_DIR="${SCALE_PER_DIR:+--per-dir $SCALE_PER_DIR}${SCALE_SHUFFLE:+ --shuffle}"
EXTRACT_MAX=${SCALE_EXTRACT_MAX:-1000000}
PW=scale-password
W=$(mktemp -d "${SCALE_DIR:-${TMPDIR:-/tmp}}/apfsinspect-scale.XXXXXX")
M=$W/mnt
mkdir -p "$M"
cleanup() {
	mountpoint -q "$M" && timeout 20 fusermount3 -uz "$M"
	rm -rf "$W"
}
trap cleanup EXIT
. bench/lib.sh

SHIM=
if command -v fsapfsinfo > /dev/null && [ -e "$SHARED/tools/fsapfs-openssl3-shim.c" ]; then
	cc -O2 -shared -fPIC -o "$W/shim.so" "$SHARED/tools/fsapfs-openssl3-shim.c" -ldl -lcrypto &&
		SHIM=$W/shim.so
fi
FUSE=
[ -c /dev/fuse ] && command -v fusermount3 > /dev/null && FUSE=1

# One timed run: "MS KB LINES CPU_MS", or "timeout" when it did not finish in TMO seconds.
# GNU time is preferred: a process's peak RSS counts the image it was forked
# from (exec keeps the high-water mark), ~2 MB for time, ~10 MB for Python.
once() {
	local r t rc c
	if [ -x /usr/bin/time ]; then
		read -r t c rc < <(python3 bench/cputime.py "$W/out" \
			/usr/bin/time -f %M -o "$W/rss" timeout "$TMO" "$@")
		r="$t $(tail -1 "$W/rss")"
		[ "$rc" = 124 ] && r=timeout
	else
		r=$(python3 bench/rusage.py "$TMO" "$W/out" "$@")
		c=-
	fi
	[ "$r" = timeout ] && { echo timeout; return; }
	echo "$r $(wc -l < "$W/out") $c"
}
# Medians of n runs of once (wall and CPU; RSS and lines of the last): "MS KB LINES CPU_MS"
# or "timeout".
timed() { # N CMD...
	local n=$1 i r ms=() cpu=() kb lines
	shift
	for ((i = 0; i < n; i++)); do
		r=$(once "$@")
		[ "$r" = timeout ] && { echo timeout; return; }
		read -r m kb lines c <<< "$r"
		ms+=("$m")
		cpu+=("$c")
	done
	echo "$(med "$n" "${ms[@]}") $kb $lines $(med "$n" "${cpu[@]}")"
}
med() { # N VALUES...: the median
	local n=$1
	shift
	printf '%s\n' "$@" | sort -n | awk -v n="$n" 'NR == int((n + 1) / 2)'
}
# The pid of the FUSE daemon serving $M (its command line names the mount point).
daemon_pid() {
	local p
	for p in /proc/[0-9]*; do
		[ "$p" = /proc/$$ ] && continue
		{ tr '\0' '\n' < "$p/cmdline"; } 2> /dev/null | grep -qxF "$M" && { echo "${p#/proc/}"; return; }
	done
}
# The CPU time (user + system, ms) a process has used, from /proc.
proc_cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$1/stat" 2> /dev/null
}
# `find $FIND_ARGS` through a fresh mount made by CMD...: "MS KB LINES CPU_MS" (the
# daemon's peak RSS and CPU during the walk) or "timeout"/"failed".
find_once() {
	local t0 t1 rc pid kb c0 c1
	"$@" > /dev/null 2>&1 || { echo failed; return; }
	sleep 0.3
	pid=$(daemon_pid)
	c0=$(proc_cpu_ms "${pid:-0}")
	t0=$(date +%s%N)
	# shellcheck disable=SC2086 # FIND_ARGS: words
	timeout "$TMO" find "$M" ${FIND_ARGS:-} > "$W/out" 2> /dev/null
	rc=$?
	t1=$(date +%s%N)
	c1=$(proc_cpu_ms "${pid:-0}")
	kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/${pid:-0}/status" 2> /dev/null)
	timeout 60 fusermount3 -u "$M" 2> /dev/null || timeout 20 fusermount3 -uz "$M"
	[ $rc = 124 ] && { echo timeout; return; }
	echo "$(((t1 - t0) / 1000000)) ${kb:--} $(wc -l < "$W/out") $([ -n "$c0" ] && [ -n "$c1" ] && echo $((c1 - c0)) || echo -)"
}
find_timed() { # N CMD...: medians of wall and daemon CPU; RSS and lines of the last
	local n=$1 i r ms=() cpu=() m kb lines c
	shift
	for ((i = 0; i < n; i++)); do
		r=$(find_once "$@")
		case $r in timeout | failed) echo "$r"; return ;; esac
		read -r m kb lines c <<< "$r"
		ms+=("$m")
		cpu+=("$c")
	done
	echo "$(med "$n" "${ms[@]}") $kb $lines $(med "$n" "${cpu[@]}")"
}
# extract IMG / into a fresh directory, RUNS times: as timed (the tree removed between runs).
extract_timed() { # N IMG
	local n=$1 i r ms=() cpu=() m kb lines c
	for ((i = 0; i < n; i++)); do
		rm -rf "$W/x"
		r=$(once "$BIN" extract "$2" / "$W/x")
		[ "$r" = timeout ] && { rm -rf "$W/x"; echo timeout; return; }
		read -r m kb lines c <<< "$r"
		ms+=("$m")
		cpu+=("$c")
	done
	rm -rf "$W/x"
	echo "$(med "$n" "${ms[@]}") $kb $lines $(med "$n" "${cpu[@]}")"
}
# Instructions per entry of CMD... over N entries (callgrind), or "-": ours up to
# IR_MAX entries, the peers' (ir_peer) up to IR_PEERS_MAX.
ir_upto() { # MAX N CMD...
	local max=$1 n=$2 i
	shift 2
	[ "$n" -le "$max" ] && command -v valgrind > /dev/null || { echo -; return; }
	i=$(ir "$@")
	[ -n "$i" ] && awk -v i="$i" -v n="$n" 'BEGIN { printf "%.0f", i / n }' || echo -
}
ir_per() { ir_upto "$IR_MAX" "$@"; }
ir_peer() { ir_upto "$IR_PEERS_MAX" "$@"; }
# A ratio "A / B ×", or "-" when either is not a number.
vs() {
	case "$1/$2" in *[!0-9./]* | /* | */) echo - ;; *) echo "$(ratio "$1" "$2") ×" ;; esac
}
# One table row: N, what, timed result, instructions per entry, TSK's timed result and
# instructions per entry.  Ratios are ours over TSK's (below 1: faster than TSK).
result() { # N WHAT "MS KB LINES CPU_MS" IR FLS FLS_IR
	local ms kb lines cpu fms fkb flines fcpu
	case $3 in
	timeout | failed)
		printf '| %s | %s | %s | - | %s | - | - | - | - | - |\n' "$1" "$2" \
			"$([ "$3" = failed ] && echo failed || echo "> $TMO s (timeout)")" "$4"
		return ;;
	esac
	read -r ms kb lines cpu <<< "$3"
	read -r fms fkb flines fcpu <<< "${5:--}"
	[ "$kb" = - ] || kb=$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')
	printf "| %s | %s | %s ms | %s | %s | %s MB | %s | %s | %s | %s |\n" "$1" "$2" "$ms" \
		"$([ -n "${cpu:-}" ] && [ "$cpu" != - ] && echo "$cpu ms" || echo -)" "$4" "$kb" "$lines" "$(vs "$ms" "$fms")" "$(vs "${cpu:-}" "${fcpu:-}")" \
		"$(vs "$4" "${6:-}")"
}

apsb() { "$BIN" list --json "$1" | sed -n '/"volumes"/,$ s/^ *"superblock_block": \([0-9]*\),*$/\1/p' | head -1; }

size() { # N
	local n=$1 r runs=1 img=$W/scale.img enc=$W/scale-enc.img a fls fir=-
	[ "$n" -le "$RUNS_MAX" ] && runs=$RUNS
	r=$(once "$MK" scale "$img" --entries "$n" $PER_DIR --unencrypted)
	result "$n" "mkimage scale --unencrypted (generator)" "$r" - ""
	r=$(once "$MK" scale "$enc" --entries "$n" $PER_DIR)
	result "$n" "mkimage scale, encrypted (generator)" "$r" - ""
	a=$(apsb "$img")
	fls=-
	if command -v fls > /dev/null; then
		fls=$(timed "$runs" fls -r -m / -B "$a" "$img")
		fir=$(ir_peer "$n" fls -r -m / -B "$a" "$img")
		result "$n" "TSK \`fls -r -m\`" "$fls" "$fir" ""
	fi
	r=$(timed "$runs" "$BIN" bodyfile "$img")
	result "$n" "apfsinspect \`bodyfile\`" "$r" "$(ir_per "$n" "$BIN" bodyfile "$img")" "$fls" "$fir"
	r=$(timed "$runs" "$BIN" bodyfile --passphrase "$PW" "$enc")
	result "$n" "apfsinspect \`bodyfile\`, encrypted" "$r" "$(ir_per "$n" "$BIN" bodyfile --passphrase "$PW" "$enc")" "$fls" "$fir"
	r=$(timed "$runs" "$BIN" ls -R "$img" /)
	result "$n" "apfsinspect \`ls -R\`" "$r" "$(ir_per "$n" "$BIN" ls -R "$img" /)" "$fls" "$fir"
	r=$(timed "$runs" "$BIN" ls -R -l "$img" /)
	result "$n" "apfsinspect \`ls -R -l\`" "$r" "$(ir_per "$n" "$BIN" ls -R -l "$img" /)" "$fls" "$fir"
	r=$(timed "$runs" "$BIN" ls -U -R -l "$img" /)
	result "$n" "apfsinspect \`ls -U -R -l\` (unsorted)" "$r" "$(ir_per "$n" "$BIN" ls -U -R -l "$img" /)" "$fls" "$fir"
	r=$(timed "$runs" "$BIN" timeline "$img")
	result "$n" "apfsinspect \`timeline\` (CSV)" "$r" "$(ir_per "$n" "$BIN" timeline "$img")" "$fls" "$fir"
	if [ "$n" -le "$EXTRACT_MAX" ]; then
		r=$(extract_timed "$runs" "$img")
		result "$n" "apfsinspect \`extract\` (manifest lines)" "$r" "$(rm -rf "$W/x"; ir_per "$n" "$BIN" extract "$img" / "$W/x"; rm -rf "$W/x")" "$fls" "$fir"
	fi
	if command -v fsapfsinfo > /dev/null && [ "$n" -le "$LIBFSAPFS_MAX" ] && [ "$n" -le "$FSAPFSINFO_MAX" ]; then
		r=$(timed "$runs" fsapfsinfo -H "$img")
		result "$n" "libfsapfs \`fsapfsinfo -H\` (hierarchy)" "$r" "$(ir_upto "$IR_LIBFSAPFS_MAX" "$n" fsapfsinfo -H "$img")" "$fls" "$fir"
		[ -n "$SHIM" ] && r=$(timed "$runs" env LD_PRELOAD="$SHIM" fsapfsinfo -H -p "$PW" "$enc") &&
			result "$n" "libfsapfs \`fsapfsinfo -H\`, encrypted (OpenSSL 3 shim)" "$r" - "$fls"
	fi
	if [ -n "$FUSE" ]; then
		r=$(find_timed "$runs" "$BIN" mount "$img" "$M")
		result "$n" "\`find\` through \`apfsinspect mount\` (CPU: the daemon's)" "$r" - "$fls"
		r=$(FIND_ARGS=-ls find_timed "$runs" "$BIN" mount "$img" "$M")
		result "$n" "\`find -ls\` through \`apfsinspect mount\` (CPU: the daemon's)" "$r" - "$fls"
		r=$(find_timed "$runs" "$BIN" mount -o readdirplus=auto "$img" "$M")
		result "$n" "\`find\` through \`apfsinspect mount -o readdirplus=auto\` (CPU: the daemon's)" "$r" - "$fls"
		if command -v fsapfsmount > /dev/null && [ "$n" -le "$LIBFSAPFS_MAX" ]; then
			r=$(find_timed "$runs" fsapfsmount "$img" "$M")
			result "$n" "\`find\` through libfsapfs \`fsapfsmount\` (CPU: the daemon's)" "$r" - "$fls"
			r=$(FIND_ARGS=-ls find_timed "$runs" fsapfsmount "$img" "$M")
			result "$n" "\`find -ls\` through libfsapfs \`fsapfsmount\` (CPU: the daemon's)" "$r" - "$fls"
		fi
	fi
	rm -f "$img" "$enc"
}

echo "## Metadata walks at scale (issue 14)"
echo
L0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "$(nproc) cores; load average (1, 5, 15 min) $L0 at the start."
echo "Images: \`mkimage scale --entries N${PER_DIR:+ ${PER_DIR# }}\` (plain, and encrypted with one user); the"
echo "generator's rows give its wall time and peak RSS.  Wall time is the median of $RUNS runs"
echo "up to $RUNS_MAX entries and one run above, CPU (user + system) likewise; instructions"
echo "per entry are callgrind's, up to $IR_MAX entries for ours, $IR_PEERS_MAX for fls and"
echo "$IR_LIBFSAPFS_MAX for fsapfsinfo;"
echo "RSS is GNU time's peak (%M), for a mount the daemon's VmHWM."
echo "\"vs fls\" is ours over TSK \`fls -r -m\`'s (below 1: faster than TSK)."
echo "Each command has $TMO s."
echo
echo "| entries | what | wall | CPU | instr./entry | peak RSS | lines out | vs fls (wall) | vs fls (CPU) | vs fls (instr.) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
	size "$n"
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
