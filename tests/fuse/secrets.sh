#!/usr/bin/env bash
# run.sh: alone (it points the kernel's core_pattern at its own directory for a while)
# secrets.sh - the mount daemon, which lives for days holding the key:
# after fuse_daemonize()'s fork it is still non-dumpable with RLIMIT_CORE 0,
# its keys are locked again, its working directory is /proc (not "/"),
# its memory holds no password and no whole VEK, and its cmdline no secret;
# SIGQUIT writes no core (core_pattern briefly pointed at our directory).
# The VEK comes from tests/tools/vek_of.py (independent of our code); each
# check has a control run with that part of the hardening switched off
# (APFSINSPECT_TEST_UNHARDENED), which must show what the check rules out.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 > /dev/null; then
	skip "mount daemon secrets" "/dev/fuse or fusermount3 missing"; done_testing; exit 0
fi
if ! command -v setpriv > /dev/null || [ "$(getent group nogroup | cut -d: -f3)" != 65534 ]; then
	skip "mount daemon secrets" "setpriv (util-linux) or group nogroup (65534) missing"
	done_testing; exit 0
fi
PW='Zq7-hunter-Kw9'
HEXPW=$(printf %s "$PW" | xxd -p)
TREE=$WORK/dsec-tree
mkdir -p "$TREE"
echo "daemon secrets" > "$TREE/file.txt"
IMG=$WORK/dsec.img
"$MKIMAGE" from-dir "$IMG" --dir "$TREE" --password "$PW" > /dev/null ||
	{ notok "mkimage from-dir --password"; done_testing; exit 0; }
VEK=$(python3 "$TESTS/tools/vek_of.py" "$IMG" "$PW")
K1=${VEK:0:32} K2=${VEK:32:32}
MNT=$WORK/dsec-mnt
mkdir -p "$MNT"
# /proc/mounts, not mountpoint(1): a dead daemon's mount fails stat (ENOTCONN).
cleanup() {
	if grep -q " $MNT fuse" /proc/self/mounts; then
		timeout 10 fusermount3 -u "$MNT" 2>/dev/null || timeout 10 fusermount3 -uz "$MNT"
	fi
}
trap cleanup EXIT
daemon() { pgrep -f "apfsinspect mount .*$MNT\$" | head -1; }

# up [ENV=VAL...]: mount detached, as root but with group nogroup (below),
# read the file through it, and set D to the daemon's pid.
up() {
	D=
	if ! env "$@" setpriv --regid=nogroup --clear-groups -- \
		"$BIN" mount --passphrase "$PW" "$IMG" "$MNT" 2>/dev/null; then
		notok "mount ($*)"; return 1
	fi
	# FUSE lets only the mounting uid and gid in (no allow_other).
	expect_eq "mount ($*): the file reads back" "daemon secrets" \
		"$(setpriv --regid=nogroup --clear-groups -- timeout 10 cat "$MNT/file.txt")"
	D=$(daemon)
	[ -n "$D" ] || { notok "mount ($*): daemon found"; return 1; }
}
down() {
	timeout 20 fusermount3 -u "$MNT"
	for _ in $(seq 50); do [ -d "/proc/$D" ] || break; sleep 0.1; done
}
scan() { python3 "$TESTS/tools/memscan.py" pid "$D" "$@"; }

if up; then
	read -r n_pw n_vek n_k1 n_k2 <<< "$(scan "$HEXPW" "$VEK" "$K1" "$K2")"
	expect_eq "daemon: the password is nowhere in its memory" 0 "$n_pw"
	expect_eq "daemon: no whole copy of the VEK in its memory" 0 "$n_vek"
	check "daemon: the scan finds its key schedule (key1 $n_k1, key2 $n_k2)" \
		[ "$n_k1" -ge 1 -a "$n_k2" -ge 1 ]
	expect_grep "daemon: cmdline shows '--passphrase *', not the password" \
		"apfsinspect mount --passphrase \* $IMG $MNT\$" "$(tr '\0' '\n' < "/proc/$D/cmdline")"
	# A non-dumpable process's /proc files belong to root:root; the daemon
	# runs with group nogroup, so a dumpable one shows that group instead.
	expect_eq "daemon: non-dumpable after the fork (/proc/PID/status group root)" 0 \
		"$(stat -c %g "/proc/$D/status")"
	expect_eq "daemon: RLIMIT_CORE 0" "0 0" \
		"$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$D/limits")"
	lck=$(awk '/^VmLck/ { print $2 }' "/proc/$D/status")
	check "daemon: its keys are locked again after the fork (VmLck $lck kB)" [ "${lck:-0}" -gt 0 ]
	expect_eq "daemon: working directory /proc, not /" /proc "$(readlink "/proc/$D/cwd")"
	down
fi
if up APFSINSPECT_TEST_UNHARDENED=dumpable,argv; then
	expect_eq "control (dumpable): /proc/PID/status has the daemon's group" 65534 \
		"$(stat -c %g "/proc/$D/status")"
	check "control (argv kept): the scan finds the password in the daemon" \
		[ "$(scan "$HEXPW")" -ge 1 ]
	down
fi

# ---- a forced core dump of the daemon ----------------------------------------
# The daemon's working directory is /proc, where no core file can be made,
# so a core_pattern relative to the cwd proves nothing: for these two runs
# the pattern is a file in dcore (restored after, also on a signal).  In
# the foreground (-f) the test holds the daemon's pid.  Hardened: no core.
# Control (dumpable): a core, which still holds neither the password nor
# the VEK halves (undumped key memory).
PAT_FILE=/proc/sys/kernel/core_pattern
OLD_PAT=$(cat "$PAT_FILE")
restore() { [ "$(cat "$PAT_FILE")" = "$OLD_PAT" ] || echo "$OLD_PAT" > "$PAT_FILE"; cleanup; }
trap restore EXIT
trap 'restore; exit 1' INT TERM
mkdir -p "$WORK/dcore"
why=
if grep -q __asan_init "$BIN"; then
	why="AddressSanitizer turns core dumps off itself (disable_coredump)"
elif ! { echo "$WORK/dcore/core" > "$PAT_FILE"; } 2>/dev/null; then
	why="core_pattern cannot be changed here"
fi
# fg_dump [ENV=VAL...]: SIGQUIT a foreground daemon: its status, then any core.
fg_dump() {
	local p was
	was=$(ulimit -S -c)
	rm -f "$WORK"/dcore/core*
	ulimit -S -c unlimited
	(cd "$WORK/dcore" && exec env "$@" setpriv --regid=nogroup --clear-groups -- \
		"$BIN" mount -f --passphrase "$PW" "$IMG" "$MNT") > /dev/null 2>&1 &
	p=$!
	for _ in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.05; done
	setpriv --regid=nogroup --clear-groups -- timeout 10 cat "$MNT/file.txt" > /dev/null
	kill -QUIT "$p"
	wait "$p"
	echo "status $?"
	ulimit -S -c "$was"
	cleanup
	ls "$WORK"/dcore/core* 2>/dev/null | head -1
}
if [ -n "$why" ]; then
	skip "forced core dumps of the daemon" "$why"
else
	expect_eq "daemon -f, SIGQUIT with ulimit -c unlimited: killed by it, no core" \
		"status 131" "$(fg_dump)"
	core=$(fg_dump APFSINSPECT_TEST_UNHARDENED=dumpable | sed -n 2p)
	check "control (dumpable): the daemon's core is written" [ -n "$core" ]
	if [ -n "$core" ]; then
		read -r n_pw n_k1 n_k2 n_img <<< "$(python3 "$TESTS/tools/memscan.py" file "$core" \
			"$HEXPW" "$K1" "$K2" "$(printf %s "$IMG" | xxd -p | tr -d '\n')")"
		check "daemon core: a real dump (the image path in it $n_img times)" [ "$n_img" -ge 1 ]
		expect_eq "daemon core: neither the password nor the VEK halves" "0 0 0" \
			"$n_pw $n_k1 $n_k2"
	fi
	rm -f "$WORK"/dcore/core*
fi
restore
expect_eq "core_pattern is as before" "$OLD_PAT" "$(cat "$PAT_FILE")"
done_testing
