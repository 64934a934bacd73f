# containers_encrypted.sh - encrypted Apple disk images (encrcdsa v2).
# run.sh: long (started before the others, so that no long test runs alone at the end)
# Independent checks: Debian's vfdecrypt (dmg2img) decrypts the generator's
# AES-128 image with keys derived by tests/tools/encrcdsa_keys.py (Python,
# from the format description) to the raw original byte for byte; the key
# unwrap is re-done with the openssl command line; AES-256 chunks are
# decrypted by the Python tool.  Every shared image, wrapped with AES-128
# and AES-256, lists and reads like its raw original; damaged headers exit
# 1 naming the container and structure; a wrong image password exits 3
# naming the image; the image passphrase never shows.
. "$TESTS/lib.sh"
. "$TESTS/containers_lib.sh"
need_image basic.img
need_image encrypted.img
need_image dfvfs-apfs.raw
KEYS="python3 $TESTS/tools/encrcdsa_keys.py"
IPW=image-pass-Zq81x
VPW=hunter2hunter2
D=$WORK/encr
mkdir -p "$D"
IMAGE_OPTS="--image-passphrase $IPW"  # for same_reads's list

# ---- the generator's image against independent tools -------------------------
"$MKIMAGE" basic "$D/raw.img" --gpt > /dev/null
"$MKIMAGE" basic "$D/e128.dmg" --gpt --wrap encrypted --image-passphrase "$IPW" > /dev/null
expect_eq "header: encrcdsa, version 2 (format description)" "656e6372636473610000000200000010" \
	"$(xxd -p -l 16 "$D/e128.dmg")"
expect_eq "header: default layout puts the first key pointer at 0x2A8 (what vfdecrypt reads)" \
	"000002a8" "$(xxd -p -s 0x54 -l 4 "$D/e128.dmg")"
read -r AES HMACK <<< "$($KEYS "$D/e128.dmg" "$IPW")"
check "python3-cryptography unwraps the key blob (AES key ${#AES} hex digits)" \
	[ "${#AES}" = 32 -a "${#HMACK}" = 40 ]
run_rc $KEYS "$D/e128.dmg" wrong-password
expect_eq "python3-cryptography: a wrong password does not unwrap" 1 "$RC"

# Known-answer test of the unwrap with the openssl command line.
ko=0x2a8
SALT=$(xxd -p -s $((ko + 16)) -l "$((0x$(xxd -p -s $((ko + 12)) -l 4 "$D/e128.dmg")))" "$D/e128.dmg")
IV=$(xxd -p -s $((ko + 52)) -l 8 "$D/e128.dmg")
ITER=$((0x$(xxd -p -s $((ko + 8)) -l 4 "$D/e128.dmg")))
BLEN=$((0x$(xxd -p -s $((ko + 100)) -l 4 "$D/e128.dmg")))
KEK=$(openssl kdf -keylen 24 -kdfopt digest:SHA1 -kdfopt pass:"$IPW" -kdfopt hexsalt:"$SALT" \
	-kdfopt iter:"$ITER" PBKDF2 | tr -d ':' | tr 'A-F' 'a-f')
PLAIN=$(dd if="$D/e128.dmg" bs=1 skip=$((ko + 104)) count="$BLEN" status=none |
	openssl enc -d -des-ede3-cbc -K "$KEK" -iv "$IV" -nopad | xxd -p | tr -d '\n')
expect_eq "openssl kdf + enc -des-ede3-cbc: blob = AES key, HMAC key, CKIE, 0, PKCS#7 (48 bytes)" \
	"${AES}${HMACK}434b494500$(printf '07%.0s' 1 2 3 4 5 6 7)" "$PLAIN"

if command -v vfdecrypt > /dev/null; then
	vfdecrypt -i "$D/e128.dmg" -k "$AES$HMACK" -o "$D/vf.img" > /dev/null 2>&1
	check "vfdecrypt -k (Debian dmg2img) decrypts the generator's image to the raw original" \
		cmp -s "$D/vf.img" "$D/raw.img"
	rm -f "$D/vf.img"
else
	skip "vfdecrypt check" "vfdecrypt (Debian dmg2img) not installed"
fi
expect_rc "list with the image passphrase: exit 0" 0 "$BIN" list "$D/e128.dmg" \
	--image-passphrase "$IPW"
expect_grep "list shows the chain: encrypted → GPT → APFS" \
	'^Image: encrypted \(encrcdsa 2, AES-128, 4096-byte chunks, 16\.0 MiB\) → GPT \(512-byte sectors\) → APFS container at 20480$' "$OUT"
same_reads "AES-128 generated image" "$D/raw.img" "$D/e128.dmg" --image-passphrase "$IPW"

# AES-256, the key entry moved off 0x2A8 (noise there): a reader must follow the pointer.
"$MKIMAGE" basic "$D/e256.dmg" --gpt --wrap encrypted --image-passphrase "$IPW" \
	--image-key-bits 256 --image-key-offset 0x7a0 --image-iterations 3000 > /dev/null
expect_eq "moved layout: key pointer at 0x7A0" "000007a0" "$(xxd -p -s 0x54 -l 4 "$D/e256.dmg")"
read -r AES256 _ <<< "$($KEYS "$D/e256.dmg" "$IPW" --chunk 5 "$D/c5")"
check "AES-256: the Python tool unwraps a 256-bit key (${#AES256} hex digits)" [ "${#AES256}" = 64 ]
check "AES-256: chunk 5 decrypted by the Python tool = bytes 20480.. of the raw original" \
	cmp -s "$D/c5" <(dd if="$D/raw.img" bs=4096 skip=5 count=1 status=none)
same_reads "AES-256, moved key entry" "$D/raw.img" "$D/e256.dmg" --image-passphrase "$IPW"
expect_grep "AES-256 in the chain" 'AES-256' "$("$BIN" list "$D/e256.dmg" --image-passphrase "$IPW")"

# ---- every shared image, wrapped (AES-128 and AES-256) --------------------------
for src in basic.img encrypted.img dfvfs-apfs.raw; do
	cred=
	[ "$src" = encrypted.img ] && cred="--passphrase $VPW"
	for bits in 128 256; do
		"$MKIMAGE" wrap "$IMAGES/$src" "$D/w.dmg" --wrap encrypted --image-passphrase "$IPW" \
			--image-key-bits $bits --seed $bits > /dev/null
		# shellcheck disable=SC2086
		same_reads "$src in AES-$bits" "$IMAGES/$src" "$D/w.dmg" --image-passphrase "$IPW" $cred
	done
	if [ "$src" = encrypted.img ]; then
		expect_rc "$src in AES-256: listcryptousers through the image: exit 0" 0 \
			"$BIN" listcryptousers "$D/w.dmg" --image-passphrase "$IPW"
		expect_rc "$src in AES-256: unlockvolume through the image: exit 0" 0 \
			"$BIN" unlockvolume "$D/w.dmg" --image-passphrase "$IPW" --passphrase "$VPW"
		expect_rc "$src in AES-256: right image, wrong volume password: exit 3" 3 \
			"$BIN" unlockvolume "$D/w.dmg" --image-passphrase "$IPW" --passphrase nope
		expect_grep "... the message is about the volume, not the image" 'volume|user' "$ERR"
	fi
done
# A UDIF inside the encryption: the decrypted stream is probed again.
if [ -e "$SHARED/images/basic.dmg" ]; then
	"$MKIMAGE" wrap "$SHARED/images/basic.dmg" "$D/udif.dmg" --wrap encrypted \
		--image-passphrase "$IPW" > /dev/null
	expect_rc "encrypted UDIF: list exits 0" 0 "$BIN" list "$D/udif.dmg" --image-passphrase "$IPW"
	expect_grep "encrypted UDIF: chain encrypted → UDIF" '^Image: encrypted \(.*\) → UDIF' "$OUT"
	same_reads "encrypted UDIF" "$IMAGES/basic.img" "$D/udif.dmg" --image-passphrase "$IPW"
fi

# ---- encrypted sparse bundles and sparse images ----------------------------------------
# A bundle keeps the encrcdsa header in its token and the ciphertext in its bands.
"$MKIMAGE" basic "$D/eb.sparsebundle" --gpt --wrap sparsebundle --band-size 65536 \
	--image-passphrase "$IPW" --image-key-bits 256 > /dev/null
check "encrypted bundle: token starts with encrcdsa, version 2" \
	[ "$(xxd -p -l 12 "$D/eb.sparsebundle/token")" = 656e637263647361""00000002 ]
$KEYS "$D/eb.sparsebundle" "$IPW" --chunk 7 "$D/b7" > /dev/null
check "encrypted bundle: chunk 7 of the bands, decrypted by the Python tool = the raw original's" \
	cmp -s "$D/b7" <(dd if="$D/raw.img" bs=4096 skip=7 count=1 status=none)
expect_rc "encrypted bundle: list exits 0" 0 "$BIN" list "$D/eb.sparsebundle" --image-passphrase "$IPW"
expect_grep "encrypted bundle: chain sparsebundle → encrypted → GPT" \
	'^Image: sparsebundle \(64\.0 KiB bands.*\) → encrypted \(encrcdsa 2, AES-256.*\) → GPT' "$OUT"
same_reads "encrypted bundle" "$D/raw.img" "$D/eb.sparsebundle" --image-passphrase "$IPW"
expect_rc "encrypted bundle, wrong password: exit 3" 3 "$BIN" list "$D/eb.sparsebundle" \
	--image-passphrase wrong
expect_grep "encrypted bundle, wrong password: names the bundle" \
	"'$D/eb.sparsebundle': the image passphrase does not open" "$ERR"
head -c 100 "$D/eb.sparsebundle/token" > "$D/tok" && cp "$D/tok" "$D/eb.sparsebundle/token"
expect_rc "encrypted bundle, token cut short: exit 1" 1 "$BIN" list "$D/eb.sparsebundle" \
	--image-passphrase "$IPW"
expect_grep "encrypted bundle, token cut short: names the token and the key entry" \
	"eb\.sparsebundle/token': encrypted disk image \(encrcdsa\) key entry 1" "$ERR"
rm -rf "$D/eb.sparsebundle"
for src in encrypted.img dfvfs-apfs.raw; do
	cred=
	[ "$src" = encrypted.img ] && cred="--passphrase $VPW"
	"$MKIMAGE" wrap "$IMAGES/$src" "$D/w.sparsebundle" --wrap sparsebundle \
		--image-passphrase "$IPW" > /dev/null
	# shellcheck disable=SC2086
	same_reads "$src as an encrypted sparsebundle (8 MiB bands)" "$IMAGES/$src" \
		"$D/w.sparsebundle" --image-passphrase "$IPW" $cred
	rm -rf "$D/w.sparsebundle"
	"$MKIMAGE" wrap "$IMAGES/$src" "$D/w.sparseimage" --wrap sparseimage \
		--image-passphrase "$IPW" --image-key-bits 256 > /dev/null
	expect_grep "$src as an encrypted sparseimage: chain encrypted → sparseimage" \
		'^Image: encrypted \(.*\) → sparseimage' \
		"$("$BIN" list "$D/w.sparseimage" --image-passphrase "$IPW")"
	# shellcheck disable=SC2086
	same_reads "$src as an encrypted sparseimage" "$IMAGES/$src" "$D/w.sparseimage" \
		--image-passphrase "$IPW" $cred
	rm -f "$D/w.sparseimage"
done

# ---- credentials ----------------------------------------------------------------
E=$D/e128.dmg
expect_rc "wrong image password: exit 3" 3 "$BIN" list "$E" --image-passphrase wrong
expect_grep "wrong image password: names the image, not a volume" \
	"'$E': the image passphrase does not open this encrypted disk image" "$ERR"
expect_rc "no image password, no terminal: exit 3" 3 "$BIN" ls "$E" / < /dev/null
expect_grep "no image password: says what to give" \
	"image '$E' is encrypted: give --image-passphrase or --image-passphrase-file" "$ERR"
printf 'first-wrong\n%s\n' "$IPW" > "$D/pwfile"
expect_rc "--image-passphrase-file: the second line opens it: exit 0" 0 \
	"$BIN" cat "$E" /hello.txt --image-passphrase-file "$D/pwfile"
expect_eq "--image-passphrase-file: cat reads what the raw image holds" \
	"$("$BIN" cat "$D/raw.img" /hello.txt | sha256sum)" \
	"$("$BIN" cat "$E" /hello.txt --image-passphrase-file "$D/pwfile" | sha256sum)"
expect_rc "verify (opens the image too) takes --image-passphrase" 1 \
	"$BIN" verify "$E" --image-passphrase "$IPW"
expect_grep "verify through the encryption: no stored hash, said so" 'stores no hash' "$ERR"
if [ -e /dev/fuse ] && command -v fusermount3 > /dev/null; then
	M=$D/mnt
	mkdir -p "$M"
	expect_rc "mount of an encrypted image with --image-passphrase: exit 0" 0 \
		"$BIN" mount "$E" "$M" --image-passphrase "$IPW"
	expect_eq "mount: /hello.txt reads as from the raw image" \
		"$("$BIN" cat "$D/raw.img" /hello.txt | sha256sum)" "$(sha256sum < "$M/hello.txt")"
	fusermount3 -u "$M" 2> /dev/null
	expect_rc "mount without the image password, no terminal: exit 3" 3 \
		"$BIN" mount "$E" "$M" < /dev/null
	fusermount3 -u "$M" 2> /dev/null
else
	skip "mount of an encrypted image" "no /dev/fuse or fusermount3"
fi
seen=$(PTY_PROMPT="Password for image" python3 "$TESTS/tools/pty_prompt.py" "$IPW" \
	"$BIN" ls "$E" /)
expect_grep "prompt: 'Password for image NAME:' on a terminal, then ls works" \
	"Password for image $E:" "$seen"
expect_grep "prompt: exit 0" '^rc=0' "$seen"
check "prompt: the password is not echoed" [ "${seen/$IPW/}" = "$seen" ]
# Never in our output, even on errors.
all=$("$BIN" list --json "$E" --image-passphrase "$IPW" 2>&1; "$BIN" list "$E" \
	--image-passphrase "$IPW-x" 2>&1)
check "the image passphrase is not in stdout or stderr" [ "${all/$IPW/}" = "$all" ]

# /proc/PID/cmdline while the image's PBKDF2 runs (2,000,000 iterations).
"$MKIMAGE" basic "$D/slow.dmg" --wrap encrypted --image-passphrase "$IPW" \
	--image-iterations 2000000 > /dev/null
during() {
	local p line=
	env "$@" "$BIN" list "$D/slow.dmg" --image-passphrase "$IPW" > /dev/null 2>&1 &
	p=$!
	for _ in $(seq 400); do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -q slow.dmg && break
		sleep 0.005
	done
	line=$(tr '\0' '|' < "/proc/$p/cmdline")
	if kill -0 "$p" 2>/dev/null; then echo "$line"; else echo ended; fi
	wait "$p"
}
seen=$(during)
expect_grep "during the image's PBKDF2: cmdline shows --image-passphrase *" \
	'--image-passphrase \*' "$seen"
check "during the image's PBKDF2: cmdline does not hold the passphrase" \
	[ "${seen/$IPW/}" = "$seen" -a "$seen" != ended ]
seen=$(during APFSINSPECT_TEST_UNHARDENED=argv)
expect_grep "control (argv not hidden): cmdline holds the passphrase" "\|$IPW\|" "$seen"

# Memory of a running cat (blocked writing to a fifo nobody reads): the image
# passphrase is nowhere; the AES key is (the cipher's key schedule), so the scan
# reads the right memory; control: argv not hidden keeps the passphrase there.
"$MKIMAGE" bench "$D/big.img" --big-size $((6 << 20)) > /dev/null
"$MKIMAGE" wrap "$D/big.img" "$D/big.dmg" --wrap encrypted --image-passphrase "$IPW" > /dev/null
# A 6 MiB file read by cat's parallel readers, on the plain volume and on the
# encrypted one (volume encryption inside the image's): as from the raw image.
for vol in "--volume Plain" "--volume Secret --passphrase bench-password"; do
	# shellcheck disable=SC2086
	expect_eq "6 MiB file, parallel readers, $vol: same as from the raw image" \
		"$("$BIN" cat "$D/big.img" /big.bin $vol | sha256sum)" \
		"$("$BIN" cat "$D/big.dmg" /big.bin $vol --image-passphrase "$IPW" | sha256sum)"
done
rm -f "$D/big.img"
read -r BAES _ <<< "$($KEYS "$D/big.dmg" "$IPW")"
mkfifo "$D/fifo"
scan_cat() {
	local pid n
	(cd "$D" && exec env "$@" "$BIN" cat --volume Plain "$D/big.dmg" /big.bin \
		--image-passphrase "$IPW") > "$D/fifo" 2> /dev/null &
	pid=$!
	exec 3< "$D/fifo"
	head -c 1 <&3 > /dev/null
	for _ in $(seq 100); do
		grep -q pipe_write "/proc/$pid/wchan" 2>/dev/null && break
		sleep 0.05
	done
	n=$(python3 "$TESTS/tools/memscan.py" pid "$pid" "$(printf %s "$IPW" | xxd -p)" "$BAES")
	kill -KILL "$pid" 2>/dev/null
	exec 3<&-
	wait "$pid" 2>/dev/null
	echo "$n"
}
read -r n_pw n_aes <<< "$(scan_cat)"
expect_eq "running cat: the image passphrase is nowhere in its memory" 0 "$n_pw"
check "running cat: the scan finds the AES key schedule ($n_aes)" [ "${n_aes:-0}" -ge 1 ]
read -r n_pw _ <<< "$(scan_cat APFSINSPECT_TEST_UNHARDENED=argv)"
check "control (argv not hidden): the scan finds the passphrase ($n_pw)" [ "${n_pw:-0}" -ge 1 ]

# ---- damaged headers --------------------------------------------------------
# patch NAME OFFSET HEX: a copy of $E with bytes replaced.
patch() {
	cp "$E" "$D/$1.dmg"
	printf '%s' "$3" | xxd -r -p | dd of="$D/$1.dmg" bs=1 seek=$(($2)) conv=notrunc status=none
}
damaged() {
	local name=$1 want=$2 pat=$3
	expect_rc "$name: exit $want" "$want" timeout 20 "$BIN" list "$D/$name.dmg" \
		--image-passphrase "$IPW"
	expect_grep "$name: the message names the file and the structure" "$pat" "$ERR"
}
patch iterations $((0x2a8 + 8)) ffffffff
damaged iterations 1 "'$D/iterations.dmg': encrypted disk image \(encrcdsa\) key entry 1: PBKDF2 iteration count .*refused before deriving"
patch keyptr 0x50 00000000ffff0000
damaged keyptr 1 "key entry 1: pointer .* lies outside"
patch blob $((0x2a8 + 100)) 00000208
damaged blob 1 "key entry 1: wrapped key blob length .*\(520\)"
patch salt $((0x2a8 + 12)) 00000021
damaged salt 1 "key entry 1: salt length is not in 1\.\.32 \(33\)"
patch datalen 0x38 0000000200000000
damaged datalen 1 "encrypted data .* runs past the end"
patch keybits 0x18 000000c0
damaged keybits 1 "key_bits at 0x18 is neither 128 nor 256 \(192\)"
patch nkeys 0x48 00001000
damaged nkeys 1 "number of key entries at 0x48"
patch version 0x08 00000003
damaged version 1 "encrcdsa version 3: only version 2"
patch keytype 0x4C 00000002
damaged keytype 1 "'$D/keytype.dmg': encrypted disk image with no password key entry, only public key \(certificate\)"
# Version 1 (a cdsaencr trailer) is named, not read.
{ head -c 8192 /dev/zero; printf cdsaencr; } > "$D/v1.dmg"
expect_rc "encrcdsa version 1 (cdsaencr trailer): exit 1" 1 "$BIN" list "$D/v1.dmg"
expect_grep "version 1: named" "encrypted Apple disk image \(cdsaencr, version 1\)" "$ERR"
# --format encrypted forces the layer; on a raw image it says it is not one.
expect_rc "--format encrypted on an encrypted image: exit 0" 0 "$BIN" list --format encrypted \
	"$E" --image-passphrase "$IPW"
expect_rc "--format encrypted on a raw image: exit 1" 1 "$BIN" list --format encrypted "$D/raw.img"
expect_grep "--format encrypted on a raw image: says so" "is not in the encrypted format" "$ERR"
for cut in 60 700 3000 100000; do
	head -c $cut "$E" > "$D/cut$cut.dmg"
	damaged cut$cut 1 "'$D/cut$cut.dmg': encrypted disk image \(encrcdsa\)"
done
rm -rf "$D"
done_testing
