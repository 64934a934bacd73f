#!/usr/bin/env bash
# syslog.sh - a detached mount's words go to syslog (fuse/mount.c: openlog
# "apfsinspect", LOG_DAEMON), each as one datagram whose names from the
# image are escaped as on the CLI's stderr (cli_put_safe): a name holding a
# newline cannot start a line of its own in the log.  And a file whose
# bytes are not all on disk is named once, at its first open, however often
# it is opened (fuse/unstored.c).
#
# glibc's syslog() writes to the datagram socket /dev/log.  The test runs in
# a mount namespace of its own (unshare -m) whose /dev is a small tmpfs
# holding null, zero, fuse and urandom (bound from the real ones) and a
# socket of ours at /dev/log, so nothing reaches the machine's own log.  The
# daemon, and every read of its mount, stay in that namespace; whatever
# fails, no daemon outlives the test (a trap there, and a kill from here:
# the daemon is a session leader of its own, which no timeout reaches).
# A detached daemon's stderr is /dev/null, so under ASan its own faults go
# unseen here; tests/fuse/private_dir.sh runs the same code under -f.
#
# Expected values: inode 26 of `mkimage orphans` holds 21000 bytes, 8192 of
# them not on disk (testdata/README.md); the names image's `new\nline.txt`
# and `dir\nnl` (testdata/README.md), the first made by drec_reino.py and
# drec_retype.py a second entry of the directory, so that a lookup of it is
# refused with a message naming both names.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	skip "mount's syslog" "/dev/fuse or fusermount3 (fuse3) missing"
	done_testing; exit 0
fi
# What the test does in its namespace, tried: a tmpfs, and a device bound onto a file there.
ns_probe() {
	unshare -m --propagation private sh -c 'mkdir -p "$1" && mount -t tmpfs p "$1" &&
		touch "$1/n" && mount --bind /dev/null "$1/n"' sh "$WORK/probe"
}
if ! command -v unshare >/dev/null || ! ns_probe 2>/dev/null; then
	skip "mount's syslog" "no mount namespace with tmpfs and bind mounts (unshare -m, root)"
	done_testing; exit 0
fi
mnt_prepare "$WORK"
# The test's daemons (mounts of $MNT) and receiver, by their command lines.
leftovers() { pgrep -f -- " mount .*$MNT\$|$WORK/recv\.py"; }

O=$WORK/orphans.img
N=$WORK/names.img
expect_rc "mkimage orphans" 0 "$MKIMAGE" orphans "$O"
expect_rc "mkimage names" 0 "$MKIMAGE" names "$N"
expect_rc "drec_reino.py + drec_retype.py: new\\nline.txt made a second entry of dir\\nnl" 0 \
	sh -c 'python3 "$1/tools/drec_reino.py" "$2" "$3" "$4" &&
	       python3 "$1/tools/drec_retype.py" "$2" "$3" 4' sh "$TESTS" "$N" $'new\nline.txt' \
	"$(LC_ALL=C "$BIN" stat --json "$N" $'/dir\nnl' | sed -n 's/^  "inode": \([0-9]*\),$/\1/p')"

# What the same refusal says on stderr (mount -f): the line syslog must carry.
"$BIN" mount -f "$N" "$MNT" 2> "$WORK/fg.err" &
DAEMON=$!
for _ in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.1; done
check "mount -f: up" mountpoint -q "$MNT"
run_rc timeout 20 stat "$MNT/"$'new\nline.txt'
expect_eq "... the second entry refused as a loop" 1 "$RC"
expect_rc "fusermount3 -u (-f)" 0 timeout 20 fusermount3 -u "$MNT"
for _ in $(seq 100); do kill -0 "$DAEMON" 2> /dev/null || break; sleep 0.1; done
kill "$DAEMON" 2> /dev/null
wait "$DAEMON"
FG=$(grep "as 'new" "$WORK/fg.err" | sed 's/^apfsinspect: //')
expect_grep "... stderr names both names, escaped" \
	"as 'new\\\\x0aline.txt', but its own entry is 'dir\\\\x0anl' in directory inode 2" \
	"$(cat "$WORK/fg.err")"

cat > "$WORK/recv.py" << 'EOF'
# recv.py SOCKET OUT READY: each datagram on SOCKET as one JSON string a line in OUT
# (bytes as Latin-1, so that every byte shows), until a datagram "STOP" or 60 s.
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
open(sys.argv[3], "w").close()
with open(sys.argv[2], "w") as out:
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if d == b"STOP":
            break
        out.write(json.dumps(d.decode("latin-1")) + "\n")
        out.flush()
EOF
cat > "$WORK/inner.sh" << 'EOF'
# In the namespace: /dev made ours, the receiver up, the mounts and reads.  On
# any exit, what is left mounted or running is undone.
set -u
R=
cleanup() {
	if mountpoint -q "$MNT"; then fusermount3 -u "$MNT" 2> /dev/null || umount -l "$MNT"; fi
	pkill -f -- " mount .*$MNT\$"
	[ -z "$R" ] || kill "$R" 2> /dev/null
}
trap cleanup EXIT
D=$WORK/dev
mkdir -p "$D" && mount -t tmpfs -o size=1m,mode=755 apfsi-test-dev "$D" || exit 10
for n in null zero fuse urandom; do
	[ -e "/dev/$n" ] || continue
	touch "$D/$n" && mount --bind "/dev/$n" "$D/$n" || exit 11
done
python3 "$WORK/recv.py" "$D/log" "$WORK/syslog.jsonl" "$WORK/ready" &
R=$!
for _ in $(seq 100); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
mount --rbind "$D" /dev || exit 12
[ -S /dev/log ] && [ -c /dev/fuse ] || exit 13
T() { timeout -k 5 30 "$@"; }
up() { for _ in $(seq 100); do mountpoint -q "$MNT" && return 0; sleep 0.1; done; return 1; }
# Unmounted, the daemon ends (within 10 s, else it is said in $WORK/left).
down() {
	T fusermount3 -u "$MNT" || T umount -l "$MNT"
	for _ in $(seq 100); do
		pgrep -f -- " mount .*$MNT\$" > /dev/null || return 0
		sleep 0.1
	done
	echo "a daemon of $1 still ran 10 s after its unmount" >> "$WORK/left"
}
"$BIN" mount --private-dir "$O" "$MNT" && up || exit 14
for _ in 1 2 3 4; do T cat "$MNT/0x1a-dead" > /dev/null; done
T cat "$MNT/0x19-dead" > /dev/null
down orphans
"$BIN" mount "$N" "$MNT" && up || exit 15
T stat "$MNT/"$'new\nline.txt' > /dev/null 2>&1
down names
python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"STOP", sys.argv[1])' /dev/log
wait "$R"
EOF
expect_rc "in a mount namespace: two detached mounts, their reads, the log received" 0 \
	env WORK="$WORK" MNT="$MNT" BIN="$BIN" O="$O" N="$N" timeout -k 5 120 \
	unshare -m --propagation private bash "$WORK/inner.sh"
# Should the namespace's shell have been killed (the timeout), its trap did not run.
L=$(leftovers)
[ -z "$L" ] || kill $L 2> /dev/null
expect_eq "each daemon ended at its unmount, and nothing of the test was left running" "" \
	"$(cat "$WORK/left" 2> /dev/null; [ -z "$L" ] || echo "left running: $L")"

# One JSON string a datagram: "<PRI>TIMESTAMP apfsinspect[PID]: MESSAGE".
msgs() { # PATTERN: the messages (PRI and MESSAGE) of the datagrams matching it
	python3 -c '
import json, re, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    m = re.match(r"<(\d+)>.*? apfsinspect\[\d+\]: (.*)\Z", d, re.S)
    if m and re.search(sys.argv[2], m.group(2)):
        print(m.group(1), json.dumps(m.group(2)))' "$WORK/syslog.jsonl" "$1"
}
expect_eq "syslog: inode 26 named once for four opens, LOG_DAEMON|LOG_WARNING (28)" \
	"28 \"inode 26: 8192 of its 21000 bytes are not on disk (deleted while open: macOS \
frees its extents as it deletes it): they read as zeros\"" "$(msgs 'not on disk')"
expect_eq "syslog: the refusal is one message, LOG_DAEMON|LOG_ERR (27), as stderr says it" \
	"27 $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$FG")" \
	"$(msgs "as 'new")"
expect_eq "syslog: no datagram holds a byte below 0x20 or DEL (a name's newline escaped)" "0" \
	"$(python3 -c '
import json, sys
bad = lambda d: any(ord(c) < 32 or ord(c) == 127 for c in d)
print(sum(1 for l in open(sys.argv[1]) if bad(json.loads(l))))' \
	"$WORK/syslog.jsonl")"
done_testing
