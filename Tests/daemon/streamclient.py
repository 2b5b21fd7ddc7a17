#!/usr/bin/env python3
"""One INVITE over TCP or TLS to a switchd on 127.0.0.0/8 (python3 standard library only).

    streamclient.py HOST:PORT --transport tcp|tls [--cafile PEM] [--to EXT] [--from URI]
(the Request-URI and To are sip:EXT@ the From's domain)

With tls, the server's certificate is verified against --cafile (and its name/IP against HOST); without
--cafile it is not verified (only its fingerprint is reported). Prints one JSON line:
{"status": 302, "reason": "Moved Temporarily", "contacts": [...], "fingerprint": "sha256 hex" | null,
 "error": null | "why"}; exit 0 when a response came, 1 otherwise.
"""
import argparse
import hashlib
import json
import socket
import ssl
import sys


def invite(transport, to, sender, local_port):
    proto = transport.upper()
    domain = sender.rsplit("@", 1)[-1]
    return (
        f"INVITE sip:{to}@{domain} SIP/2.0\r\n"
        f"Via: SIP/2.0/{proto} 127.0.0.1:{local_port};branch=z9hG4bK-stream-{to}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <{sender}>;tag=stream-1\r\n"
        f"To: <sip:{to}@{domain}>\r\n"
        f"Call-ID: stream-{to}@streamclient\r\n"
        "CSeq: 1 INVITE\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def read_response(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a response")
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    _, status, reason = head[0].split(" ", 2)
    contacts = [line.split(":", 1)[1].strip().strip("<>") for line in head[1:] if line.lower().startswith("contact:")]
    return int(status), reason, contacts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("--transport", choices=["tcp", "tls"], required=True)
    parser.add_argument("--cafile")
    parser.add_argument("--to", default="201")
    parser.add_argument("--from", dest="sender", default="sip:202@acme.example")
    args = parser.parse_args()
    host, port = args.server.rsplit(":", 1)
    if not host.startswith("127."):
        sys.exit("streamclient: only 127.0.0.0/8 is allowed")
    result = {"status": None, "reason": None, "contacts": [], "fingerprint": None, "error": None}
    try:
        raw = socket.create_connection((host, int(port)), timeout=5)
        # (before wrapping: the TLS socket takes the descriptor over)
        local_port = raw.getsockname()[1]
        conn = raw
        if args.transport == "tls":
            context = ssl.create_default_context(cafile=args.cafile) if args.cafile else ssl._create_unverified_context()
            conn = context.wrap_socket(raw, server_hostname=host)
            result["fingerprint"] = hashlib.sha256(conn.getpeercert(binary_form=True)).hexdigest()
        conn.sendall(invite(args.transport, args.to, args.sender, local_port))
        result["status"], result["reason"], result["contacts"] = read_response(conn)
        conn.close()
    except (OSError, ssl.SSLError, ConnectionError, ValueError) as error:
        result["error"] = f"{type(error).__name__}: {error}"
    print(json.dumps(result))
    sys.exit(0 if result["status"] else 1)


if __name__ == "__main__":
    main()
