#!/usr/bin/env python3
"""SIP registrar clients for the process-level registrar tests (python3 standard library only).

Everything goes over UDP to SERVERs on 127.0.0.0/8 (the helpers of Tests/security/sipclient.py refuse
anything else). Each command prints one JSON line; exit 0 on success, 1 on a failed expectation, 3 when a
server did not answer.

    regclient.py register SERVER --aor EXT@DOMAIN --contact URI [--expires N] [--password P] [--bind IP]
        One REGISTER (answering a 401 with digest credentials when --password is given, MD5 or SHA-256
        as --algorithm says). {"status", "contacts", "ms", "challenge_algorithms"}; exit 0 on 200.
    regclient.py lookup SERVER --to EXT [--from URI] [--bind IP]
        One INVITE. {"status", "contacts": [URI, ...]} (the 302's Contacts in order, parameters removed).
    regclient.py expect SERVER --to EXT (--first URI | --absent URI) [--timeout S] [--interval S]
        INVITEs until the 302's first Contact is URI (or URI is among none of them); {"ms", "polls"}.
    regclient.py propagate --register-on A --lookup-on B --aor EXT@DOMAIN --contact URI --expires N
                           [--timeout S]
        REGISTER on A, then INVITEs to B every --interval until B's redirect reflects it (first Contact
        = URI, or with --expires 0 URI gone). {"ms": from A's 200 to B's first such answer, "polls"}.
    regclient.py burst SERVER --count N --rate R --first EXT --domain D --contact-host H [--expires N]
        N REGISTERs, extension FIRST, FIRST+1 ..., Contact sip:EXT@H, at a steady R per second, one at a
        time; with --kill-pid PID, SIGKILL to PID right after the last answer.
        {"answered": [[EXT, wall-clock time of its 200], ...], "other": {...}, "killed_at": T}.
    regclient.py survivors SERVER --journal FILE --contact-host H [--killed-at T]
        For every extension of a burst's journal, whether the redirect's first Contact is sip:EXT@H.
        {"registered", "survived", "lost": [...], "lost_within_ms": how long before T (default: the journal's
        killed_at) the earliest lost one was answered}.
    regclient.py call SERVER --to EXT [--talk S]
        A UAC following the redirect: INVITE to SERVER, ACK of its 302, INVITE with an SDP offer (PCMU) to
        the first Contact (which must be on 127.0.0.0/8), ACK of the phone's 200, RTP packets counted for
        --talk seconds, BYE. {"redirect", "contacts", "provisional", "final", "answer_ms", "rtp_packets", "bye"};
        exit 0 when the phone answered 200 and the BYE got 200.
"""
import argparse
import json
import os
import random
import re
import select
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "security"))
from sipclient import (  # noqa: E402  (the shared helpers)
    digest_response, header, new_socket, parse_response, rand_hex, server_address, status_code, transact)


def register_message(local, aor_user, domain, contact, expires, call_id, cseq, extra=()):
    host, port = local
    contact_header = "*" if contact == "*" else f"<{contact}>"
    lines = [
        f"REGISTER sip:{domain} SIP/2.0",
        f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{rand_hex(48)};rport",
        "Max-Forwards: 70",
        f"From: <sip:{aor_user}@{domain}>;tag={rand_hex(32)}",
        f"To: <sip:{aor_user}@{domain}>",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} REGISTER",
        f"Contact: {contact_header}",
        f"Expires: {expires}",
        "User-Agent: switchd-regclient",
        *extra,
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def invite_message(local, from_uri, to_ext, domain, call_id):
    host, port = local
    ruri = f"sip:{to_ext}@{domain}"
    lines = [
        f"INVITE {ruri} SIP/2.0",
        f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{rand_hex(48)};rport",
        "Max-Forwards: 70",
        f"From: <{from_uri}>;tag={rand_hex(32)}",
        f"To: <{ruri}>",
        f"Call-ID: {call_id}",
        "CSeq: 1 INVITE",
        f"Contact: <sip:caller@{host}:{port}>",
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def contacts_of(headers):
    """The URIs of every Contact header value, in order, without parameters."""
    uris = []
    for name, value in headers:
        if name.lower() not in ("contact", "m"):
            continue
        for part in re.findall(r"<([^>]*)>", value) or [value.split(";")[0].strip()]:
            uris.append(part)
    return uris


def do_register(sock, server, aor, contact, expires, password=None, algorithm="MD5", timeout=2.0):
    user, domain = aor.split("@", 1)
    local = sock.getsockname()
    call_id = rand_hex(64)
    start = time.monotonic()
    data, _, _ = transact(sock, server, register_message(local, user, domain, contact, expires, call_id, 1), call_id, timeout)
    if data is None:
        return {"status": None, "error": "no answer"}
    status, headers, _ = parse_response(data)
    offered = [re.search(r"algorithm=([A-Za-z0-9-]+)", v).group(1) for n, v in headers
               if n.lower() == "www-authenticate" and "algorithm=" in v]
    if status_code(status) == 401 and password is not None:
        challenge = None
        for name, value in headers:
            if name.lower() == "www-authenticate" and re.search(rf"algorithm={re.escape(algorithm)}(,|$)", value):
                challenge = (re.search(r'realm="([^"]*)"', value).group(1), re.search(r'nonce="([^"]*)"', value).group(1))
        if challenge is None:
            return {"status": status_code(status), "error": f"no {algorithm} challenge", "challenge_algorithms": offered}
        realm, nonce = challenge
        uri = f"sip:{domain}"
        cnonce, nc = rand_hex(64), "00000001"
        response = digest_response(algorithm, user, realm, password, "REGISTER", uri, nonce, nc, cnonce)
        auth = (f'Authorization: Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                f'response="{response}", algorithm={algorithm}, qop=auth, nc={nc}, cnonce="{cnonce}"')
        message = register_message(local, user, domain, contact, expires, call_id, 2, extra=(auth,))
        data, _, _ = transact(sock, server, message, call_id, timeout)
        if data is None:
            return {"status": None, "error": "no answer to the authenticated REGISTER"}
        status, headers, _ = parse_response(data)
    return {"status": status_code(status), "reason": status, "contacts": contacts_of(headers),
            "ms": round((time.monotonic() - start) * 1000, 2), "challenge_algorithms": offered}


def do_lookup(sock, server, from_uri, to_ext, domain, timeout=1.0):
    call_id = rand_hex(64)
    data, _, _ = transact(sock, server, invite_message(sock.getsockname(), from_uri, to_ext, domain, call_id), call_id, timeout)
    if data is None:
        return None, []
    status, headers, _ = parse_response(data)
    return status_code(status), contacts_of(headers)


def reflects(contacts, contact, removed):
    return contact not in contacts if removed else bool(contacts) and contacts[0] == contact


def poll(sock, server, args, to_ext, contact, removed, deadline):
    """INVITEs until the redirect reflects the change or the deadline passes: (seen, polls, contacts)."""
    polls = 0
    contacts = []
    while True:
        polls += 1
        status, contacts = do_lookup(sock, server, args.caller, to_ext, args.domain)
        if status == 302 and reflects(contacts, contact, removed):
            return True, polls, contacts
        if time.monotonic() >= deadline:
            return False, polls, contacts
        time.sleep(args.interval)


def cmd_register(args):
    sock = new_socket(args.bind)
    result = do_register(sock, server_address(args.server), args.aor, args.contact, args.expires, args.password,
                         args.algorithm)
    print(json.dumps(result))
    if result["status"] is None:
        return 3
    return 0 if result["status"] == 200 else 1


def cmd_lookup(args):
    sock = new_socket(args.bind)
    status, contacts = do_lookup(sock, server_address(args.server), args.caller, args.to, args.domain)
    print(json.dumps({"status": status, "contacts": contacts}))
    return 3 if status is None else 0


def cmd_expect(args):
    sock = new_socket(args.bind)
    start = time.monotonic()
    contact = args.first or args.absent
    seen, polls, contacts = poll(sock, server_address(args.server), args, args.to, contact, args.absent is not None,
                                 start + args.timeout)
    print(json.dumps({"seen": seen, "ms": round((time.monotonic() - start) * 1000, 1), "polls": polls,
                      "contacts": contacts}))
    return 0 if seen else 1


def cmd_propagate(args):
    a, b = server_address(args.register_on), server_address(args.lookup_on)
    sock = new_socket(args.bind)
    result = do_register(sock, a, args.aor, args.contact, args.expires)
    registered = time.monotonic()
    if result["status"] != 200:
        print(json.dumps({"error": "REGISTER on A not accepted", "register": result}))
        return 1
    ext = args.aor.split("@", 1)[0]
    seen, polls, contacts = poll(sock, b, args, ext, args.contact, args.expires == 0, registered + args.timeout)
    ms = round((time.monotonic() - registered) * 1000, 1)
    print(json.dumps({"seen": seen, "ms": ms, "polls": polls, "register_ms": result["ms"], "contacts": contacts}))
    return 0 if seen else 1


def cmd_burst(args):
    server = server_address(args.server)
    sock = new_socket(args.bind)
    answered, other = [], {}
    start = time.monotonic()
    for i in range(args.count):
        slot = start + i / args.rate
        now = time.monotonic()
        if slot > now:
            time.sleep(slot - now)
        ext = str(args.first + i)
        result = do_register(sock, server, f"{ext}@{args.domain}", f"sip:{ext}@{args.contact_host}", args.expires,
                             timeout=1.0)
        if result["status"] == 200:
            answered.append([ext, time.time()])
        else:
            other[ext] = result.get("reason") or result.get("error")
    seconds = round(time.monotonic() - start, 3)
    killed_at = None
    if args.kill_pid:
        os.kill(args.kill_pid, signal.SIGKILL)  # right after the last answer: nothing has had time to settle
        killed_at = time.time()
    print(json.dumps({"answered": answered, "other": other, "seconds": seconds, "killed_at": killed_at}))
    return 0 if not other else 1


def cmd_survivors(args):
    server = server_address(args.server)
    sock = new_socket(args.bind)
    burst = json.load(open(args.journal))
    journal = burst["answered"]
    killed_at = args.killed_at if args.killed_at is not None else burst.get("killed_at") or time.time()
    lost, unanswered = [], []
    for ext, answered_at in journal:
        status, contacts = do_lookup(sock, server, args.caller, ext, args.domain)
        if status is None:
            unanswered.append(ext)
        elif not (contacts and contacts[0] == f"sip:{ext}@{args.contact_host}"):
            lost.append([ext, answered_at])
    lost_within = round((killed_at - min(t for _, t in lost)) * 1000, 1) if lost else 0.0
    print(json.dumps({"registered": len(journal), "survived": len(journal) - len(lost) - len(unanswered),
                      "lost": [e for e, _ in lost], "lost_within_ms": lost_within, "unanswered": unanswered}))
    return 3 if unanswered else 0


# --- call: a UAC that follows the redirect ----------------------------------------------------------------

def sip_message(start_line, headers, body=b""):
    lines = [start_line, *headers, f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


def uri_target(uri):
    """host:port of a sip: URI, as a loopback server address (sipclient refuses anything else)."""
    hostport = uri.split("@", 1)[-1].split(";", 1)[0].split("?", 1)[0]
    if ":" not in hostport:
        hostport += ":5060"
    return server_address(hostport)


def receive(sock, call_id, cseq_method, deadline):
    """The next response of the transaction (Call-ID and CSeq method), or None at the deadline."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([sock], [], [], remaining)
        if not ready:
            continue
        data = sock.recv(65535)
        status, headers, body = parse_response(data)
        if not status.startswith("SIP/2.0 "):
            continue  # a request (a BYE from the phone would end the test anyway)
        if header(headers, "Call-ID") != [call_id] or not any(v.endswith(cseq_method) for v in header(headers, "CSeq")):
            continue
        return status_code(status), status, headers, body


def cmd_call(args):
    """INVITE to switchd; ACK its 302; INVITE the first Contact (an SDP offer of PCMU to a local RTP
    socket); wait for the phone's answer, ACK it, count the RTP packets it sends for --talk seconds, BYE."""
    switchd = server_address(args.server)
    sock = new_socket(args.bind)
    rtp = new_socket(args.bind)
    rtp.setblocking(False)
    host, port = sock.getsockname()
    result = {}
    call_id = rand_hex(64)
    from_header = f"From: <{args.caller}>;tag={rand_hex(32)}"
    ruri = f"sip:{args.to}@{args.domain}"
    branch = rand_hex(48)
    via = f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{branch};rport"
    common = [from_header, f"Call-ID: {call_id}", "Max-Forwards: 70"]
    invite = sip_message(f"INVITE {ruri} SIP/2.0", [via, *common, f"To: <{ruri}>", "CSeq: 1 INVITE",
                                                    f"Contact: <sip:caller@{host}:{port}>"])
    data, _, _ = transact(sock, switchd, invite, call_id, 2.0)
    if data is None:
        print(json.dumps({"error": "switchd did not answer"}))
        return 3
    status, headers, _ = parse_response(data)
    result["redirect"] = status
    contacts = contacts_of(headers)
    result["contacts"] = contacts
    to_tagged = header(headers, "To")[0]
    # RFC 3261 §17.1.1.3: the ACK of a non-2xx final response, in the INVITE's transaction.
    sock.sendto(sip_message(f"ACK {ruri} SIP/2.0", [via, *common, f"To: {to_tagged}", "CSeq: 1 ACK"]), switchd)
    if status_code(status) != 302 or not contacts:
        print(json.dumps(result))
        return 1
    target = contacts[0]
    phone = uri_target(target)
    rtp_port = rtp.getsockname()[1]
    sdp = "\r\n".join([
        "v=0", f"o=- {random.getrandbits(31)} 1 IN IP4 {host}", "s=-", f"c=IN IP4 {host}", "t=0 0",
        f"m=audio {rtp_port} RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=ptime:20", "a=sendrecv", ""]).encode()
    via = f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{rand_hex(48)};rport"
    invite = sip_message(f"INVITE {target} SIP/2.0", [via, *common, f"To: <{ruri}>", "CSeq: 2 INVITE",
                                                       f"Contact: <sip:caller@{host}:{port}>",
                                                       "Content-Type: application/sdp"], sdp)
    sock.sendto(invite, phone)
    started = time.monotonic()
    deadline = started + args.answer_timeout
    provisional = []
    final = None
    next_retransmit, interval = started + 0.5, 0.5
    while final is None and time.monotonic() < deadline:
        answer = receive(sock, call_id, "INVITE", min(deadline, next_retransmit))
        if answer is None:
            if not provisional and time.monotonic() >= next_retransmit:  # timer A until a provisional
                sock.sendto(invite, phone)
                interval *= 2
                next_retransmit = time.monotonic() + interval
            elif provisional:
                next_retransmit = deadline
            continue
        code, line, headers, body = answer
        if code < 200:
            provisional.append(line)
        else:
            final = (code, line, headers, body)
    result["provisional"] = provisional
    if final is None:
        result["final"] = None
        print(json.dumps(result))
        return 1
    code, line, headers, body = final
    result["final"] = line
    result["answer_ms"] = round((time.monotonic() - started) * 1000, 1)
    to_tagged = header(headers, "To")[0]
    if code != 200:
        sock.sendto(sip_message(f"ACK {target} SIP/2.0", [via, *common, f"To: {to_tagged}", "CSeq: 2 ACK"]), phone)
        print(json.dumps(result))
        return 1
    result["answer_sdp_media"] = [l for l in body.split("\r\n") if l.startswith(("m=", "c="))]
    remote = (contacts_of(headers) or [target])[0]
    result["remote_contact"] = remote
    dialog_target = uri_target(remote)
    # RFC 3261 §13.2.2.4: the ACK of a 2xx is a new transaction, to the remote target.
    ack = sip_message(f"ACK {remote} SIP/2.0", [
        f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{rand_hex(48)};rport", *common, f"To: {to_tagged}",
        "CSeq: 2 ACK"])
    sock.sendto(ack, dialog_target)
    packets = 0
    talk_end = time.monotonic() + args.talk
    while time.monotonic() < talk_end:
        ready, _, _ = select.select([rtp, sock], [], [], max(0.0, talk_end - time.monotonic()))
        if rtp in ready:
            try:
                while True:
                    rtp.recv(2048)
                    packets += 1
            except BlockingIOError:
                pass
        if sock in ready:
            data = sock.recv(65535)
            if data.startswith(b"SIP/2.0 200") and b" INVITE\r\n" in data:
                sock.sendto(ack, dialog_target)  # the 200 retransmitted: our ACK was lost
    result["rtp_packets"] = packets
    bye = sip_message(f"BYE {remote} SIP/2.0", [
        f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{rand_hex(48)};rport", *common, f"To: {to_tagged}",
        "CSeq: 3 BYE"])
    data, _, _ = transact(sock, dialog_target, bye, call_id, 4.0)
    result["bye"] = parse_response(data)[0] if data else None
    print(json.dumps(result))
    ok = result["bye"] is not None and result["bye"].startswith("SIP/2.0 200")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, server=True):
        if server:
            p.add_argument("server")
        p.add_argument("--bind", default="127.0.0.1")
        p.add_argument("--from", dest="caller", default="sip:202@acme.example")
        p.add_argument("--domain", default="acme.example")
        p.add_argument("--interval", type=float, default=0.002)
        return p

    p = common(sub.add_parser("register"))
    p.add_argument("--aor", required=True)
    p.add_argument("--contact", required=True)
    p.add_argument("--expires", type=int, default=3600)
    p.add_argument("--password")
    p.add_argument("--algorithm", default="MD5", choices=["MD5", "SHA-256"])

    p = common(sub.add_parser("lookup"))
    p.add_argument("--to", required=True)

    p = common(sub.add_parser("expect"))
    p.add_argument("--to", required=True)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--first")
    group.add_argument("--absent")
    p.add_argument("--timeout", type=float, default=5.0)

    p = common(sub.add_parser("propagate"), server=False)
    p.add_argument("--register-on", required=True)
    p.add_argument("--lookup-on", required=True)
    p.add_argument("--aor", required=True)
    p.add_argument("--contact", required=True)
    p.add_argument("--expires", type=int, default=3600)
    p.add_argument("--timeout", type=float, default=5.0)

    p = common(sub.add_parser("burst"))
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--first", type=int, required=True)
    p.add_argument("--contact-host", required=True)
    p.add_argument("--expires", type=int, default=3600)
    p.add_argument("--kill-pid", type=int, help="SIGKILL this process right after the last answer")

    p = common(sub.add_parser("survivors"))
    p.add_argument("--journal", required=True)
    p.add_argument("--contact-host", required=True)
    p.add_argument("--killed-at", type=float, help="default: the journal's killed_at")

    p = common(sub.add_parser("call"))
    p.add_argument("--to", required=True)
    p.add_argument("--answer-timeout", type=float, default=10.0)
    p.add_argument("--talk", type=float, default=1.0, help="seconds between the ACK and the BYE")

    args = parser.parse_args()
    return {"register": cmd_register, "lookup": cmd_lookup, "expect": cmd_expect, "propagate": cmd_propagate,
            "burst": cmd_burst, "survivors": cmd_survivors, "call": cmd_call}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
