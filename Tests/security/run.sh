#!/usr/bin/env bash
# Security proof tests for switchd (issue 4): real SIPVicious scanners, a password-guessing ban, and a
# flood from one and from many source addresses while a trusted caller keeps calling.
#
#   Tests/security/run.sh [PATH-TO-SWITCHD]        default: .build/debug/switchd (relative to the cwd)
#
# Installs SIPVicious (PyPI package `sipvicious`) into .venv-sipvicious/ at the repository root when it
# is not there yet (needs python3 with its venv module; Debian: python3-venv). Starts switchd on a copy
# of conf/ whose [limits] are tuned for the test (below), on a free UDP port of 127.0.0.1. All traffic
# stays on 127.0.0.0/8: the sample conf trusts only 127.0.0.1 (every customer's `networks`), so
# 127.0.0.2 ... 127.0.0.15 and 127.20.x.y are untrusted sources. Prints one PASS/FAIL line per check and
# finally "N passed, M failed"; exits non-zero when a check failed. Logs stay in a temporary directory
# whose path is printed.
#
# Checks marked XFAIL are known daemon bugs (see the message): they do not count as failures unless
# SECURITY_STRICT=1; once the bug is fixed they print PASS.
#
# Environment (all optional):
#   SIPVICIOUS_VENV   virtualenv with sipvicious        (default: <repo>/.venv-sipvicious)
#   FLOOD_PACKETS     phase 1: INVITEs from 127.0.0.4, paced and again flat out (default: 200000 each)
#   FLOOD_RATE        phase 1: pace of the first run, INVITEs/s (default: 20000)
#   FLOOD_SOURCES     phase 2: distinct source addresses (default: 20000, 127.20.x.y)
#   FLOOD_PER_SOURCE  phase 2: INVITEs per source        (default: 3)
#   P99_LIMIT_MS      trusted caller's p99 answer time (default: 200)
#   SECURITY_STRICT   1: XFAIL checks count as failures  (default: 0)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
switchd=${1:-.build/debug/switchd}
venv=${SIPVICIOUS_VENV:-$root/.venv-sipvicious}
flood_packets=${FLOOD_PACKETS:-200000}
flood_rate=${FLOOD_RATE:-20000}
flood_sources=${FLOOD_SOURCES:-20000}
flood_per_source=${FLOOD_PER_SOURCE:-3}
p99_limit_ms=${P99_LIMIT_MS:-200}
strict=${SECURITY_STRICT:-0}
host=127.0.0.1

# [limits] of the test's conf copy. rate/burst: a scanner's few hundred requests from one address fit
# in the bucket (so svwar and the sweeps really get every answer), a flood of 200,000 does not.
# auth_failures: 5 wrong passwords ban for 10 minutes. max_tracked_addresses far below the flood's
# number of sources, to show that eviction bounds memory.
limit_rate=50
limit_burst=300
limit_auth_failures=5
limit_failure_window=60
limit_ban_seconds=600
limit_max_tracked=4096
limit_log_interval=10
# All untrusted sources together: below what a debug build answers per second, so that a flood from
# many addresses (each within its own rate) is cut before it starves the trusted caller.
limit_untrusted_rate=500
limit_untrusted_burst=1000

die() { echo "run.sh: $*" >&2; exit 2; }

command -v python3 >/dev/null || die "python3 not found"
[[ -x $switchd ]] || die "switchd binary '$switchd' not found or not executable (build it first)"
switchd=$(cd "$(dirname "$switchd")" && pwd)/$(basename "$switchd")

# --- SIPVicious in its own virtualenv --------------------------------------------------------------
sv_bin() {  # the installed CLI name: sipvicious_svwar (0.3.x) or svwar (older releases)
    if [[ -x $venv/bin/sipvicious_$1 ]]; then echo "$venv/bin/sipvicious_$1"
    elif [[ -x $venv/bin/$1 ]]; then echo "$venv/bin/$1"
    fi
}
if [[ -z $(sv_bin svwar) || -z $(sv_bin svcrack) ]]; then
    if [[ ! -x $venv/bin/python ]]; then
        python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check sipvicious ||
        die "pip install sipvicious failed"
fi
svwar=$(sv_bin svwar)
svcrack=$(sv_bin svcrack)
[[ -n $svwar && -n $svcrack ]] || die "sipvicious installed in $venv but svwar/svcrack not found in $venv/bin"
vpython=$venv/bin/python
sv_version=$("$vpython" -c 'from sipvicious.libs.svhelper import __version__; print(__version__)' 2>/dev/null || echo "?")

# --- work directory, conf copy, cleanup ------------------------------------------------------------
workdir=$(mktemp -d "${TMPDIR:-/tmp}/switchd-security.XXXXXX")
cp -R "$root/conf" "$workdir/conf"
python3 - "$workdir/conf/switchd.toml" <<EOF
import re, sys
path = sys.argv[1]
text = open(path).read()
values = {"rate": $limit_rate, "burst": $limit_burst, "auth_failures": $limit_auth_failures,
          "failure_window": $limit_failure_window, "ban_seconds": $limit_ban_seconds,
          "max_tracked_addresses": $limit_max_tracked, "log_interval": $limit_log_interval,
          "untrusted_rate": $limit_untrusted_rate, "untrusted_burst": $limit_untrusted_burst}
head, sep, rest = text.partition("[limits]")
if not sep:
    rest = ""
body, nxt, tail = rest.partition("\n[")
lines = [l for l in body.split("\n") if not re.match(r"\s*(%s)\s*=" % "|".join(values), l)]
lines[1:1] = ["%s = %s" % kv for kv in values.items()]
open(path, "w").write(head + "[limits]" + "\n".join(lines) + (nxt + tail if nxt else ""))
EOF
log=$workdir/switchd.log
switchd_pid=""
trusted_pid=""

stop_pid() {
    local pid=$1
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop_pid "$trusted_pid"
    stop_pid "$switchd_pid"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

udp_port_free() {
    python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(1)' "$1"
}
pick_port() {
    local port=$1
    while (( port < $1 + 500 )); do
        if udp_port_free "$port"; then echo "$port"; return 0; fi
        port=$((port + 1))
    done
    die "no free UDP port from $1 on"
}

passed=0
failed=0
xfailed=0
pass() { echo "PASS $1${2:+ ($2)}"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+ ($2)}"; failed=$((failed + 1)); }
# check NAME DETAIL CONDITION-COMMAND...
check() {
    local name=$1 detail=$2
    shift 2
    if "$@"; then pass "$name" "$detail"; else fail "$name" "$detail"; fi
}
# known_bug NAME DETAIL-IF-OK BUG-DESCRIPTION CONDITION-COMMAND...: XFAIL unless SECURITY_STRICT=1.
known_bug() {
    local name=$1 detail=$2 bug=$3
    shift 3
    if "$@"; then pass "$name" "$detail"
    elif [[ $strict == 1 ]]; then fail "$name" "$bug"
    else echo "XFAIL $name (known daemon issue, not counted; SECURITY_STRICT=1 counts it: $bug)"; xfailed=$((xfailed + 1))
    fi
}
indent() { sed 's/^/  | /'; }
client() { python3 "$here/sipclient.py" "$@"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$switchd_pid/status"; }
# Bytes waiting in the daemon's UDP receive queue (/proc/net/udp, 127.0.0.1:$port).
rx_queue_bytes() {
    local hex
    hex=$(awk -v want="$(printf '0100007F:%04X' "$port")" '$2 == want { split($5, q, ":"); print q[2]; exit }' \
        /proc/net/udp 2>/dev/null || true)
    echo $((16#${hex:-0}))
}
# Lines of the daemon log mentioning source address $1 (with port) and matching regex $2.
log_count() { grep -E "sip\.source=${1//./\\.}[: ]" "$log" | grep -cE "$2" || true; }

# --- start the daemon ------------------------------------------------------------------------------
port=$(pick_port 16060)
server=$host:$port
"$switchd" run --conf "$workdir/conf" --listen "udp:$server" --metrics-listen off --log-level info >"$log" 2>&1 &
switchd_pid=$!
ready=0
for _ in $(seq 1 40); do
    if ! kill -0 "$switchd_pid" 2>/dev/null; then
        echo "FAIL switchd exited during startup:"; indent <"$log"
        echo "0 passed, 1 failed"; exit 1
    fi
    if client probe "$server" --bind "$host" --method OPTIONS --timeout 0.5 >/dev/null; then ready=1; break; fi
    sleep 0.25
done
if [[ $ready -ne 1 ]]; then
    echo "FAIL switchd does not answer OPTIONS on udp:$server"; tail -n 20 "$log" | indent
    echo "0 passed, 1 failed"; exit 1
fi
echo "switchd (pid $switchd_pid) answers on udp:$server; SIPVicious $sv_version in $venv; logs in $workdir"
echo "test [limits]: rate=$limit_rate burst=$limit_burst auth_failures=$limit_auth_failures" \
    "failure_window=$limit_failure_window ban_seconds=$limit_ban_seconds" \
    "max_tracked_addresses=$limit_max_tracked log_interval=$limit_log_interval" \
    "untrusted_rate=$limit_untrusted_rate untrusted_burst=$limit_untrusted_burst"

# --- basic answers to an untrusted source ----------------------------------------------------------
out=$(client probe "$server" --bind 127.0.0.2 --method OPTIONS || true)
check keepalive-untrusted "OPTIONS without user part from 127.0.0.2: $out" [ "$out" = "SIP/2.0 200 OK" ]
out=$(client probe "$server" --bind 127.0.0.2 --method REGISTER --to 201 --from sip:201@acme.example || true)
check register-401 "REGISTER from 127.0.0.2 (challenged like an INVITE): $out" [ "$out" = "SIP/2.0 401 Unauthorized" ]
out=$(client probe "$server" --bind 127.0.0.2 --to 201 --from sip:201@acme.example || true)
check invite-untrusted-401 "INVITE 201 from 127.0.0.2: $out" [ "$out" = "SIP/2.0 401 Unauthorized" ]

# --- svwar ----------------------------------------------------------------------------------------
# SIPVicious 0.3.8 parses -b but never passes it to the scanner, which then always sends from
# 127.0.0.1 (trusted here). sipvicious_shim.py runs the same svwar/svcrack code with -b honoured.
# run_svwar NAME BIND-IP SVWAR-ARGS...: sets sv_rc, output in $workdir/NAME.out
run_sv() {
    local name=$1
    shift
    sv_rc=0
    timeout --kill-after=5 90 "$@" >"$workdir/$name.out" 2>&1 || sv_rc=$?
}
svwar_found_nothing() {  # svwar reported no extension: "found nothing", no table, no "exists" line
    grep -q "found nothing" "$workdir/$1.out" && ! grep -qE "exists|Extension +\|" "$workdir/$1.out"
}
svwar_check() {  # NAME SOURCE DETAIL: svwar exit 0 and "found nothing"; INVITEs it got 401 for, from the log
    local name=$1 source=$2 detail=$3 challenged
    challenged=$(log_count "$source" "sip\.method=INVITE.*route\.status=401|route\.status=401.*sip\.method=INVITE")
    [[ $name == *invite* ]] && detail="$detail; switchd challenged its $challenged INVITEs"
    if [[ $sv_rc -eq 0 ]] && svwar_found_nothing "$name"; then
        pass "$name" "$detail; exit 0, \"found nothing\""
    else
        fail "$name" "$detail; exit $sv_rc"
        tail -n 15 "$workdir/$name.out" | cut -c1-300 | indent
    fi
    grep -vE "^(Traceback|  )" "$workdir/$name.out" | cut -c1-200 | head -n 8 | indent || true
}

svwar_common=(-e100-310 --domain acme.example -p "$port" --maximumtime 5 "$host")
run_sv svwar-invite "$vpython" "$here/sipvicious_shim.py" svwar -b 127.0.0.2 -m INVITE "${svwar_common[@]}"
svwar_check svwar-invite 127.0.0.2 "svwar -m INVITE -e100-310 from 127.0.0.2"
# --force: skip svwar's sanity check (a 401 for a random extension) and scan anyway.
run_sv svwar-invite-force "$vpython" "$here/sipvicious_shim.py" svwar -b 127.0.0.14 -m INVITE --force "${svwar_common[@]}"
svwar_check svwar-invite-force 127.0.0.14 "svwar -m INVITE --force -e100-310 from 127.0.0.14"
run_sv svwar-register "$vpython" "$here/sipvicious_shim.py" svwar -b 127.0.0.15 -m REGISTER "${svwar_common[@]}"
svwar_check svwar-register 127.0.0.15 "svwar -m REGISTER -e100-310 from 127.0.0.15"

# svwar gives up after the first identical answer: scan the whole range ourselves and compare.
for pair in INVITE:127.0.0.6 REGISTER:127.0.0.7 OPTIONS:127.0.0.8; do
    method=${pair%%:*}
    source=${pair#*:}
    name=sweep-$(tr 'A-Z' 'a-z' <<<"$method")
    sweep_rc=0
    client sweep "$server" --bind "$source" --domain acme.example --range 100-310 --method "$method" \
        >"$workdir/$name.json" || sweep_rc=$?
    detail=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("%s for 100..310 from %s: %d of %d answered, %d distinct answer(s) after removing echoed headers and nonces: %s" % (
    r["method"], sys.argv[2], r["answered"], r["extensions"], r["distinct_answers"],
    " / ".join("%dx %s" % (a["count"], a["shape"].split("\n")[0]) for a in r["answers"])))' \
        "$workdir/$name.json" "$source" 2>/dev/null || echo "no result")
    check "$name" "$detail" [ "$sweep_rc" -eq 0 ]
done

# Contrast, not a pass criterion: the unmodified svwar CLI sends from 127.0.0.1, which is trusted.
run_sv svwar-trusted "$svwar" -x "$host" -m INVITE "${svwar_common[@]}"
echo "INFO svwar-trusted (contrast: unmodified $(basename "$svwar") from the trusted 127.0.0.1, exit $sv_rc):" \
    "$(grep -cE "exists" "$workdir/svwar-trusted.out" || true) extensions reported"
grep -E "exists|we have" "$workdir/svwar-trusted.out" | head -n 4 | cut -c1-200 | indent || true

# --- svcrack --------------------------------------------------------------------------------------
# Unmodified svcrack answers the first WWW-Authenticate (SHA-256 here), which it does not know: it stops
# without trying a password. Shown, not a pass criterion.
python3 -c 'for i in range(1, 51): print("Guess-%02d-%s" % (i, ["winter","letmein","201201","acme2024","password"][i % 5]))' \
    >"$workdir/dictionary.txt"
echo "acme-201-demo" >>"$workdir/dictionary.txt"   # the real one, 51st: only reachable if never banned
printf 'wrong-one\nacme-201-demo\n' >"$workdir/control.txt"
run_sv svcrack-plain "$vpython" "$here/sipvicious_shim.py" svcrack -b 127.0.0.9 -u 201 -m INVITE \
    -d "$workdir/dictionary.txt" --domain acme.example -p "$port" --maximumtime 5 "$host"
echo "INFO svcrack-plain (svcrack unchanged but for -b, from 127.0.0.9, exit $sv_rc):" \
    "$(grep -m1 -E "Unknown algorithm|found nothing|password for" "$workdir/svcrack-plain.out" || echo '?')"

# Control: with --md5-challenge svcrack answers the MD5 challenge; with the right password 2nd in its
# list, switchd accepts it (the log shows Acme as caller) - so svcrack's guesses really are checked.
run_sv svcrack-control "$vpython" "$here/sipvicious_shim.py" svcrack --md5-challenge -b 127.0.0.5 -u 201 -m INVITE \
    -d "$workdir/control.txt" --domain acme.example -p "$port" --maximumtime 5 "$host"
accepted=$(log_count 127.0.0.5 "route\.caller=acme")
check svcrack-control "svcrack --md5-challenge from 127.0.0.5, right password 2nd: switchd authenticated it $accepted time(s)" \
    [ "$accepted" -ge 1 ]

# The attack: 50 wrong passwords, then the right one, from 127.0.0.3.
run_sv svcrack-dictionary "$vpython" "$here/sipvicious_shim.py" svcrack --md5-challenge -b 127.0.0.3 -u 201 -m INVITE \
    -d "$workdir/dictionary.txt" --domain acme.example -p "$port" --maximumtime 5 "$host"
challenged=$(log_count 127.0.0.3 "route\.status=401")
accepted=$(log_count 127.0.0.3 "route\.caller=acme")
banned=$(log_count 127.0.0.3 "too many authentication failures: address banned")
if [[ $sv_rc -ne 40 ]] && ! grep -q "The password for" "$workdir/svcrack-dictionary.out" && [[ $accepted -eq 0 ]]; then
    pass svcrack-no-password "51 guesses from 127.0.0.3 (the right one last): exit $sv_rc, no password found; switchd answered $challenged times (401), then silence; 0 accepted"
else
    fail svcrack-no-password "exit $sv_rc, accepted $accepted"
fi
grep -vE "^(Traceback|  )" "$workdir/svcrack-dictionary.out" | cut -c1-200 | head -n 6 | indent || true
check svcrack-banned "daemon log: $banned x 'too many authentication failures: address banned' for 127.0.0.3" [ "$banned" -eq 1 ]
grep -F "too many authentication failures" "$log" | head -n 1 | cut -c1-250 | indent || true
out=$(client probe "$server" --bind 127.0.0.3 --to 201 --from sip:201@acme.example --timeout 1 || true)
check banned-silent "INVITE from 127.0.0.3 after the ban: $out" [ "$out" = "no answer within 1 s" ]
out=$(client probe "$server" --bind 127.0.0.3 --method OPTIONS --timeout 1 || true)
check banned-silent-options "OPTIONS keep-alive from 127.0.0.3 after the ban: $out" [ "$out" = "no answer within 1 s" ]
out=$(client probe "$server" --bind "$host" --to 201 --from sip:100@globex.example || true)
check trusted-after-ban "INVITE from the trusted 127.0.0.1 meanwhile: $out" [ "$out" = "SIP/2.0 302 Moved Temporarily" ]

# --- digest: two callers challenged in the same second --------------------------------------------
# Two phones challenged in the same second both answer with nc=00000001: each got a nonce of its own,
# and both must get through.
samenonce_rc=0
client samenonce "$server" --bind-a 127.0.0.11 --bind-b 127.0.0.12 --user 201 --password acme-201-demo \
    --domain acme.example --to 202 >"$workdir/samenonce.json" || samenonce_rc=$?
check digest-same-second "$(cat "$workdir/samenonce.json")" [ "$samenonce_rc" -eq 0 ]

# --- flood ----------------------------------------------------------------------------------------
# A trusted caller (127.0.0.1, Globex) sends one INVITE every 50 ms throughout, retransmitting on RFC 3261
# timer A (0.5 s, 1 s, 2 s) and giving a call up after 4 s. Phase 1: one untrusted address (127.0.0.4),
# FLOOD_PACKETS INVITEs at FLOOD_RATE/s (400 times its allowed rate), then FLOOD_PACKETS more as fast as
# Python can send. Phase 2: FLOOD_SOURCES fresh addresses, FLOOD_PER_SOURCE INVITEs each (each within
# its own rate, so each is answered: only max_tracked_addresses bounds the state).
stop_file=$workdir/trusted.stop
now() { date +%s.%N; }
flood_rc=0
# flood NAME ARGS...: runs one flood phase; its JSON summary in $workdir/NAME.json
flood() {
    local name=$1
    shift
    timeout --kill-after=5 45 python3 "$here/sipclient.py" flood "$server" "$@" >"$workdir/$name.json" || flood_rc=$?
}
t_start=$(now)
client trusted "$server" --bind "$host" --from sip:100@globex.example --to 201 --interval 0.05 \
    --stop-file "$stop_file" --result "$workdir/trusted.json" --max-seconds 150 &
trusted_pid=$!
sleep 1.5
rss0=$(rss_kb)
t_paced=$(now)
flood flood-paced --bind 127.0.0.4 --count "$flood_packets" --rate "$flood_rate" --max-seconds 30
rss1=$(rss_kb)
t_flat=$(now)
flood flood-flat-out --bind 127.0.0.4 --count "$flood_packets" --max-seconds 20
rss2=$(rss_kb)
t_many=$(now)
flood flood-many --sources "$flood_sources" --per-source "$flood_per_source" --max-seconds 30
t_drain=$(now)
# The daemon works off what the many-source flood left in its socket queue (bounded wait).
queue_peak=$(rx_queue_bytes)
for _ in $(seq 1 100); do
    [[ $(rx_queue_bytes) -eq 0 ]] && break
    sleep 0.2
done
sleep 0.5
t_after=$(now)
drain_seconds=$(python3 -c "print(round(float('$t_after') - float('$t_drain') - 0.5, 1))")
sleep 3
rss3=$(rss_kb)
touch "$stop_file"
wait "$trusted_pid" || true
trusted_pid=""
t_end=$(now)
client phases "$workdir/trusted.json" before,paced,flat-out,many,drain,after "$t_start" "$t_paced" "$t_flat" \
    "$t_many" "$t_drain" "$t_after" "$t_end" >"$workdir/trusted-phases.json" || echo '{}' >"$workdir/trusted-phases.json"

jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$@" 2>/dev/null || echo "?"; }
flood_text() {
    local f=$workdir/$1.json
    echo "$(jget "$f" sent) INVITEs from $(jget "$f" sources) address(es) in $(jget "$f" seconds) s" \
        "($(jget "$f" packets_per_second)/s), $(jget "$f" answered) answers read back"
}
echo "flood phase 1, paced:    $(flood_text flood-paced) (127.0.0.4)"
echo "flood phase 1, flat out: $(flood_text flood-flat-out) (127.0.0.4)"
echo "flood phase 2, many:     $(flood_text flood-many) (127.20.x.y; most answers reach sockets already closed)"
# phase_ok PHASE...: every call of these phases answered with 302, p99 under the bound.
phase_ok() {
    python3 -c 'import json,sys
phases = json.load(open(sys.argv[1])); limit = float(sys.argv[2])
for name in sys.argv[3:]:
    r = phases.get(name)
    if not r or r["calls"] == 0 or r["lost"] or r["statuses"] != {"SIP/2.0 302 Moved Temporarily": r["calls"]} \
            or r["p99_ms"] is None or r["p99_ms"] >= limit:
        sys.exit(1)' "$workdir/trusted-phases.json" "$p99_limit_ms" "$@"
}
phase_text() {
    python3 -c 'import json,sys
r = json.load(open(sys.argv[1])).get(sys.argv[2]) or {}
print("%s calls, %s answered%s, %s lost, %s retransmitted; p50 %s ms, p99 %s ms, max %s ms" % (
    r.get("calls"), r.get("answered"),
    " (all 302)" if r.get("statuses", {}).get("SIP/2.0 302 Moved Temporarily") == r.get("calls") else " (NOT all 302)",
    r.get("lost"), r.get("retransmitted"), r.get("p50_ms"), r.get("p99_ms"), r.get("max_ms")))' \
        "$workdir/trusted-phases.json" "$1" 2>/dev/null || echo "?"
}
for phase in before paced flat-out many drain after all; do
    printf 'trusted caller, %-9s %s\n' "$phase:" "$(phase_text "$phase")"
done
echo "daemon socket queue when the many-source flood stopped: $queue_peak bytes, worked off in ${drain_seconds} s"
echo "daemon RSS: before $rss0 kB, after paced $rss1 kB, after flat out $rss2 kB, after many sources $rss3 kB"

check flood-sent "all flood phases ran" [ "$flood_rc" -eq 0 ]
check flood-trusted-one-source "trusted caller before and during the paced one-address flood: all answered, p99 < $p99_limit_ms ms" \
    phase_ok before paced
# Flat out, one address sends as fast as Python can: the per-address bucket drops it cheaply and the
# trusted caller keeps being answered (run against a release build, as `make security-test` does).
check flood-trusted-flat-out "trusted caller during the flat-out one-address flood: $(phase_text flat-out)" phase_ok flat-out
# Each source within its own rate, but all of them together over untrusted_rate: the shared bucket
# drops the excess cheaply, and the trusted caller keeps being answered.
check flood-trusted-many-sources "trusted caller during the many-address flood: $(phase_text many)" phase_ok many
check flood-trusted-recovers "trusted caller once the queue is worked off: $(phase_text after)" phase_ok after
# One address is answered for at most its bucket plus its rate over the flood's duration (+1 s slack).
for name in flood-paced flood-flat-out; do
    f_ans=$(jget "$workdir/$name.json" answered)
    f_allowed=$(python3 -c "import sys; print(int($limit_burst + $limit_rate * (float(sys.argv[1]) + 1)))" \
        "$(jget "$workdir/$name.json" seconds)" 2>/dev/null || echo 0)
    ok=0; [[ $f_ans =~ ^[0-9]+$ && $f_ans -le $f_allowed ]] && ok=1
    check "$name-rate-limited" "127.0.0.4: $f_ans of $(jget "$workdir/$name.json" sent) answered, at most $f_allowed allowed" [ $ok -eq 1 ]
done
flood_seconds=$(python3 -c "print(float('$t_many') - float('$t_paced'))")
summaries=$(log_count 127.0.0.4 "rate limit: dropping requests")
summary_max=$(python3 -c "import sys, math; print(math.ceil(float(sys.argv[1]) / $limit_log_interval) + 2)" "$flood_seconds")
ok=0; [[ $summaries -ge 1 && $summaries -le $summary_max ]] && ok=1
check flood-log-summaries "$summaries 'rate limit' summary lines for 127.0.0.4 in $(printf %.0f "$flood_seconds") s (at most $summary_max), not one per packet" [ $ok -eq 1 ]
rss_limit=$((rss0 * 2 + 51200))
ok=0; [[ $rss1 -lt $rss_limit && $rss2 -lt $rss_limit && $rss3 -lt $rss_limit ]] && ok=1
check flood-memory "RSS ${rss0} -> ${rss1} -> ${rss2} -> ${rss3} kB, bound 2 x before + 50 MB = $rss_limit kB" [ $ok -eq 1 ]
# The ban of 127.0.0.3 (600 s) must outlive a flood of fresh source addresses.
f2_src=$(jget "$workdir/flood-many.json" sources)
out=$(client probe "$server" --bind 127.0.0.3 --to 201 --from sip:201@acme.example --timeout 1 || true)
check ban-survives-flood "INVITE from 127.0.0.3 after $f2_src fresh sources (> max_tracked_addresses $limit_max_tracked): $out" \
    [ "$out" = "no answer within 1 s" ]
check daemon-alive "switchd still running after everything" kill -0 "$switchd_pid"

stop_pid "$switchd_pid"
switchd_pid=""
grep -F "switchd stopped" "$log" | sed 's/.*counters=/counters: /' | cut -c1-400 | indent || true

echo "logs: $workdir"
[[ $xfailed -eq 0 ]] || echo "$xfailed known daemon issue(s) shown as XFAIL (SECURITY_STRICT=1 counts them as failures)"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
