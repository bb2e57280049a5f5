#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""streams.py - byte-exact TCP streams both ways, many at once.

  streams.py serve PORT
  streams.py run HOST PORT STREAMS MIB

`run` opens STREAMS connections to `serve` for each direction at the same
time: on an "up" stream the client sends MIB MiB, on a "down" stream the
server does.  Every stream's bytes are a function of (stream, offset):
64 KiB chunks, each opening with its stream and chunk number, the rest a
window of a fixed pseudo-random pool, so the receiver finds a lost,
repeated, reordered or corrupted chunk by comparing bytes.  The receiver
of an "up" stream is the server: it answers the stream's verdict on the
same connection after the last byte.

`run` prints one line per direction and exits 0 only if every stream
carried exactly MIB MiB, verified; 1 otherwise.
"""
import random
import socket
import struct
import sys
import threading

CHUNK = 65536
_pool = random.Random(20261202).randbytes(1 << 20)


def chunk(stream, k):
    off = (k * 7919 + stream * 104729) % (len(_pool) - CHUNK)
    return struct.pack("<II", stream, k) + _pool[off + 8:off + CHUNK]


def send_stream(sock, stream, mib):
    for k in range(mib * 16):
        sock.sendall(chunk(stream, k))


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        b = sock.recv(n - len(buf))
        if not b:
            break
        buf += b
    return bytes(buf)


def check_stream(sock, stream, mib):
    """Bytes verified, and nothing after them; or a reason."""
    for k in range(mib * 16):
        got = recv_exact(sock, CHUNK)
        if got != chunk(stream, k):
            if len(got) < CHUNK:
                return "stream %d ended at %d bytes" % (stream, k * CHUNK + len(got))
            return "stream %d: chunk %d differs" % (stream, k)
    if sock.recv(1):
        return "stream %d: bytes after the last of %d MiB" % (stream, mib)
    return None


def serve(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(64)

    def one(c):
        with c:
            d, stream, mib = struct.unpack("<cII", recv_exact(c, 9))
            if d == b"d":
                send_stream(c, stream, mib)
                c.shutdown(socket.SHUT_WR)
                recv_exact(c, 1)
            else:
                why = check_stream(c, stream, mib)
                c.sendall((why or "ok %d" % (mib << 20)).encode())
            print("stream %d %s %d MiB: %s" % (stream, d.decode(), mib, why or "ok"), flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()


def run(host, port, streams, mib):
    verdicts = {}

    def one(d, stream):
        try:
            c = socket.create_connection((host, port), timeout=600)
            c.sendall(struct.pack("<cII", d, stream, mib))
            if d == b"d":
                why = check_stream(c, stream, mib)
                c.sendall(b"x")
            else:
                send_stream(c, stream, mib)
                c.shutdown(socket.SHUT_WR)
                why = recv_exact(c, 200).decode()
                # The server names the bytes it checked: a header the
                # wire corrupted cannot shrink the stream unnoticed.
                why = None if why == "ok %d" % (mib << 20) else (why or "no verdict from the server")
            c.close()
        except OSError as e:
            why = "stream %d: %s" % (stream, e)
        verdicts[(d, stream)] = why
    threads = [threading.Thread(target=one, args=(d, s))
               for s in range(streams) for d in (b"u", b"d")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = True
    for d, name in ((b"u", "guest to host"), (b"d", "host to guest")):
        bad = [verdicts[(d, s)] for s in range(streams) if verdicts[(d, s)]]
        good = streams - len(bad)
        print("streams %s: %d of %d streams verified, %d bytes%s" %
              (name, good, streams, good * mib << 20,
               "" if not bad else ": " + "; ".join(bad)))
        ok = ok and not bad
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    elif len(sys.argv) == 6 and sys.argv[1] == "run":
        sys.exit(run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])))
    else:
        sys.exit(__doc__)
