# SPDX-License-Identifier: MIT
"""Large reads through the file object: the library reads a read of 2 MiB or
more in pieces on every core at once (lib/bigread.c).  The bytes must be
those testdata/README.md defines for the `bench` scenario's /big.bin
(splitmix64, recomputed here) and those `apfsinspect cat` writes, at odd
offsets and lengths, across the threshold, the 512 KiB pieces and the end of
the file; and a damaged chunk in the middle of the file must fail the read
that covers it (and only that one) with the error a small read of the
damaged place gets."""
import io
import os
import shutil
import subprocess
import threading

import pytest

import apfsinspect

MIB = 1 << 20
SIZE = 6 * MIB + 4097  # odd: the last block is partly the file's


def splitmix64(n, seed=1):
    """testdata/README.md, `bench`: splitmix64 outputs little-endian, cut to n bytes."""
    m, s, out = (1 << 64) - 1, seed, bytearray()
    for _ in range((n + 7) // 8):
        s = (s + 0x9e3779b97f4a7c15) & m
        z = ((s ^ (s >> 30)) * 0xbf58476d1ce4e5b9) & m
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & m
        out += (z ^ (z >> 31)).to_bytes(8, "little")
    return bytes(out[:n])


@pytest.fixture(scope="module")
def want():
    return splitmix64(SIZE)


@pytest.fixture(scope="module")
def bench(generated):
    return generated("bench", "--big-size", str(SIZE))


def open_big(img, vol):
    v = img.select_volume(vol)
    if vol == "Secret":
        v.unlock(password="bench-password")
    return v.open_fs()


# (offset, length): both sides of 2 MiB, of a 512 KiB piece, and of the end.
SHAPES = [(0, SIZE), (0, 2 * MIB), (1, 2 * MIB - 1), (12345, 2 * MIB - 1),
          (4097, 3 * MIB + 3), (MIB // 2 - 1, 4 * MIB), (MIB // 2, 4 * MIB + 1),
          (SIZE - 2 * MIB - 7, 2 * MIB + 100), (SIZE - 3 * MIB - 1, 5 * MIB),
          (SIZE - 1, 3 * MIB), (SIZE, 2 * MIB), (SIZE + 4096, 3 * MIB)]


@pytest.mark.parametrize("vol", ["Secret", "Plain"])
def test_large_reads_bytes(bench, want, vol):
    with apfsinspect.open(bench) as img, open_big(img, vol) as fs, fs.open("/big.bin") as f:
        assert f.size == SIZE
        for off, n in SHAPES:
            assert f.pread(n, off) == want[off:off + n], (off, n)
        # readinto at odd positions, into a huge-page buffer and a bytearray
        for buf in (apfsinspect.buffer(3 * MIB + 5), bytearray(2 * MIB + 1)):
            f.seek(999)
            parts = []
            while n := f.readinto(buf):
                parts.append(bytes(buf[:n]))
            assert b"".join(parts) == want[999:]
            assert f.tell() == SIZE


@pytest.mark.parametrize("vol", ["Secret", "Plain"])
def test_large_reads_same_as_cat(bench, vol):
    """The file object's large reads and `apfsinspect cat` (the library's
    parallel ordered reader) give the same bytes."""
    binary = os.environ.get("BIN")
    if not binary or not os.access(binary, os.X_OK):
        pytest.skip("BIN (build/apfsinspect) not given")
    cred = ["--passphrase", "bench-password"] if vol == "Secret" else []
    cat = subprocess.run([binary, "cat", "--volume", vol] + cred + [bench, "/big.bin"],
                         check=True, stdout=subprocess.PIPE).stdout
    assert len(cat) == SIZE
    with apfsinspect.open(bench) as img, open_big(img, vol) as fs, fs.open("/big.bin") as f:
        assert f.read() == cat
        for off, n in SHAPES:
            assert f.pread(n, off) == cat[off:off + n], (off, n)


def test_seek_then_read(bench, want):
    with apfsinspect.open(bench) as img, open_big(img, "Secret") as fs, \
            fs.open("/big.bin") as f:
        assert f.seek(777) == 777
        assert f.read(3 * MIB) == want[777:777 + 3 * MIB]
        assert f.tell() == 777 + 3 * MIB
        assert f.seek(-(2 * MIB + 3), io.SEEK_CUR) == 777 + MIB - 3
        assert f.read(2 * MIB + 1) == want[777 + MIB - 3:777 + 3 * MIB - 2]
        assert f.seek(-100, io.SEEK_END) == SIZE - 100
        assert f.read(5 * MIB) == want[-100:]
        assert f.read(5 * MIB) == b""
        f.seek(SIZE + 10)
        assert f.read(3 * MIB) == b""
        f.seek(MIB // 2 + 1)
        assert io.BufferedReader(f, 4 * MIB).read(4 * MIB) == want[MIB // 2 + 1:MIB // 2 + 1 + 4 * MIB]


def test_large_reads_from_threads(bench, want):
    """Several callers' large reads at once share the file system's helpers."""
    with apfsinspect.open(bench) as img, open_big(img, "Secret") as fs, \
            fs.open("/big.bin") as f:
        bad = []

        def worker(k):
            for i in range(6):
                off = (k * 1234567 + i * 777777) % SIZE
                n = 2 * MIB + (k * 31337 + i * 99991) % (2 * MIB)
                if f.pread(n, off) != want[off:off + n]:
                    bad.append((off, n))
        ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert bad == []


@pytest.fixture(scope="module")
def damaged_e01(bench, want, tmp_path_factory):
    """The bench image as an E01 (ewfacquire, an independent writer) with one
    byte flipped in two of its 32 KiB chunks, those holding the Plain
    volume's /big.bin at 4.5 MiB and 5.5 MiB: found by their bytes in the
    raw image and in the segment file.  Returns the E01's path and, per
    damaged chunk, the file offset where it starts and its first sector
    (image byte / 32768 x 64)."""
    if not shutil.which("ewfacquire"):
        pytest.skip("ewfacquire (Debian ewf-tools) not installed")
    d = tmp_path_factory.mktemp("e01")
    subprocess.run(["ewfacquire", "-u", "-q", "-t", str(d / "b"), "-S", "1GiB", "-C", "case",
                    "-D", "bench", "-e", "examiner", "-E", "1", "-N", "none", "-c", "fast",
                    bench], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(bench, "rb") as r:
        raw = r.read()
    e01 = bytearray((d / "b.E01").read_bytes())
    chunks = []
    for off in (4 * MIB + MIB // 2 + 100, 5 * MIB + MIB // 2 + 100):
        pat = want[off:off + 64]
        at_raw, at_e01 = raw.find(pat), e01.find(pat)
        assert at_raw > 0 and at_e01 > 0 and raw.count(pat) == 1  # the Plain volume's copy
        e01[at_e01 + 10] ^= 0x40
        chunks.append((off - at_raw % 32768, at_raw // 32768 * 64))
    (d / "b.E01").write_bytes(bytes(e01))
    return str(d / "b.E01"), chunks


def test_damaged_chunk_mid_file(damaged_e01, want):
    path, ((start1, sector1), (start2, sector2)) = damaged_e01
    msg = "E01 chunk holding sectors %d-%d fails its checksum"
    with apfsinspect.open(path) as img, img.select_volume("Plain").open_fs() as fs, \
            fs.open("/big.bin") as f:
        # A small read of the damaged chunk: the error every larger read over it must give.
        with pytest.raises(apfsinspect.Corrupt) as small:
            f.pread(4096, start1 + 4096)
        assert msg % (sector1, sector1 + 63) in str(small.value)
        buf = apfsinspect.buffer(4 * MIB)
        assert f.readinto(buf) == 4 * MIB and bytes(buf) == want[:4 * MIB]
        # The rest of the file holds both damaged chunks: the one nearer the start is named.
        with pytest.raises(apfsinspect.Corrupt) as big:
            f.readinto(buf)
        assert str(big.value) == str(small.value)
        assert f.tell() == 4 * MIB
        with pytest.raises(apfsinspect.Corrupt) as later:
            f.pread(3 * MIB, start1 + 32768)
        assert msg % (sector2, sector2 + 63) in str(later.value)
        # Up to the first damaged chunk, between the two and after the second: the bytes.
        assert f.pread(start1, 0) == want[:start1]
        assert f.pread(start2 - start1 - 32768, start1 + 32768) == want[start1 + 32768:start2]
        assert f.pread(SIZE, start2 + 32768) == want[start2 + 32768:]


def test_large_reads_in_a_forked_child(bench, want):
    """A child of fork() (multiprocessing's default on Linux) has the parent's
    file system but not its helper threads: its large reads and its close
    must not wait for them."""
    import time
    with apfsinspect.open(bench) as img, open_big(img, "Secret") as fs:
        f = fs.open("/big.bin")
        assert f.pread(3 * MIB, 5) == want[5:5 + 3 * MIB]  # the helpers started
        pid = os.fork()
        if pid == 0:  # the child: its own helpers, then its close
            ok = f.pread(4 * MIB, 4097) == want[4097:4097 + 4 * MIB]
            fs.close()
            os._exit(0 if ok else 1)
        deadline = time.monotonic() + 60  # the child needs well under a second
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if not done:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        assert done and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        assert f.pread(2 * MIB, 1) == want[1:1 + 2 * MIB]  # the parent's still work


def _thp_mode(name):
    """The bracketed choice of /sys/kernel/mm/transparent_hugepage/NAME, or None."""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/" + name) as f:
            return f.read().split("[")[1].split("]")[0]
    except (OSError, IndexError):
        return None


def _huge_kib_at(addr):
    """AnonHugePages (KiB) of the mapping of /proc/self/smaps that holds addr."""
    inside = False
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split()[0]
            if "-" in head and ":" not in head:
                lo, hi = (int(x, 16) for x in head.split("-"))
                inside = lo <= addr < hi
            elif inside and head == "AnonHugePages:":
                return int(line.split()[1])
    return 0


def test_buffer_is_on_huge_pages():
    """apfsinspect.buffer() is a private anonymous map: a shared one is shmem,
    which the kernel backs with huge pages only when shmem_enabled says so
    (Debian: never), and then each of its 4 KiB pages faults on first use
    (measured: 18,000 faults and 3 x the time of a 1 GiB read in 64 MiB
    readinto calls)."""
    if _thp_mode("enabled") not in ("always", "madvise"):
        pytest.skip("transparent huge pages are off on this kernel")
    if _thp_mode("shmem_enabled") in ("always", "advise", "force"):
        pytest.skip("shmem gets huge pages here too: the test could not tell")
    import ctypes
    buf = apfsinspect.buffer(8 * MIB)
    buf[:] = b"\1" * len(buf)  # touch every page
    addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    if _huge_kib_at(addr) == 0 and "AnonHugePages" not in open("/proc/meminfo").read():
        pytest.skip("no AnonHugePages accounting on this kernel")
    assert _huge_kib_at(addr) >= 2048
