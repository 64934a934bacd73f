# dlopen.sh - libewf, libvmdk, libvhdi and libqcow are loaded only when an
# image of their format is opened (image/libyal_dl.c), libfuse3 only by
# `mount` (fuse/fuse_dl.c), libplist only for a property list (util/plist_dl.c),
# libarchive only by `extract --tar` (cli/archive_dl.c).
# A library that cannot be loaded ends the command with exit status 1 and a
# message naming the library, its Debian package and why, before any output
# (user names, which only label the keybag's users, are then left out with a
# warning); a raw image's list, listcryptousers and unlock load none of them.  The dynamic loader searches LD_LIBRARY_PATH
# before its cache, so a directory there holding a file of the library's
# SONAME stands for a broken installation: an empty file (dlopen fails) or a
# library of that SONAME without the functions we call (another version).
. "$TESTS/lib.sh"
need_image basic.img
D=$WORK/dl
mkdir -p "$D/empty" "$D/stub"
RAW=$IMAGES/basic.img

# soname:Debian package:format:make the image (qemu-img, ewfacquire: independent writers)
LIBS="libvmdk.so.1:libvmdk1:VMDK:qemu-img convert -f raw -O vmdk $RAW $D/d.vmdk
libvhdi.so.1:libvhdi1:VHD:qemu-img convert -f raw -O vpc $RAW $D/d.vhd
libvhdi.so.1:libvhdi1:VHDX:qemu-img convert -f raw -O vhdx $RAW $D/d.vhdx
libqcow.so.1:libqcow1:qcow:qemu-img convert -f raw -O qcow2 $RAW $D/d.qcow2
libewf.so.2:libewf2:E01:ewfacquire -u -q -t $D/d -C c -D d -e e -E 1 -N none $RAW
libfuse3.so.3:libfuse3-3:mount:-
libplist-2.0.so.3:libplist3:plist:-
libarchive.so.13:libarchive13:tar:-"

# A library of the right SONAME exporting none of the functions we call.
printf 'int apfsinspect_stub(void);\nint apfsinspect_stub(void) { return 0; }\n' > "$D/stub.c"
while IFS=: read -r so _ _ _; do
	: > "$D/empty/$so"
	cc -shared -fPIC -Wl,-soname,"$so" -o "$D/stub/$so" "$D/stub.c" 2> /dev/null ||
		rm -f "$D/stub/$so"
done <<< "$LIBS"

# ---- a raw image loads none of them -----------------------------------------
WANT=$("$BIN" list "$RAW" 2>&1)
expect_rc "raw image: list with every container library unloadable exits 0" 0 \
	env LD_LIBRARY_PATH="$D/empty" "$BIN" list "$RAW"
expect_eq "raw image: the same listing as with the libraries installed" "$WANT" "$OUT"
expect_rc "raw image: listcryptousers too" 0 env LD_LIBRARY_PATH="$D/empty" "$BIN" listcryptousers "$RAW"
if [ -e "$IMAGES/encrypted.img" ]; then
	expect_rc "raw image: unlockvolume --user too" 0 env LD_LIBRARY_PATH="$D/empty" "$BIN" \
		unlockvolume --user 1BEC6FD3-1871-4697-BF1F-20C2620146D8 --passphrase hunter2hunter2 \
		"$IMAGES/encrypted.img"
else
	missing "raw image: unlockvolume --user too" "encrypted.img not found"
fi

# ---- libplist: property lists only --------------------------------------------
expect_rc "list --plist, libplist installed: exit 0" 0 "$BIN" list --plist "$RAW"
expect_grep "...a property list" "^<plist version=" "$OUT"
expect_rc "list --plist, libplist-2.0.so.3 unloadable: exit status 1" 1 \
	env LD_LIBRARY_PATH="$D/empty" "$BIN" list --plist "$RAW"
expect_eq "list --plist: the message names the library, its package and why" \
	"apfsinspect: list -plist needs libplist (libplist-2.0.so.3, Debian package libplist3), which cannot be loaded: $D/empty/libplist-2.0.so.3: file too short" \
	"$ERR"
expect_eq "list --plist: nothing on stdout" "" "$OUT"
if [ -e "$IMAGES/basic.dmg" ]; then
	expect_rc "UDIF (its block table is an XML plist), libplist unloadable: exit status 1" 1 \
		env LD_LIBRARY_PATH="$D/empty" "$BIN" list "$IMAGES/basic.dmg"
	expect_eq "UDIF: the message names the image, the library and why" \
		"apfsinspect: '$IMAGES/basic.dmg': reading this UDIF image's block table (an XML plist) needs libplist (libplist-2.0.so.3, Debian package libplist3), which cannot be loaded: $D/empty/libplist-2.0.so.3: file too short" \
		"$ERR"
else
	missing "UDIF without libplist" "basic.dmg not found"
fi
# The user databases of a macOS volume (CryptoUserInfo.plist ...) only name the users.
if "$MKIMAGE" macos-boot "$D/mac.img" > /dev/null 2>&1; then
	expect_rc "macOS volume, libplist installed: listcryptousers exits 0" 0 \
		"$BIN" listcryptousers "$D/mac.img"
	check "...and reads CryptoUserInfo.plist without a warning" \
		bash -c '! grep -q "CryptoUserInfo.plist: not used" <<< "$1"' _ "$ERR"
	expect_rc "macOS volume, libplist unloadable: listcryptousers still exits 0" 0 \
		env LD_LIBRARY_PATH="$D/empty" "$BIN" listcryptousers "$D/mac.img"
	expect_grep "...warning that the user database is not used, and why" \
		"^apfsinspect: warning: Preboot:/.*/CryptoUserInfo.plist: not used: libplist \\(libplist-2.0.so.3, Debian package libplist3\\) cannot be loaded: $D/empty/libplist-2.0.so.3: file too short$" \
		"$ERR"
	expect_grep "...and still lists the users" "^\\+-- D1CC7D4F-07C8-4B06-911E-28D5ABFED48B$" "$OUT"
	rm -f "$D/mac.img"
else
	notok "mkimage macos-boot"
fi

# ---- mount without libfuse3: refused before the image is even opened --------
mkdir -p "$D/mnt"
expect_rc "mount, libfuse3.so.3 unloadable: exit status 1" 1 \
	env LD_LIBRARY_PATH="$D/empty" "$BIN" mount "$RAW" "$D/mnt"
expect_eq "mount: the message names the library, its package and why" \
	"apfsinspect: mount needs libfuse3 (libfuse3.so.3, Debian package libfuse3-3), which cannot be loaded: $D/empty/libfuse3.so.3: file too short" \
	"$ERR"
if [ -e "$D/stub/libfuse3.so.3" ]; then
	expect_rc "mount, a libfuse3.so.3 without our functions: exit status 1" 1 \
		env LD_LIBRARY_PATH="$D/stub" "$BIN" mount "$RAW" "$D/mnt"
	expect_grep "mount: the message names the missing function" \
		"^apfsinspect: mount needs libfuse3 \\(libfuse3.so.3, Debian package libfuse3-3\\), which cannot be loaded: it has no function fuse_[a-z_0-9]+(@FUSE_3.[0-9]+)? \\(another version\\?\\)$" \
		"$ERR"
else
	skip "mount: libfuse3.so.3 of another version" "cc cannot build a shared library"
fi
check "mount: nothing mounted" bash -c "! mountpoint -q '$D/mnt'"

# ---- extract --tar without libarchive: no archive begun ----------------------
expect_rc "extract --tar, libarchive.so.13 unloadable: exit status 1" 1 \
	env LD_LIBRARY_PATH="$D/empty" "$BIN" extract --tar "$D/x.tar" "$RAW" /
expect_eq "extract --tar: the message names the library, its package and why" \
	"apfsinspect: extract --tar needs libarchive (libarchive.so.13, Debian package libarchive13), which cannot be loaded: $D/empty/libarchive.so.13: file too short" \
	"$ERR"
check "extract --tar: no archive file left" test ! -e "$D/x.tar"

# ---- each format, its library installed, missing, of another version --------
while IFS=: read -r so pkg kind make; do
	case $kind in mount | plist | tar) continue ;; esac
	img=${make##* }
	[ "$kind" = E01 ] && img=$D/d.E01
	tool=${make%% *}
	if ! command -v "$tool" > /dev/null; then
		skip "$kind: library loaded on demand" "$tool not installed"; continue
	fi
	$make > /dev/null 2>&1 || { notok "$kind: $make"; continue; }
	expect_rc "$kind: list exits 0 with $so installed" 0 "$BIN" list "$img"
	expect_grep "$kind: ...and reads the container" "APFS Containers \\(1 found\\)" "$OUT"
	expect_rc "$kind: $so unloadable (empty file): exit status 1" 1 \
		env LD_LIBRARY_PATH="$D/empty" "$BIN" list "$img"
	expect_eq "$kind: the message names the image, the library, its package and why" \
		"apfsinspect: '$img': reading this $kind image needs ${so%%.so*} ($so, Debian package $pkg), which cannot be loaded: $D/empty/$so: file too short" \
		"$ERR"
	expect_eq "$kind: nothing on stdout" "" "$OUT"
	if [ ! -e "$D/stub/$so" ]; then
		skip "$kind: $so of another version" "cc cannot build a shared library"; continue
	fi
	expect_rc "$kind: $so without our functions: exit status 1" 1 \
		env LD_LIBRARY_PATH="$D/stub" "$BIN" listcryptousers "$img"
	expect_grep "$kind: the message names the missing function" \
		"^apfsinspect: '$img': reading this $kind image needs ${so%%.so*} \\($so, Debian package $pkg\\), which cannot be loaded: it has no function ${so%%.so*}_[a-z_]+ \\(another version\\?\\)$" \
		"$ERR"
done <<< "$LIBS"
done_testing
