#!/usr/bin/env python3
"""Runs a SIPVicious tool (svwar or svcrack) unchanged but for one upstream defect: SIPVicious 0.3.8
parses `-b/--bindingip` but never passes it on, so its scanners always send from the kernel's default
source address (127.0.0.1 on loopback, which the sample conf trusts). This shim hands the parsed
binding IP to the scanner class, so `-b 127.0.0.2` really sends from 127.0.0.2.

    python sipvicious_shim.py svwar|svcrack [--md5-challenge] TOOL-ARGS...

--md5-challenge (svcrack only): svcrack 0.3.8 answers the first WWW-Authenticate header only and
knows MD5 only; switchd offers SHA-256 first (RFC 8760), on which svcrack crashes without ever trying
a password. This option makes svcrack answer the MD5 challenge that switchd also offers, i.e. what
a slightly smarter attacker would do, so that its guesses really reach the password check.
"""
import re
import sys


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("svwar", "svcrack"):
        sys.exit("usage: sipvicious_shim.py svwar|svcrack [--md5-challenge] ARGS...")
    tool = sys.argv[1]
    args = sys.argv[2:]
    md5_challenge = "--md5-challenge" in args
    args = [a for a in args if a != "--md5-challenge"]

    # The binding IP exactly as optparse would read it: -b IP, -bIP, --bindingip IP, --bindingip=IP.
    binding_ip = ""
    for i, arg in enumerate(args):
        if arg in ("-b", "--bindingip") and i + 1 < len(args):
            binding_ip = args[i + 1]
        elif arg.startswith("--bindingip="):
            binding_ip = arg.split("=", 1)[1]
        elif arg.startswith("-b") and len(arg) > 2 and not arg.startswith("--"):
            binding_ip = arg[2:]

    if tool == "svwar":
        from sipvicious import svwar as module
        cls = module.TakeASip
    else:
        from sipvicious import svcrack as module
        cls = module.ASipOfRedWine

    original_init = cls.__init__

    def init(self, *a, **kw):
        if binding_ip and not kw.get("bindingip"):
            kw["bindingip"] = binding_ip
        original_init(self, *a, **kw)

    cls.__init__ = init

    if md5_challenge:
        if tool != "svcrack":
            sys.exit("--md5-challenge applies to svcrack only")

        def md5_auth_header(pkt):
            values = [line.split(":", 1)[1].strip() for line in pkt.split("\r\n")[1:]
                      if line.lower().startswith(("www-authenticate:", "proxy-authenticate:"))]
            for value in values:
                if re.search(r"algorithm=md5\b", value, re.I):
                    return value
            return values[0] if values else None

        module.getAuthHeader = md5_auth_header

    sys.argv = ["sipvicious_" + tool] + args
    module.main()


if __name__ == "__main__":
    main()
