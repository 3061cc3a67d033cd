# One member writes empty lines as fast as the server takes them for SECS seconds while a
# second member reads; prints the server's VmHWM and VmRSS (KiB) before and after.
import socket, sys, time, threading
port, pid, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
def status(field):
    for l in open(f"/proc/{pid}/status"):
        if l.startswith(field): return int(l.split()[1])
def join(nick):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(nick.encode()+b"\n")
    buf=b""
    while b"Welcome" not in buf: buf += s.recv(4096)
    return s
r = join("reader"); f = join("flooder")
stop = False
def drain(s):
    s.settimeout(0.5)
    while not stop:
        try:
            if not s.recv(65536): return
        except socket.timeout: pass
        except OSError: return
threading.Thread(target=drain, args=(r,), daemon=True).start()
threading.Thread(target=drain, args=(f,), daemon=True).start()
print("before hwm", status("VmHWM:"), "rss", status("VmRSS:"))
chunk = b"\n" * 65536; sent = 0; end = time.time() + secs
while time.time() < end:
    f.sendall(chunk); sent += len(chunk)
print("sent", sent, "empty lines")
print("after hwm", status("VmHWM:"), "rss", status("VmRSS:"))
stop = True
