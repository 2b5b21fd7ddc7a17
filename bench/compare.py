#!/usr/bin/env python3
"""Send the calls of a calls.csv to one or more SIP redirect servers and compare their answers.

    python3 bench/compare.py CALLS_CSV HOST:PORT [HOST:PORT ...] [--limit N]

For each line `caller_user;caller_domain;dialled;expected_status;expected_contact` (the first line,
SEQUENTIAL, and lines starting with # are skipped) one INVITE goes from 127.0.0.1 to every server:
Request-URI sip:DIALLED@HOST:PORT, From <sip:USER@DOMAIN>. The final answer's status code, reason
phrase and Contact URI are checked against the expected ones and across servers. Each server is
labelled by the first word of its Server header (switchd, kamailio).

Calls go one after the other (all servers at once for one call): simple, not a load test. A request
unanswered after 1 s is sent again once; after 2 s in all the call counts as unanswered.
Exit status 0 only when every server answered every call as expected.
"""
import argparse
import random
import select
import socket
import sys
import time
import urllib.parse

REASONS = {
    302: "Moved Temporarily",
    401: "Unauthorized",
    403: "Trunk Of Another Customer",
    404: "Not Found",
    484: "Address Incomplete",
}
RETRANSMIT_AFTER = 1.0
GIVE_UP_AFTER = 2.0
SHOWN_MISMATCHES = 10


class Answer:
    """The parts of a final response that are compared."""

    def __init__(self, status, reason, contact, server):
        self.status, self.reason, self.contact, self.server = status, reason, contact, server

    def key(self):
        return (self.status, self.reason, self.contact)

    def __str__(self):
        if self.status is None:
            return self.reason
        return f"{self.status} {self.reason}" + (f" <{self.contact}>" if self.contact else "")


UNANSWERED = Answer(None, "no answer", None, None)


def read_calls(path, limit):
    calls = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if number == 1 and line.strip() == "SEQUENTIAL" or not line.strip() or line.startswith("#"):
                continue
            user, domain, dialled, status, contact = line.split(";")
            calls.append((number, user, domain, dialled, int(status), None if contact == "-" else contact))
            if limit and len(calls) == limit:
                break
    return calls


def parse_server(text):
    host, port = text.rsplit(":", 1)
    return host.strip("[]"), int(port)


def make_invite(server, local, user, domain, dialled, call_id):
    """A minimal, well-formed INVITE (RFC 3261 §8.1.1); rport so that the answer comes back to us."""
    host, port = server
    # Anything outside the URI user characters (e.g. '#') is %-escaped; the server decodes it.
    user_part = urllib.parse.quote(dialled, safe="*+")
    uri = f"sip:{user_part}@{host}:{port}"
    return (
        f"INVITE {uri} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bK{random.getrandbits(64):016x};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:{user}@{domain}>;tag={random.getrandbits(32):08x}\r\n"
        f"To: <{uri}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: 1 INVITE\r\n"
        f"Contact: <sip:{user}@{local[0]}:{local[1]}>\r\n"
        f"Content-Length: 0\r\n\r\n"
    ).encode()


def parse_response(data):
    """(status, reason, headers) of a SIP response, headers as lower-case name -> first value."""
    text = data.decode("utf-8", errors="replace")
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    parts = head[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("SIP/") or not parts[1].isdigit():
        return None
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = {"m": "contact", "i": "call-id"}.get(name.strip().lower(), name.strip().lower())
        headers.setdefault(name, value.strip())
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


def contact_uri(value):
    """The URI of a Contact value: inside <...>, else up to the first parameter."""
    if value is None:
        return None
    if "<" in value:
        return value.split("<", 1)[1].split(">", 1)[0]
    return value.split(";", 1)[0].strip()


def ask_all(sock, servers, call, sequence):
    """Sends the call to every server; returns their final answers in server order."""
    _, user, domain, dialled, _, _ = call
    local = sock.getsockname()
    pending = {}
    for index, server in enumerate(servers):
        call_id = f"{sequence}-{index}-{random.getrandbits(32):08x}@{local[0]}"
        request = make_invite(server, local, user, domain, dialled, call_id)
        pending[call_id] = (index, server, request)
        sock.sendto(request, server)
    answers = [UNANSWERED] * len(servers)
    started = time.monotonic()
    retransmitted = False
    while pending:
        elapsed = time.monotonic() - started
        if elapsed >= GIVE_UP_AFTER:
            break
        if elapsed >= RETRANSMIT_AFTER and not retransmitted:
            # UDP may lose a datagram: one retransmission, as a UAC would (timer A).
            for _, server, request in pending.values():
                sock.sendto(request, server)
            retransmitted = True
        deadline = RETRANSMIT_AFTER if not retransmitted else GIVE_UP_AFTER
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - elapsed))
        if not ready:
            continue
        data, _ = sock.recvfrom(65535)
        parsed = parse_response(data)
        if not parsed:
            continue
        status, reason, headers = parsed
        call_id = headers.get("call-id")
        # Provisional answers and late answers to earlier calls are not what we wait for.
        if status < 200 or call_id not in pending:
            continue
        index, _, _ = pending.pop(call_id)
        server_word = headers.get("server", "").split(" ")[0].split("/")[0].lower() or None
        answers[index] = Answer(status, reason, contact_uri(headers.get("contact")), server_word)
    return answers


def expected_answer(call):
    _, _, _, _, status, contact = call
    return Answer(status, REASONS.get(status, "?"), contact, None)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("calls")
    parser.add_argument("servers", nargs="+", metavar="HOST:PORT")
    parser.add_argument("--limit", type=int, default=0, help="only the first N calls")
    args = parser.parse_args(argv)

    calls = read_calls(args.calls, args.limit)
    servers = [parse_server(s) for s in args.servers]
    labels = [None] * len(servers)
    as_expected = [0] * len(servers)
    identical = 0
    mismatches = []

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    started = time.monotonic()
    for sequence, call in enumerate(calls):
        answers = ask_all(sock, servers, call, sequence)
        expected = expected_answer(call)
        for index, answer in enumerate(answers):
            labels[index] = labels[index] or answer.server
            if answer.key() == expected.key():
                as_expected[index] += 1
        if len({answer.key() for answer in answers}) == 1:
            identical += 1
        if any(answer.key() != expected.key() for answer in answers):
            mismatches.append((call, expected, answers))
    elapsed = time.monotonic() - started
    sock.close()

    names = [f"{labels[i] or 'server'}@{args.servers[i]}" for i in range(len(servers))]
    summary = "; ".join(f"{names[i]} {as_expected[i]} as expected" for i in range(len(servers)))
    print(f"{len(calls)} calls: {summary}; identical answers: {identical}  ({elapsed:.1f} s)")
    for call, expected, answers in mismatches[:SHOWN_MISMATCHES]:
        line, user, domain, dialled, _, _ = call
        print(f"line {line}: from sip:{user}@{domain} dialling {dialled}: expected {expected}")
        for name, answer in zip(names, answers):
            print(f"    {name}: {answer}")
    if len(mismatches) > SHOWN_MISMATCHES:
        print(f"... and {len(mismatches) - SHOWN_MISMATCHES} more mismatching calls")
    everything_matches = not mismatches and identical == len(calls)
    return 0 if everything_matches else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
