#!/bin/sh
# setup.sh - from a fresh Debian 12 clone to a working tool.
#   ./setup.sh demo    install what is missing, build, and run a demo on a
#                      generated encrypted image (build/demo.img)
#   ./setup.sh test    install what is missing, build, run the whole suite
#   ./setup.sh deps    only install the Debian packages
# As root it installs missing packages with apt-get; otherwise it prints the
# exact apt-get line and stops.
set -eu
cd "$(dirname "$0")"

BUILD_PKGS="make gcc pkg-config libssl-dev zlib1g-dev libbz2-dev libfuse3-dev fuse3 \
libplist-dev libutf8proc-dev libcmocka-dev libewf-dev libvmdk-dev libvhdi-dev libqcow-dev \
libarchive-dev git ca-certificates"
# Independent peers the tests compare against, and the tools the tests use;
# clang builds the tree a second way and runs the fuzz targets (libFuzzer's
# runtime is only a Recommends of clang, so it is named).
TEST_PKGS="python3 python3-cryptography openssl dmg2img fdisk sleuthkit libfsapfs-utils attr xxd zsh \
util-linux procps 7zip clang libclang-rt-14-dev ewf-tools qemu-utils dosfstools strace time \
libarchive-tools"
# hashcat cracks our `hashes` exports on the CPU (pocl is its OpenCL device;
# hashcat loads libOpenCL.so.1, which --no-install-recommends leaves out).
TEST_PKGS="$TEST_PKGS hashcat pocl-opencl-icd ocl-icd-libopencl1"
# xmllint validates the timeline's DFXML against the DFXML schema.
TEST_PKGS="$TEST_PKGS libxml2-utils"
# fio measures random reads through the mount (bench/fuse.sh).
TEST_PKGS="$TEST_PKGS fio"
# The Python module (python/): installed offline by Debian's pip into a venv,
# built by Debian's setuptools and wheel, tested with pytest.
TEST_PKGS="$TEST_PKGS python3-pytest python3-venv python3-pip python3-setuptools python3-wheel"

missing() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s ' "$p"
	done
}

install() {
	need=$(missing "$@")
	[ -z "$need" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "setup.sh: missing Debian packages; run as root:" >&2
		echo "  apt-get update && apt-get install -y $need" >&2
		exit 1
	fi
	echo "setup.sh: installing $need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need > /dev/null
}

demo() {
	B=build/apfsinspect
	build/mkimage demo build/demo.img
	for cmd in "list" "listcryptousers" "hashes" \
		   "unlockvolume --passphrase demo" "unlockvolume --passphrase wrong" \
		   "unlockvolume --recovery-key demo1234abcd5678efgh9012" \
		   "ls -l --passphrase demo" "cat --passphrase demo"; do
		echo
		arg=; [ "${cmd#cat}" != "$cmd" ] && arg=/hello.txt
		echo "\$ apfsinspect $cmd build/demo.img $arg"
		# shellcheck disable=SC2086
		$B $cmd build/demo.img $arg || echo "(exit status $?)"
	done
}

case "${1:-}" in
deps) install $BUILD_PKGS $TEST_PKGS ;;
demo) install $BUILD_PKGS; make -s -j"$(nproc)"; demo ;;
test) install $BUILD_PKGS $TEST_PKGS; make -s -j"$(nproc)" WERROR=1; B=build tests/run.sh ;;
*) echo "usage: ./setup.sh demo|test|deps" >&2; exit 2 ;;
esac
