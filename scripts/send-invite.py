#!/usr/bin/env python3
"""Send one SIP INVITE (or OPTIONS) over UDP to switchd and print the answer.

    python3 scripts/send-invite.py --to 71201 --from sip:100@globex.example 127.0.0.1:5060
"""
import argparse
import random
import socket
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("server", help="HOST:PORT switchd listens on")
    parser.add_argument("--to", default="", help="dialled number (Request-URI user part); empty for a keep-alive")
    parser.add_argument("--from", dest="caller", default="sip:100@globex.example", help="the caller's From URI")
    parser.add_argument("--method", default="INVITE")
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()

    host, port = args.server.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(args.timeout)
    local_host, local_port = sock.getsockname()
    domain = args.caller.split("@")[-1]
    target = f"sip:{args.to}@{domain}" if args.to else f"sip:{host}:{port}"
    call_id = f"{random.getrandbits(64):016x}@{local_host}"
    message = (
        f"{args.method} {target} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {local_host}:{local_port};branch=z9hG4bK{random.getrandbits(48):012x};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <{args.caller}>;tag={random.getrandbits(32):08x}\r\n"
        f"To: <{target}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: 1 {args.method}\r\n"
        f"Content-Length: 0\r\n\r\n"
    )
    sock.sendto(message.encode(), (host, int(port)))
    try:
        answer, _ = sock.recvfrom(65535)
    except socket.timeout:
        print(f"no answer within {args.timeout} s", file=sys.stderr)
        return 1
    print(answer.decode(errors="replace"), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
