#!/usr/bin/env python3
"""Writes fuzz/seeds/invite-digest-*.sip: INVITEs with digest credentials that are valid for the fuzz
harness (Sources/SwitchdFuzz) and FuzzRegressionTests, which use the nonce secret 32 x 0x5A and the
fixed clock 1_800_000_000. Run it again when the nonce format (Sources/Auth/NonceService.swift), the
sample passwords (conf/customers/*.toml) or those constants change."""
import hashlib
import hmac
import pathlib

SECRET = bytes([0x5A] * 32)
NOW = 1_800_000_000
SEEDS = pathlib.Path(__file__).resolve().parent / "seeds"


def nonce(salt: bytes) -> str:
    # NonceService.make: "<issued hex>.<8-byte salt hex>.<first 16 bytes of HMAC-SHA256(secret, stamp) hex>"
    stamp = f"{NOW:x}.{salt.hex()}"
    return f"{stamp}.{hmac.new(SECRET, stamp.encode(), hashlib.sha256).digest()[:16].hex()}"


def digest(algorithm: str, text: str) -> str:
    return (hashlib.sha256 if algorithm == "SHA-256" else hashlib.md5)(text.encode()).hexdigest()


def seed(name, algorithm, user, realm, password, uri, branch, salt, nc="00000001", cnonce="0a4f113b"):
    n = nonce(salt)
    ha1 = digest(algorithm, f"{user}:{realm}:{password}")
    ha2 = digest(algorithm, f"INVITE:{uri}")
    response = digest(algorithm, f"{ha1}:{n}:{nc}:{cnonce}:auth:{ha2}")
    lines = [
        f"INVITE {uri} SIP/2.0",
        f"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-{branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:{user}@{realm}>;tag=f-{branch}",
        f"To: <{uri}>",
        f"Call-ID: {branch}@192.0.2.1",
        "CSeq: 2 INVITE",
        f"Contact: <sip:{user}@192.0.2.1:5060>",
        f'Authorization: Digest username="{user}", realm="{realm}", nonce="{n}", uri="{uri}", '
        f'response="{response}", algorithm={algorithm}, qop=auth, nc={nc}, cnonce="{cnonce}"',
        "Content-Length: 0",
    ]
    (SEEDS / name).write_bytes(("\r\n".join(lines) + "\r\n\r\n").encode())


seed("invite-digest-sha256.sip", "SHA-256", "201", "acme.example", "acme-201-demo", "sip:202@acme.example",
     "auth256", bytes.fromhex("0102030405060708"))
seed("invite-digest-md5.sip", "MD5", "150", "globex.example", "globex-150-demo", "sip:300@globex.example",
     "authmd5", bytes.fromhex("1112131415161718"))
