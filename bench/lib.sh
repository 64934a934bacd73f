# bench/lib.sh - what the benchmark scripts share (sourced, not run):
# timing, ratios and the Markdown rows they print.  RUNS must be set.

# median wall time in ms of RUNS runs of a command (output discarded)
med() {
	local i t0 t1 ts=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N)
		ts+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk -v n="$RUNS" 'NR == int(n / 2) + 1 { printf "%.1f", $1 / 1000 }'
}
# instructions executed (valgrind callgrind): repeatable on a busy machine
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
	sed -n 's/.*refs: *//p' | tr -d ,; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# MB/s of $1 bytes in $2 ms
mbps() { awk -v b="$1" -v ms="$2" 'BEGIN { printf "%.0f", b / 1e6 / (ms / 1e3) }'; }
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
# median of the numbers given as arguments
med_of() { printf '%s\n' "$@" | sort -n | awk -v n="$#" 'NR == int(n / 2) + 1'; }
# ms of one `find` of the mount at $M made by command $1 (unmounted after)
find_ms() {
	local t0 t1
	eval "$1" > /dev/null || return 1
	sleep 0.2
	t0=$(date +%s%N)
	timeout 300 find "$M" > /dev/null
	t1=$(date +%s%N)
	timeout 20 fusermount3 -u "$M"
	echo $(((t1 - t0) / 1000000))
}
