#!/usr/bin/env bash
# mount_hostile.sh - the mount daemon on images that lie about their shape
# (testdata/README.md: dir-cycle, size-claims).  `find` through the mount
# ends on a directory cycle, naming each lying entry; 16 parallel readers of
# decmpfs bombs (headers and forks claiming 2^40 bytes, one block held) and
# of an honest 273-chunk file leave the daemon within a fixed memory budget
# (it used to peak at 1.45 GB).  Every wait is bounded by a timeout.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	skip "FUSE hostile-image tests" "/dev/fuse or fusermount3 missing"; done_testing; exit 0
fi
MNT=$WORK/mnt-hostile
mkdir -p "$MNT"
cleanup() {
	if mountpoint -q "$MNT"; then
		timeout 10 fusermount3 -u "$MNT" 2>/dev/null || timeout 10 fusermount3 -uz "$MNT"
	fi
}
trap cleanup EXIT
daemon_pid() { pgrep -f "^[^ ]*apfsinspect mount .* $MNT\$" | head -1; }
# The daemon's budget (VmHWM, peak resident set): the open-file budget
# (util/budget.h, 128 MiB), the block cache, libfuse's threads.  The old
# peak was 1.76 GB with the bombs, over 256 MiB with the inline files.
BUDGET_KB=$((192 * 1024))
# Under ASan, freed memory waits in a 256 MiB quarantine and shadow memory
# adds an eighth: a small quarantine and room for the shadow keep the bound
# about our allocations.
if ldd "$BIN" 2>/dev/null | grep -q libasan; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16
	BUDGET_KB=$((256 * 1024))
fi

expect_rc "mkimage dir-cycle" 0 "$MKIMAGE" dir-cycle "$WORK/cyc.img"
expect_rc "mount dir-cycle" 0 timeout 60 "$BIN" mount "$WORK/cyc.img" "$MNT"
out=$(cd "$MNT" && timeout -k 5 20 find . 2>"$WORK/find.err"); rc=$?
err=$(cat "$WORK/find.err")
expect_eq "find through a cycle ends (status 1: it met unreadable entries)" 1 "$rc"
expect_eq "find: every real name, once" ". ./a ./a/b ./a/b/inside.txt ./c ./c/real.txt ./z.txt" \
	"$(printf '%s\n' "$out" | sort | tr '\n' ' ' | sed 's/ $//')"
for e in a/b/up1 a/b/up2 c/alias; do
	expect_grep "find: ./$e reported as a loop" "‘./$e’: Too many levels of symbolic links|'./$e': Too many levels of symbolic links" "$err"
done
expect_eq "the real file still reads" "inside" "$(timeout 10 cat "$MNT/a/b/inside.txt")"
timeout 20 fusermount3 -u "$MNT"

expect_rc "mkimage size-claims" 0 "$MKIMAGE" size-claims "$WORK/claims.img"
expect_rc "mount size-claims" 0 timeout 60 "$BIN" mount "$WORK/claims.img" "$MNT"
pid=$(daemon_pid)
check "the daemon is found" test -n "$pid"
for i in $(seq 0 15); do
	timeout -k 5 30 cat "$MNT/bomb$((i % 8)).bin" > /dev/null 2> "$WORK/bomb.$i.err" &
done
wait
expect_eq "16 readers of the bombs: each refused with EIO" 16 \
	"$(cat "$WORK"/bomb.*.err | grep -c 'Input/output error')"
for i in $(seq 0 15); do
	timeout -k 5 60 sh -c "sha256sum < '$MNT/lzvn-17m.bin'" > "$WORK/lzvn.$i.sha" &
done
wait
want=$(python3 "$TESTS/tools/lzvn17m_rule.py")
expect_eq "16 parallel readers of the honest 273-chunk file all read the rule's bytes" 16 \
	"$(cat "$WORK"/lzvn.*.sha | grep -c "^$want ")"
# 16 readers holding /inline-16m.bin (16 MiB decoded per open) open at once:
# the open-file budget takes 8 at most, the others are refused with ENOMEM
# rather than the daemon growing; once they close, opens succeed again.
held=$(timeout -k 5 60 python3 -c '
import errno, sys, time
ok = nomem = other = 0
fs = []
for i in range(16):
    try:
        f = open(sys.argv[1], "rb"); f.read(65536); fs.append(f); ok += 1
    except OSError as e:
        if e.errno == errno.ENOMEM: nomem += 1
        else: other += 1
time.sleep(1)
for f in fs: f.close()
print(ok, nomem, other)' "$MNT/inline-16m.bin")
read -r nok nnomem nother <<< "${held:-0 0 16}"
expect_eq "16 held opens of a 16 MiB inline file: 1 to 8 taken, the rest ENOMEM" "yes 16 0" \
	"$([ "$nok" -ge 1 ] && [ "$nok" -le 8 ] && echo yes || echo "no ($nok taken)") $((nok + nnomem)) $nother"
expect_eq "after they close, the file reads again: 16 MiB of zeros" \
	"$(head -c 16777216 /dev/zero | sha256sum | cut -d' ' -f1)" \
	"$(timeout 30 sha256sum < "$MNT/inline-16m.bin" | cut -d' ' -f1)"
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
echo "# daemon peak RSS under 3 x 16 readers: ${hwm:-?} kB"
expect_eq "daemon peak RSS within ${BUDGET_KB} kB" yes \
	"$([ -n "$hwm" ] && [ "$hwm" -le $BUDGET_KB ] && echo yes || echo "no: ${hwm:-unknown} kB")"
timeout 20 fusermount3 -u "$MNT"
done_testing
