#!/usr/bin/env bash
# bench/crack.sh - dictionary speed (issue 14, item 5): `unlockvolume
# --passphrase-file` against hashcat mode 18300 on the same hash and the same
# wordlist, in interleaved runs on one machine.  Called by bench/run.sh
# (make bench), or alone.  Prints a Markdown section; timing never decides a
# test.
#
# The workload is fixed: WORDS (default 1024) wrong candidates against the
# one user of ../shared/images/encrypted.img (100,000 iterations), so both
# tools try every candidate.  hashcat pays its OpenCL start-up (seconds) in
# every run: its rate is given both per whole run and as the "Speed" it
# reports itself, which leaves the start-up out.  hashcat keeps its kernels
# in ~/.cache/hashcat: the first run ever compiles them (minutes); run this
# once before timing anything.  Each run gets its own --session and
# --potfile-path, as a second run with the default session refuses to start.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect
SHARED=${SHARED:-$(cd .. && pwd)/shared}
RUNS=${RUNS:-3}
WORDS=${WORDS:-1024}
W=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-crack.XXXXXX")
trap 'rm -rf "$W"' EXIT

. bench/lib.sh

echo "## Dictionary speed (issue 14)"
echo
if [ ! -e "$SHARED/images/encrypted.img.gz" ]; then
	echo "Skipped: $SHARED/images/encrypted.img.gz is missing."
	exit 0
fi
gzip -dc "$SHARED/images/encrypted.img.gz" > "$W/enc.img"
"$BIN" hashes "$W/enc.img" > "$W/hash.txt" 2> /dev/null || exit 1
for ((i = 1; i <= WORDS; i++)); do echo "bench-candidate-$i"; done > "$W/words.txt"

# "wall_s cpu_s" of one command (output discarded)
wallcpu() {
	/usr/bin/time -f '%e %U %S' -o "$W/time" "$@" > "$W/out" 2>&1
	# (the last line: a first one says so when the exit status is not 0)
	tail -n 1 "$W/time" | awk '{ printf "%s %.2f", $1, $2 + $3 }'
}
ours() { wallcpu "$BIN" unlockvolume --passphrase-file "$W/words.txt" "$W/enc.img"; }
hc() {
	rm -f "$W/pot"
	wallcpu hashcat -m 18300 -a 0 -w 3 --session "apfsinspect-bench-$$" \
		--potfile-path "$W/pot" --restore-disable --logfile-disable -o "$W/cracked" \
		"$W/hash.txt" "$W/words.txt"
	# its own figure, the last status block's (a number and H/s or kH/s)
	awk '/^Speed.#/ { v = $2; if ($3 == "kH/s") v *= 1000 } END { printf " %s", v }' "$W/out"
}
OUT=() HC=()
for ((r = 0; r < RUNS; r++)); do
	OUT+=("$(ours)")
	command -v hashcat > /dev/null && HC+=("$(hc)")
done
# median of field $1 of the runs given
medf() { local f=$1; shift; printf '%s\n' "$@" | awk -v f="$f" '{ print $f }' | sort -g |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
OW=$(medf 1 "${OUT[@]}") OC=$(medf 2 "${OUT[@]}")
ENG=$("$B/bench/pbkdf2_lanes" 2 2> /dev/null | awk 'END { print $1 }')
echo "$WORDS wrong candidates, encrypted.img (100,000 iterations), $(nproc) cores, median of $RUNS"
echo "interleaved runs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| what | candidates/s (whole run) | CPU s | ratio |"
echo "|---|---|---|---|"
OR=$(awk -v n="$WORDS" -v t="$OW" 'BEGIN { printf "%.1f", n / t }')
printf '| apfsinspect `unlockvolume --passphrase-file` (%s engine) | %s | %s | - |\n' \
	"$ENG" "$OR" "$OC"
if [ "${#HC[@]}" -gt 0 ]; then
	HW=$(medf 1 "${HC[@]}") HCPU=$(medf 2 "${HC[@]}") HS=$(medf 3 "${HC[@]}")
	HR=$(awk -v n="$WORDS" -v t="$HW" 'BEGIN { printf "%.1f", n / t }')
	printf '| hashcat -m 18300 -w 3 (pocl CPU), whole run | %s | %s | apfsinspect = %s × |\n' \
		"$HR" "$HCPU" "$(ratio "$OR" "$HR")"
	printf '| hashcat, its own Speed (start-up left out) | %s | - | apfsinspect = %s × |\n' \
		"$HS" "$(ratio "$OR" "$HS")"
else
	echo "| hashcat | not installed | - | - |"
fi
echo
echo "One thread per engine (\`$B/bench/pbkdf2_lanes\`, candidates/s at 100,000 iterations):"
echo
"$B/bench/pbkdf2_lanes" 100000 | awk '{ printf "%s%s (%s lane%s) %s", (NR > 1 ? ", " : ""), $1, $2, ($2 > 1 ? "s" : ""), $3 }
	END { print "" }'
echo
