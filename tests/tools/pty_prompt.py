#!/usr/bin/env python3
"""pty_prompt.py PASSWORD CMD... - run CMD on a pseudo-terminal, answer its
passphrase prompt with PASSWORD, and print 'rc=N' and everything the
terminal showed (so a test can check that the password was not echoed)."""
import os
import pty
import select
import sys
import time

pw, cmd = sys.argv[1].encode(), sys.argv[2:]
prompt = os.environ.get("PTY_PROMPT", "Passphrase:").encode()  # what to answer
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
seen, sent, deadline = b"", False, time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    if not sent and prompt in seen:
        time.sleep(0.2)  # let it switch echo off first, as a person would type
        os.write(fd, pw + b"\n")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
print("\nrc=%d" % os.waitstatus_to_exitcode(status))
