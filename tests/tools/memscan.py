#!/usr/bin/env python3
"""memscan.py - look for secrets in a process's memory or in a core file.

  memscan.py pid PID HEX...     count each byte string (hex) in the readable
                                mappings of PID (/proc/PID/maps + /proc/PID/mem)
  memscan.py file PATH HEX...   count each in a file (a core dump)
  memscan.py spawn-read CMD...  run CMD with its stdout on a pipe, wait for its
                                first output byte, then try to read its memory
                                as the current user: print "readable" or
                                "denied"; the child is killed after.  As its
                                parent, so that Yama's ptrace_scope 1 does not
                                decide instead of the process's dumpable flag.

Counts are printed on one line, space-separated, in the order given.
Mappings over 1 GiB (AddressSanitizer's shadow reserves terabytes) are skipped
and said so on stderr.
"""
import os
import signal
import subprocess
import sys

MAX_REGION = 1 << 30


def regions(pid):
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            addr, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if perms[0] == "r":
                yield lo, hi, line.strip()


def scan_pid(pid, needles):
    counts = [0] * len(needles)
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for lo, hi, desc in regions(pid):
            if hi - lo > MAX_REGION:
                print(f"memscan: skipped {desc}", file=sys.stderr)
                continue
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except OSError:
                continue  # [vvar] and the like
            for i, n in enumerate(needles):
                counts[i] += data.count(n)
    return counts


def scan_file(path, needles):
    with open(path, "rb") as f:
        data = f.read()
    return [data.count(n) for n in needles]


def first_region(pid):
    for lo, hi, _ in regions(pid):
        if hi - lo <= MAX_REGION:
            return lo
    return None


def spawn_read(cmd):
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        if not child.stdout.read(1):
            return "child ended without output"
        try:
            with open(f"/proc/{child.pid}/mem", "rb", buffering=0) as mem:
                mem.seek(first_region(child.pid))
                mem.read(16)
            return "readable"
        except OSError:
            return "denied"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "spawn-read":
        print(spawn_read(args))
        return 0
    needles = [bytes.fromhex(h) for h in args[1:]]
    counts = scan_pid(int(args[0]), needles) if mode == "pid" else scan_file(args[0], needles)
    print(" ".join(str(c) for c in counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
