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
for e in vaes-avx512 vaes-avx2 aes-ni aes-ecb; do
	export APFSINSPECT_XTS_ENGINE=$e
	expect_eq "$e: Secret /big.bin (splitmix64 recomputed)" "$BIG" \
		"$("$BIN" cat --volume Secret --passphrase bench-password "$IMG" /big.bin | sha256sum | cut -d' ' -f1)"
	if [ -e "$IMAGES/encrypted.img" ]; then
		expect_eq "$e: encrypted.img /secret.txt (IMAGES.md)" \
			a4730fc4e2ed7c7b7cafdc182094bdc60ee5bd94989878a8061d6e356043baa2 \
			"$("$BIN" cat --passphrase hunter2hunter2 "$IMAGES/encrypted.img" /secret.txt | sha256sum | cut -d' ' -f1)"
	else
		skip "$e: encrypted.img /secret.txt" "encrypted.img not found"
	fi
done
unset APFSINSPECT_XTS_ENGINE
done_testing
