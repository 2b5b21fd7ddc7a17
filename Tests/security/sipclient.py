#!/usr/bin/env python3
"""Small SIP-over-UDP clients for Tests/security/run.sh (python3 standard library only).

    sipclient.py probe   SERVER --bind IP [--to EXT] [--from URI] [--method M] [--timeout S]
        One request; prints the status line (exit 0) or "no answer" (exit 3).
    sipclient.py sweep   SERVER --bind IP --domain D --range LOW-HIGH --method M
        One request per extension (From = To = the extension, like svwar); normalises every answer
        (echoed headers checked and removed, nonce values blanked) and fails unless all are identical.
    sipclient.py samenonce SERVER --bind-a IP --bind-b IP --user U --password P --domain D --to EXT
        Two callers each answer their own 401 correctly; both should be let through (302).
    sipclient.py trusted SERVER --bind IP --stop-file F --result F [--interval S] [--max-seconds S]
        A trusted caller: one INVITE every interval, RFC 3261 timer-A retransmissions, latency per call.
    sipclient.py flood   SERVER --bind IP --count N [--rate PPS] --max-seconds S   one source (0: flat out)
    sipclient.py flood   SERVER --sources N --per-source K --max-seconds S many sources 127.20.x.y
        Prints one JSON line: packets sent, answers received, seconds.
    sipclient.py phases  RESULT NAME,NAME,... T0 T1 ...
        Summarises a trusted caller's result per phase (wall-clock bounds).
Everything it sends goes to SERVER, which must be on 127.0.0.0/8.
"""
import argparse
import errno
import hashlib
import json
import os
import random
import re
import select
import socket
import sys
import time


def server_address(text):
    host, port = text.rsplit(":", 1)
    if not host.startswith("127."):
        sys.exit(f"sipclient: {host} is not a loopback address (127.0.0.0/8 only)")
    return host, int(port)


def new_socket(bind_ip, rcvbuf=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.bind((bind_ip, 0))
    return sock


def rand_hex(bits):
    return f"{random.getrandbits(bits):0{bits // 4}x}"


def build_request(method, ruri, from_uri, to_uri, local, call_id, branch, cseq=1, extra=()):
    host, port = local
    lines = [
        f"{method} {ruri} SIP/2.0",
        f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{branch};rport",
        "Max-Forwards: 70",
        f"From: <{from_uri}>;tag={rand_hex(32)}",
        f"To: <{to_uri}>",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
        f"Contact: <sip:{from_uri.split(':', 1)[1].split('@')[0]}@{host}:{port}>",
        *extra,
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def parse_response(data):
    text = data.decode("utf-8", "replace")
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return lines[0], headers, body


def header(headers, name):
    return [v for n, v in headers if n.lower() == name.lower()]


def status_code(status_line):
    parts = status_line.split(" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def transact(sock, server, message, call_id, timeout, retransmit=True):
    """Sends, retransmits on RFC 3261 timer A (0.5 s doubling) until timeout; returns
    (response bytes or None, seconds from first send, number of sends)."""
    start = time.monotonic()
    sends = 0
    interval = 0.5
    next_send = start
    while True:
        now = time.monotonic()
        if now >= next_send and (sends == 0 or retransmit):
            sock.sendto(message, server)
            sends += 1
            next_send = now + interval
            interval *= 2
        remaining = start + timeout - now
        if remaining <= 0:
            return None, now - start, sends
        wait = min(remaining, max(0.0, next_send - now)) if retransmit else remaining
        ready, _, _ = select.select([sock], [], [], wait)
        if not ready:
            continue
        try:
            data = sock.recv(65535)
        except OSError:
            continue
        if f"Call-ID: {call_id}\r\n".encode() in data:
            return data, time.monotonic() - start, sends


# --- probe ------------------------------------------------------------------------------------------

def cmd_probe(args):
    server = server_address(args.server)
    sock = new_socket(args.bind)
    local = sock.getsockname()
    domain = args.caller.split("@")[-1]
    ruri = f"sip:{args.to}@{domain}" if args.to else f"sip:{server[0]}:{server[1]}"
    call_id = rand_hex(64)
    message = build_request(args.method, ruri, args.caller, ruri, local, call_id, rand_hex(48))
    data, elapsed, _ = transact(sock, server, message, call_id, args.timeout, retransmit=False)
    if data is None:
        print(f"no answer within {args.timeout:g} s")
        return 3
    print(parse_response(data)[0])
    return 0


# --- sweep ------------------------------------------------------------------------------------------

def normalise(data, sent):
    """The answer with everything that merely echoes the request checked and removed, and nonces
    blanked: what is left is what a scanner could compare between extensions."""
    status, headers, body = parse_response(data)
    problems = []
    shape = [status]
    for name, value in headers:
        key = name.lower()
        if key == "via":
            if not value.startswith(sent["via"]):
                problems.append(f"Via not echoed: {value}")
            value = "<echoed>"
        elif key in ("from", "call-id", "cseq"):
            if value != sent[key]:
                problems.append(f"{name} not echoed: {value} (sent {sent[key]})")
            value = "<echoed>"
        elif key == "to":
            stripped = re.sub(r";tag=[^;]*", "", value)
            if stripped != sent["to"]:
                problems.append(f"To not echoed: {value}")
            value = "<echoed>;tag=<tag>" if ";tag=" in value else "<echoed>"
        elif key in ("www-authenticate", "proxy-authenticate"):
            value = re.sub(r'nonce="[^"]*"', 'nonce="<nonce>"', value)
        shape.append(f"{name}: {value}")
    shape.append(f"<body {len(body)} bytes>{body}")
    return "\n".join(shape), problems


def cmd_sweep(args):
    server = server_address(args.server)
    sock = new_socket(args.bind)
    local = sock.getsockname()
    low, high = (int(x) for x in args.range.split("-"))
    shapes = {}
    problems = []
    unanswered = []
    for number in range(low, high + 1):
        ext = str(number)
        uri = f"sip:{ext}@{args.domain}"
        call_id = rand_hex(64)
        branch = rand_hex(48)
        message = build_request(args.method, uri, uri, uri, local, call_id, branch)
        text = message.decode()
        sent = {
            "via": f"SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bK{branch};rport",
            "from": re.search(r"\r\nFrom: (.*?)\r\n", text).group(1),
            "to": f"<{uri}>",
            "call-id": call_id,
            "cseq": f"1 {args.method}",
        }
        data, _, _ = transact(sock, server, message, call_id, args.timeout)
        if data is None:
            unanswered.append(ext)
            continue
        shape, issues = normalise(data, sent)
        problems.extend(f"{ext}: {p}" for p in issues)
        shapes.setdefault(shape, []).append(ext)
    total = high - low + 1
    result = {
        "method": args.method, "extensions": total, "answered": total - len(unanswered),
        "unanswered": unanswered[:10], "distinct_answers": len(shapes), "problems": problems[:10],
        "answers": [{"count": len(v), "first": v[0], "shape": k} for k, v in shapes.items()],
    }
    print(json.dumps(result))
    return 0 if not unanswered and not problems and len(shapes) == 1 else 1


# --- samenonce --------------------------------------------------------------------------------------

def digest_response(algorithm, user, realm, password, method, uri, nonce, nc, cnonce):
    h = (lambda s: hashlib.sha256(s.encode()).hexdigest()) if algorithm == "SHA-256" else \
        (lambda s: hashlib.md5(s.encode()).hexdigest())
    ha1 = h(f"{user}:{realm}:{password}")
    ha2 = h(f"{method}:{uri}")
    return h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")


def challenge_of(data, algorithm):
    _, headers, _ = parse_response(data)
    for value in header(headers, "WWW-Authenticate"):
        if re.search(rf"algorithm={re.escape(algorithm)}(,|$)", value):
            realm = re.search(r'realm="([^"]*)"', value).group(1)
            nonce = re.search(r'nonce="([^"]*)"', value).group(1)
            return realm, nonce
    return None


def authenticated_invite(sock, server, args, nonce_wanted=None):
    """INVITE; answer the 401 with correct credentials. Returns (nonce, final status line)."""
    local = sock.getsockname()
    from_uri = f"sip:{args.user}@{args.domain}"
    ruri = f"sip:{args.to}@{args.domain}"
    call_id = rand_hex(64)
    first = build_request("INVITE", ruri, from_uri, ruri, local, call_id, rand_hex(48))
    data, _, _ = transact(sock, server, first, call_id, 2.0)
    if data is None:
        return None, "no answer to the first INVITE"
    challenge = challenge_of(data, args.algorithm)
    if challenge is None:
        return None, "no challenge: " + parse_response(data)[0]
    realm, nonce = challenge
    if nonce_wanted is not None and nonce != nonce_wanted:
        return nonce, None
    cnonce = rand_hex(64)
    nc = "00000001"
    response = digest_response(args.algorithm, args.user, realm, args.password, "INVITE", ruri, nonce, nc, cnonce)
    auth = (f'Authorization: Digest username="{args.user}", realm="{realm}", nonce="{nonce}", uri="{ruri}", '
            f'response="{response}", algorithm={args.algorithm}, qop=auth, nc={nc}, cnonce="{cnonce}"')
    second = build_request("INVITE", ruri, from_uri, ruri, local, call_id, rand_hex(48), cseq=2, extra=(auth,))
    data, _, _ = transact(sock, server, second, call_id, 2.0)
    return nonce, parse_response(data)[0] if data else "no answer to the authenticated INVITE"


def cmd_samenonce(args):
    """Two phones challenged within the same second both answer correctly with nc=00000001 (as every
    phone does) and must both get through; each challenge carries a nonce of its own."""
    server = server_address(args.server)
    a = new_socket(args.bind_a)
    b = new_socket(args.bind_b)
    time.sleep(1.02 - (time.time() % 1.0))  # start right after a second boundary: both in one second
    nonce_a, status_a = authenticated_invite(a, server, args)
    nonce_b, status_b = authenticated_invite(b, server, args)
    if nonce_a is None or nonce_b is None:
        print(json.dumps({"error": status_a if nonce_a is None else status_b}))
        return 2
    result = {"nonce_a": nonce_a, "nonce_b": nonce_b, "first": status_a, "second": status_b}
    print(json.dumps(result))
    ok = status_a.startswith("SIP/2.0 302") and status_b.startswith("SIP/2.0 302") and nonce_a != nonce_b
    return 0 if ok else 1


# --- trusted caller ---------------------------------------------------------------------------------

def cmd_trusted(args):
    server = server_address(args.server)
    sock = new_socket(args.bind, rcvbuf=1 << 20)
    local = sock.getsockname()
    domain = args.caller.split("@")[-1]
    ruri = f"sip:{args.to}@{domain}"
    latencies = []
    statuses = {}
    lost = 0
    retransmitted = 0
    calls = 0
    timeline = []  # [wall-clock send time, answer time in ms or None, sends, status]
    deadline = time.monotonic() + args.max_seconds
    next_call = time.monotonic()
    while time.monotonic() < deadline and not os.path.exists(args.stop_file):
        now = time.monotonic()
        if now < next_call:
            time.sleep(next_call - now)
        next_call += args.interval
        calls += 1
        call_id = rand_hex(64)
        message = build_request("INVITE", ruri, args.caller, ruri, local, call_id, rand_hex(48))
        sent_at = time.time()
        data, elapsed, sends = transact(sock, server, message, call_id, args.call_timeout)
        if sends > 1:
            retransmitted += 1
        if data is None:
            lost += 1
            timeline.append([sent_at, None, sends, None])
            continue
        latencies.append(elapsed * 1000.0)
        status = parse_response(data)[0]
        statuses[status] = statuses.get(status, 0) + 1
        timeline.append([sent_at, round(elapsed * 1000.0, 3), sends, status])
        if time.monotonic() > next_call:
            next_call = time.monotonic()  # a slow answer delays the next call; no catch-up burst
    result = summarise(timeline)
    result["timeline"] = timeline
    with open(args.result, "w") as out:
        json.dump(result, out)
    return 0


def summarise(timeline):
    latencies = sorted(t[1] for t in timeline if t[1] is not None)
    statuses = {}
    for t in timeline:
        if t[3] is not None:
            statuses[t[3]] = statuses.get(t[3], 0) + 1

    def pct(p):
        if not latencies:
            return None
        # nearest rank: the smallest value with at least p % of the answers at or below it
        rank = max(1, -(-len(latencies) * p // 100))
        return round(latencies[int(rank) - 1], 2)

    return {
        "calls": len(timeline), "answered": len(latencies), "lost": sum(1 for t in timeline if t[1] is None),
        "retransmitted": sum(1 for t in timeline if t[2] > 1),
        "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99),
        "max_ms": latencies[-1] if latencies else None, "statuses": statuses,
    }


def cmd_phases(args):
    """Splits a trusted caller's timeline at the given wall-clock times: one summary per phase."""
    timeline = json.load(open(args.result))["timeline"]
    bounds = [float(b) for b in args.bounds]
    phases = {}
    for name, low, high in zip(args.names.split(","), bounds, bounds[1:]):
        phases[name] = summarise([t for t in timeline if low <= t[0] < high])
    phases["all"] = summarise(timeline)
    print(json.dumps(phases))
    return 0


# --- flood ------------------------------------------------------------------------------------------

def flood_messages(local, variants, domain):
    messages = []
    for i in range(variants):
        ext = str(100 + i % 900)
        uri = f"sip:{ext}@{domain}"
        messages.append(build_request("INVITE", uri, uri, uri, local, rand_hex(64), rand_hex(48)))
    return messages


def flood_addresses():
    """127.20.0.1, 127.20.0.2, ... skipping host parts .0 and .255: all distinct, all on loopback."""
    n = 0
    while True:
        n += 1
        if n & 255 in (0, 255):
            continue
        yield f"127.{20 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


def drain(sock):
    got = 0
    while True:
        try:
            sock.recv(65535)
            got += 1
        except BlockingIOError:
            return got
        except OSError as error:  # e.g. ECONNREFUSED reported late: not an answer
            if error.errno in (errno.ECONNREFUSED, errno.EAGAIN):
                continue
            return got


def cmd_flood(args):
    server = server_address(args.server)
    start = time.monotonic()
    deadline = start + args.max_seconds
    sent = 0
    answered = 0
    if args.sources == 0:
        sock = new_socket(args.bind, rcvbuf=8 << 20)
        sock.setblocking(False)
        messages = flood_messages(sock.getsockname(), 512, args.domain)
        chunk = len(messages) if args.rate <= 0 else max(1, min(len(messages), args.rate // 100))
        while sent < args.count and time.monotonic() < deadline:
            if args.rate > 0:  # paced: `chunk` packets, then wait until the schedule allows more
                ahead = start + sent / args.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            for message in messages[: min(chunk, args.count - sent)]:
                try:
                    sock.sendto(message, server)
                    sent += 1
                except BlockingIOError:
                    select.select([], [sock], [], 0.01)
                except OSError as error:
                    if error.errno != errno.ENOBUFS:
                        raise
            answered += drain(sock)
        send_seconds = time.monotonic() - start
        settle = time.monotonic() + 1.0
        while time.monotonic() < settle:
            select.select([sock], [], [], 0.1)
            answered += drain(sock)
        sock.close()
        sources = 1
    else:
        batch = 256
        index = 0
        addresses = flood_addresses()
        sources = 0
        while index < args.sources and time.monotonic() < deadline:
            socks = []
            for _ in range(index, min(args.sources, index + batch)):
                s = new_socket(next(addresses), rcvbuf=64 << 10)
                s.setblocking(False)
                socks.append(s)
            local = socks[0].getsockname()
            messages = flood_messages(local, args.per_source, args.domain)
            for s in socks:
                for message in messages:
                    try:
                        s.sendto(message, server)
                        sent += 1
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError as error:
                        if error.errno != errno.ENOBUFS:
                            raise
            # Answers of this batch: give the daemon a moment, then read what came back.
            settle = time.monotonic() + 0.05
            while time.monotonic() < settle:
                select.select(socks, [], [], 0.01)
                for s in socks:
                    answered += drain(s)
            for s in socks:
                answered += drain(s)
                s.close()
            sources += len(socks)
            index += batch
        send_seconds = time.monotonic() - start
    print(json.dumps({"sources": sources, "sent": sent, "answered": answered, "seconds": round(send_seconds, 2),
                      "packets_per_second": round(sent / send_seconds) if send_seconds > 0 else None}))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("probe")
    p.add_argument("server")
    p.add_argument("--bind", required=True)
    p.add_argument("--to", default="")
    p.add_argument("--from", dest="caller", default="sip:100@globex.example")
    p.add_argument("--method", default="INVITE")
    p.add_argument("--timeout", type=float, default=1.0)

    p = sub.add_parser("sweep")
    p.add_argument("server")
    p.add_argument("--bind", required=True)
    p.add_argument("--domain", required=True)
    p.add_argument("--range", required=True)
    p.add_argument("--method", default="INVITE")
    p.add_argument("--timeout", type=float, default=2.0)

    p = sub.add_parser("samenonce")
    p.add_argument("server")
    p.add_argument("--bind-a", required=True)
    p.add_argument("--bind-b", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--domain", required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--algorithm", default="SHA-256", choices=["SHA-256", "MD5"])

    p = sub.add_parser("trusted")
    p.add_argument("server")
    p.add_argument("--bind", required=True)
    p.add_argument("--from", dest="caller", default="sip:100@globex.example")
    p.add_argument("--to", default="201")
    p.add_argument("--interval", type=float, default=0.05)
    p.add_argument("--call-timeout", type=float, default=4.0)
    p.add_argument("--max-seconds", type=float, default=90.0)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--result", required=True)

    p = sub.add_parser("phases")
    p.add_argument("result")
    p.add_argument("names", help="comma-separated phase names")
    p.add_argument("bounds", nargs="+", help="wall-clock times: start of the first phase ... end of the last")

    p = sub.add_parser("flood")
    p.add_argument("server")
    p.add_argument("--bind", default="127.0.0.4")
    p.add_argument("--count", type=int, default=200000)
    p.add_argument("--sources", type=int, default=0)
    p.add_argument("--per-source", type=int, default=3)
    p.add_argument("--rate", type=int, default=0, help="packets per second (one source); 0: as fast as possible")
    p.add_argument("--domain", default="acme.example")
    p.add_argument("--max-seconds", type=float, default=25.0)

    args = parser.parse_args()
    return {"probe": cmd_probe, "sweep": cmd_sweep, "samenonce": cmd_samenonce, "trusted": cmd_trusted,
            "flood": cmd_flood, "phases": cmd_phases}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
