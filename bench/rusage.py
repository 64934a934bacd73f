#!/usr/bin/env python3
"""bench/rusage.py SECONDS OUT CMD... - run CMD with stdout to OUT; print
"MS KB": its wall time in ms and its peak RSS in KiB (getrusage of the
child), or "timeout" when it ran longer than SECONDS (it is then killed).
Python's own start-up is outside the timed span."""
import resource
import subprocess
import sys
import time


def main():
    limit, out, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
    with open(out, "wb") as f:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        try:
            p.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            print("timeout")
            return
        ms = (time.perf_counter() - t0) * 1000
    kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{ms:.0f} {kb}")


main()
