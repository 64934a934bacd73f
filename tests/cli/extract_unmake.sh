#!/usr/bin/env bash
# extract_unmake.sh - an `extract` that never starts (a wrong password, a
# path not found) leaves nothing behind: the manifest, facts file, archive
# and DEST it created are taken back, so the analyst's next try with the
# same arguments is not refused by its own first try's manifest.  What was
# there before (a DEST, a file) is kept, and a run that starts keeps its
# outputs whatever ends it.
#
# Expected values: the `demo` scenario's credential (password `demo`) and
# its small tree's /hello.txt, "hello, world\n" (testdata/README.md); the
# SHA-256 is computed here from those bytes.
. "$(dirname "$0")/../lib.sh"

W=$WORK/extract-unmake
rm -rf "$W"; mkdir -p "$W"; cd "$W" || exit 1
if ! "$MKIMAGE" demo demo.img > /dev/null 2>&1; then
	notok "mkimage demo"; done_testing; exit 0
fi
printf 'wrong\n' > bad.pw
printf 'demo\n' > good.pw
here() { ls -A | grep -v '^\(demo.img\|bad.pw\|good.pw\)$' | tr '\n' ' '; }

expect_rc "wrong password: exit 3" 3 "$BIN" extract --passphrase-file bad.pw \
	--manifest m.txt demo.img / out
expect_eq "wrong password: no manifest, facts file or DEST left" "" "$(here)"
expect_rc "wrong password, --tar FILE: exit 3" 3 "$BIN" extract --passphrase-file bad.pw \
	--tar o.tar --facts f.json demo.img /hello.txt
expect_eq "wrong password: no archive or facts file left" "" "$(here)"
expect_rc "path not found: exit 1" 1 "$BIN" extract --passphrase-file good.pw \
	--manifest m.txt demo.img /no-such-file out
expect_eq "path not found: nothing left" "" "$(here)"

mkdir keep && touch keep/mine
expect_rc "wrong password, DEST there before" 3 "$BIN" extract --passphrase-file bad.pw demo.img / keep
expect_eq "a DEST there before is kept, with what it held" "mine" "$(ls -A keep)"
rm -rf keep
mkdir keep
expect_rc "wrong password, an empty DEST there before" 3 "$BIN" extract --passphrase-file bad.pw demo.img / keep
check "an empty DEST there before is kept" [ -d keep ]
rm -rf keep
touch m.txt
expect_rc "manifest already there: refused" 1 "$BIN" extract --passphrase-file good.pw \
	--manifest m.txt demo.img / out
expect_eq "the manifest there before is kept; no DEST made" "m.txt " "$(here)"
check "the manifest there before is untouched" [ ! -s m.txt ]
rm -f m.txt
printf 'mine\n' > f.json
expect_rc "facts file already there: refused" 1 "$BIN" extract --passphrase-file good.pw \
	--facts f.json demo.img / out
expect_eq "the facts file there before is kept as it was; no DEST made" "f.json mine" \
	"$(here)$(cat f.json)"
rm -f f.json

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
