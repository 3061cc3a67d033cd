#!/usr/bin/env python3
"""A member that joins and never reads: `sleeper.py PORT [NICK]`. A 4 KiB receive buffer,
so the kernel does not absorb what the server sends it; it stays until killed."""
import socket
import sys
import time

port = int(sys.argv[1])
nick = sys.argv[2] if len(sys.argv) > 2 else "Sleeper"
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(nick.encode() + b"\n")
while True:
    time.sleep(3600)
