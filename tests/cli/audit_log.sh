# audit_log.sh - `--log FILE` (README "Chain of custody"): one JSON line
# appended per run, with the version (the Makefile's number and the commit),
# the command line with every secret replaced by "*", the image's path, size
# and (--hash-image) SHA-256 before and after, the container and volume
# UUIDs, who unlocked it with what, UTC times and the exit status; never a
# secret, whatever the spelling of the option that carried it.  Expected
# values come from IMAGES.md (UUIDs, size and SHA-256 of encrypted.img,
# measured on macOS and with peer tools), the Makefile and git.
. "$TESTS/lib.sh"
need_image encrypted.img
need_image basic.img
ENC=$IMAGES/encrypted.img BASIC=$IMAGES/basic.img PW=hunter2hunter2
E_CONT=FB213F63-E69F-47E5-8F5C-32FDDB3A400C E_VOL=1BEC6FD3-1871-4697-BF1F-20C2620146D8
E_SHA=35101d6729e6b1321aaa24d1c9cb2574f4118f7c4c10bb5fe179ac905e4e0da3 E_SIZE=50331648
ROOT=$TESTS/..
LOG=$WORK/audit/custody.jsonl
mkdir -p "$WORK/audit"

# rec N EXPR: Python expression on the Nth record (1-based; r is the record).
rec() {
	python3 - "$LOG" "$1" "$2" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "the log ends with a newline"
r = json.loads(lines[int(sys.argv[2]) - 1])
print(eval(sys.argv[3]))
EOF
}

# --- --version: the Makefile's number and the commit ----------------------------
VER=$(sed -n 's/^VERSION := \([0-9][0-9.]*\)$/\1/p' "$ROOT/Makefile")
expect_grep "the Makefile holds one release number" '^[0-9]+\.[0-9]+\.[0-9]+$' "$VER"
expect_rc "--version: exit 0" 0 "$BIN" --version
expect_grep "--version: number and commit" "^apfsinspect $VER \\(commit [0-9a-f]{7,}(-dirty)?\\)\$" "$OUT"
VOUT=$OUT

# --- one run: every field against IMAGES.md ---------------------------------------
expect_rc "stat with --log --hash-image: exit 0" 0 \
	"$BIN" stat --log "$LOG" --hash-image --passphrase "$PW" "$ENC" /secret.txt
expect_eq "one line appended" 1 "$(wc -l < "$LOG")"
expect_eq "record: schema, kind, version" "1 apfsinspect-run $VER" \
	"$(rec 1 '"%s %s %s" % (r["schema_version"], r["record"], r["version"])')"
C=$(rec 1 'r["commit"]')
expect_eq "record: the commit is the one --version names" "$(sed -n 's/.*(commit \(.*\))$/\1/p' <<< "$VOUT")" "$C"
if command -v git > /dev/null && git -C "$ROOT" rev-parse --short HEAD > /dev/null 2>&1; then
	check "record: the commit is one of this repository's" git -C "$ROOT" cat-file -e "${C%-dirty}^{commit}"
else
	skip "record: the commit built" "no git checkout"
fi
expect_eq "record: command line, the password as *" \
	"stat --log $LOG --hash-image --passphrase * $ENC /secret.txt" \
	"$(rec 1 '" ".join(r["command_line"][1:])')"
expect_eq "record: image, size (IMAGES.md)" "$ENC $E_SIZE" \
	"$(rec 1 '"%s %s" % (r["image_realpath"], r["image_size"])')"
expect_eq "record: SHA-256 before and after (IMAGES.md), unchanged" "$E_SHA $E_SHA True" \
	"$(rec 1 '"%s %s %s" % (r["image_sha256_before"], r["image_sha256_after"], r["image_unchanged"])')"
expect_eq "record: container and volume UUIDs (IMAGES.md)" "$E_CONT $E_VOL Enc $E_VOL" \
	"$(rec 1 '"%s %s %s %s" % (" ".join(r["container_uuids"]), r["volumes"][0]["volume_uuid"], r["selected_volume"], r["selected_volume_uuid"])')"
expect_eq "record: unlocked by the Disk user with a passphrase (IMAGES.md)" \
	"$E_VOL $E_VOL Disk User passphrase --passphrase" \
	"$(rec 1 '" ".join(r["unlocked"][0][k] for k in ("volume_uuid", "user_uuid", "user_type", "credential", "credential_source"))')"
expect_eq "record: UTC times with ns, start <= end, exit 0" "True True 0" \
	"$(rec 1 '"%s %s %s" % (all(len(r[k]) == 30 and r[k].endswith("Z") for k in ("start", "end")), r["start"] <= r["end"], r["exit_status"])')"
expect_eq "record: host and uid" "$(hostname) $(id -u)" "$(rec 1 '"%s %s" % (r["host"], r["uid"])')"

# --- never a secret, in any spelling ----------------------------------------------
RK=ABCD-EFGH-IJKL-MNOP-QRST-UVWX VEK=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
run_rc "$BIN" unlockvolume --log "$LOG" "--passphrase=$PW" "$ENC"
run_rc "$BIN" unlockvolume --log "$LOG" -passphrase "$PW" "$ENC"
run_rc "$BIN" unlockvolume --log "$LOG" --pass "$PW" "$ENC"
run_rc "$BIN" unlockvolume --log "$LOG" --recovery-key "$RK" "$ENC"
run_rc "$BIN" unlockvolume --log "$LOG" --vek "$VEK" "$ENC"
run_rc "$BIN" unlockvolume --log "$LOG" --stdin-passphrase "$ENC" <<< "$PW"
printf 'wrong-one\n%s\n' "$PW" > "$WORK/audit/pw.txt"
run_rc "$BIN" unlockvolume --log "$LOG" --passphrase-file "$WORK/audit/pw.txt" "$ENC"
expect_eq "eight runs, eight records" 8 "$(wc -l < "$LOG")"
expect_eq "the password is nowhere in the log" 0 "$(grep -c "$PW" "$LOG")"
expect_eq "the recovery key is nowhere in the log" 0 "$(grep -ci -e "$RK" -e "${RK//-/}" "$LOG")"
expect_eq "the VEK is nowhere in the log" 0 "$(grep -ci "$VEK" "$LOG")"
expect_eq "the candidates of the file are nowhere in the log" 0 "$(grep -c 'wrong-one' "$LOG")"
expect_eq "each spelling's value shows as *" \
	"unlockvolume --log $LOG --passphrase=* $ENC|unlockvolume --log $LOG -passphrase * $ENC|unlockvolume --log $LOG --pass * $ENC|unlockvolume --log $LOG --recovery-key * $ENC|unlockvolume --log $LOG --vek * $ENC" \
	"$(for n in 2 3 4 5 6; do rec $n '" ".join(r["command_line"][1:])'; done | paste -sd'|')"
expect_eq "exit status and credential source of each run (--pass is ambiguous: 2; wrong key, wrong VEK: 3)" \
	"0:--passphrase 0:--passphrase 2:- 3:- 3:- 0:--stdin-passphrase 0:--passphrase-file" \
	"$(for n in 2 3 4 5 6 7 8; do rec $n '"%s:%s" % (r["exit_status"], r["unlocked"][0]["credential_source"] if r["unlocked"] else "-")'; done | paste -sd' ')"

# --- the runs that fail still leave a record ----------------------------------------
expect_rc "a usage error: exit 2" 2 "$BIN" ls --log "$LOG" --plist "$BASIC"
expect_eq "a usage error is recorded, exit_status 2" "2 None" \
	"$(rec 9 '"%s %s" % (r["exit_status"], r["image"])')"
expect_rc "a damaged image: exit 1" 1 "$BIN" ls --log "$LOG" "$WORK/audit/pw.txt"
expect_eq "a run on a file that is no image is recorded, exit_status 1" "1 $WORK/audit/pw.txt" \
	"$(rec 10 '"%s %s" % (r["exit_status"], r["image"])')"
expect_rc "--hash-image without --log: exit 2" 2 "$BIN" list --hash-image "$BASIC"
expect_rc "--log into a directory that does not exist: exit 1" 1 \
	"$BIN" list --log "$WORK/audit/no/such/dir/log" "$BASIC"
expect_eq "... and nothing on stdout: the command did not run" "" "$OUT"
expect_grep "... the message names the log" 'apfsinspect: --log .*/no/such/dir/log: No such file' "$ERR"
mkdir -p "$WORK/audit/sb"
expect_rc "--hash-image of a directory (a sparse bundle's kind): exit 1 (not an image)" 1 \
	"$BIN" list --log "$WORK/audit/dir.jsonl" --hash-image "$WORK/audit/sb"
expect_eq "... the record says why there is no hash" "None None Is a directory" \
	"$(LOG=$WORK/audit/dir.jsonl rec 1 '"%s %s %s" % (r["image_sha256_before"], r["image_sha256_after"], r["image_hash_error"])')"
# The image changed while the command ran (a byte appended while it waits for the passphrase
# on stdin, blocked in read(0) as /proc/PID/syscall shows): before and after differ, and
# "after" is what sha256sum reads once the run is over.
cp "$ENC" "$WORK/audit/chg.img"
mkfifo "$WORK/audit/fifo"
"$BIN" ls --log "$WORK/audit/chg.jsonl" --hash-image --stdin-passphrase "$WORK/audit/chg.img" / \
	< "$WORK/audit/fifo" > /dev/null 2>&1 &
P=$!
exec 7> "$WORK/audit/fifo"
for _ in $(seq 200); do
	grep -q '^0 0x0 ' "/proc/$P/syscall" 2> /dev/null && break
	sleep 0.1
done
check "the run waits for its passphrase on stdin" grep -q '^0 0x0 ' "/proc/$P/syscall"
printf 'x' >> "$WORK/audit/chg.img"
echo "$PW" >&7
exec 7>&-
wait "$P"
expect_eq "an image changed during the run: before (IMAGES.md), after (sha256sum), unchanged false" \
	"$E_SHA $(sha256sum < "$WORK/audit/chg.img" | cut -d' ' -f1) False" \
	"$(LOG=$WORK/audit/chg.jsonl rec 1 '"%s %s %s" % (r["image_sha256_before"], r["image_sha256_after"], r["image_unchanged"])')"
# The log is never the evidence: the image itself, or a file inside a bundle directory.
cp "$BASIC" "$WORK/audit/ev.img"
before=$(sha256sum < "$WORK/audit/ev.img") mt=$(stat -c %Y.%y "$WORK/audit/ev.img")
expect_rc "--log naming the image: refused, exit 2" 2 \
	"$BIN" list --log "$WORK/audit/./ev.img" "$WORK/audit/ev.img"
expect_eq "... the image is untouched (content, mtime)" "$before $mt" \
	"$(sha256sum < "$WORK/audit/ev.img") $(stat -c %Y.%y "$WORK/audit/ev.img")"
mkdir -p "$WORK/audit/b.sparsebundle"
expect_rc "--log inside a bundle directory given as IMAGE: refused, exit 2" 2 \
	"$BIN" list --log "$WORK/audit/b.sparsebundle/x.log" "$WORK/audit/b.sparsebundle"
expect_eq "... nothing created in it" "" "$(ls -A "$WORK/audit/b.sparsebundle")"

# mount: the daemon writes the record when the mount ends, though it runs in another
# directory: relative --log and IMAGE are resolved before it starts.
if [ -c /dev/fuse ] && command -v fusermount3 > /dev/null; then
	mkdir -p "$WORK/audit/mnt"
	( cd "$WORK/audit" && cp "$BASIC" m.img &&
		"$BIN" mount --log m.jsonl --hash-image m.img mnt )
	expect_eq "mount: the volume is there (IMAGES.md: hello.txt)" "hello from apfs" \
		"$(cat "$WORK/audit/mnt/hello.txt" 2>&1)"
	timeout 10 fusermount3 -u "$WORK/audit/mnt"
	for _ in $(seq 100); do [ -s "$WORK/audit/m.jsonl" ] && break; sleep 0.1; done
	expect_eq "mount: one record once unmounted, relative paths resolved, image unchanged" \
		"1 0 $WORK/audit/m.img True" \
		"$(wc -l < "$WORK/audit/m.jsonl") $(LOG=$WORK/audit/m.jsonl rec 1 '"%s %s %s" % (r["exit_status"], r["image_realpath"], r["image_unchanged"])')"
else
	skip "mount: the record of a mount" "/dev/fuse or fusermount3 missing"
	skip "mount: the volume is there" "/dev/fuse or fusermount3 missing"
fi
expect_eq "the log is private (0600)" 600 "$(stat -c %a "$LOG")"
check "every line of the log is one JSON object" python3 -c '
import json, sys
for l in open(sys.argv[1]): json.loads(l)' "$LOG"
done_testing
