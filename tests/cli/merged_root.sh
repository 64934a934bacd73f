#!/usr/bin/env bash
# merged_root.sh - the Mac's root of a volume group (issue 12 item 4):
# selecting the System volume of `mkimage macos-boot` (or --volume group)
# shows System's tree with the firmlinked directories resolving into the
# Data volume and /System/Volumes/Data being the Data root, for ls, stat,
# cat, extract and bodyfile.  Expected names and bytes come from
# testdata/README.md "macos-boot" (the documented file rule, recomputed
# here), not from our output; the hostile firmlink list from its
# "group-firmlinks" table.
. "$(dirname "$0")/../lib.sh"

SEED=7 FILES=4
IMG=$WORK/mr-macos.img
HOST=$WORK/mr-group.img
"$MKIMAGE" macos-boot "$IMG" --seed $SEED --files $FILES >/dev/null 2>&1 ||
	{ notok "mkimage macos-boot"; done_testing; exit 1; }
"$MKIMAGE" group-firmlinks "$HOST" >/dev/null 2>&1 ||
	{ notok "mkimage group-firmlinks"; done_testing; exit 1; }
PLAIN=$WORK/mr-basic.img
"$MKIMAGE" basic "$PLAIN" --unencrypted >/dev/null 2>&1 ||
	{ notok "mkimage basic"; done_testing; exit 1; }
P=(--passphrase alice-password)
A() { "$BIN" "$@"; }

# README: Documents/file-NNNNN.txt = "NAME file NNNNN seed S\n", N from 0 to FILES-1.
doc() { printf '%s file %05d seed %s\n' "$1" "$2" "$SEED"; }

# ---- ls, cat, stat on the Mac's paths -----------------------------------
expect_rc "ls --volume System /Users/alice" 0 A ls --volume System "${P[@]}" "$IMG" /Users/alice
expect_eq "/Users/alice holds the home folders of README" \
	"Desktop Documents Downloads Library Pictures Public" "$(echo $OUT)"
# README macos-boot: volume 1 is the System volume "Macintosh HD": by name and by number too.
for sel in "Macintosh HD" 1; do
	expect_eq "--volume '$sel' gives the Mac's root" "welcome.txt" \
		"$(A ls --volume "$sel" "${P[@]}" "$IMG" /Users/bob/Desktop 2>/dev/null)"
done
run_rc A ls --volume group "${P[@]}" "$IMG" /Users/alice/Documents
want=$(for i in $(seq 0 $((FILES - 1))); do printf 'file-%05d.txt ' "$i"; done)
expect_eq "--volume group: /Users/alice/Documents holds the $FILES documents" "${want% }" "$(echo $OUT)"
for u in alice bob; do
	for i in 0 $((FILES - 1)); do
		f=$(printf '/Users/%s/Documents/file-%05d.txt' $u "$i")
		expect_eq "cat $f is the documented line" "$(doc $u "$i")" \
			"$(A cat --volume System "${P[@]}" "$IMG" "$f" 2>/dev/null)"
	done
done
expect_eq "cat /Users/alice/Desktop/welcome.txt" "Welcome, Alice Appleseed" \
	"$(A cat --volume System "${P[@]}" "$IMG" /Users/alice/Desktop/welcome.txt 2>/dev/null)"
expect_eq "the same file at /System/Volumes/Data/Users/alice/..." "$(doc alice 1)" \
	"$(A cat --volume System "${P[@]}" "$IMG" /System/Volumes/Data/Users/alice/Documents/file-00001.txt 2>/dev/null)"
expect_eq "a System file beside them: Calculator's README" "Calculator.app (a stand-in)" \
	"$(A cat --volume System "${P[@]}" "$IMG" /System/Applications/Calculator.app/Contents/README.txt 2>/dev/null)"
expect_eq "/etc -> private/etc, and /private is Data's (it holds etc)" "etc" \
	"$(A ls --volume System "${P[@]}" "$IMG" /private 2>/dev/null | grep -x etc)"

sj() { A stat --json --volume System "${P[@]}" "$IMG" "$1" 2>/dev/null; }
key() { printf '%s\n' "$1" | grep -o "\"$2\": *[0-9]*" | grep -o '[0-9]*$'; }
s1=$(sj /Users/alice) s2=$(sj /System/Volumes/Data/Users/alice)
expect_eq "stat /Users/alice: uid 501 gid 20 (README)" "501 20" "$(key "$s1" uid) $(key "$s1" gid)"
expect_eq "stat: /Users/alice and /System/Volumes/Data/Users/alice are one inode" \
	"$(key "$s1" inode)" "$(key "$s2" inode)"
s3=$(sj /System/Volumes/Data)
expect_eq "/System/Volumes/Data is the Data root at 2^60 + 2 (README: Data's 2, tagged)" \
	1152921504606846978 "$(key "$s3" inode)"
expect_eq "the Mac's / is System's root, inode 2" 2 "$(key "$(sj /)" inode)"
# System's own objects keep their numbers: SYSTEM_OBJ_ID_MARK and up (README macos-boot).
n=$(key "$(sj /System/Library/CoreServices/SystemVersion.plist)" inode)
check "a System file's inode is >= 0x0FFFFFFF00000010" \
	python3 -c "import sys; sys.exit(0 if int('$n') >= 0x0FFFFFFF00000010 else 1)"

# Provenance: which volume holds the object, and its number there.
run_rc A stat --volume System "${P[@]}" "$IMG" /Users/alice/Desktop/welcome.txt
dino=$(key "$(A stat --json --volume "Macintosh HD - Data" "${P[@]}" "$IMG" /Users/alice/Desktop/welcome.txt 2>/dev/null)" inode)
expect_grep "stat: welcome.txt lives on the Data volume, under Data's own inode" \
	"^volume: Macintosh HD - Data, inode $dino\$" "$OUT"
expect_grep "stat --json: the System file's volume" '"volume": *"Macintosh HD"' \
	"$(sj /usr/share/firmlinks)"
expect_grep "ls -l /: a firmlinked directory names its link" \
	"^d.* Users => firmlink Users\$" "$(A ls -l --volume System "${P[@]}" "$IMG" / 2>/dev/null)"

# ---- extract /Users: Mac paths, bytes by the rule ------------------------
D=$WORK/mr-extract
expect_rc "extract /Users" 0 A extract --volume System "${P[@]}" "$IMG" /Users "$D"
bad=0
for u in alice bob; do
	for i in $(seq 0 $((FILES - 1))); do
		f=$(printf '%s/Users/%s/Documents/file-%05d.txt' "$D" $u "$i")
		[ "$(cat "$f" 2>/dev/null)" = "$(doc $u "$i")" ] || bad=$((bad + 1))
	done
done
expect_eq "extract: every document holds its documented line" 0 "$bad"
expect_eq "extract: the manifest checks" 0 \
	"$(cd "$D" && printf '%s\n' "$OUT" | sha256sum -c --quiet >/dev/null 2>&1; echo $?)"

# ---- bodyfile: the Mac's paths, each file once ---------------------------
expect_rc "bodyfile of the Mac's root" 0 A bodyfile --volume System "${P[@]}" "$IMG"
BODY=$OUT
expect_grep "bodyfile: alice's document under its Mac path, uid 501" \
	"^0\|/Users/alice/Documents/file-00000\.txt\|[0-9]+\|r/rrw-r--r--\|501\|20\|24\|" "$BODY"
expect_grep "bodyfile: a System file" "^0\|/usr/share/firmlinks\|" "$BODY"
expect_grep "bodyfile: /System/Volumes/Data itself" "^0\|/System/Volumes/Data\|1152921504606846978\|d/d" "$BODY"
expect_eq "bodyfile: no file under /System/Volumes/Data/Users (walked once, at /Users)" "" \
	"$(printf '%s\n' "$BODY" | grep -F '|/System/Volumes/Data/Users/')"
expect_eq "bodyfile: each regular file's inode once" "" \
	"$(printf '%s\n' "$BODY" | awk -F'|' '$4 ~ /^r/ {print $3}' | sort | uniq -d)"
# README macos-boot: 2 users x (welcome + FILES documents) regular files under /Users.
expect_eq "bodyfile: the documented files under /Users" $((2 * (FILES + 1))) \
	"$(printf '%s\n' "$BODY" | awk -F'|' '$4 ~ /^r/ && $2 ~ /^\/Users\//' | wc -l)"
expect_eq "bodyfile: the 18 firmlinked directories, each at both of its names" 18 \
	"$(printf '%s\n' "$BODY" | awk -F'|' '$4 ~ /^d/ {print $3}' | sort | uniq -d | wc -l)"

# ---- selection: Data by default, --no-firmlinks, locked, wrong password -----
expect_eq "default volume (Data) still reads /Users/alice as before" \
	"Desktop Documents Downloads Library Pictures Public" \
	"$(A ls "${P[@]}" "$IMG" /Users/alice 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
expect_rc "--no-firmlinks: System's own /Users" 0 A ls --no-firmlinks --volume System "$IMG" /Users
expect_eq "--no-firmlinks: System's /Users is the empty placeholder" "" "$OUT"
expect_rc "--no-firmlinks: no /Users/alice on System" 1 \
	A ls --no-firmlinks --volume System "$IMG" /Users/alice
expect_rc "no credential: the Mac's / still lists" 0 A ls --volume System "$IMG" / </dev/null
expect_grep "no credential: said once, up front" "no credential was given" "$ERR"
expect_rc "no credential: /Users is locked (exit 3)" 3 A ls --volume System "$IMG" /Users </dev/null
expect_grep "no credential: named as locked, not an empty directory" "/Users: .*locked" "$ERR"
expect_rc "no credential: /System/Volumes/Data is locked (exit 3)" 3 \
	A ls --volume System "$IMG" /System/Volumes/Data </dev/null
expect_rc "no credential: a System file reads" 0 \
	A cat --volume System "$IMG" /System/Applications/Calculator.app/Contents/README.txt </dev/null
expect_rc "wrong password: exit 3" 3 A ls --volume System --passphrase nope "$IMG" / </dev/null
expect_rc "--volume group on an image without a group: usage" 2 \
	A ls --volume group "$PLAIN" /
expect_rc "--no-firmlinks is refused where it does not apply" 2 A list --no-firmlinks "$IMG"

# ---- seed 1 in a GPT disk: the documented boot snapshot picked by name -----
G1=$WORK/mr-gpt.img
SNAP=com.apple.os.update-B622D86AB2957EDDDAC853F4170060A56ED287D45D175D31734351646DCD931C
if "$MKIMAGE" macos-boot "$G1" --gpt --files 2 >/dev/null 2>&1; then
	expect_eq "GPT disk: bob's document through the Mac's root" "bob file 00001 seed 1" \
		"$(A cat --volume group --passphrase bob-password "$G1" /Users/bob/Documents/file-00001.txt 2>/dev/null)"
	expect_rc "--snapshot with the documented boot snapshot's name" 0 \
		A cat --volume System --snapshot "$SNAP" "${P[@]}" "$G1" /Users/alice/Desktop/welcome.txt
	expect_eq "--snapshot: the file reads" "Welcome, Alice Appleseed" "$OUT"
	expect_rc "--snapshot with no such snapshot on System: usage" 2 \
		A ls --volume System --snapshot com.apple.os.update-NONE "${P[@]}" "$G1" /
else
	notok "mkimage macos-boot --gpt"
fi

# ---- the hostile firmlink list (testdata/README.md group-firmlinks) -------
run_rc A ls --volume group "$HOST" /
expect_eq "group-firmlinks: / lists" 0 "$RC"
for l in 2 3 4 5 7 8 10 11; do
	expect_grep "group-firmlinks: line $l warned about" "firmlinks line $l:" "$ERR"
done
expect_grep "group-firmlinks: line 9 (nested by inode) warned about" "'/PRIVATE/sub' .* not applied" "$ERR"
expect_grep "group-firmlinks: line 13 (hides the Data mount) warned about" "'/System' .* not applied" "$ERR"
expect_eq "group-firmlinks: 10 lines warned about, no more" 10 \
	"$(printf '%s\n' "$ERR" | grep -c 'warning: firmlink')"
expect_eq "group-firmlinks: /System is System's (line 13 refused)" "Volumes" \
	"$(A ls --volume group "$HOST" /System 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
expect_eq "group-firmlinks: /System/Volumes/Data is the Data root" \
	"Applications Elsewhere Library System Users opt private sub" \
	"$(A ls --volume group "$HOST" /System/Volumes/Data 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
for d in Users private opt; do
	expect_eq "group-firmlinks: /$d is Data's" "data-marker.txt" \
		"$(A ls --volume group "$HOST" /$d 2>/dev/null | grep marker)"
done
for d in Library Applications cores users2; do
	expect_eq "group-firmlinks: /$d is System's own" "sys-marker.txt" \
		"$(A ls --volume group "$HOST" /$d 2>/dev/null | grep marker)"
done
expect_eq "group-firmlinks: /Users/alice/hello.txt" "hello from alice" \
	"$(A cat --volume group "$HOST" /Users/alice/hello.txt 2>/dev/null)"
expect_rc "group-firmlinks: no /private/sub (line 9 refused)" 1 \
	A ls --volume group "$HOST" /private/sub
# README group-firmlinks: the Mac's root is System's boot snapshot, not its live tree.
expect_eq "group-firmlinks: the Mac's root is the boot snapshot" "booted snapshot" \
	"$(A cat --volume group "$HOST" /boot-marker.txt 2>/dev/null)"
expect_rc "group-firmlinks: no /live-only.txt at the boot snapshot" 1 \
	A cat --volume group "$HOST" /live-only.txt
expect_eq "group-firmlinks: --no-firmlinks reads System's live tree" \
	"live tree|only in the live tree" \
	"$(A cat --no-firmlinks --volume System "$HOST" /boot-marker.txt 2>/dev/null)|$(A cat --no-firmlinks --volume System "$HOST" /live-only.txt 2>/dev/null)"
expect_rc "group-firmlinks: bodyfile completes" 0 A bodyfile --volume group "$HOST"
expect_eq "group-firmlinks: bodyfile lists each regular file once" "" \
	"$(printf '%s\n' "$OUT" | awk -F'|' '$4 ~ /^r/ {print $3}' | sort | uniq -d)"
done_testing
