#!/usr/bin/env bash
# run.sh: alone (it points the kernel's core_pattern at its own directory for a while)
# secrets.sh - no password or key where another user or a core file can get
# it, for the reading commands (the mount daemon: tests/fuse/secrets.sh).
#
# The key to look for is derived by tests/tools/vek_of.py, written from
# docs/apfs-format.md with Python's hashlib and cryptography (no code of
# ours), and confirmed by `cat --vek` decrypting the host file.  Each check
# has a positive control: the same run with one part of the hardening
# switched off (APFSINSPECT_TEST_UNHARDENED=dumpable|keys|argv) must find
# what the hardened run must not, so no check passes by looking wrongly.
#
# A command kept alive after its keys are derived: `cat` of a 1 MiB file
# into a fifo we do not read, blocked in write(2) once the pipe is full.
. "$TESTS/lib.sh"

PW='Zq7-hunter-Kw9'
HEXPW=$(printf %s "$PW" | xxd -p)
TREE=$WORK/sec-tree
mkdir -p "$TREE"
head -c 1048576 /dev/urandom > "$TREE/big.bin"
IMG=$WORK/sec.img
"$MKIMAGE" from-dir "$IMG" --dir "$TREE" --password "$PW" > /dev/null ||
	{ notok "mkimage from-dir --password"; done_testing; exit 0; }
VEK=$(python3 "$TESTS/tools/vek_of.py" "$IMG" "$PW")
expect_eq "vek_of.py derives a 256-bit VEK from the image" 64 "${#VEK}"
K1=${VEK:0:32} K2=${VEK:32:32}
expect_eq "that VEK decrypts the file (cat --vek = host sha256)" \
	"$(sha256sum < "$TREE/big.bin")" "$("$BIN" cat --vek "$VEK" "$IMG" /big.bin | sha256sum)"

FIFO=$WORK/sec.fifo
mkfifo "$FIFO"
PID=
# hold_cat [ENV=VAL...]: start cat of /big.bin writing to the fifo, read its
# first bytes (keys derived by then), and wait until it blocks in write(2).
hold_cat() {
	(cd "$WORK/coredir" && exec env "$@" "$BIN" cat --passphrase "$PW" "$IMG" /big.bin) \
		> "$FIFO" 2> /dev/null &
	PID=$!
	exec 3< "$FIFO"
	head -c 1 <&3 > /dev/null
	for _ in $(seq 100); do
		[ "$(cut -d' ' -f3 "/proc/$PID/stat" 2>/dev/null)" = S ] &&
			grep -q pipe_write "/proc/$PID/wchan" 2>/dev/null && break
		sleep 0.05
	done
}
release() {
	kill -KILL "$PID" 2>/dev/null
	exec 3<&-
	wait "$PID" 2>/dev/null
}
scan() { python3 "$TESTS/tools/memscan.py" pid "$PID" "$@"; }
mkdir -p "$WORK/coredir"

# ---- memory of a running command, read as root -----------------------------
hold_cat
# password, whole VEK, key1, key2: the schedules hold the halves (found, so
# the scan reads the right memory and knows the right key); nothing else.
read -r n_pw n_vek n_k1 n_k2 <<< "$(scan "$HEXPW" "$VEK" "$K1" "$K2")"
expect_eq "running cat: the password is nowhere in its memory" 0 "$n_pw"
expect_eq "running cat: no whole copy of the VEK in its memory" 0 "$n_vek"
check "running cat: the scan finds the key schedule (key1 $n_k1, key2 $n_k2)" \
	[ "$n_k1" -ge 1 -a "$n_k2" -ge 1 ]
expect_grep "running cat: /proc/PID/cmdline shows '--passphrase *'" \
	'--passphrase \* ' "$(tr '\0' '\n' < "/proc/$PID/cmdline")"
lck=$(awk '/^VmLck/ { print $2 }' "/proc/$PID/status")
check "running cat: its key memory is locked (VmLck $lck kB)" [ "${lck:-0}" -gt 0 ]
expect_eq "running cat: RLIMIT_CORE is 0" "0 0" \
	"$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$PID/limits")"
release
# Each engine: key1 is in the schedule twice (round key 0 of the encryption
# schedule, the last of the decryption one: FIPS 197 5.1.4, 5.3.5), key2
# once; one more anywhere is a copy an engine left on a stack (as lazy
# binding's register save once did).
for eng in aes-ni vaes-avx2 vaes-avx512; do
	hold_cat APFSINSPECT_XTS_ENGINE=$eng
	expect_eq "engine $eng (or the best below it): key1 and key2 only in the schedule" "0 2 1" \
		"$(scan "$HEXPW" "$K1" "$K2")"
	release
done
# Control: with argv left alone the same scan finds the password.
hold_cat APFSINSPECT_TEST_UNHARDENED=argv
expect_eq "control (argv not hidden): the scan finds the password in memory" 1 \
	"$(scan "$HEXPW" | awk '{ print ($1 > 0) }')"
release

# ---- every spelling of a secret option is hidden ---------------------------
# spelled DESC SECRET ARGS...: cat held with those credential arguments; the
# secret must not be in its cmdline (nor, for --vek, in its memory).
spelled() {
	local d=$1 sec=$2 line; shift 2
	(cd "$WORK/coredir" && exec "$BIN" cat "$@" "$IMG" /big.bin) > "$FIFO" 2> /dev/null &
	PID=$!
	exec 3< "$FIFO"
	head -c 1 <&3 > /dev/null
	line=$(tr '\0' '|' < "/proc/$PID/cmdline")
	check "$d: not in cmdline ($line)" [ -n "$line" -a "${line/$sec/}" = "$line" ]
	# One memory scan per kind of secret is enough (each costs a second under ASan).
	if [ "$d" = "--vek HEX" ]; then
		expect_eq "$d: neither the hex nor the whole VEK in memory" "0 0" \
			"$(scan "$(printf %s "$sec" | xxd -p | tr -d '\n')" "$VEK")"
	fi
	release
}
# The ways that other users cannot see: the password read from a pipe or a
# file goes through stdio buffers, which must be wiped too.
printf '%s\n' "$PW" > "$WORK/sec-pw.txt"
# many: a dictionary, whose candidates go through PBKDF2 side by side (cipher/pbkdf2.c)
for ((i = 1; i <= 40; i++)); do
	if [ $i = 18 ]; then echo "$PW"; else echo "wrong-$i"; fi
done > "$WORK/sec-many.txt"
for how in stdin file many; do
	if [ $how = many ]; then
		(cd "$WORK/coredir" && exec "$BIN" cat --passphrase-file "$WORK/sec-many.txt" \
			"$IMG" /big.bin) > "$FIFO" 2> /dev/null &
	elif [ $how = stdin ]; then
		printf '%s\n' "$PW" | (cd "$WORK/coredir" && exec "$BIN" cat --stdin-passphrase \
			"$IMG" /big.bin) > "$FIFO" 2> /dev/null &
	else
		(cd "$WORK/coredir" && exec "$BIN" cat --passphrase-file "$WORK/sec-pw.txt" \
			"$IMG" /big.bin) > "$FIFO" 2> /dev/null &
	fi
	PID=$!
	exec 3< "$FIFO"
	head -c 1 <&3 > /dev/null
	expect_eq "password from $how: not in the running cat's memory" 0 "$(scan "$HEXPW")"
	release
done
spelled "--passphrase=P" "$PW" "--passphrase=$PW"
spelled "-passphrase P (diskutil)" "$PW" -passphrase "$PW"
spelled "--vek HEX" "$VEK" --vek "$VEK"
spelled "--ve=HEX (abbreviated)" "$VEK" "--ve=$VEK"
spelled "--vek HEX, hex cut to 8 digits" "${VEK:8:8}" --vek "$VEK"

# ---- RLIMIT_MEMLOCK 0: not locked, and still right ------------------------
expect_eq "ulimit -l 0: cat still decrypts the file" "$(sha256sum < "$TREE/big.bin")" \
	"$(ulimit -l 0; "$BIN" cat --passphrase "$PW" "$IMG" /big.bin | sha256sum)"

# ---- /proc/PID/cmdline while PBKDF2 runs ----------------------------------
# 2,000,000 iterations: PBKDF2 takes most of a second, long after the image
# is open (which comes after the arguments are hidden): the point we look.
SLOW=$WORK/sec-slow.img
"$MKIMAGE" from-dir "$SLOW" --dir "$TREE" --password "$PW" --iterations 2000000 > /dev/null
# during_pbkdf2 PASSWORD [ENV=VAL...]: the cmdline seen once the image is open.
during_pbkdf2() {
	local pw=$1 p line=; shift
	env "$@" "$BIN" unlockvolume --passphrase "$pw" "$SLOW" > /dev/null 2>&1 &
	p=$!
	for _ in $(seq 400); do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -q sec-slow.img && break
		sleep 0.005
	done
	line=$(tr '\0' '|' < "/proc/$p/cmdline")
	# Still running: what we read was read during the unlock, not after.
	if kill -0 "$p" 2>/dev/null && [ -d "/proc/$p/fd" ]; then echo "$line"; else echo "ended"; fi
	wait "$p"
}
seen=$(during_pbkdf2 "$PW")
expect_grep "during PBKDF2: cmdline is a title with '*' for the password" \
	'^[^|]*apfsinspect unlockvolume --passphrase \* [^|]*sec-slow\.img\|$' "$seen"
check "during PBKDF2: cmdline does not hold the password" \
	[ "${seen/$PW/}" = "$seen" -a "$seen" != ended ]
short=$(during_pbkdf2 wrong)
long=$(during_pbkdf2 "wrong-password-that-is-thirty-two")
check "during PBKDF2: a 5- and a 33-byte password give the same cmdline (length hidden)" \
	[ "$short" = "$long" -a "$short" != ended ]
seen=$(during_pbkdf2 "$PW" APFSINSPECT_TEST_UNHARDENED=argv)
expect_grep "control (argv not hidden): cmdline during PBKDF2 holds the password" \
	"\|--passphrase\|$PW\|" "$seen"

# ---- another user: non-dumpable, so no /proc/PID/mem --------------------------
ysc=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)
if ! id nobody > /dev/null 2>&1 || ! command -v setpriv > /dev/null; then
	skip "another user cannot read a command's memory" "no user nobody or no setpriv"
elif [ "$ysc" -ge 2 ]; then
	skip "another user cannot read a command's memory" "Yama ptrace_scope $ysc forbids it anyway"
else
	PUB=$(mktemp -d /tmp/apfsinspect-sec.XXXXXX)
	chmod 755 "$PUB"
	cp "$IMG" "$BIN" "$TESTS/tools/memscan.py" "$PUB/"
	chmod 644 "$PUB/sec.img"
	as_nobody() {
		(cd "$PUB" && setpriv --reuid=nobody --regid=nogroup --clear-groups env "$@" \
			python3 memscan.py spawn-read ./apfsinspect cat --passphrase "$PW" sec.img /big.bin)
	}
	expect_eq "nobody cannot read the memory of its own running cat" denied "$(as_nobody)"
	expect_eq "control (dumpable): nobody can read it" readable \
		"$(as_nobody APFSINSPECT_TEST_UNHARDENED=dumpable)"
	rm -rf "$PUB"
fi

# ---- a forced core dump ------------------------------------------------------
# core_pattern decides where a core goes.  A relative one goes to the cwd
# (coredir); anything else is redirected to coredir for the test and restored.
PAT_FILE=/proc/sys/kernel/core_pattern
OLD_PAT=$(cat "$PAT_FILE")
restore_pattern() { [ "$(cat "$PAT_FILE")" = "$OLD_PAT" ] || echo "$OLD_PAT" > "$PAT_FILE"; }
trap restore_pattern EXIT
can_core=yes
case "$OLD_PAT" in
*/* | \|*)
	if ! { echo "$WORK/coredir/core" > "$PAT_FILE"; } 2>/dev/null; then
		can_core="core_pattern '$OLD_PAT' is not a file in the cwd and cannot be changed"
	fi ;;
esac
# dump [ENV=VAL...]: SIGQUIT a held cat with `ulimit -c unlimited`: its exit
# status (131 = SIGQUIT), then the core's path if one was written.
dump() {
	local was
	was=$(ulimit -S -c)
	rm -f "$WORK"/coredir/core*
	ulimit -S -c unlimited
	hold_cat "$@"
	kill -QUIT "$PID"
	# The reader stays open until it has died: else SIGPIPE may kill it first.
	wait "$PID" 2>/dev/null
	echo "status $?"
	exec 3<&-
	ulimit -S -c "$was"
	ls "$WORK"/coredir/core* 2>/dev/null | head -1
}
if grep -q __asan_init "$BIN"; then
	can_core="AddressSanitizer turns core dumps off itself (disable_coredump)"
elif ! (ulimit -S -c unlimited) 2>/dev/null; then
	can_core="the hard RLIMIT_CORE is $(ulimit -H -c)"
fi
if [ "$can_core" != yes ]; then
	skip "forced core dumps" "$can_core"
else
	expect_eq "SIGQUIT with ulimit -c unlimited: killed by it, no core file" "status 131" "$(dump)"
	out=$(dump APFSINSPECT_TEST_UNHARDENED=dumpable)
	core=$(printf '%s\n' "$out" | sed -n 2p)
	check "control (dumpable): a core file is written" [ -n "$core" ]
	if [ -n "$core" ]; then
		read -r n_pw n_k1 n_k2 n_img <<< "$(python3 "$TESTS/tools/memscan.py" file "$core" \
			"$HEXPW" "$K1" "$K2" "$(printf %s "$IMG" | xxd -p | tr -d '\n')")"
		check "dumpable core: it is a real dump (the image path is in it $n_img times)" \
			[ "$n_img" -ge 1 ]
		expect_eq "dumpable core: neither the password nor the VEK halves (undumped key memory)" \
			"0 0 0" "$n_pw $n_k1 $n_k2"
	fi
	core=$(dump APFSINSPECT_TEST_UNHARDENED=dumpable,keys | sed -n 2p)
	if [ -n "$core" ]; then
		read -r n_k1 n_k2 <<< "$(python3 "$TESTS/tools/memscan.py" file "$core" "$K1" "$K2")"
		check "control (keys on the heap): the core holds the VEK halves ($n_k1, $n_k2)" \
			[ "$n_k1" -ge 1 -a "$n_k2" -ge 1 ]
	else
		notok "control (keys on the heap): a core file is written"
	fi
	rm -f "$WORK"/coredir/core*
fi
restore_pattern
done_testing
