#!/usr/bin/env python3
"""bench/cpu_pair.py RUNS A... -- B... - run commands A and B alternately
RUNS times each (A, B, A, B ...: both see the same load as it drifts), with
stdout and stderr to /dev/null, and print the medians of their CPU time
(user + system, ms, from the kernel's rusage of each child) and of their
minor page faults: "CPU_A CPU_B FAULTS_A FAULTS_B".  Leading NAME=VALUE
words of a command are its environment (LD_PRELOAD=shim.so fsapfsinfo ...),
so that no `env` process is counted with it."""
import os
import statistics
import sys


def split_env(words):
    env = dict(os.environ)
    while words and "=" in words[0] and not words[0].startswith(("/", ".")):
        k, v = words[0].split("=", 1)
        env[k] = v
        words = words[1:]
    return words, env


def run(cmd, env, null):
    pid = os.posix_spawnp(cmd[0], cmd, env, file_actions=[
        (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
    _, _, ru = os.wait4(pid, 0)
    return (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_minflt


def main():
    runs = int(sys.argv[1])
    args = sys.argv[2:]
    cut = args.index("--")
    a, b = split_env(args[:cut]), split_env(args[cut + 1:])
    null = os.open(os.devnull, os.O_WRONLY)
    res = {0: [], 1: []}
    for _ in range(runs):
        for i, (cmd, env) in enumerate((a, b)):
            res[i].append(run(cmd, env, null))
    med = [statistics.median(c for c, _ in res[i]) for i in (0, 1)]
    flt = [statistics.median(f for _, f in res[i]) for i in (0, 1)]
    print("%.2f %.2f %d %d" % (med[0], med[1], flt[0], flt[1]))


main()
