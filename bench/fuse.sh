#!/usr/bin/env bash
# bench/fuse.sh - `apfsinspect mount` throughput and tree walks against
# libfuse's own `null` example and libfsapfs's fsapfsmount, in one run on
# one machine.  Called by bench/run.sh (make bench), or alone.  Prints a
# Markdown section; timing never decides a test.
#
# Sequential read: `dd bs=1M` of /big.bin, 256 MiB on a plain and on an encrypted
# volume (generator scenario `bench`) against the same
# number of bytes from libfuse's example/null.c (Debian ships its source in
# libfuse3-dev), which answers every read with memset: the cost of FUSE
# itself.  Every run is a fresh mount, so no page cache of the mount helps.
# find: `find MNT` over generator scenario many-files (100,171 entries),
# fresh mounts, against fsapfsmount on the same image.
# Random reads (issue 14): fio randread, 4 KiB, psync, one job, FIO_SECONDS
# (default 8) over a 1 GiB /big.bin (its own image, FIO_MB), plain and
# encrypted, against null and fsapfsmount (plain; with the OpenSSL 3 shim).
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect MK=$PWD/$B/mkimage
SHARED=${SHARED:-$(cd .. && pwd)/shared}
RUNS=${RUNS:-7}
MIB=${MIB:-256}
NULL_SRC=${NULL_SRC:-/usr/share/doc/libfuse3-dev/examples/null.c}
W=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-fusebench.XXXXXX")
M=$W/mnt NF=$W/nullfile
mkdir -p "$M"
: > "$NF"
cleanup() {
	mountpoint -q "$M" && timeout 10 fusermount3 -u "$M"
	grep -qs " $NF " /proc/mounts && timeout 10 fusermount3 -u "$NF"
	rm -rf "$W"
}
trap cleanup EXIT

echo "## Mount (issue 6)"
echo
if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "Skipped: /dev/fuse or fusermount3 missing."
	exit 0
fi

"$MK" bench "$W/bench.img" > /dev/null || exit 1
MIB=256 ENCVOL=Secret ENCPW=bench-password
"$MK" many-files "$W/many.img" > /dev/null || exit 1
NULL=
if [ -e "$NULL_SRC" ]; then
	cc -O2 -Wall -o "$W/null" "$NULL_SRC" $(pkg-config fuse3 --cflags --libs) && NULL=$W/null
fi

ms_now() { echo $(($(date +%s%N) / 1000)); }
median() { sort -n | awk -v n="$RUNS" 'NR == int(n / 2) + 1'; }
. bench/lib.sh

# MB/s of one dd of MIB MiB from $2 after mounting with command $1 (unmount $3).
dd_mbs() {
	local t0 t1
	eval "$1" || return 1
	t0=$(ms_now)
	timeout 300 dd if="$2" of=/dev/null bs=1M count="$MIB" 2>/dev/null
	t1=$(ms_now)
	timeout 20 fusermount3 -u "$3"
	awk -v b=$((MIB * 1048576)) -v us=$((t1 - t0)) 'BEGIN { printf "%.0f\n", b / us }'
}
# Interleaved: run i of every contender follows run i of the others, so a
# machine busy with something else slows all of them alike.
interleave() { # NAME=CMD... : each NAME gets the median of its RUNS results
	local i kv
	for ((i = 0; i < RUNS; i++)); do
		for kv in "$@"; do eval "${kv%%=*}+=(\"\$(${kv#*=})\")"; done
	done
	for kv in "$@"; do
		eval "${kv%%=*}=\$(printf '%s\n' \"\${${kv%%=*}[@]}\" | median)"
	done
}

# IOPS of one fio randread run on $2 after mounting with command $1 (unmount
# $3), by ${4:-1} reader processes at once.
fio_iops() {
	eval "$1" || return 1
	sleep 0.2
	timeout 120 fio --readonly --name=randread --filename="$2" --rw=randread --bs=4k \
		--ioengine=psync --size=1g --runtime="$FIO_SECONDS" --time_based \
		--numjobs="${4:-1}" --group_reporting \
		--output-format=terse --terse-version=3 2>/dev/null | awk -F';' '{ print $8 }'
	timeout 20 fusermount3 -u "$3"
}

P="$BIN mount --volume Plain $W/bench.img $M"
E="$BIN mount --volume $ENCVOL --passphrase $ENCPW $W/bench.img $M"
N=() PL=() EN=() FA=() FL=()
if [ -n "$NULL" ]; then
	interleave "N=dd_mbs '$NULL $NF' $NF $NF" "PL=dd_mbs '$P' $M/big.bin $M" \
		"EN=dd_mbs '$E' $M/big.bin $M"
else
	interleave "PL=dd_mbs '$P' $M/big.bin $M" "EN=dd_mbs '$E' $M/big.bin $M"
fi
if command -v fsapfsmount >/dev/null; then
	interleave "FA=find_ms '$BIN mount $W/many.img $M'" \
		"FL=find_ms 'fsapfsmount $W/many.img $M >/dev/null'"
else
	interleave "FA=find_ms '$BIN mount $W/many.img $M'"
	FL=
fi

FIO_SECONDS=${FIO_SECONDS:-8} FIO_MB=${FIO_MB:-1024}
RP=() RE=() RN=() RF=() R4=() R4W=() R1W=()
if command -v fio > /dev/null &&
	"$MK" bench "$W/rand.img" --big-size $((FIO_MB << 20)) > /dev/null 2>&1; then
	cat "$W/rand.img" > /dev/null  # from the page cache, as the peers read it
	SHIM=
	if command -v fsapfsmount > /dev/null && [ -e "$SHARED/tools/fsapfs-openssl3-shim.c" ]; then
		cc -O2 -shared -fPIC -o "$W/shim.so" "$SHARED/tools/fsapfs-openssl3-shim.c" \
			-ldl -lcrypto && SHIM=$W/shim.so
	fi
	RUNS_FIO=()
	RUNS_FIO+=("RP=fio_iops '$BIN mount --volume Plain $W/rand.img $M' $M/big.bin $M")
	RUNS_FIO+=("RE=fio_iops '$BIN mount --volume $ENCVOL --passphrase $ENCPW $W/rand.img $M' $M/big.bin $M")
	[ -n "$NULL" ] && RUNS_FIO+=("RN=fio_iops '$NULL $NF' $NF $NF")
	RUNS_FIO+=("R1W=fio_iops 'APFSINSPECT_FUSE_IDLE_WORKERS=1 $BIN mount --volume Plain $W/rand.img $M' $M/big.bin $M")
	# 4 readers at once: the default pool (10 idle workers) and 1 idle worker
	RUNS_FIO+=("R4=fio_iops '$BIN mount --volume Plain $W/rand.img $M' $M/big.bin $M 4")
	RUNS_FIO+=("R4W=fio_iops 'APFSINSPECT_FUSE_IDLE_WORKERS=1 $BIN mount --volume Plain $W/rand.img $M' $M/big.bin $M 4")
	# fsapfsmount numbers volumes from 1 in container order: Plain is the first
	[ -n "$SHIM" ] && RUNS_FIO+=("RF=fio_iops 'LD_PRELOAD=$SHIM fsapfsmount -f 1 $W/rand.img $M >/dev/null' $M/big.bin $M")
	interleave "${RUNS_FIO[@]}"
fi

echo "$(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the end; RUNS=$RUNS interleaved runs, medians;"
echo "a fresh mount for every run; $MIB MiB of /big.bin read with \`dd bs=1M\`."
echo
echo "| what | median | ratio |"
echo "|---|---|---|"
if [ -n "$NULL" ]; then
	echo "| libfuse example \`null\` (reads are memset; from $NULL_SRC) | $N MB/s | 1.00 |"
	echo "| apfsinspect mount, plain volume | $PL MB/s | $(ratio "$PL" "$N") × null; target ≥ 0.80 |"
	echo "| apfsinspect mount, encrypted volume (AES-XTS) | $EN MB/s | $(ratio "$EN" "$N") × null; target ≥ 0.60 |"
else
	echo "| apfsinspect mount, plain volume | $PL MB/s | (libfuse's null.c not found: no baseline) |"
	echo "| apfsinspect mount, encrypted volume | $EN MB/s | $(ratio "$EN" "$PL") × plain |"
fi
if [ "${#RP[@]}" -gt 0 ] && [ -n "$RP" ]; then
	RW="fio randread 4 KiB psync, $FIO_MB MiB /big.bin, ${FIO_SECONDS}s"
	if [ -n "$RN" ]; then
		echo "| $RW: libfuse \`null\` | $RN IOPS | 1.00 |"
		echo "| $RW: apfsinspect mount, plain | $RP IOPS | $(ratio "$RP" "$RN") × null; target ≥ 0.90 |"
		echo "| $RW: apfsinspect mount, encrypted | $RE IOPS | $(ratio "$RE" "$RN") × null; target ≥ 0.70 |"
	else
		echo "| $RW: apfsinspect mount, plain / encrypted | $RP / $RE IOPS | (no null baseline) |"
	fi
	[ -n "$RF" ] && echo "| $RW: libfsapfs \`fsapfsmount\`, plain | $RF IOPS | apfsinspect = $(ratio "$RP" "$RF") × (target ≥ 1) |"
	echo "| $RW: apfsinspect mount, plain, APFSINSPECT_FUSE_IDLE_WORKERS=1 | $R1W IOPS | $(ratio "$R1W" "$RP") × the default (10) |"
	echo "| $RW: 4 readers at once, apfsinspect mount, plain | $R4 IOPS | $(ratio "$R4" "$RP") × one reader |"
	echo "| the same, APFSINSPECT_FUSE_IDLE_WORKERS=1 | $R4W IOPS | $(ratio "$R4W" "$R4") × the default |"
else
	echo "| fio randread | - | fio not installed (setup.sh TEST_PKGS) |"
fi
echo "| \`find\` over many-files (100,171 entries), apfsinspect mount | $FA ms | 1.00 |"
if [ -n "$FL" ]; then
	echo "| \`find\`, same image, libfsapfs \`fsapfsmount\` | $FL ms | $(ratio "$FL" "$FA") × apfsinspect (target > 1) |"
fi
echo
