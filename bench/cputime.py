#!/usr/bin/env python3
"""bench/cputime.py OUT CMD... - run CMD with stdout to OUT and stderr to
/dev/null; print "WALL_MS CPU_MS RC": its wall time, the CPU time (user +
system, microsecond resolution: GNU time's %U %S have 10 ms) of it and of
every descendant it waited for, and its exit status.  Python's own start-up
is outside both spans."""
import os
import sys
import time


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, fd, 1),
                                        (os.POSIX_SPAWN_DUP2, null, 2)])
    _, status, ru = os.wait4(pid, 0)
    ms = (time.perf_counter() - t0) * 1000
    cpu = (ru.ru_utime + ru.ru_stime) * 1000
    print(f"{ms:.0f} {cpu:.1f} {os.waitstatus_to_exitcode(status)}")


main()
