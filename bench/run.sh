#!/usr/bin/env bash
# bench/run.sh - `make bench`: apfsinspect against its peers, on the same
# machine in one run.  Prints a Markdown table of medians and ratios (paste
# into BENCHMARKS.md).  Timing never decides a test: this is not in the suite.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect MK=$PWD/$B/mkimage
SHARED=${SHARED:-$(cd .. && pwd)/shared}
RUNS=${RUNS:-7}
W=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

. bench/lib.sh

echo "# apfsinspect benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), RUNS=$RUNS medians)"
echo
# Every section says the load average it met: on a shared machine wall times
# move with it, instruction counts and CPU times much less.
load() { echo "Load average (1, 5, 15 min) $1: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M) UTC."; echo; }
load "at the start of the run"
if [ -e "$SHARED/images/encrypted.img.gz" ]; then
	gzip -dc "$SHARED/images/encrypted.img.gz" > "$W/encrypted.img"
fi
"$MK" all-users "$W/all-users.img" --iterations 100000 > /dev/null
SHIM=
if command -v fsapfsinfo > /dev/null && [ -e "$SHARED/tools/fsapfs-openssl3-shim.c" ]; then
	cc -O2 -shared -fPIC -o "$W/shim.so" "$SHARED/tools/fsapfs-openssl3-shim.c" -ldl -lcrypto && SHIM=$W/shim.so
fi

echo "## Unlock (issue 3)"
echo
load "at the start of this section"
# The baseline is a whole process doing one derivation, as an unlock is:
# both pay process start and libcrypto's load; the in-process time is shown too.
P=$(med "$B/bench/pbkdf2" 100000 1)
PI=$("$B/bench/pbkdf2" 100000 "$RUNS")
echo "Baseline: a process running one OpenSSL PBKDF2-HMAC-SHA256 at 100,000 iterations"
echo "(\`$B/bench/pbkdf2 100000 1\`) = **$P ms**; the derivation alone, in-process: $PI ms."
echo
echo "| what | median ms | ratio |"
echo "|---|---|---|"
if [ -e "$W/encrypted.img" ]; then
	T=$(med "$BIN" unlockvolume --user 1BEC6FD3-1871-4697-BF1F-20C2620146D8 --passphrase hunter2hunter2 "$W/encrypted.img")
	row "right password with --user, encrypted.img (whole process)" "$T" "$(ratio "$T" "$(awk -v p="$P" 'BEGIN{print p+5}')") × (PBKDF2 + 5 ms); target ≤ 1.10"
	if [ -n "$SHIM" ]; then
		F=$(LD_PRELOAD=$SHIM med fsapfsinfo -p hunter2hunter2 "$W/encrypted.img")
		row "libfsapfs \`fsapfsinfo -p\`, encrypted.img" "$F" "$(ratio "$F" "$T") × apfsinspect"
	fi
fi
if command -v valgrind > /dev/null && [ -e "$W/encrypted.img" ]; then
	IP=$(ir "$B/bench/pbkdf2" 100000 1)
	IU=$(ir "$BIN" unlockvolume --user 1BEC6FD3-1871-4697-BF1F-20C2620146D8 --passphrase hunter2hunter2 "$W/encrypted.img")
	row "instructions (callgrind): unlock --user vs the PBKDF2 process" "$IU vs $IP" "$(ratio "$IU" "$IP") ×"
fi
T=$(med "$BIN" unlockvolume --volume Data --user 5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D --passphrase alice-password "$W/all-users.img")
row "right password with --user, all-users Data (8 users, 100k iterations)" "$T" "$(ratio "$T" "$(awk -v p="$P" 'BEGIN{print p+5}')") × (PBKDF2 + 5 ms)"
T=$(med "$BIN" unlockvolume --volume Data --passphrase wrong "$W/all-users.img")
# testdata/README.md: all eight users of all-users Data have PBKDF2 parameters,
# so a password is tried on each.  Alone, each try is a derivation: ⌈8/cores⌉
# rounds.  Seven of them (not the Personal Recovery User) share one PBKDF2
# call, a salt a SIMD lane (lib/unlock_groups.c): 1.3 derivations' time with
# AVX-512 (bench/pbkdf2_lanes), the recovery user on another core.
N=8 C=$(nproc)
row "wrong password, all-users Data ($N offline users, $C cores)" "$T" "$(ratio "$T" "$P") × PBKDF2; one at a time ⌈$N/$C⌉ = $(((N + C - 1) / C)); in SIMD lanes ≈ 1.3"
T=$(med "$BIN" unlockvolume --volume Data --passphrase bootstrap-secret "$W/all-users.img")
row "right password of the 4th user, no --user" "$T" "$(ratio "$T" "$P") × PBKDF2"
if [ -n "$SHIM" ]; then
	F=$(LD_PRELOAD=$SHIM med fsapfsinfo -p alice-password "$W/all-users.img")
	A=$(med "$BIN" unlockvolume --passphrase alice-password "$W/all-users.img")
	row "libfsapfs \`fsapfsinfo -p alice-password\`, all-users" "$F" "$(ratio "$F" "$A") × apfsinspect without --user ($A ms)"
fi
echo

# Dictionary speed (issue 14): bench/crack.sh prints its own section.
B=$B bash bench/crack.sh

# Mount (issue 6): throughput against libfuse's null example, find against
# fsapfsmount; bench/fuse.sh prints its own section.
B=$B RUNS=$RUNS bash bench/fuse.sh

# Metadata walks at scale (issue 14): bench/walk.sh; fixed costs: bench/fixed.sh.
B=$B RUNS=$RUNS bash bench/walk.sh
B=$B RUNS=$RUNS bash bench/fixed.sh
B=$B RUNS=$RUNS bash bench/unhashed.sh

# Evidence containers (issue 11): bench/containers.sh prints its own section.
B=$B RUNS=$RUNS bash bench/containers.sh

# The Python module against the CLI (issue 15): bench/python.sh.
B=$B RUNS=$RUNS bash bench/python.sh

echo "## Reading files (issue 5)"
echo
load "at the start of this section"
echo "| what | median | ratio |"
echo "|---|---|---|"
# Two sizes of /big.bin: BIG_MB (default 1 GiB, "a large file") and 256 MiB.
# Each whole process counts (start, unlock, the read); the difference of the
# two is the rate once running, what `openssl speed` measures.
BIG_MB=${BIG_MB:-1024}
CRED=(--volume Secret --passphrase bench-password)
if "$MK" bench "$W/bench.img" --big-size $((BIG_MB << 20)) > /dev/null 2>&1 &&
	"$MK" bench "$W/small.img" > /dev/null 2>&1; then
	SIZE=$((BIG_MB << 20)) SMALL=$((256 << 20))
	X=$(openssl speed -evp aes-128-xts -seconds 2 -bytes 16384 2> /dev/null |
		awk '/^AES-128-XTS/ { sub("k", "", $2); printf "%.0f", $2 * 1000 / 1e6 }')
	# In the page cache: "from a cached image".  Read again before each
	# series: this VM's page cache loses pages now and then.
	warm() { cat "$W/bench.img" "$W/small.img" > /dev/null; }
	warm
	T=$(med "$BIN" cat --volume Plain "$W/bench.img" /big.bin)
	row "\`cat\` $BIG_MB MiB, plain volume, cached image" "$T ms = $(mbps $SIZE "$T") MB/s" "target ≥ 1000 MB/s"
	# The engine this CPU gets, then the slower ones it has of VAES 256 and AES-NI.
	ENGS=$("$B/bench/xts_speed" 1 2> /dev/null | awk '{ print $2 }')
	case $ENGS in
	vaes-avx512) ENGS="$ENGS vaes-avx2 aes-ni" ;;
	vaes-avx2) ENGS="$ENGS aes-ni" ;;
	esac
	for e in $ENGS; do
		warm
		T=$(APFSINSPECT_XTS_ENGINE=$e med "$BIN" cat "${CRED[@]}" "$W/bench.img" /big.bin)
		S=$(APFSINSPECT_XTS_ENGINE=$e med "$BIN" cat "${CRED[@]}" "$W/small.img" /big.bin)
		E=$(mbps $SIZE "$T") ES=$(mbps $SMALL "$S")
		D=$(awk -v a="$T" -v b="$S" 'BEGIN { printf "%.1f", a - b }')
		M=$(mbps $((SIZE - SMALL)) "$D")
		row "\`cat\` $BIG_MB MiB, encrypted volume, $e engine" "$T ms = $E MB/s" "$(ratio "$E" "$X") × \`openssl speed -evp aes-128-xts\` one core ($X MB/s); target ≥ 0.70"
		row "\`cat\` 256 MiB, encrypted volume, $e engine" "$S ms = $ES MB/s" "$(ratio "$ES" "$X") ×; once running ($BIG_MB MiB less 256 MiB in $D ms): $M MB/s = $(ratio "$M" "$X") ×"
	done
else
	row "cat throughput" "-" "mkimage has no 'bench' scenario in this build"
fi
# The decryption alone, in memory (CPU time, as openssl speed counts it).
if [ -x "$B/bench/xts_speed" ]; then
	[ -n "${X:-}" ] || X=$(openssl speed -evp aes-128-xts -seconds 2 -bytes 16384 2> /dev/null |
		awk '/^AES-128-XTS/ { sub("k", "", $2); printf "%.0f", $2 * 1000 / 1e6 }')
	SEEN=
	for e in auto vaes-avx2 aes-ni ecb; do
		read -r A AE < <("$B/bench/xts_speed" -e $e "$RUNS")
		case " $SEEN " in *" $AE "*) continue ;; esac  # this CPU lacks the engine
		SEEN="$SEEN $AE"
		read -r C _ < <("$B/bench/xts_speed" -e $e -k 256 "$RUNS")
		row "\`apfs_xts_decrypt\` 64 MiB in memory, $AE engine (bench/xts_speed)" "$A MB/s" "$(ratio "$A" "$X") × \`openssl speed -evp aes-128-xts\` ($X MB/s); 256 KiB in cache: $C MB/s = $(ratio "$C" "$X") ×"
	done
fi
"$MK" many-files "$W/many.img" > /dev/null
T=$(med "$BIN" ls -R "$W/many.img" /)
if command -v fls > /dev/null; then
	APSB=$("$BIN" list --json "$W/many.img" | sed -n '/"volumes"/,$ s/^ *"superblock_block": \([0-9]*\),*$/\1/p' | head -1)
	F=$(med fls -r -B "$APSB" "$W/many.img")
	row "\`ls -R\` of 100,000 files (many-files)" "$T ms" "TSK \`fls -r\` $F ms = $(ratio "$F" "$T") × slower; target ≥ 2"
else
	row "\`ls -R\` of 100,000 files (many-files)" "$T ms" "TSK not installed"
fi
echo

# Metadata walks at 10k ... 10M entries (issue 14): bench/scale.sh prints its own
# section (SCALE_SIZES, SCALE_DIR, SCALE_TIMEOUT there; 10M images take 2.2 GB each).
B=$B RUNS=$RUNS bash bench/scale.sh

echo
load "at the end of the run"
