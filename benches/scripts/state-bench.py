#!/usr/bin/env python3
"""The cost of durability (issue #14), against the release chat-tcp:

  roundtrip STATE     /schedule + /unschedule round trips (each commits the state file
                      before its confirmation), with /user round trips as the anchor in
                      the same run; STATE is a path or `none`.
  fill STATE          100 rooms, each with a full backlog (--history 20 chat lines) and 10
                      pending schedules (1,000 in all), then a clean stop; prints the file size.
  restart STATE       start time (exec to `listening`) of a server on STATE, 5 times.

usage: benches/scripts/state-bench.py MODE STATE [DIR]  (DIR holds server.txt; default /tmp/state-bench)
Build first: cargo build --release -p chat-tcp
"""
import os, socket, subprocess, sys, time, statistics

EXE = os.path.join(os.path.dirname(__file__), "..", "..", "target", "release", "chat-tcp")


def start(state, logdir, extra=()):
    t0 = time.perf_counter()
    p = subprocess.Popen([EXE, "--bind", "127.0.0.1:0", "--web", "none", "--flood-rate", "0",
                          "--log", os.path.join(logdir, "server.txt"), "--state", state,
                          "--utc-offset", "Z", *extra],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if line.startswith("chat-tcp: listening on "):
            started = time.perf_counter() - t0
            host, port = line.split()[3].rsplit(":", 1)
            return p, (host, int(port)), started
    raise SystemExit("server did not start: " + p.stderr.read())


def stop(p):
    p.terminate()
    p.wait(timeout=10)


class Client:
    def __init__(self, addr, nick):
        self.s = socket.create_connection(addr)
        self.f = self.s.makefile("r", encoding="utf-8", newline="\n")
        self.line()
        self.send(nick)
        assert self.line().startswith("[Server]: Welcome, " + nick), nick

    def send(self, text):
        self.s.sendall((text + "\n").encode())

    def line(self):
        l = self.f.readline()
        if not l:
            raise SystemExit("connection closed")
        return l.rstrip("\n")

    def until(self, prefix):
        while True:
            l = self.line()
            if l.startswith(prefix):
                return l


def roundtrip(state, logdir, n=200):
    p, addr, _ = start(state, logdir)
    c = Client(addr, "Bench")
    sched, user = [], []
    for i in range(n):
        t = time.perf_counter()
        c.send("/schedule 23:59Z x")
        l = c.until("[Server]: Scheduled #")
        seq = l.split("#")[1].split()[0]
        c.send("/unschedule " + seq)
        c.until("[Server]: Schedule #")
        sched.append((time.perf_counter() - t) / 2)
        t = time.perf_counter()
        c.send("/user")
        c.until("[Server]: Users (")
        user.append(time.perf_counter() - t)
    stop(p)
    q = lambda xs, f: sorted(xs)[int(f * (len(xs) - 1))] * 1e6
    print(f"state={state} n={n}: /schedule or /unschedule p50 {q(sched, .5):.0f} us p99 {q(sched, .99):.0f} us;"
          f" /user (anchor) p50 {q(user, .5):.0f} us p99 {q(user, .99):.0f} us")


def fill(state, logdir):
    p, addr, _ = start(state, logdir, ["--max-rooms", "1000"])
    a, b = Client(addr, "Alice"), Client(addr, "Bob")
    for r in range(100):
        room = f"room{r:03}"
        a.send("/join " + room)
        a.until("[Server]: You created")
        b.send("/join " + room)
        b.until("[Server]: You joined")
        for i in range(20):
            a.send(f"line {i} of {room}: " + "x" * 60)
        for c in (a, b):
            for k in range(5):
                c.send(f"/schedule 23:{k + 10}Z reminder {k} in {room}")
        for c in (a, b):
            for k in range(5):
                c.until("[Server]: Scheduled #")
    stop(p)
    size = os.path.getsize(state)
    wal = state + "-wal"
    print(f"filled {state}: {size} bytes ({size / 1024:.0f} KiB), wal left: {os.path.exists(wal)}")


def restart(state, logdir, n=5):
    times = []
    for _ in range(n):
        p, addr, started = start(state, logdir)
        Client(addr, f"Probe{len(times)}")
        stop(p)
        times.append(started * 1000)
    print(f"state={state}: start to listening, {n} runs: " + ", ".join(f"{t:.1f}" for t in times)
          + f" ms (median {statistics.median(times):.1f} ms)")


if __name__ == "__main__":
    mode, state = sys.argv[1], sys.argv[2]
    logdir = sys.argv[3] if len(sys.argv) > 3 else "/tmp/state-bench"
    os.makedirs(logdir, exist_ok=True)
    {"roundtrip": roundtrip, "fill": fill, "restart": restart}[mode](state, logdir)
