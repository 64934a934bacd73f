#!/usr/bin/env bash
# extract_nothing_made.sh - `extract` creates nothing (manifest, facts file, archive, DEST)
# until PATH is found in the opened volume.  Its outputs are checked before the session
# opens, so that a mistake is told before a password is asked: new files must not exist
# nor be named twice, DEST if there must be a directory.  So a wrong password, a PATH not
# found, or a run stopped at the password prompt leaves nothing behind, and the same
# command given again is not refused by the first one's manifest; a run that cannot
# start never removes anything (another run may be filling the same DEST).
#
# Expected values: the `demo` scenario's credential (password `demo`) and its small
# tree's /hello.txt, "hello, world\n" (testdata/README.md); the SHA-256 is computed
# here from those bytes.
. "$(dirname "$0")/../lib.sh"

W=$WORK/extract-nothing-made
rm -rf "$W"; mkdir -p "$W"; cd "$W" || exit 1
if ! "$MKIMAGE" demo demo.img > /dev/null 2>&1; then
	notok "mkimage demo"; done_testing; exit 0
fi
printf 'wrong\n' > bad.pw
printf 'demo\n' > good.pw
mkfifo pw.fifo
here() { ls -A | grep -v '^\(demo.img\|bad.pw\|good.pw\|pw.fifo\)$' | tr '\n' ' '; }

expect_rc "wrong password: exit 3" 3 "$BIN" extract --passphrase-file bad.pw \
	--manifest m.txt demo.img / out
expect_eq "wrong password: no manifest, facts file or DEST made" "" "$(here)"
expect_rc "wrong password, --tar FILE: exit 3" 3 "$BIN" extract --passphrase-file bad.pw \
	--tar o.tar --facts f.json demo.img /hello.txt
expect_eq "wrong password: no archive or facts file made" "" "$(here)"
expect_rc "wrong password, --tar -: exit 3" 3 "$BIN" extract --passphrase-file bad.pw \
	--tar - demo.img /hello.txt
expect_eq "... nothing on stdout (no empty archive)" "0" "$(printf '%s' "$OUT" | wc -c)"
expect_rc "path not found: exit 1" 1 "$BIN" extract --passphrase-file good.pw \
	--manifest m.txt demo.img /no-such-file out
expect_eq "path not found: nothing made" "" "$(here)"

# Waiting for the password (a FIFO no one writes yet): nothing made; stopped there, none left.
"$BIN" extract --passphrase-file pw.fifo --manifest m.txt demo.img / out 2> /dev/null &
pid=$!
sleep 1
expect_eq "while the password is awaited, nothing is made" "" "$(here)"
kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null
expect_eq "a run stopped at the prompt leaves nothing" "" "$(here)"

# What is checked before the password: no wait on the FIFO (timeout 124 would say one).
touch m.txt
expect_rc "manifest already there: refused before the password" 1 timeout 10 "$BIN" extract \
	--passphrase-file pw.fifo --manifest m.txt demo.img / out
expect_grep "... named" "^apfsinspect: m\.txt: File exists$" "$ERR"
expect_eq "the manifest there before is kept, empty; no DEST made" "m.txt 0" \
	"$(here)$(stat -c %s m.txt)"
rm -f m.txt
printf 'mine\n' > f.json
expect_rc "facts file already there: refused before the password" 1 timeout 10 "$BIN" extract \
	--passphrase-file pw.fifo --facts f.json demo.img / out
expect_eq "the facts file there before is kept as it was; no DEST made" "f.json mine" \
	"$(here)$(cat f.json)"
rm -f f.json
expect_rc "--manifest and --facts one file: refused before the password" 1 timeout 10 "$BIN" \
	extract --passphrase-file pw.fifo --manifest x --facts x demo.img / out
expect_eq "... nothing made" "" "$(here)"
expect_rc "--tar and --manifest one file: refused before the password" 1 timeout 10 "$BIN" \
	extract --passphrase-file pw.fifo --tar x --manifest x demo.img /
expect_eq "... nothing made" "" "$(here)"
printf 'a file\n' > notdir
expect_rc "DEST an existing file: refused before the password" 1 timeout 10 "$BIN" extract \
	--passphrase-file pw.fifo demo.img / notdir
expect_grep "... named" "^apfsinspect: notdir: Not a directory$" "$ERR"
expect_eq "... the file kept" "a file" "$(cat notdir)"
rm -f notdir
ln -s nowhere dangling
expect_rc "DEST a symbolic link to nothing: refused before the password" 1 timeout 10 "$BIN" \
	extract --passphrase-file pw.fifo demo.img / dangling
expect_grep "... named" "^apfsinspect: dangling: No such file or directory$" "$ERR"
expect_eq "... the link kept, nothing made where it points" "nowhere " \
	"$(readlink dangling) $(ls -A | grep -x nowhere)"
rm -f dangling

expect_rc "manifest in a directory not there: refused before the password" 1 timeout 10 \
	"$BIN" extract --passphrase-file pw.fifo --manifest nodir/m.txt demo.img / out
expect_grep "... named" "^apfsinspect: nodir/m\.txt: No such file or directory$" "$ERR"
expect_rc "DEST in a directory not there: refused before the password" 1 timeout 10 \
	"$BIN" extract --passphrase-file pw.fifo --manifest m.txt demo.img / nodir/out
expect_rc "--manifest ./x --facts x (one file, two spellings): refused before the password" 1 \
	timeout 10 "$BIN" extract --passphrase-file pw.fifo --manifest ./x --facts x demo.img / out
expect_rc "--manifest out with DEST out: refused before the password" 1 timeout 10 "$BIN" \
	extract --passphrase-file pw.fifo --manifest out demo.img / out
expect_eq "... none of them made anything" "" "$(here)"

# An output that fails once PATH is found (the facts file made by someone else while the
# password was awaited): the manifest this run had just made is taken back.
"$BIN" extract --passphrase-file pw.fifo --manifest m.txt demo.img /hello.txt out \
	> /dev/null 2> late.err &
pid=$!
sleep 1
printf 'theirs\n' > m.txt.facts
# (a run that is not reading the FIFO would leave this write waiting forever)
timeout 10 sh -c 'printf "demo\n" > pw.fifo'
wait "$pid"
expect_eq "facts file made meanwhile: exit 1, named" "1 apfsinspect: m.txt.facts: File exists" \
	"$? $(cat late.err)"
expect_eq "... the manifest it had made taken back, the other file kept" "m.txt.facts theirs" \
	"$(here | sed 's/late.err //')$(cat m.txt.facts)"
rm -f m.txt.facts late.err

mkdir keep && touch keep/mine
expect_rc "wrong password, DEST there before" 3 "$BIN" extract --passphrase-file bad.pw demo.img / keep
expect_eq "a DEST there before is kept, with what it held" "mine" "$(ls -A keep)"
rm -rf keep
mkdir keep
expect_rc "wrong password, an empty DEST there before" 3 "$BIN" extract --passphrase-file bad.pw demo.img / keep
check "an empty DEST there before is kept" [ -d keep ]
rm -rf keep

# The second try, as the analyst types it again with the right password.
"$BIN" extract --passphrase-file bad.pw --manifest m.txt demo.img /hello.txt out 2> /dev/null
expect_rc "the same command with the right password succeeds" 0 "$BIN" extract \
	--passphrase-file good.pw --manifest m.txt demo.img /hello.txt out
want=$(printf 'hello, world\n' | sha256sum | cut -d' ' -f1)
expect_eq "its manifest names the file's SHA-256" "$want  hello.txt" "$(cat m.txt)"
expect_eq "its file holds the bytes" "hello, world" "$(cat out/hello.txt)"
check "its facts file is written" [ -s m.txt.facts ]
rm -rf out m.txt m.txt.facts

# Started, then failing (the target cannot take the file): outputs kept.
mkdir out && mkdir out/hello.txt && touch out/hello.txt/x
"$BIN" extract --passphrase-file good.pw --manifest m.txt demo.img /hello.txt out > /dev/null 2>&1
rc=$?
check "a run that started and failed exits non-zero" [ $rc != 0 ]
check "a run that started keeps its manifest and facts file" [ -e m.txt ] && [ -e m.txt.facts ]
done_testing
