#!/usr/bin/env bash
# mount.sh - `apfsinspect mount` on the shared macOS images and generated
# ones, read only with standard tools (find, stat, sha256sum, getfattr,
# readlink, cmp) and checked against ../shared/images/IMAGES.md and
# testdata/README.md; plus TSK's istat for nanosecond times.  Writes must
# fail, the images must be unchanged, a wrong password mounts nothing, and
# every wait is bounded so that a hang fails the test instead of CI.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ]; then
	skip "FUSE mount tests" "/dev/fuse is missing"; done_testing; exit 0
fi
if ! command -v fusermount3 >/dev/null || ! command -v getfattr >/dev/null; then
	skip "FUSE mount tests" "fusermount3 (fuse3) or getfattr (attr) not installed"
	done_testing; exit 0
fi

# Never leave a mount behind, whatever failed; a lazy unmount if busy.
mnt_prepare "$WORK"
# T CMD...: a command inside the mount, killed if it takes more than 30 s.
T() { timeout -k 5 30 "$@"; }
sha() { T sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }
xval() { T getfattr --only-values -n "$1" "$2" 2>/dev/null; }
xsha() { xval "$1" "$2" | sha256sum | cut -d' ' -f1; }
daemons() { ps -eo args | grep -c "^[^ ]*apfsinspect mount .*$MNT\$"; }

# do_mount DESC ARGS... IMAGE: mount (detached) on $MNT and check it is up.
do_mount() {
	local d=$1; shift
	expect_rc "mount: $d" 0 timeout 60 "$BIN" mount "$@" "$MNT"
	if mountpoint -q "$MNT"; then ok "$d is a mountpoint"; else notok "$d is a mountpoint"; fi
	# daemons() must see the daemon, or its "gone" and argv checks prove nothing.
	expect_eq "$d: one daemon serves it" 1 "$(daemons)"
}

do_umount() {
	expect_rc "fusermount3 -u ($1)" 0 timeout 20 fusermount3 -u "$MNT"
	local i=0
	while [ "$(daemons)" -gt 0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	expect_eq "$1: unmounted, daemon gone, mountpoint empty" "no 0 0" \
		"$(mountpoint -q "$MNT" && echo yes || echo no) $(daemons) $(ls -A "$MNT" | wc -l)"
}

# writes_fail: every way of changing the mount is refused.
writes_fail() {
	local f=$1 n=0
	T touch "$MNT/new-file" 2>/dev/null && n=$((n + 1))
	(echo x > "$MNT/$f") 2>/dev/null && n=$((n + 1))
	(echo x >> "$MNT/$f") 2>/dev/null && n=$((n + 1))
	T touch "$MNT/$f" 2>/dev/null && n=$((n + 1))
	T mkdir "$MNT/new-dir" 2>/dev/null && n=$((n + 1))
	T rm -f "$MNT/$f" 2>/dev/null && n=$((n + 1))
	T mv "$MNT/$f" "$MNT/moved" 2>/dev/null && n=$((n + 1))
	T chmod 777 "$MNT/$f" 2>/dev/null && n=$((n + 1))
	T ln -s x "$MNT/new-link" 2>/dev/null && n=$((n + 1))
	T setfattr -n user.x -v y "$MNT/$f" 2>/dev/null && n=$((n + 1))
	T truncate -s 0 "$MNT/$f" 2>/dev/null && n=$((n + 1))
	expect_eq "$2: touch, >, >>, mkdir, rm, mv, chmod, ln, setfattr, truncate all fail" 0 "$n"
	local err
	err=$( (echo x > "$MNT/$f") 2>&1)
	expect_grep "$2: writing says read-only file system" "Read-only file system" "$err"
}

# ---- basic.img and the three UDIF copies (IMAGES.md manifest) ------------
basic_tree='.
./bigattr.txt
./compressed.txt
./dir1
./dir1/nested
./dir1/nested/deep.txt
./empty.txt
./hardlink-to-hello
./hello.txt
./link-to-hello
./random.bin
./rsrc.txt
./script.sh
./ünïcødé
./ünïcødé/файл.txt'
basic_sums='bigattr.txt 04aebeb2dd97388480684f50c389dff001fed5927891d7a0e17122249c7f3558
compressed.txt 23f90f8b2c3a4b5f3b5e156339994afd5c2718b378aca6f0e17111f80a70d4ec
dir1/nested/deep.txt 30cf6f2de471343739bcc1dde393c0c0771814ac3ad798f68c8a74495174521a
empty.txt e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
hardlink-to-hello 25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f
hello.txt 25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f
random.bin 99f7fea86c625dbcea4f1d8d47a6c41a3f2a2b04664ebd2b53642c25e689781b
rsrc.txt c4e2d89a6204e5164209f33f20214affbd437398c25e6e88ea7d3c158aa07e34
script.sh b4d644d4279594903f1a9911956432d9473041f2984fc6014c14d7402c7d126c
ünïcødé/файл.txt cc4c4f3164ed1354d2a85f7531e127626a39a27857b85efa368b6f237c6bb9c5'
# path size mode inode (sizes and modes: manifest; inodes: fls in IMAGES.md)
basic_stat='bigattr.txt 28 644 28
compressed.txt 23893 644 32
dir1/nested/deep.txt 10 644 19
empty.txt 0 644 22
hardlink-to-hello 16 644 16
hello.txt 16 644 16
random.bin 1572864 644 23
rsrc.txt 23 644 30
script.sh 18 755 24
ünïcødé/файл.txt 21 644 21'

check_basic() {
	local n=$1 out
	expect_eq "$n: find lists the manifest" "$basic_tree" "$(cd "$MNT" && T find . | LC_ALL=C sort)"
	out=$(cd "$MNT" && while read -r p _; do echo "$p $(sha "$p")"; done <<<"$basic_sums")
	expect_eq "$n: sha256sum of every file" "$basic_sums" "$out"
	out=$(cd "$MNT" && while read -r p _; do T stat -c "%n %s %a %i" "$p"; done <<<"$basic_stat")
	expect_eq "$n: stat size, mode, inode" "$basic_stat" "$out"
	expect_eq "$n: hard link: both names inode 16, 2 links" "16 2 16 2" \
		"$(T stat -c '%i %h' "$MNT/hello.txt" "$MNT/hardlink-to-hello" | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "$n: readlink link-to-hello" "hello.txt" "$(T readlink "$MNT/link-to-hello")"
	expect_eq "$n: symlink st_size is the target length" "9" "$(T stat -c %s "$MNT/link-to-hello")"
	expect_eq "$n: dirs: dir1 17, nested 18, ünïcødé 20, root 2" "17 18 20 2" \
		"$(T stat -c %i "$MNT/dir1" "$MNT/dir1/nested" "$MNT/ünïcødé" "$MNT/dir1/.." | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "$n: xattr com.example.test" "value42" "$(xval com.example.test "$MNT/hello.txt")"
	expect_eq "$n: resource fork as com.apple.ResourceFork" \
		"this is the resource fork payload" "$(xval com.apple.ResourceFork "$MNT/rsrc.txt")"
	out=$(xval com.example.big "$MNT/bigattr.txt" | wc -c)
	expect_eq "$n: 6000-byte xattr com.example.big" 6000 "$out"
	expect_grep "$n: its SHA-256 (f5ddb394…bee964)" '^f5ddb394.*bee964$' \
		"$(xsha com.example.big "$MNT/bigattr.txt")"
	expect_grep "$n: com.apple.provenance (42792b5d…828d44b)" '^42792b5d.*828d44b$' \
		"$(xsha com.apple.provenance "$MNT/script.sh")"
	out=$(cd "$MNT" && T getfattr -d -m - compressed.txt 2>&1)
	expect_eq "$n: decmpfs and the resource fork holding its chunks are hidden" \
		"# file: compressed.txt
com.apple.provenance=0sAQIAkDeVyCO0haI=" "$out"
	expect_eq "$n: com.apple.fs.symlink is hidden (getfattr -h on the link)" "0" \
		"$(T getfattr -h -d -m - "$MNT/link-to-hello" 2>&1 | grep -c com.apple.fs)"
	expect_eq "$n: but com.apple.decmpfs reads by name ('fpmc', type 8: IMAGES.md)" \
		66706d630800 "$(xval com.apple.decmpfs "$MNT/compressed.txt" | head -c 6 |
		od -An -tx1 | tr -d ' \n')"
	expect_eq "$n: case-insensitive lookup (HELLO.TXT)" \
		"25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f" "$(sha "$MNT/HELLO.TXT")"
}

check_times() { # nanosecond times against TSK's istat
	local want got
	command -v istat >/dev/null || { skip "$1: ns times" "sleuthkit not installed"; return; }
	want=$(istat -o 40 -B 505 "$IMAGES/basic.img" 16 2>/dev/null |
		sed -n 's/^Content Modified:[[:space:]]*\([0-9-]* [0-9:.]*\) (UTC)$/\1/p')
	got=$(TZ=UTC T stat -c %y "$MNT/hello.txt" | sed 's/ +0000$//')
	expect_eq "$1: hello.txt mtime with nanoseconds = TSK istat" "$want" "$got"
}

check_erange() { # size probe, too-small buffer, exact buffer (getxattr(2) contract)
	command -v python3 >/dev/null || { skip "$1: ERANGE" "python3 missing"; return; }
	local out
	out=$(T python3 - "$MNT/hello.txt" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
p, n = sys.argv[1].encode(), b"com.example.test"
buf = ctypes.create_string_buffer(64)
r = [libc.getxattr(p, n, None, 0)]
r.append((libc.getxattr(p, n, buf, 3), ctypes.get_errno() == 34))
r.append((libc.getxattr(p, n, buf, 7), buf.raw[:7]))
r.append((libc.listxattr(p, buf, 5), ctypes.get_errno() == 34))
r.append(libc.listxattr(p, None, 0))
r.append((libc.getxattr(p, b"no.such", buf, 64), ctypes.get_errno() == 61))
print(r)
EOF
)
	expect_eq "$1: size probe 7, ERANGE, exact fit, list ERANGE, list size, ENODATA" \
		"[7, (-1, True), (7, b'value42'), (-1, True), 38, (-1, True)]" "$out"
}

for img in basic.img basic.dmg basic-lzfse.dmg basic-bz2.dmg; do
	src=$IMAGES/$img
	[ -e "$src" ] || { missing "$img" "../shared/images/$img not found"; continue; }
	before=$(sha256sum "$src" | cut -d' ' -f1)
	do_mount "$img" "$src"
	check_basic "$img"
	if [ "$img" = basic.img ]; then
		check_times "$img"
		check_erange "$img"
		writes_fail hello.txt "$img"
		out=$(T df -B1 --output=size "$MNT" | tail -1 | tr -d ' ')
		expect_eq "$img: df size = container (4086 blocks of 4096)" $((4086 * 4096)) "$out"
	fi
	do_umount "$img"
	expect_eq "$img: image unchanged" "$before" "$(sha256sum "$src" | cut -d' ' -f1)"
done
if [ -e "$IMAGES/basic.img" ]; then
	expect_eq "basic.img: SHA-256 still that of IMAGES.md" \
		bd84d42881d2937376017b9dde384ea3f791278e77f4c9743700827a4e494c75 \
		"$(sha256sum "$IMAGES/basic.img" | cut -d' ' -f1)"
fi

# ---- dfvfs-apfs.raw (dfvfs's tests, as summarised in IMAGES.md) ----------
src=$IMAGES/dfvfs-apfs.raw
if [ -e "$src" ]; then
	do_mount dfvfs-apfs.raw "$src"
	expect_eq "dfvfs: root holds 4 entries" ".fseventsd a_directory a_link passwords.txt" \
		"$(cd "$MNT" && T ls -A | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "dfvfs: a_directory holds 3" 3 "$(T ls -A "$MNT/a_directory" | wc -l)"
	expect_eq "dfvfs: inodes 16 17 19 20 18 23 21" "16 17 19 20 18 23 21" \
		"$(cd "$MNT" && T stat -c %i a_directory a_directory/a_file a_directory/another_file \
		   a_link passwords.txt a_directory/a_resourcefork .fseventsd | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "dfvfs: .fseventsd holds inodes 22 25 26" "22 25 26" \
		"$(T find "$MNT/.fseventsd" -mindepth 1 -printf '%i\n' | sort -n | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "dfvfs: another_file: 22 bytes, 100644, 99/99, 1 link" \
		"22 regular file 644 99 99 1" \
		"$(T stat -c '%s %F %a %u %g %h' "$MNT/a_directory/another_file")"
	expect_eq "dfvfs: another_file content" "This is another file." \
		"$(T cat "$MNT/a_directory/another_file")"
	expect_eq "dfvfs: passwords.txt" "$(printf '%s\n' place,user,password \
		bank,joesmith,superrich 'alarm system,-,1234' 'treasure chest,-,1111' \
		'uber secret laire,admin,admin')" "$(T cat "$MNT/passwords.txt")"
	expect_eq "dfvfs: passwords.txt is 116 bytes" 116 "$(T stat -c %s "$MNT/passwords.txt")"
	expect_eq "dfvfs: a_file" "$(printf 'This is a text file.\n\nWe should be able to parse it.\n' |
		sha256sum)" "$(T cat "$MNT/a_directory/a_file" | sha256sum)"
	expect_eq "dfvfs: myxattr" "My extended attribute" "$(xval myxattr "$MNT/a_directory/a_file")"
	expect_eq "dfvfs: a_link" "a_directory/another_file" "$(T readlink "$MNT/a_link")"
	expect_eq "dfvfs: resource fork" "My resource fork" \
		"$(xval com.apple.ResourceFork "$MNT/a_directory/a_resourcefork")"
	expect_eq "dfvfs: getfattr -h -d on the symlink shows no com.apple.fs.symlink" 0 \
		"$(T getfattr -h -d -m - "$MNT/a_link" 2>&1 | grep -c com.apple.fs)"
	writes_fail passwords.txt dfvfs
	do_umount dfvfs

	expect_eq "dfvfs: SHA-256 still that of IMAGES.md" \
		e3e3adcbbf189403d892b013d6cba155f2e58e42ff5eb541ec681c37a91a3f29 \
		"$(sha256sum "$src" | cut -d' ' -f1)"
else
	missing "dfvfs-apfs.raw" "../shared/images/dfvfs-apfs.raw.gz not found"
fi

# ---- who sees a mount: only the mounting user, unless -o allow_other ------
if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ] && [ -e "$IMAGES/dfvfs-apfs.raw" ]; then
	M2=$(mktemp -d /tmp/apfsinspect-mnt.XXXXXX)
	chmod 755 "$M2"
	as_nobody() { T setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	expect_rc "mount for the owner only" 0 timeout 60 "$BIN" mount "$IMAGES/dfvfs-apfs.raw" "$M2"
	expect_eq "owner only: root reads passwords.txt (116 bytes)" 116 "$(T cat "$M2/passwords.txt" | wc -c)"
	expect_rc "owner only: another user cannot read" 1 as_nobody cat "$M2/passwords.txt"
	expect_grep "owner only: refused with permission denied" 'Permission denied' "$ERR"
	T fusermount3 -u "$M2"
	expect_rc "mount -o allow_other" 0 timeout 60 "$BIN" mount -o allow_other "$IMAGES/dfvfs-apfs.raw" "$M2"
	expect_eq "allow_other: another user reads passwords.txt" 116 "$(as_nobody cat "$M2/passwords.txt" | wc -c)"
	expect_rc "allow_other: and still cannot write" 1 as_nobody touch "$M2/x"
	T fusermount3 -u "$M2"
	# each -o counts (only the last did)
	expect_rc "mount -o allow_other -o readdirplus=yes" 0 timeout 60 "$BIN" mount \
		-o allow_other -o readdirplus=yes "$IMAGES/dfvfs-apfs.raw" "$M2"
	expect_eq "two -o: allow_other still holds" 116 "$(as_nobody cat "$M2/passwords.txt" | wc -c)"
	T fusermount3 -u "$M2"
	rmdir "$M2"
else
	skip "allow_other" "needs root and setpriv (util-linux)"
fi

# ---- encrypted.img: wrong and missing credentials, then hunter2hunter2 ----
src=$IMAGES/encrypted.img
if [ -e "$src" ]; then
	expect_rc "encrypted: wrong password exits 3" 3 timeout 60 "$BIN" mount \
		--passphrase not-the-password "$src" "$MNT"
	expect_eq "encrypted: wrong password: not mounted, mountpoint empty" "no 0" \
		"$(mountpoint -q "$MNT" && echo yes || echo no) $(ls -A "$MNT" | wc -l)"
	expect_rc "encrypted: no credential (stdin not a terminal) exits 3" 3 \
		timeout 60 "$BIN" mount "$src" "$MNT" </dev/null
	expect_eq "encrypted: no credential: not mounted" no \
		"$(mountpoint -q "$MNT" && echo yes || echo no)"
	do_mount "encrypted.img" --passphrase hunter2hunter2 "$src"
	expect_eq "encrypted: the password is not left in the daemon's command line" 0 \
		"$(ps -eo args | grep "^[^ ]*apfsinspect mount .*$MNT\$" | grep -c '[h]unter2hunter2')"
	expect_eq "encrypted: find" ". ./.fseventsd ./.fseventsd/000000000dddaf6b \
./.fseventsd/000000000dddaf6c ./.fseventsd/fseventsd-uuid ./dir ./dir/nested.txt ./secret.txt" \
		"$(cd "$MNT" && T find . | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "encrypted: secret.txt (40 bytes, inode 18)" \
		"a4730fc4e2ed7c7b7cafdc182094bdc60ee5bd94989878a8061d6e356043baa2 40 18" \
		"$(sha "$MNT/secret.txt") $(T stat -c '%s %i' "$MNT/secret.txt")"
	expect_eq "encrypted: dir/nested.txt (14 bytes, inode 20)" \
		"470d30407c79de54e0a578dc40183d52619a4ae23d84cdc0a612cf3339f5bf40 14 20" \
		"$(sha "$MNT/dir/nested.txt") $(T stat -c '%s %i' "$MNT/dir/nested.txt")"
	expect_eq "encrypted: .fseventsd inodes 16: 17 21 22" "16: 17 21 22" \
		"$(T stat -c %i "$MNT/.fseventsd"): $(T find "$MNT/.fseventsd" -mindepth 1 \
		   -printf '%i\n' | sort -n | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "encrypted: case-insensitive (DIR/Nested.TXT)" "nested secret" \
		"$(T cat "$MNT/DIR/Nested.TXT")"
	expect_eq "encrypted: directory link counts (root 5, dir 3)" "5 3" \
		"$(T stat -c %h "$MNT" "$MNT/dir" | tr '\n' ' ' | sed 's/ $//')"
	writes_fail secret.txt encrypted
	do_umount encrypted
	expect_eq "encrypted: SHA-256 still that of IMAGES.md" \
		35101d6729e6b1321aaa24d1c9cb2574f4118f7c4c10bb5fe179ac905e4e0da3 \
		"$(sha256sum "$src" | cut -d' ' -f1)"
else
	missing "encrypted.img" "../shared/images/encrypted.img.gz not found"
fi

# ---- options ----------------------------------------------------------------
G=$WORK/basic-gen.img
expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$G"
expect_rc "no such snapshot: usage error" 2 timeout 60 "$BIN" mount --snapshot nope "$G" "$MNT"
expect_eq "no such snapshot: nothing mounted" no "$(mountpoint -q "$MNT" && echo yes || echo no)"
expect_rc "mountpoint not a directory: usage error" 2 timeout 60 "$BIN" mount "$G" "$G"
expect_rc "unknown -o option refused" 2 timeout 60 "$BIN" mount -o no_such_option "$G" "$MNT"
expect_eq "unknown -o: nothing mounted" no "$(mountpoint -q "$MNT" && echo yes || echo no)"
do_mount "-o rw stays read-only; allow_other passes" -o rw,allow_other "$G"
expect_grep "-o allow_other reaches the kernel" '(^|,)allow_other(,|$)' \
	"$(awk -v m="$MNT" '$2 == m { print $4 }' /proc/mounts)"
expect_grep "-o rw: mount options say ro" '(^|,)ro(,|$)' \
	"$(awk -v m="$MNT" '$2 == m { print $4 }' /proc/mounts)"
writes_fail hello.txt "-o rw"
expect_eq "generated basic: hello.txt (testdata/README.md)" "hello, world" "$(T cat "$MNT/hello.txt")"
expect_eq "generated basic: Café.txt" "café" "$(T cat "$MNT/Café.txt")"
expect_eq "generated basic: com.example.note" "xattr value" "$(xval com.example.note "$MNT/hello.txt")"
do_umount "-o rw"

# -f: foreground; the mount is served until fusermount3 -u, then exit 0.
timeout 120 "$BIN" mount -f "$G" "$MNT" 2>"$WORK/fg.err" &
fg=$!
i=0; while ! mountpoint -q "$MNT" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "-f: mounted while the command runs" "yes yes" \
	"$(mountpoint -q "$MNT" && echo yes || echo no) $(kill -0 $fg 2>/dev/null && echo yes)"
T fusermount3 -u "$MNT"
wait $fg
expect_eq "-f: exits 0 after fusermount3 -u" 0 "$?"

# ---- snapshot scenario (when the generator has it): --snapshot NAME|XID --
if "$MKIMAGE" list | grep -q '^snapshot '; then
	S=$WORK/snap.img
	expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$S"
	# Written: snapshot 'before' (xid 2) = a.txt "version 1", keep.txt, gone.txt;
	# live = a.txt "version 2", keep.txt, new.txt.
	for sel in before 2; do
		do_mount "--snapshot $sel" --snapshot "$sel" "$S"
		expect_eq "--snapshot $sel: the old tree" "a.txt gone.txt keep.txt|version 1|deleted later" \
			"$(cd "$MNT" && echo "$(T ls | tr '\n' ' ' | sed 's/ $//')|$(T cat a.txt)|$(T cat gone.txt)")"
		writes_fail a.txt "--snapshot $sel"
		do_umount "--snapshot $sel"
	done
	do_mount "snapshot scenario, live" "$S"
	expect_eq "live: the new tree" "a.txt keep.txt new.txt|version 2|added" \
		"$(cd "$MNT" && echo "$(T ls | tr '\n' ' ' | sed 's/ $//')|$(T cat a.txt)|$(T cat new.txt)")"
	do_umount "snapshot scenario, live"
else
	notok "--snapshot on a volume with snapshots: mkimage has no snapshot scenario"
fi

# ---- large: four parallel readers agree (with each other and with TSK) ----
L=$WORK/large.img
sums=()
expect_rc "mkimage large" 0 "$MKIMAGE" large "$L"
do_mount "large" --volume Large "$L"
for f in data-8m.bin holey.bin; do
	for bs in 4k 64k 1M 3333; do
		(T dd if="$MNT/$f" bs=$bs 2>/dev/null | sha256sum | cut -d' ' -f1 >"$WORK/r.$f.$bs") &
	done
	wait
	expect_eq "large: $f: four parallel readers (bs 4k, 64k, 1M, 3333) agree, not empty" 1 \
		"$(cat "$WORK"/r.$f.* | sort -u | grep -cv '^e3b0c44298fc1c14')"
	sums[${#sums[@]}]=$(cat "$WORK/r.$f.4k")
done
holey=$( { head -c 4096 /dev/zero | tr '\0' A; head -c $((64 * 1048576 - 8192)) /dev/zero
	   head -c 4096 /dev/zero | tr '\0' Z; } | sha256sum | cut -d' ' -f1)
expect_eq "large: holey.bin is an A block, a hole, a Z block (testdata/README.md)" \
	"$holey" "${sums[1]}"
if command -v icat >/dev/null && command -v fls >/dev/null; then
	A=$(pstat "$L" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
	ino=$(fls -B "${A:-0}" "$L" 2>/dev/null | sed -n 's/^r\/r \([0-9]*\):	data-8m.bin$/\1/p')
	expect_eq "large: data-8m.bin = TSK icat" \
		"$(icat -B "${A:-0}" "$L" "${ino:-0}" | sha256sum | cut -d' ' -f1)" "${sums[0]}"
else
	skip "large: data-8m.bin = TSK icat" "sleuthkit not installed"
fi
expect_eq "large: sparse-1g.bin is 1 GiB" 1073741824 "$(T stat -c %s "$MNT/sparse-1g.bin")"
expect_grep "large: sparse-1g.bin reads as zeros to its end" "EOF on .*sparse-1g.bin" \
	"$(timeout -k 5 120 cmp "$MNT/sparse-1g.bin" /dev/zero 2>&1)"
# Random access: the middle of data-8m.bin read alone equals the same bytes of a full read.
expect_eq "large: a read at offset 5 MiB + 123 matches the full read" \
	"$(T dd if="$MNT/data-8m.bin" bs=1 skip=$((5 * 1048576 + 123)) count=5000 2>/dev/null | sha256sum)" \
	"$(T cat "$MNT/data-8m.bin" | tail -c +$((5 * 1048576 + 124)) | head -c 5000 | sha256sum)"
do_umount large
# huge-file (when the generator has it): file offsets past 2^32 through FUSE.
if "$MKIMAGE" list | grep -q '^huge-file '; then
	H=$WORK/huge.img
	expect_rc "mkimage huge-file" 0 "$MKIMAGE" huge-file "$H"
	do_mount "huge-file" "$H"
	expect_eq "huge-file: big-tail.bin is 5 GiB + 4 KiB" $((5 * 1073741824 + 4096)) \
		"$(T stat -c %s "$MNT/big-tail.bin")"
	expect_eq "huge-file: its last block (past 2^32) is all T" \
		"$(head -c 4096 /dev/zero | tr '\0' T | sha256sum)" \
		"$(T tail -c 4096 "$MNT/big-tail.bin" | sha256sum)"
	expect_eq "huge-file: the block before it is zeros" "$(head -c 4096 /dev/zero | sha256sum)" \
		"$(T dd if="$MNT/big-tail.bin" bs=4096 skip=$((5 * 262144 - 1)) count=1 2>/dev/null |
		   sha256sum)"
	do_umount "huge-file"
else
	notok "file offsets past 2^32: mkimage has no huge-file scenario"
fi

# ---- many-files: readdir streamed over many calls, case-sensitive names --
MF=$WORK/many.img
expect_rc "mkimage many-files" 0 "$MKIMAGE" many-files "$MF"
do_mount "many-files" "$MF"
expect_eq "many-files: find lists 100,170 entries below the root (testdata/README.md)" 100171 \
	"$(T find "$MNT" | wc -l)"
expect_eq "many-files: /d042 holds f42000..f42999, each once" \
	"1000 1000 f42000.txt f42999.txt" \
	"$(T ls -f "$MNT/d042" | grep -v '^\.\.\?$' | sort | awk '{a[NR] = $0} END {
	   printf "%d %d %s %s", NR, length(a), a[1], a[NR]}')"
expect_eq "many-files: /d042/f42000.txt" "file 42000" "$(T cat "$MNT/d042/f42000.txt")"
expect_eq "many-files: case-sensitive: readme README ReadMe differ" "readme README ReadMe" \
	"$(cd "$MNT/case" && echo "$(T cat readme) $(T cat README) $(T cat ReadMe)")"
expect_rc "many-files: case-sensitive: /case/REadme does not exist" 1 T stat "$MNT/case/REadme"
deep=$MNT/deep; for i in $(seq 1 64); do deep=$deep/d$i; done
expect_eq "many-files: 64-level path" "leaf" "$(T cat "$deep/leaf.txt")"
do_umount many-files

# ---- big-dir: one directory of 100,000 entries (testdata/README.md) ------
BD=$WORK/big-dir.img
expect_rc "mkimage big-dir" 0 "$MKIMAGE" big-dir "$BD"
do_mount "big-dir" "$BD"
expect_eq "big-dir: ls streams all 100,000 names, each once" "100000 100000" \
	"$(T ls -f "$MNT/big" | grep -c '^e.*\.txt$') $(T ls -f "$MNT/big" | grep '^e' | sort -u | wc -l)"
expect_eq "big-dir: case-insensitive lookup of E042424.TXT" "entry 42424" "$(T cat "$MNT/BIG/E042424.TXT")"
do_umount big-dir
rm -f "$BD"

# ---- compression: every decmpfs type reads as the text it was made from --
C=$WORK/compression.img
expect_rc "mkimage compression" 0 "$MKIMAGE" compression "$C"
text() { local i=0; while :; do printf 'line %05d of %s\n' $i "$1"; i=$((i + 1)); done |
	 head -c "$2" | sha256sum; }
for vol in Compressed Modern; do
	do_mount "compression $vol" --volume "$vol" "$C"
	case $vol in Compressed) k="zlib lzvn" ;; *) k="lzfse lzbitmap" ;; esac
	for t in $k; do
		for w in xattr:3000 rsrc:200000; do
			f=$t-${w%:*}.txt
			expect_eq "compression: $f (${w#*:} bytes)" "$(text "$f" "${w#*:}")" \
				"$(T cat "$MNT/$f" | sha256sum)"
		done
	done
	expect_eq "compression $vol: no decmpfs or its fork listed" 0 \
		"$(T getfattr -d -m - "$MNT"/*.txt 2>&1 | grep -c 'com.apple.decmpfs\|ResourceFork')"
	do_umount "compression $vol"
done

# A damaged chunk: EIO for that file (and only its first chunk), the rest reads.
if command -v python3 >/dev/null; then
	do_mount "compression (to find a fork)" --volume Compressed "$C"
	xval com.apple.ResourceFork "$MNT/zlib-rsrc.txt" > "$WORK/fork.bin"
	do_umount "compression (to find a fork)"
	# Flip 32 bytes inside the first zlib chunk of zlib-rsrc.txt's resource fork.
	found=$(python3 - "$C" "$WORK/fork.bin" "$WORK/cbad.img" <<'EOF2'
import sys
img = bytearray(open(sys.argv[1], "rb").read())
fork = open(sys.argv[2], "rb").read()
needle = fork[256:320]
if len(needle) == 64 and img.count(needle) == 1:
    p = img.find(needle) - 256
    for i in range(600, 632):
        img[p + i] ^= 0xff
    open(sys.argv[3], "wb").write(img)
    print("yes")
EOF2
)
	if [ "$found" = yes ]; then
		do_mount "damaged chunk" --volume Compressed "$WORK/cbad.img"
		err=$(T cat "$MNT/zlib-rsrc.txt" 2>&1 >/dev/null)
		expect_grep "damaged chunk: cat says Input/output error" "Input/output error" "$err"
		expect_eq "damaged chunk: the file's last chunk still reads" \
			"$(i=0; while :; do
			   printf 'line %05d of %s\n' $i zlib-rsrc.txt; i=$((i + 1)); done |
			   head -c 200000 | tail -c 1000 | sha256sum)" \
			"$(T tail -c 1000 "$MNT/zlib-rsrc.txt" | sha256sum)"
		expect_eq "damaged chunk: other files unaffected" "$(text lzvn-rsrc.txt 200000)" \
			"$(T cat "$MNT/lzvn-rsrc.txt" | sha256sum)"
		do_umount "damaged chunk"
	else
		notok "damaged chunk: the fork's block table was not found once in the image"
	fi
else
	skip "damaged chunk gives EIO" "python3 missing"
fi

# ---- damaged images: mounting or reading fails cleanly, never hangs -------
for s in truncated btree-loop; do
	D=$WORK/$s.img
	"$MKIMAGE" "$s" "$D" >/dev/null 2>&1 || { notok "damaged $s: mkimage $s failed"; continue; }
	timeout 60 "$BIN" mount "$D" "$MNT" 2>/dev/null
	rc=$?
	if [ $rc -ne 0 ]; then
		expect_eq "damaged $s: mount refused (exit 1), nothing mounted" "1 no" \
			"$rc $(mountpoint -q "$MNT" && echo yes || echo no)"
		continue
	fi
	(cd "$MNT" && timeout -k 5 60 find . -type f -exec cat {} + >/dev/null 2>&1)
	rc=$?
	if [ $rc -lt 124 ]; then ok "damaged $s: find + cat end (status $rc), no hang"
	else notok "damaged $s: find + cat hung (status $rc)"; fi
	do_umount "damaged $s"
done

done_testing
