# crypto_users.sh - listcryptousers, unlockvolume and hashes on the real
# macOS-made encrypted image.  Expected values come from IMAGES.md (what
# macOS, TSK and an independent reader show) and docs/users.md (diskutil's
# exact layout); hashes are checked by an independent implementation of
# hashcat 18300 (tests/tools/fvde_check.py).
. "$TESTS/lib.sh"
need_image encrypted.img
E=$IMAGES/encrypted.img
U=1BEC6FD3-1871-4697-BF1F-20C2620146D8

expect_rc "listcryptousers: exit 0" 0 "$BIN" listcryptousers "$E"
expect_eq "listcryptousers: diskutil layout, one Disk User" \
"Cryptographic user for Enc (1 found)
|
+-- $U
    Type: Disk User" "$OUT"
expect_rc "listcryptousers --volume Enc: exit 0" 0 "$BIN" listcryptousers --volume Enc "$E"
expect_rc "listcryptousers -plist: exit 0" 0 "$BIN" listcryptousers -plist "$E"
if command -v python3 > /dev/null; then
	expect_eq "plist parses with diskutil's keys (Python plistlib)" "Disk $U" "$(printf '%s' "$OUT" |
		python3 -c 'import plistlib,sys; u=plistlib.loads(sys.stdin.buffer.read())["Users"]; print(" ".join(x["APFSCryptoUserType"]+" "+x["APFSCryptoUserUUID"] for x in u))')"
else
	skip "plist parses" "python3 not installed"
fi
expect_rc "listcryptousers --json: exit 0" 0 "$BIN" listcryptousers --json "$E"
J=$OUT
expect_grep "json: iterations 100000" '"pbkdf2_iterations": 100000' "$J"
expect_grep "json: salt" '"salt": "173bef77ee988613d49e3fe8151a5426"' "$J"
expect_grep "json: KEK metadata" '"key_metadata": "0000000002005709"' "$J"
expect_grep "json: VEK metadata" '"key_metadata": "0000000001005709"' "$J"
expect_grep "json: container keybag block 172" '"block": 172' "$J"
expect_grep "json: volume keybag block 170" '"keybag_block": 170' "$J"
expect_grep "json: no hint" '"hint": null' "$J"
expect_grep "json: unlockable offline" '"offline_unlockable": true' "$J"
if command -v python3 > /dev/null; then
	check "json: valid JSON" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$J"
fi

expect_rc "unlock with the password: exit 0" 0 "$BIN" unlockvolume --passphrase hunter2hunter2 "$E"
expect_grep "unlock names the user and its type" "unlocked by crypto user $U \\(Disk User\\)" "$OUT"
expect_rc "diskutil spelling -passphrase -user" 0 "$BIN" unlockvolume -user "$U" -passphrase hunter2hunter2 "$E"
expect_rc "wrong password: exit 3" 3 "$BIN" unlockvolume --passphrase not-the-password "$E"
expect_grep "wrong password: says so, names the users tried" "wrong passphrase for the 1 crypto user tried" "$ERR"
check "wrong password: the secret is not echoed" eval '! printf "%s%s" "$OUT" "$ERR" | grep -q not-the-password'
run_rc "$BIN" unlockvolume --stdin-passphrase "$E" <<< "hunter2hunter2"
expect_eq "--stdin-passphrase: exit 0" 0 "$RC"
run_rc "$BIN" unlockvolume -stdinpassphrase "$E" <<< "wrong"
expect_eq "-stdinpassphrase wrong: exit 3" 3 "$RC"
printf 'a\nb\nhunter2hunter2\nc\n' > "$WORK/cands.txt"
expect_rc "--passphrase-file: exit 0" 0 "$BIN" unlockvolume --passphrase-file "$WORK/cands.txt" "$E"
expect_grep "--passphrase-file: names the line" 'line 3 of' "$OUT"
printf 'a\nb\n' > "$WORK/cands.txt"
expect_rc "--passphrase-file, none right: exit 3" 3 "$BIN" unlockvolume --passphrase-file "$WORK/cands.txt" "$E"
expect_grep "--passphrase-file, none right: counts" 'none of the 2 candidates' "$ERR"
expect_rc "recovery key on a volume without one: exit 3" 3 "$BIN" unlockvolume --recovery-key ABCD-EFGH-IJKL-MNOP-QRST-UVWX "$E"
expect_grep "recovery key: explains" 'has no Personal Recovery User' "$ERR"
expect_rc "unknown --user: exit 3" 3 "$BIN" unlockvolume --user 00000000-0000-0000-0000-000000000001 --passphrase hunter2hunter2 "$E"
expect_grep "unknown --user: explains" 'has no crypto user' "$ERR"
expect_rc "bad --user: exit 2" 2 "$BIN" unlockvolume --user nonsense --passphrase x "$E"
expect_rc "no credential, no terminal: exit 3" 3 "$BIN" unlockvolume "$E" < /dev/null
# The no-echo prompt, on a real pseudo-terminal.
if command -v python3 > /dev/null; then
	P=$(python3 "$TESTS/tools/pty_prompt.py" hunter2hunter2 "$BIN" unlockvolume "$E")
	expect_grep "terminal prompt: asks" '^Passphrase: ' "$P"
	expect_grep "terminal prompt: unlocks" 'unlocked by crypto user' "$P"
	expect_grep "terminal prompt: exit 0" '^rc=0$' "$P"
	check "terminal prompt: the password is not echoed" eval '! printf "%s" "$P" | grep -q hunter2'
	P=$(python3 "$TESTS/tools/pty_prompt.py" wrong-one "$BIN" unlockvolume "$E")
	expect_grep "terminal prompt, wrong password: exit 3" '^rc=3$' "$P"
else
	skip "terminal prompt" "python3 not installed"
fi
expect_rc "wrong --vek: exit 3" 3 "$BIN" unlockvolume --vek "$(printf '%064d' 0)" "$E"
expect_rc "malformed --vek: exit 2" 2 "$BIN" unlockvolume --vek 1234 "$E"
expect_rc "two credentials: exit 2" 2 "$BIN" unlockvolume --passphrase a --recovery-key b "$E"
expect_rc "json unlock: exit 0" 0 "$BIN" unlockvolume --json --passphrase hunter2hunter2 "$E"
expect_grep "json unlock: user" "\"user_uuid\": \"$U\"" "$OUT"
expect_rc "list after: still locked (nothing persisted)" 0 "$BIN" list "$E"
expect_grep "list: locked" 'FileVault: +Yes \(Locked\)' "$OUT"

expect_rc "hashes: exit 0" 0 "$BIN" hashes "$E"
H=$OUT
expect_grep "hashes: hashcat 18300 form" '^\$fvde\$2\$16\$173bef77ee988613d49e3fe8151a5426\$100000\$[0-9a-f]{80}$' "$H"
if command -v python3 > /dev/null && command -v openssl > /dev/null; then
	check "hashes: the password cracks it (independent 18300 check)" python3 "$TESTS/tools/fvde_check.py" "$H" hunter2hunter2
	check "hashes: a wrong password does not" eval '! python3 "$TESTS/tools/fvde_check.py" "$H" hunter2hunter3'
	check "fvde_check itself: hashcat's 18300 self-test" python3 "$TESTS/tools/fvde_check.py" \
		'$fvde$2$16$58778104701476542047675521040224$20000$39602e86b7cea4a34f4ff69ff6ed706d68954ee474de1d2a9f6a6f2d24d172001e484c1d4eaa237d' hashcat
	check "fvde_check itself: hashcat's 16700 self-test" python3 "$TESTS/tools/fvde_check.py" \
		'$fvde$1$16$84286044060108438487434858307513$20000$f1620ab93192112f0a23eea89b5d4df065661f974b704191' hashcat
else
	skip "hashes crack check" "python3 or openssl missing"
fi
expect_rc "hashes --format john: exit 0" 0 "$BIN" hashes --format john "$E"
# The Disk User's UUID is the volume's (IMAGES.md): the label is U/U.
expect_eq "john form: volume/user:hash:::hint::" "$U/$U:$H:::::" "$OUT"
expect_rc "hashes --format bogus: exit 2" 2 "$BIN" hashes --format bogus "$E"

need_image basic.img
expect_rc "unencrypted: listcryptousers exit 0" 0 "$BIN" listcryptousers --volume ACCEPT "$IMAGES/basic.img"
expect_grep "unencrypted: plain statement" 'is not encrypted' "$OUT"
expect_rc "unencrypted: unlockvolume exit 0" 0 "$BIN" unlockvolume --passphrase x "$IMAGES/basic.img"
expect_rc "unencrypted: hashes prints nothing" 0 "$BIN" hashes "$IMAGES/basic.img"
expect_eq "unencrypted: no hash lines" "" "$OUT"
done_testing
