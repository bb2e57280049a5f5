#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""monitor.py SOCKET COMMAND... - run HMP commands on QEMU's monitor
socket (-monitor unix:SOCKET,server=on,wait=off) and print their output.
Exit 1 if the socket does not answer."""
import socket
import sys
import time


def until_prompt(s):
    buf = b""
    while not buf.endswith(b"(qemu) "):
        b = s.recv(65536)
        if not b:
            break
        buf += b
    return buf.decode(errors="replace")


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            s.connect(sys.argv[1])
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("monitor: no answer on %s" % sys.argv[1])
    s.settimeout(60)
    until_prompt(s)
    for cmd in sys.argv[2:]:
        s.sendall(cmd.encode() + b"\n")
        out = until_prompt(s)
        # HMP echoes the command line; the prompt ends the answer.
        lines = out.replace("\r", "").split("\n")[1:-1]
        print("\n".join(lines))


if __name__ == "__main__":
    main()
