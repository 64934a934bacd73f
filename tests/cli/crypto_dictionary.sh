# crypto_dictionary.sh - unlockvolume --passphrase-file runs its candidates
# in batches (one PBKDF2 per SIMD lane, cipher/pbkdf2.c): the password that
# fits is found wherever it sits in a batch, named by its line, with every
# engine; recovery keys among the candidates still work; progress goes to
# a terminal only.  Passwords and users come from the all-users image's
# specification (testdata/README.md); line numbers from the files written here.
. "$TESTS/lib.sh"
A=$WORK/all-users.img
"$MKIMAGE" all-users "$A" > /dev/null || { notok "mkimage all-users"; done_testing; exit 0; }
BOB="0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9 \\(Local Open Directory User\\)"
ALICE=5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D
PRK=EBC6C064-0000-11AA-AA11-00306543ECAC

# words N [LINE PASSWORD]: N wrong candidates, PASSWORD on line LINE instead
words() {
	local i
	for ((i = 1; i <= $1; i++)); do
		if [ "$i" = "${2:-0}" ]; then echo "$3"; else echo "wrong-candidate-$i"; fi
	done > "$WORK/words.txt"
}

for line in 1 16 17 41 60; do
	words 60 "$line" bob-password
	expect_rc "bob's password on line $line of 60: exit 0" 0 \
		"$BIN" unlockvolume --volume Data --passphrase-file "$WORK/words.txt" "$A"
	expect_grep "line $line: bob, by line" "unlocked by crypto user $BOB, candidate on line $line of" "$OUT"
done
for e in c sse2 avx2 avx512; do
	words 40 23 bob-password
	expect_rc "engine $e (or the widest below it): exit 0" 0 env APFSINSPECT_PBKDF2_ENGINE=$e \
		"$BIN" unlockvolume --volume Data --passphrase-file "$WORK/words.txt" "$A"
	expect_grep "engine $e: bob on line 23" "$BOB, candidate on line 23 of" "$OUT"
done
words 40 33 ABCD-EFGH-IJKL-MNOP-QRST-UVWX
expect_rc "a recovery key among the candidates: exit 0" 0 \
	"$BIN" unlockvolume --volume Data --passphrase-file "$WORK/words.txt" "$A"
expect_grep "recovery key: the Personal Recovery User, line 33" "$PRK.*line 33 of" "$OUT"
words 40 30 alice-password
expect_rc "--user alice: exit 0" 0 "$BIN" unlockvolume --volume Data --user "$ALICE" \
	--passphrase-file "$WORK/words.txt" "$A"
expect_grep "--user alice: line 30" "$ALICE.*line 30 of" "$OUT"
words 60
expect_rc "none right: exit 3" 3 "$BIN" unlockvolume --volume Data --passphrase-file "$WORK/words.txt" "$A"
expect_grep "none right: counts them" "none of the 60 candidates" "$ERR"
check "none right: no candidate echoed" eval '! printf "%s%s" "$OUT" "$ERR" | grep -q wrong-candidate'
check "not a terminal: no progress line" eval '! printf "%s" "$ERR" | grep -q "tried ("'
if command -v script > /dev/null; then
	T=$(script -qec "'$BIN' unlockvolume --volume Data --passphrase-file '$WORK/words.txt' '$A'" /dev/null)
	expect_grep "terminal: progress of the tries" "of 480 candidate-user pairs tried \\([0-9.]+/s, [0-9]+:[0-9]{2} left\\)" "$T"
	T=$(script -qec "'$BIN' unlockvolume --volume Data --user $ALICE --passphrase-file '$WORK/words.txt' '$A'" /dev/null)
	expect_grep "terminal, one user: progress in candidates" "of 60 candidates tried" "$T"
	check "terminal: no candidate shown" eval '! printf "%s" "$T" | grep -q wrong-candidate'
else
	skip "terminal progress" "script (util-linux) not installed"
fi
done_testing
