#!/usr/bin/env python3
"""TCP abuse against a switchd on 127.0.0.0/8, for Tests/security/streams.sh (python3 standard library only).

    streamflood.py trusted-tcp SERVER --bind IP --stop-file F --result F [--interval S] [--max-seconds S]
        A trusted caller over one TCP connection: one INVITE every interval, the latency of every
        answer (a call without an answer within --call-timeout is lost; a connection the server closes
        is counted and opened again). Writes the same timeline as `sipclient.py trusted`, so that
        `sipclient.py phases` summarises both.
    streamflood.py abuse SERVER --server-pid PID --result F [--idle N] [--slow N] ...
        The abuse, phase after phase, each bounded in time and count (see `cmd_abuse`); writes one JSON
        object: the wall-clock bounds of every phase and what each one measured.
Every connection goes to SERVER, which must be on 127.0.0.0/8, from addresses of 127.0.0.0/8.
"""
import argparse
import errno
import json
import os
import random
import selectors
import socket
import struct
import sys
import threading
import time

PING = b"\r\n\r\n"  # RFC 5626 keep-alive: answered with one CRLF


def server_address(text):
    host, port = text.rsplit(":", 1)
    if not host.startswith("127."):
        sys.exit(f"streamflood: {host} is not a loopback address (127.0.0.0/8 only)")
    return host, int(port)


def rand_hex(bits):
    return f"{random.getrandbits(bits):0{bits // 4}x}"


def invite(local, caller, to, call_id, method="INVITE"):
    host, port = local
    domain = caller.split("@")[-1]
    ruri = f"sip:{to}@{domain}" if to else f"sip:{domain}"
    return (
        f"{method} {ruri} SIP/2.0\r\n"
        f"Via: SIP/2.0/TCP {host}:{port};branch=z9hG4bK{rand_hex(48)}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <{caller}>;tag={rand_hex(32)}\r\n"
        f"To: <{ruri}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: 1 {method}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def take_message(buffer):
    """(message bytes, rest) when `buffer` starts with a whole message (Content-Length framing), else None."""
    while buffer.startswith(b"\r\n"):
        buffer = buffer[2:]
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    length = 0
    for line in buffer[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() in (b"content-length", b"l"):
            length = int(value.strip() or b"0")
    total = end + 4 + length
    if len(buffer) < total:
        return None
    return buffer[:total], buffer[total:]


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def addresses(second, count, per_address):
    """`count` source addresses' worth of slots: 127.SECOND.x.y, each repeated per_address times."""
    out = []
    n = 0
    while len(out) < count:
        n += 1
        ip = f"127.{second}.{n // 250}.{n % 250 + 1}"
        out.extend([ip] * min(per_address, count - len(out)))
    return out


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    rank = max(1, -(-len(values) * p // 100))
    return round(values[int(rank) - 1], 3)


# --- trusted caller over TCP ------------------------------------------------------------------------

def cmd_trusted_tcp(args):
    server = server_address(args.server)
    timeline = []  # [wall-clock send time, answer ms or None, sends (1), status line]
    reconnects = 0
    conn = None
    buffer = b""
    deadline = time.monotonic() + args.max_seconds
    next_call = time.monotonic()
    while time.monotonic() < deadline and not os.path.exists(args.stop_file):
        if conn is None:
            try:
                conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.bind((args.bind, 0))
                conn.settimeout(args.call_timeout)
                conn.connect(server)
                local = conn.getsockname()
                buffer = b""
            except OSError:
                conn.close()
                conn = None
                reconnects += 1
                time.sleep(0.1)
                continue
        now = time.monotonic()
        if now < next_call:
            time.sleep(next_call - now)
        next_call += args.interval
        call_id = rand_hex(64)
        sent_at = time.time()
        start = time.monotonic()
        answer = None
        try:
            conn.sendall(invite(local, args.caller, args.to, call_id))
            while answer is None:
                framed = take_message(buffer)
                if framed:
                    message, buffer = framed
                    if f"Call-ID: {call_id}\r\n".encode() in message:
                        answer = message
                    continue
                left = start + args.call_timeout - time.monotonic()
                if left <= 0:
                    break
                conn.settimeout(left)
                chunk = conn.recv(65536)
                if not chunk:
                    raise ConnectionError("closed by the server")
                buffer += chunk
        except (OSError, ConnectionError):
            conn.close()
            conn = None
            reconnects += 1
        if answer is None:
            timeline.append([sent_at, None, 1, None])
        else:
            status = answer.split(b"\r\n", 1)[0].decode("utf-8", "replace")
            timeline.append([sent_at, round((time.monotonic() - start) * 1000.0, 3), 1, status])
        if time.monotonic() > next_call:
            next_call = time.monotonic()  # a slow answer delays the next call; no catch-up burst
    if conn:
        conn.close()
    latencies = [t[1] for t in timeline if t[1] is not None]
    result = {"calls": len(timeline), "answered": len(latencies), "reconnects": reconnects,
              "p50_ms": pct(latencies, 50), "p99_ms": pct(latencies, 99), "timeline": timeline}
    with open(args.result, "w") as out:
        json.dump(result, out)
    return 0


# --- abuse ------------------------------------------------------------------------------------------

class Held:
    """Connections kept open (served, then silent): a thread notes when the server closes each one."""

    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.opened = {}  # fd -> (socket, group, time of its last byte sent)
        self.closed = {}  # group -> [(seconds from the last byte sent to the close)]
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def add(self, served, group):
        """served: [(socket, time of its last byte sent)], as `open_served` returns them."""
        with self.lock:
            for sock, last_sent in served:
                self.opened[sock.fileno()] = (sock, group, last_sent)
                self.selector.register(sock, selectors.EVENT_READ)

    def run(self):
        while self.running:
            with self.lock:
                events = self.selector.select(0.02) if self.opened else []
                for key, _ in events:
                    sock = key.fileobj
                    try:
                        data = sock.recv(4096)
                    except OSError:
                        data = b""
                    if data:
                        continue
                    _, group, last_sent = self.opened.pop(sock.fileno())
                    self.selector.unregister(sock)
                    sock.close()
                    self.closed.setdefault(group, []).append(time.monotonic() - last_sent)
            if not events:
                time.sleep(0.02)

    def open_count(self, group=None):
        with self.lock:
            return sum(1 for _, g, _ in self.opened.values() if group is None or g == group)

    def close_group(self, group):
        with self.lock:
            for fd, (sock, g, _) in list(self.opened.items()):
                if g == group:
                    self.selector.unregister(sock)
                    sock.close()
                    del self.opened[fd]

    def stop(self):
        self.running = False
        self.thread.join()
        for sock, _, _ in self.opened.values():
            sock.close()


def open_served(server, sources, seconds, in_flight=200):
    """Opens one connection per entry of `sources` (the source address), sends each a keep-alive ping
    and waits for the pong. Returns (served sockets with the time their ping went, refused: closed by
    the server without a pong, failed: no connection or no answer in time)."""
    selector = selectors.DefaultSelector()
    pending = {}  # fd -> [socket, state, time the ping went]
    served, refused, failed = [], 0, 0
    todo = list(sources)
    deadline = time.monotonic() + seconds
    while (todo or pending) and time.monotonic() < deadline:
        while todo and len(pending) < in_flight:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                sock.bind((todo.pop(), 0))
            except OSError:
                sock.close()
                failed += 1
                continue
            code = sock.connect_ex(server)
            if code not in (0, errno.EINPROGRESS):
                sock.close()
                failed += 1
                continue
            pending[sock.fileno()] = [sock, "connecting", None]
            selector.register(sock, selectors.EVENT_WRITE)
        for key, _ in selector.select(0.05):
            entry = pending[key.fileobj.fileno()]
            sock = entry[0]
            if entry[1] == "connecting":
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    selector.unregister(sock)
                    del pending[sock.fileno()]
                    sock.close()
                    failed += 1
                    continue
                try:
                    sock.send(PING)
                except OSError:
                    selector.unregister(sock)
                    del pending[sock.fileno()]
                    sock.close()
                    refused += 1
                    continue
                entry[1], entry[2] = "pinged", time.monotonic()
                selector.modify(sock, selectors.EVENT_READ)
                continue
            try:
                data = sock.recv(64)
            except OSError:
                data = b""
            selector.unregister(sock)
            del pending[sock.fileno()]
            if data.startswith(b"\r\n"):
                served.append((sock, entry[2]))
            else:
                sock.close()
                refused += 1
    for sock, _, _ in pending.values():
        sock.close()
        failed += 1
    selector.close()
    return served, refused, failed


def connect_new(server, source, timeout=2.0):
    """One new connection from `source` with a ping: 'served', 'refused' (closed, no pong) or 'failed'."""
    served, refused, _ = open_served(server, [source], timeout, in_flight=1)
    for sock, _ in served:
        sock.close()
    return "served" if served else "refused" if refused else "failed"


def slowloris(server, count, message_timeout, seconds):
    """`count` connections, half trickling an INVITE's header one byte per second, half sending whole
    headers with Content-Length: 200 and then trickling the body a byte per second. Returns how many
    the server closed, and the seconds from each one's first byte to its close."""
    header = invite(("127.0.0.1", 5060), "sip:100@globex.example", "201", "slow@loris").replace(
        b"Content-Length: 0", b"Content-Length: 200")
    selector = selectors.DefaultSelector()
    conns = {}  # fd -> [socket, kind, bytes sent, first-byte time]
    sources = addresses(31, count, 50)
    for i, source in enumerate(sources):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((source, 0))
        sock.settimeout(2)
        try:
            sock.connect(server)
        except OSError:
            sock.close()
            continue
        sock.setblocking(False)
        conns[sock.fileno()] = [sock, "header" if i % 2 == 0 else "body", 0, None]
        selector.register(sock, selectors.EVENT_READ)
    connected = len(conns)
    closed = {"header": [], "body": []}
    bytes_before_close = []
    deadline = time.monotonic() + seconds
    next_tick = time.monotonic()
    while conns and time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_tick:
            next_tick += 1.0
            for entry in list(conns.values()):
                sock, kind = entry[0], entry[1]
                if kind == "body" and entry[2] == 0:
                    chunk = header  # the whole header section at once, then the body byte by byte
                elif kind == "body":
                    chunk = b"x"
                else:
                    chunk = header[entry[2]:entry[2] + 1]
                try:
                    sock.send(chunk)
                except OSError:
                    continue  # closed: the select below reports it
                entry[2] += len(chunk)
                if entry[3] is None:
                    entry[3] = time.monotonic()
        for key, _ in selector.select(max(0.0, min(0.05, next_tick - time.monotonic()))):
            sock = key.fileobj
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if data:
                continue
            entry = conns.pop(sock.fileno())
            selector.unregister(sock)
            sock.close()
            if entry[3] is not None:
                closed[entry[1]].append(time.monotonic() - entry[3])
                bytes_before_close.append(entry[2])
    left_open = len(conns)
    for entry in conns.values():
        entry[0].close()
    selector.close()
    seconds_to_close = closed["header"] + closed["body"]
    return {
        "connections": connected, "closed_by_server": len(seconds_to_close), "left_open": left_open,
        "closed_header_trickle": len(closed["header"]), "closed_body_trickle": len(closed["body"]),
        "close_after_s_min": round(min(seconds_to_close), 3) if seconds_to_close else None,
        "close_after_s_max": round(max(seconds_to_close), 3) if seconds_to_close else None,
        "bytes_sent_max": max(bytes_before_close) if bytes_before_close else None,
        "message_timeout": message_timeout,
    }


def churn(server, seconds, limit, in_flight=200):
    """Connect/close churn from many addresses (127.32.x.y, a new one every 8 connections): a third
    close at once (FIN), a third reset (SO_LINGER 0), a third send an OPTIONS keep-alive and read its
    answer first. Returns the counts."""
    selector = selectors.DefaultSelector()
    pending = {}  # fd -> [socket, mode, state, started]
    counts = {"started": 0, "connected": 0, "closed": 0, "reset": 0, "answered": 0, "no_answer": 0,
              "connect_failed": 0, "closed_by_server": 0}
    latencies = []
    n = 0
    deadline = time.monotonic() + seconds
    linger = struct.pack("ii", 1, 0)
    while time.monotonic() < deadline and (n < limit or pending):
        while n < limit and len(pending) < in_flight and time.monotonic() < deadline:
            source = f"127.32.{(n // 8) // 250 % 250}.{(n // 8) % 250 + 1}"
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.bind((source, 0))
            code = sock.connect_ex(server)
            counts["started"] += 1
            if code not in (0, errno.EINPROGRESS):
                sock.close()
                counts["connect_failed"] += 1
                n += 1
                continue
            pending[sock.fileno()] = [sock, n % 3, "connecting", time.monotonic()]
            selector.register(sock, selectors.EVENT_WRITE)
            n += 1
        now = time.monotonic()
        for key, _ in selector.select(0.02):
            entry = pending[key.fileobj.fileno()]
            sock, mode = entry[0], entry[1]
            done = True
            if entry[2] == "connecting":
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    counts["connect_failed"] += 1
                else:
                    counts["connected"] += 1
                    if mode == 0:
                        counts["closed"] += 1
                    elif mode == 1:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                        counts["reset"] += 1
                    else:
                        try:
                            sock.send(invite(sock.getsockname(), "sip:100@churn.example", "", rand_hex(64), "OPTIONS"))
                            entry[2] = "asked"
                            entry[3] = time.monotonic()
                            selector.modify(sock, selectors.EVENT_READ)
                            done = False
                        except OSError:
                            counts["closed_by_server"] += 1
            else:
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b""
                if data.startswith(b"SIP/2.0 "):
                    counts["answered"] += 1
                    latencies.append((time.monotonic() - entry[3]) * 1000.0)
                else:
                    counts["closed_by_server"] += 1
            if done:
                selector.unregister(sock)
                del pending[sock.fileno()]
                sock.close()
        for fd, entry in list(pending.items()):  # an OPTIONS unanswered for 2 s: given up
            if entry[2] == "asked" and now - entry[3] > 2.0:
                counts["no_answer"] += 1
                selector.unregister(entry[0])
                entry[0].close()
                del pending[fd]
    for entry in pending.values():
        entry[0].close()
        counts["no_answer" if entry[2] == "asked" else "connect_failed"] += 1
    selector.close()
    counts["sources"] = (n + 7) // 8
    counts["answer_p99_ms"] = pct(latencies, 99)
    return counts


def non_reader(server, pid, seconds, max_bytes):
    """One connection (127.35.0.1) that sends keep-alive pings as fast as it can and never reads the
    pongs. Returns the bytes it got to send and the server's RSS before and after."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.35.0.1", 0))
    sock.connect(server)
    sock.setblocking(False)
    block = PING * 16384  # 64 KiB of pings, 16,384 pongs' worth
    rss_before = rss_kb(pid)
    rss_peak = rss_before or 0
    sent = 0
    stalled_since = None
    start = time.monotonic()
    deadline = start + seconds
    next_sample = start
    closed = False
    while time.monotonic() < deadline and sent < max_bytes:
        try:
            sent += sock.send(block)
            stalled_since = None
        except BlockingIOError:
            stalled_since = stalled_since or time.monotonic()
            time.sleep(0.01)
        except OSError:
            closed = True
            break
        if time.monotonic() >= next_sample:
            next_sample += 0.1
            rss_peak = max(rss_peak, rss_kb(pid) or 0)
    elapsed = time.monotonic() - start
    time.sleep(0.5)
    rss_after = rss_kb(pid)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    time.sleep(1.0)
    return {"bytes_sent": sent, "seconds": round(elapsed, 2), "pongs_owed": sent // 4, "closed_by_server": closed,
            "stalled_at_end_s": round(time.monotonic() - stalled_since, 2) if stalled_since else 0,
            "rss_before_kb": rss_before, "rss_peak_kb": max(rss_peak, rss_after or 0),
            "rss_after_kb": rss_after, "rss_after_close_kb": rss_kb(pid)}


def cmd_abuse(args):
    server = server_address(args.server)
    held = Held()
    result = {"phases": [], "limits": {"max_connections": args.max_connections, "per_address": args.per_address,
                                       "message_timeout": args.message_timeout, "idle_timeout": args.idle_timeout}}
    marks = []

    def mark(name):
        marks.append((name, time.time()))
        print(f"streamflood: {name}", file=sys.stderr, flush=True)

    def save():
        result["phases"] = [[name, t] for name, t in marks]
        with open(args.result, "w") as out:
            json.dump(result, out)

    try:
        # 0. The per-address limit: 10 more than it from one address.
        mark("per-address")
        served, refused, failed = open_served(server, ["127.40.0.1"] * (args.per_address + 10), 10)
        result["per_address"] = {"asked": args.per_address + 10, "served": len(served), "refused": refused,
                                 "failed": failed}
        for sock, _ in served:
            sock.close()
        time.sleep(0.5)

        # 1. Idle connections from many addresses, each served a ping, then silent.
        mark("idle")
        rss_before = rss_kb(args.server_pid)
        t0 = time.monotonic()
        served, refused, failed = open_served(server, addresses(30, args.idle, 50), 60)
        open_seconds = time.monotonic() - t0
        held.add(served, "idle")
        time.sleep(2.0)  # let the loop settle: the RSS of N served, idle connections
        rss_idle = rss_kb(args.server_pid)
        result["idle"] = {"asked": args.idle, "served": len(served), "refused": refused, "failed": failed,
                          "open_seconds": round(open_seconds, 2), "rss_before_kb": rss_before,
                          "rss_idle_kb": rss_idle,
                          "kb_per_connection": round((rss_idle - rss_before) / len(served), 2)
                          if served and rss_idle and rss_before else None}
        idle_ready = time.monotonic()
        save()

        # 2. Slowloris.
        mark("slowloris")
        result["slowloris"] = slowloris(server, args.slow, args.message_timeout, args.message_timeout + 6)
        save()

        # 3. Connect/close churn from many addresses.
        mark("churn")
        result["churn"] = churn(server, args.churn_seconds, args.churn_limit)
        time.sleep(1.0)  # the server releases the slots of the last closes
        save()

        # 4. Beyond max_connections: the table filled from many addresses (127.33.x.y).
        mark("full")
        open_before = held.open_count() + 1  # + the trusted caller's TCP connection
        room = args.max_connections - open_before
        asked = room + args.beyond
        served, refused, failed = open_served(server, addresses(33, asked, 50), 60)
        held.add(served, "full")
        trusted_new = connect_new(server, "127.0.0.1")
        time.sleep(args.full_hold)
        trusted_new_later = connect_new(server, "127.0.0.1")
        result["full"] = {"open_before": open_before, "room": room, "asked": asked, "served": len(served),
                          "refused": refused, "failed": failed, "new_trusted_tcp": trusted_new,
                          "new_trusted_tcp_later": trusted_new_later, "idle_still_open": held.open_count("idle")}
        held.close_group("full")
        time.sleep(1.0)
        result["full"]["new_trusted_tcp_after"] = connect_new(server, "127.0.0.1")
        save()

        # 5. A connection that never reads its answers.
        mark("non-reader")
        result["non_reader"] = non_reader(server, args.server_pid, args.non_reader_seconds, args.non_reader_bytes)
        save()

        # 6. The idle connections must be closed by the server after idle_timeout.
        mark("idle-timeout")
        wait_until = idle_ready + args.idle_timeout + 8
        while held.open_count("idle") and time.monotonic() < wait_until:
            time.sleep(0.2)
        closed = held.closed.get("idle", [])
        result["idle_timeout"] = {"served": result["idle"]["served"], "closed_by_server": len(closed),
                                  "left_open": held.open_count("idle"),
                                  "close_after_s_min": round(min(closed), 2) if closed else None,
                                  "close_after_s_max": round(max(closed), 2) if closed else None}
        held.close_group("idle")
        time.sleep(1.0)
        save()

        # 7. Every slot came back: max_connections - 1 (the trusted caller's) are served, the rest refused.
        mark("recount")
        room = args.max_connections - 1
        served, refused, failed = open_served(server, addresses(36, room + args.recount_beyond, 50), 60)
        result["recount"] = {"room": room, "asked": room + args.recount_beyond, "served": len(served),
                             "refused": refused, "failed": failed}
        for sock, _ in served:
            sock.close()
        time.sleep(1.0)
        result["recount"]["new_trusted_tcp_after"] = connect_new(server, "127.0.0.1")
        mark("after")
        time.sleep(args.after)
        mark("end")
    finally:
        held.stop()
        save()
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("trusted-tcp")
    p.add_argument("server")
    p.add_argument("--bind", required=True)
    p.add_argument("--from", dest="caller", default="sip:100@globex.example")
    p.add_argument("--to", default="201")
    p.add_argument("--interval", type=float, default=0.02)
    p.add_argument("--call-timeout", type=float, default=4.0)
    p.add_argument("--max-seconds", type=float, default=150.0)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--result", required=True)

    p = sub.add_parser("abuse")
    p.add_argument("server")
    p.add_argument("--server-pid", type=int, required=True)
    p.add_argument("--result", required=True)
    p.add_argument("--max-connections", type=int, default=6000)
    p.add_argument("--per-address", type=int, default=64)
    p.add_argument("--message-timeout", type=float, default=2.0)
    p.add_argument("--idle-timeout", type=float, default=30.0)
    p.add_argument("--idle", type=int, default=3000, help="idle connections held open")
    p.add_argument("--slow", type=int, default=200, help="slowloris connections")
    p.add_argument("--churn-seconds", type=float, default=6.0)
    p.add_argument("--churn-limit", type=int, default=30000, help="churn connections at most")
    p.add_argument("--beyond", type=int, default=500, help="connections asked beyond max_connections")
    p.add_argument("--full-hold", type=float, default=3.0)
    p.add_argument("--non-reader-seconds", type=float, default=5.0)
    p.add_argument("--non-reader-bytes", type=int, default=32 << 20)
    p.add_argument("--recount-beyond", type=int, default=20)
    p.add_argument("--after", type=float, default=3.0)

    args = parser.parse_args()
    return {"trusted-tcp": cmd_trusted_tcp, "abuse": cmd_abuse}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
