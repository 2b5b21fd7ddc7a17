#!/usr/bin/env python3
"""Writes fuzz/config-seeds/: inputs of the config fuzzer (Sources/ConfigFuzz), each one configuration
directory as its files joined by the byte 0x1E in the order of InMemorySource.fuzzLayout:
switchd.toml, groups/harbor.toml, customers/acme.toml, customers/globex.toml, customers/umbrella.toml,
numbering.toml.
A part that is exactly "-" is an absent file, "/" a folder in the file's place.

    python3 fuzz/make-config-seeds.py     (rerun after changing conf/; the seeds are committed)
"""
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
conf = root / "conf"
out = root / "fuzz" / "config-seeds"
SEP = b"\x1e"


def read(relative):
    return (conf / relative).read_bytes()


def seed(name, parts):
    (out / f"{name}.conf").write_bytes(SEP.join(parts))


sample = [read("switchd.toml"), read("groups/harbor.toml"), read("customers/acme.toml"),
          read("customers/globex.toml"), read("customers/umbrella.toml"), read("numbering.toml")]

out.mkdir(parents=True, exist_ok=True)
for old in out.glob("*.conf"):
    old.unlink()

seed("sample", sample)
seed("sample-initech", sample[:4] + [read("customers/initech.toml")] + sample[5:])
# numbering.toml as issue 12 writes it (UK), beside customers it conflicts with: 112 in acme's and
# globex's ranges, 11-19 of umbrella holding 11.
seed("numbering-uk", sample[:5] + [
    b'country_code = "44"\nnational_prefix = "0"\n[emergency]\nnumbers = ["999", "112"]\n'
    b'gateway = "sip:{number}@emergency-gw.example"\n[classes]\ninternational = ["00"]\npremium = ["09", "0871"]\n'
    b'mobile = ["07"]\nnational = ["01", "02", "03"]\n'])
seed("access-code-letters", sample[:2] + [sample[2].replace(b'access_code = "71"', b'access_code = "7a"')] + sample[3:])
seed("access-code-newline", sample[:2] + [sample[2].replace(b'access_code = "71"', b'access_code = "7\\n1"')] + sample[3:])
seed("network-nul", sample[:2] + [sample[2].replace(b'"10.1.0.0/16"', b'"10.1.0.0\\u0000junk"')] + sample[3:])
seed("cross-file-conflicts", [b"-", b'name = "H"\n',
      b'name = "A"\ncm = 3\ndomains = ["a.example"]\ngroup = "harbor"\naccess_code = "7"\n'
      b'[extensions]\n"20" = "sip:20@a.example"\n"201" = "sip:201@a.example"\n"100-199" = "sip:{ext}@a.example"\n'
      b'[trunks."9"]\ngateway = "sip:{number}@gw.a.example"\n',
      b'name = "G"\ncm = 4\ndomains = ["a.example", "g.example"]\ngroup = "harbor"\naccess_code = "71"\n'
      b'[extensions]\n"5" = "sip:5@g.example"\n',
      b'name = "U"\ncm = 3\ndomains = ["u.example"]\ngroup = "harbr"\naccess_code = "7"\n'])
seed("minimal", [b"-", b"-", b'name = "A"\ncm = 1\ndomains = ["a.example"]\n', b"-", b"-"])
seed("folders-in-place", [b"/", b"/", b"/", sample[3], b"-"])
seed("every-toml-type", [
    b'[server]\nlisten = ["udp:[::1]:5060", \'udp:127.0.0.1:5061\']\nworkers = 0x2\n'
    b'[limits]\nrate = 1.5e1\nburst = inf\nauth_failures = 0o12\nfailure_window = nan\nban_seconds = 1979-05-27T07:32:00Z\n'
    b'max_tracked_addresses = 9223372036854775807\nlog_interval = -1\nuntrusted_rate = 1_000\nuntrusted_burst = true\n'
    b'[auth]\nnonce_lifetime = 07:32:00\n',
    b'name = """Harbor\nHoldings"""\n',
    b"name = 'Acme'\ncm = 3\ndomains = ['acme.example']\ngroup = \"harbor\"\naccess_code = \"071\"\n"
    b'networks = ["10.0.0.0/8", "2001:db8::/32", "::1"]\n'
    b'[extensions]\n"0000000000-9999999999" = "sip:{ext}@pbx.example"\n"150" = { contact = "sip:x@y" }\n'
    b'[[trunks]]\ngateway = "sip:{number}@gw"\n',
    b'name = "Globex"\ncm = 3\ndomains = ["globex.example"]\ngroup = "harbor"\naccess_code = "072"\n'
    b'[extensions]\n"*97" = "sips:{ext}@vm.example;transport=tls"\n"100-199" = "sip:{ext}@pbx"\n'
    b'[credentials]\n"150" = { sha256 = "' + b"ab" * 32 + b'", md5 = "' + b"cd" * 16 + b'" }\n"*97" = { md5 = 1 }\n'
    b'[trunks."#9"]\ngateway = "sip:{number}@gw"\n[trunks."9".x]\ny = 1\n',
    b'name = "U"\ncm = 5\ndomains = ["u.example"]\na.b.c.d = [[[{ e = [1, 2.5, "s", true, 1979-05-27] }]]]\n',
])
print(f"wrote {len(list(out.glob('*.conf')))} seeds to {out.relative_to(root)}")
