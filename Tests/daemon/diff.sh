#!/usr/bin/env bash
# Black-box acceptance test of `switchd diff [--json] OLD_DIR NEW_DIR` (issue 13), written from the issue
# text and README alone, with `switchd route` on both directories as the oracle:
#   - exact blocks (compared as the sets of dial strings they stand for, so `1-2` = `1` + `2`) for an
#     extension's contact, a removed range (and its prefixes 484 -> 404), a trunk gateway (`9…`), a
#     trunk's allow, an [outbound] entry (`(from 201)`), customers and groups added and removed;
#   - exit 0/1/2, `no change`, invalid confs (errors on stderr naming the file, nothing on stdout), bad
#     arguments; --json (fields, and the same blocks as the text);
#   - consistency: for dial strings inside, at the edges of and outside the reported blocks, `switchd
#     route` on OLD and NEW differs exactly where a block says so, with the statuses the block states.
#   bash Tests/daemon/diff.sh [path-to-switchd]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
switchd=$(need_switchd "${1:-}")
lib_init diff 300
export SWITCHD="$switchd"

mkconf() {  # mkconf NAME [BASE]: a copy of the sample conf (or of BASE) without registrar state
    rm -rf "$lib_work/$1"
    cp -r "${2:-$lib_root/conf}" "$lib_work/$1"
    rm -rf "$lib_work/$1/var"
}
d_out="" d_err="" d_rc=""
run_diff() {  # run_diff ARGS...: sets d_out, d_err, d_rc
    d_rc=0
    "$switchd" diff "$@" >"$lib_work/out" 2>"$lib_work/err" || d_rc=$?
    d_out=$(cat "$lib_work/out")
    d_err=$(cat "$lib_work/err")
}
py=$lib_work/diffcheck.py
cat >"$py" <<'EOF'
import json, os, random, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
DOMAIN = {"acme": "acme.example", "globex": "globex.example", "initech": "initech.example", "umbrella": "umbrella.example"}
CALLERS = {"acme": ["202", "201"], "globex": ["250"], "initech": ["4000"], "umbrella": ["10"]}
OUTBOUND, OWN_CODE = {"acme": ["201"]}, {"acme": "71", "globex": "72"}
FIXED = ["1", "10", "100", "150", "199", "2", "201", "202", "203", "210", "3", "300", "4", "40", "4000", "4099",
         "11", "19", "7", "71", "71201", "72", "72100", "72300", "719", "729", "9", "91", "911", "9911", "9011",
         "90115", "91900", "919005", "91800", "912125550100", "99", "0", "0011", "0911", "8", "8911", "8011",
         "82", "8*", "*97", "#", "+0", "+1", "+12125550100", "+19005551234", "+442079460000", "71911", "7171201"]

def expand(block):  # a range block FIRST-LAST as its strings; a run P…-Q… as its P… blocks; else itself
    run = re.fullmatch(r"(\+?[0-9*#]*)([0-9])…-(\+?[0-9*#]*)([0-9])…", block)
    if run and run[1] == run[3] and run[2] <= run[4]:
        return [f"{run[1]}{d}…" for d in range(int(run[2]), int(run[4]) + 1)]
    m = re.fullmatch(r"(\+?[0-9*#]+)-(\+?[0-9*#]+)", block)
    if not m or m.group(1) == m.group(2):
        return [m.group(1) if m else block]
    a, b = m.groups()
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    if len(a) != len(b) or not (a[i:] + b[i:]).isdigit():
        return ["BAD-RANGE:" + block]
    return [a[:i] + str(n).zfill(len(a) - i) for n in range(int(a[i:]), int(b[i:]) + 1)]

def norm(text):  # one line per dial string (or per P… block), sorted
    out = set()
    for line in filter(str.strip, text.splitlines()):
        m = re.fullmatch(r"(\S+(?: \(from [^)]*\))?): (\S+): (.*→.*)", line)
        out.update([f"{m[1]}: {s}: {m[3]}" for s in expand(m[2])] if m else [line.rstrip()])
    return "\n".join(sorted(out))

def json2text(doc):  # the JSON document in the text form (own-access-code sides left out)
    dtext = lambda d: f"302 {' '.join(d['contact'])}" if d["status"] == 302 else f"{d['status']} {d['reason']}"
    lines = [f"{c['customer']}{' (from %s)' % c['caller_extension'] if 'caller_extension' in c else ''}: "
             f"{c['prefix'] + '…' if 'prefix' in c else c['first'] + '-' + c['last']}: {dtext(c['old'])} → {dtext(c['new'])}"
             for c in doc["changes"] if c["old"].get("status") and c["new"].get("status")]
    for k in ("customers_added", "customers_removed", "groups_added", "groups_removed"):
        lines += [f"{k.replace('s_', ' ')}: {x}" for x in doc[k]]
    return "\n".join(lines)

cache = {}
def route(conf, ext, cust, s):
    key = (conf, ext, s)
    if key not in cache:
        p = subprocess.run([os.environ["SWITCHD"], "route", "--conf", conf, "--from", f"sip:{ext}@{DOMAIN[cust]}",
                            "--source", "127.0.0.1", "--json", s.replace("#", "%23")], capture_output=True, text=True)
        try:
            j = json.loads(p.stdout)
            c = j.get("contact") or j.get("contacts") or []
            cache[key] = (j.get("status"), c if isinstance(c, list) else [c])
        except ValueError:
            cache[key] = ("bad route output: " + p.stdout + p.stderr, [])
    return cache[key]

def covers(c, s):
    if "prefix" in c:
        return len(s) > len(c["prefix"]) and s.startswith(c["prefix"])
    return len(s) == len(c["first"]) and s in expand(f"{c['first']}-{c['last']}")

def probes_of(c):  # inside, at the edges of and just outside a block
    if "prefix" in c:
        p = c["prefix"]
        return [re.sub(r"[*#]", "", x) if p[0] == "+" else x for x in (p, p + "0", p + "5", p + "9#", p + "12345", p + "*")]
    a, b = c["first"], c["last"]
    strings = expand(f"{a}-{b}")
    out = [a, b, strings[len(strings) // 2], a[:-1], a + "0", b + "9"]
    i = len(os.path.commonprefix([a, b])) if a != b else len(a) - 1  # the neighbours just outside
    if a[i:].isdigit() and b[i:].isdigit():
        out += [s[:i] + str(int(s[i:]) + k).zfill(len(s) - i) for s, k in ((a, -1), (b, 1)) if 0 <= int(s[i:]) + k < 10 ** (len(s) - i)]
    return [x for x in out if x not in ("", "+")]

def consistency(old, new, budget):
    doc, rnd, work = json.loads(sys.stdin.read()), random.Random(13), []
    affected = {c["customer"] for c in doc["changes"]}
    for cust, exts in CALLERS.items():
        mine = [c for c in doc["changes"] if c["customer"] == cust]
        cands = set(FIXED).union(*[probes_of(c) for c in rnd.sample(mine, min(len(mine), 25))])
        cands = sorted(cands)
        rnd.shuffle(cands)
        n = budget // len(affected) if cust in affected else 8
        work += [(cust, ext, s) for ext in exts for s in cands[: n // len(exts)]]
    with ThreadPoolExecutor(8) as pool:  # every route call at once, then the checks
        list(pool.map(lambda w: [route(conf, w[1], w[0], w[2]) for conf in (old, new)], work))
    bad = []
    for cust, ext, s in work:
        o, n = route(old, ext, cust, s), route(new, ext, cust, s)
        code, r = OWN_CODE.get(cust), s  # after the caller's own access code: the call without it
        mine = [c for c in doc["changes"] if c["customer"] == cust and covers(c, r)]
        while not mine and code and r.startswith(code) and len(r) > len(code):
            r = r[len(code):]
            mine = [c for c in doc["changes"] if c["customer"] == cust and covers(c, r)]
        named = [c for c in mine if c.get("caller_extension") == ext]
        unnamed = [c for c in mine if "caller_extension" not in c]
        block, differs = (named or unnamed or [None])[0], o != n
        ok = len(named) <= 1 and len(unnamed) <= 1
        if ext in OUTBOUND.get(cust, []):  # a block without (from EXT) may hold for the callers without [outbound] only
            # a named block is the extension's own change, or says it keeps its decision where the others' changes
            kept = bool(named) and named[0]["old"] == named[0]["new"]
            ok = ok and (not named or differs or kept) and (not differs or block is not None) and not (kept and differs)
        else:
            ok = ok and differs == (block is not None) and not named
        for side, got in (("old", o), ("new", n)) if ok and block and differs else ():
            want = block[side]
            pat = [re.escape(t).replace(r"\{ext\}", "[0-9*#]+").replace(r"\{number\}", r"\+?[0-9*#]+") for t in want["contact"]]
            if want.get("status") is not None and (got[0] != want["status"] or len(got[1]) != len(pat)
                                                   or not all(map(re.fullmatch, pat, got[1]))):
                ok = False
        if not ok:
            where = block and (block["prefix"] + "…" if "prefix" in block else f"{block['first']}-{block['last']}")
            bad.append(f"{cust} from {ext} {s}: OLD {o} NEW {n}, blocks {len(mine)}: {where} {block and (block['old'], block['new'])}")
    print(f"{len(work)} probes")
    print("\n".join(bad[:8]))

if sys.argv[1] == "norm":
    print(norm(sys.stdin.read()))
elif sys.argv[1] == "json2text":
    print(norm(json2text(json.loads(sys.stdin.read()))))
elif sys.argv[1] == "get":  # get EXPR: a Python expression over the document d
    d = json.loads(sys.stdin.read())
    print(eval(sys.argv[2]))
else:
    consistency(sys.argv[2], sys.argv[3], int(sys.argv[4]))
EOF
norm() { python3 "$py" norm <<<"$1"; }
# check_blocks NAME EXPECTED_LINES: d_out, as the set of strings its blocks stand for, is EXPECTED's
check_blocks() { check "$1" "$(norm "$d_out")" "$(norm "$2")"; }
consistency() {  # consistency NAME OLD NEW [BUDGET]: route on both agrees with the --json blocks
    local out
    out=$("$switchd" diff --json "$2" "$3" 2>&1 | python3 "$py" consistency "$2" "$3" "${4:-60}" 2>&1 || true)
    check "$1: route on OLD and NEW differs exactly inside the blocks ($(head -n 1 <<<"$out"))" \
        "$(tail -n +2 <<<"$out")" ""
}
# json_get DIR1 DIR2 EXPR: EXPR over the --json document
json_get() { "$switchd" diff --json "$1" "$2" 2>/dev/null | python3 "$py" get "$3" 2>&1 || true; }
W=$lib_work
GW=sip:{number}@gw.acme.example
BAR="403 Call Class Barred"

# (a) identical copies ------------------------------------------------------------------------------
mkconf old; mkconf same
run_diff "$W/old" "$W/same"
check "identical: exit 0" "$d_rc" "0"
check "identical: prints no change" "$d_out" "no change"
check "identical --json: every list empty" "$(json_get "$W/old" "$W/same" 'sorted((k, len(v)) for k, v in d.items())')" \
    "[('changes', 0), ('customers_added', 0), ('customers_removed', 0), ('groups_added', 0), ('groups_removed', 0)]"

# (b) one extension's contact: acme 201, and Globex reaching it as 71201 ----------------------------
mkconf b; sed -i 's|"201" = "sip:201@10.1.0.21:5060"|"201" = "sip:201@10.1.0.99:5060"|' "$W/b/customers/acme.toml"
run_diff "$W/old" "$W/b"
check "contact: exit 1" "$d_rc" "1"
check_blocks "contact: acme 201 and globex 71201, nothing else (own 71201 shown once, as 201)" \
"acme: 201: 302 sip:201@10.1.0.21:5060 → 302 sip:201@10.1.0.99:5060
globex: 71201: 302 sip:201@10.1.0.21:5060 → 302 sip:201@10.1.0.99:5060"
check "contact --json: the acme change" "$(json_get "$W/old" "$W/b" \
    '[(c["first"], c["last"], c["old"], c["new"], "caller_extension" in c) for c in d["changes"] if c["customer"] == "acme"]')" \
    "[('201', '201', {'status': 302, 'contact': ['sip:201@10.1.0.21:5060'], 'reason': 'Moved Temporarily'}, {'status': 302, 'contact': ['sip:201@10.1.0.99:5060'], 'reason': 'Moved Temporarily'}, False)]"
check "contact: reversed, the arrows turn" "$(run_diff "$W/b" "$W/old"; norm "$d_out" | grep -c '10.1.0.99:5060 → 302 sip:201@10.1.0.21')" "2"
consistency "contact" "$W/old" "$W/b"

# (c) Globex's range 100-299 removed (with the credentials of 150 in it) ----------------------------
mkconf c; sed -i '/"100-299"/d; /^"150" = { sha256/d' "$W/c/customers/globex.toml"
run_diff "$W/old" "$W/c"
check "range removed: exit 1" "$d_rc" "1"
check_blocks "range removed: 302 -> 404, its proper prefixes 484 -> 404, for globex and for acme after 72" \
"globex: 1-2: 484 Address Incomplete → 404 Not Found
globex: 10-29: 484 Address Incomplete → 404 Not Found
globex: 100-299: 302 sip:{ext}@pbx.globex.example → 404 Not Found
acme: 721-722: 484 Address Incomplete → 404 Not Found
acme: 7210-7229: 484 Address Incomplete → 404 Not Found
acme: 72100-72299: 302 sip:{ext}@pbx.globex.example → 404 Not Found"
check "range removed: --json says the same as the text" \
    "$("$switchd" diff --json "$W/old" "$W/c" | python3 "$py" json2text)" "$(norm "$d_out")"
consistency "range removed" "$W/old" "$W/c"

# (d) a trunk's gateway -------------------------------------------------------------------------------
# Without numbering.toml (and so without acme's allow and [outbound]), every number after 9 is local.
mkconf n0; rm "$W/n0/numbering.toml"
sed -i '/^allow = \["local", "national", "tollfree"\]/d; /^\[outbound."201"\]/,/^allow/d' "$W/n0/customers/acme.toml"
mkconf n1 "$W/n0"; sed -i 's|gw.acme.example|gw2.acme.example|' "$W/n1/customers/acme.toml"
run_diff "$W/n0" "$W/n1"
check "gateway (no classes): one P… block" "$d_rc $d_out" "1 acme: 9…: 302 $GW → 302 sip:{number}@gw2.acme.example"
check "gateway --json: prefix 9, no first/last" "$(json_get "$W/n0" "$W/n1" \
    '[(c["customer"], c.get("prefix"), "first" in c, c["new"]["contact"]) for c in d["changes"]]')" \
    "[('acme', '9', False, ['sip:{number}@gw2.acme.example'])]"
consistency "gateway (no classes)" "$W/n0" "$W/n1" 40
# With the sample's classes: Umbrella's trunk 8; 8911 (emergency), 8011… and 81900…/81976… (barred) stay.
mkconf d; sed -i 's|gw.umbrella.example|gw2.umbrella.example|' "$W/d/customers/umbrella.toml"
run_diff "$W/old" "$W/d"
n=$(norm "$d_out")
U="302 sip:{number}@gw.umbrella.example → 302 sip:{number}@gw2.umbrella.example"
for s in 82… 8911… 8* 80 8190 81901…; do
    check_true "gateway (classes): umbrella $s changes" "" grep -qxF "umbrella: $s: $U" <<<"$n"
done
for s in 8 8911 8011 8011… 81900 81900… 81976…; do
    check_true "gateway (classes): umbrella $s does not change" "" test -z "$(grep -F "umbrella: $s: " <<<"$n")"
done
check "gateway (classes): only umbrella lines" "$(grep -vc '^umbrella: ' <<<"$d_out" || true)" "0"
consistency "gateway (classes)" "$W/old" "$W/d" 90

# (e) classes: a trunk's allow, an [outbound] entry ---------------------------------------------------
mkconf e2; sed -i 's|^gateway = "sip:{number}@gw.globex.example"|&\nallow = ["local", "national", "tollfree", "premium"]|' \
    "$W/e2/customers/globex.toml"
run_diff "$W/old" "$W/e2"
G="$BAR → 302 sip:{number}@gw.globex.example"
check_blocks "allow + premium on globex 9: the premium numbers become allowed" \
    "$(printf 'globex: %s: %s\n' 91900 "$G" 91900… "$G" 91976 "$G" 91976… "$G")"
consistency "allow" "$W/old" "$W/e2"
mkconf e1; sed -i 's|allow = \["local", "national", "tollfree", "international"\]|allow = ["local", "national", "tollfree"]|' \
    "$W/e1/customers/acme.toml"
run_diff "$W/old" "$W/e1"
I="302 $GW → $BAR"
exp="acme (from 201): 9011: $I
acme (from 201): 9011…: $I
acme (from 201): +0: $I
acme (from 201): +0…: $I
acme (from 201): +2-+9: $I"
for k in 2 3 4 5 6 7 8 9; do exp+=$'\n'"acme (from 201): +$k…: $I"; done
check_blocks "[outbound.201] without international: 9011… and non-+1 numbers barred, (from 201)" "$exp"
check "[outbound] --json: caller_extension 201 on every change" "$(json_get "$W/old" "$W/e1" \
    'sorted(set((c["customer"], c.get("caller_extension"), c["new"]["status"], c["new"]["reason"]) for c in d["changes"]))')" \
    "[('acme', '201', 403, 'Call Class Barred')]"
check "[outbound] --json says the same as the text" \
    "$("$switchd" diff --json "$W/old" "$W/e1" | python3 "$py" json2text)" "$(norm "$d_out")"
consistency "[outbound]" "$W/old" "$W/e1"
mkconf e3; sed -i 's|^allow = \["local", "national", "tollfree"\]$|allow = ["local", "national", "tollfree", "international"]|' \
    "$W/e3/customers/acme.toml"
run_diff "$W/old" "$W/e3"
check_true "trunk allow + international: 9011… allowed for acme's callers" "" \
    grep -qxF "acme: 9011…: $BAR → 302 $GW" <<<"$d_out"
consistency "trunk allow + international" "$W/old" "$W/e3"
# Many changes at once: no numbering.toml any more, acme's classes gone and its gateway changed.
consistency "everything at once" "$W/old" "$W/n1" 150

# (f) customers and groups added and removed -----------------------------------------------------------
mkconf f; rm "$W/f/customers/umbrella.toml"
printf 'name = "Hooli"\ncm = 7\ndomains = ["hooli.example"]\nnetworks = ["127.0.0.1/32"]\n[extensions]\n"500-599" = "sip:{ext}@pbx.hooli.example"\n' \
    >"$W/f/customers/hooli.toml"
printf 'name = "Pier Group"\n' >"$W/f/groups/pier.toml"
run_diff "$W/old" "$W/f"
check "customers and groups: exit 1" "$d_rc" "1"
check_blocks "customers and groups: added and removed" \
    "$(printf 'customer added: hooli\ncustomer removed: umbrella\ngroup added: pier')"
run_diff "$W/f" "$W/old"
check_blocks "customers and groups: reversed" "$(printf 'customer added: umbrella\ncustomer removed: hooli\ngroup removed: pier')"
check "customers and groups --json" "$(json_get "$W/old" "$W/f" \
    '(d["changes"], d["customers_added"], d["customers_removed"], d["groups_added"], d["groups_removed"])')" \
    "([], ['hooli'], ['umbrella'], ['pier'], [])"
mkconf f2; printf 'name = "Pier Group"\n' >"$W/f2/groups/pier.toml"
sed -i 's|^cm = 3|cm = 3\ngroup = "pier"\naccess_code = "81"|' "$W/f2/customers/initech.toml"
run_diff "$W/old" "$W/f2"
check_true "group with a member added: group added: pier" "" grep -qxF "group added: pier" <<<"$d_out"
check_true "group with a member added: initech's own access code 81 alone is now incomplete" "" \
    grep -qxF "initech: 81: 404 Not Found → 484 Address Incomplete" <<<"$d_out"

# (g) invalid confs, bad arguments -----------------------------------------------------------------------
mkconf g; echo 'name = "Globex' >>"$W/g/customers/globex.toml"
run_diff "$W/old" "$W/g"
check "broken TOML in NEW: exit 2, nothing on stdout" "$d_rc|$d_out" "2|"
check_true "broken TOML in NEW: stderr names the file" "$d_err" grep -q "customers/globex.toml" <<<"$d_err"
run_diff --json "$W/g" "$W/old"
check "broken TOML in OLD (--json): exit 2, nothing on stdout" "$d_rc|$d_out" "2|"
check_true "broken TOML in OLD: stderr names the file" "" grep -q "customers/globex.toml" <<<"$d_err"
mkconf g2; sed -i '/"100-299"/d' "$W/g2/customers/globex.toml"  # credentials of 150, no extension 150
run_diff "$W/old" "$W/g2"
check_true "invalid conf (credentials without extension): exit 2, the file named" "$d_rc: $d_err" \
    test "$d_rc" = 2 -a -z "$d_out" -a -n "$(grep "globex.toml" <<<"$d_err")"
for args in "$W/old" "" "$W/old $W/same $W/b" "--bogus $W/old $W/same" "$W/old $W/nonexistent"; do
    # shellcheck disable=SC2086
    run_diff $args
    check "arguments '${args//$W\//}': exit 2, nothing on stdout" "$d_rc|$d_out" "2|"
done

lib_summary
