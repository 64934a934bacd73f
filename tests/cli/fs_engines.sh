#!/usr/bin/env bash
# fs_engines.sh - every XTS engine (APFSINSPECT_XTS_ENGINE caps the one a
# key gets; a CPU without an engine falls back to the next) decrypts real and
# generated volumes to the bytes independent sources give: encrypted.img's
# files as IMAGES.md lists them, and a bench image's /big.bin (a few chunks,
# read by several threads, a partial last block) as splitmix64 recomputed
# from testdata/README.md gives it.
. "$(dirname "$0")/../lib.sh"

SIZE=$((5 * 1048576 + 5))
IMG=$WORK/bench.img
expect_rc "mkimage bench --big-size $SIZE --seed 3" 0 "$MKIMAGE" bench "$IMG" --big-size $SIZE --seed 3
BIG=$(python3 "$TESTS/tools/splitmix.py" "$SIZE" 3)
# The CPU flags each engine needs (the kernel lists only what it lets programs use).
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { for f in "$@"; do [[ $flags == *" $f "* ]] || return 1; done; }
need() { case $1 in
	vaes-avx512) has aes avx512f avx512bw avx512vl vaes vpclmulqdq ;;
	vaes-avx2) has aes avx2 vaes vpclmulqdq ;;
	aes-ni) has aes sse4_1 ;;
	*) true ;;
	esac; }
for e in vaes-avx512 vaes-avx2 aes-ni aes-ecb; do
	if ! need "$e"; then
		skip "$e engine" "this CPU lacks its instructions (it would fall back to a slower engine)"
		continue
	fi
	export APFSINSPECT_XTS_ENGINE=$e
	expect_eq "$e: Secret /big.bin (splitmix64 recomputed)" "$BIG" \
		"$("$BIN" cat --volume Secret --passphrase bench-password "$IMG" /big.bin | sha256sum | cut -d' ' -f1)"
	if [ -e "$IMAGES/encrypted.img" ]; then
		expect_eq "$e: encrypted.img /secret.txt (IMAGES.md)" \
			a4730fc4e2ed7c7b7cafdc182094bdc60ee5bd94989878a8061d6e356043baa2 \
			"$("$BIN" cat --passphrase hunter2hunter2 "$IMAGES/encrypted.img" /secret.txt | sha256sum | cut -d' ' -f1)"
	else
		missing "$e: encrypted.img /secret.txt" "encrypted.img not found"
	fi
done
unset APFSINSPECT_XTS_ENGINE
done_testing
