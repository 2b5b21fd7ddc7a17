#!/usr/bin/env bash
# The metrics listener ([metrics] listen, `switchd run --metrics-listen`): GET /metrics (Prometheus text, exact
# counters of requests, responses, decisions, drops, auth failures, bans, reloads, the request-duration
# histogram, registrations, connections), GET /health, what it refuses (405, 4xx for bodies, 404), and a flood
# of HTTP connections that must not disturb SIP. SIP goes to 127.0.0.1 only, over UDP (and one TCP
# connection); the sources 127.0.0.2 and 127.0.0.3 stand for untrusted callers. The sample conf's [metrics]
# listen is replaced by a free port.
#   bash Tests/daemon/metrics.sh [path-to-switchd]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
switchd=$(need_switchd "${1:-}")
lib_init metrics 120

conf=$lib_work/conf
cp -R "$lib_root/conf" "$conf"
rm -rf "$conf/var"
cport=$(free_port tcp)  # the conf's [metrics] listen (in place of the sample's), which --metrics-listen overrides
awk '/^\[/ { skip = /^\[metrics\]/ } !skip' "$lib_root/conf/switchd.toml" >"$conf/switchd.toml"
printf '\n[metrics]\nlisten = "127.0.0.1:%s"\n' "$cport" >>"$conf/switchd.toml"
sed -i 's|^store = .*|store = "memory"|' "$conf/switchd.toml"
mport=$(free_port tcp)
export SNAP=$lib_work/snap.json MPORT=$mport
cat >"$lib_work/h.py" <<'EOF'
# h.py COMMAND ...: the HTTP side (MPORT) and the raw UDP/TCP probes (SPORT, TPORT) of this test
import http.client, json, os, re, select, signal, socket, sys, time
M = ("127.0.0.1", int(os.environ["MPORT"]))
SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+-?\d+)?')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|\\.)*)"\s*(?:,|$)')

def req(method, path):  # (status, Content-Type, body)
    c = http.client.HTTPConnection(*M, timeout=3)
    try:
        c.request(method, path)
        r = c.getresponse()
        return str(r.status), r.getheader("Content-Type", "none"), r.read().decode(errors="replace")
    except ConnectionRefusedError:
        return "refused", "", ""
    except (OSError, http.client.HTTPException):
        return "no answer", "", ""

def key(name, text):  # one spelling of a series, its labels sorted
    labels = sorted(LABEL.findall(text or ""))
    return name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}" if labels else "")

def samples():  # ({series: value} of GET /metrics, the lines not in the text format, the body)
    status, _, body = req("GET", "/metrics")
    out, bad = {}, []
    for line in (body.splitlines() if status == "200" else []):
        m = SAMPLE.fullmatch(line)
        if line.startswith("#"):
            continue
        if not m or LABEL.sub("", m.group(2) or "").strip() or key(m.group(1), m.group(2)) in out or \
                not re.fullmatch(r"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|Inf|NaN)", m.group(3)):
            bad.append(repr(line))
        else:
            out[key(m.group(1), m.group(2))] = float(m.group(3))
    return out, bad, body

def value(vals, s):  # s: 'name{l="v"}', or "sum:name" for the sum over all its label sets
    if s.startswith("sum:"):
        return sum(v for k, v in vals.items() if k.split("{")[0] == s[4:])
    m = re.fullmatch(r'([^{]+)(?:\{(.*)\})?', s)
    return vals.get(key(m.group(1), m.group(2)))

def fmt(v):
    return "absent" if v is None else str(int(v)) if float(v).is_integer() else str(v)

def poll(want, now):  # now() until it is want (1.5 s at most), then again 0.2 s later: nothing arrives late
    deadline = time.monotonic() + 1.5
    while now() != want and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.2)
    return now()

def main(cmd, *a):
    if cmd in ("status", "ctype"):  # status PATH [METHOD]
        print(req(a[1] if a[1:] else "GET", a[0])[cmd == "ctype"])
    elif cmd == "body":  # body length|chunked: the status a GET /metrics with a body gets (sent in one piece: the
        # answer may come, and the connection close, as soon as the headers are read)
        answer = b""
        try:
            with socket.create_connection(M, 3) as s:
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + {"length": b"Content-Length: 5\r\n\r\nhello",
                          "chunked": b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"}[a[0]])
                while b"\r\n" not in answer and (chunk := s.recv(4096)):
                    answer += chunk
        except OSError as e:
            answer += f" ({e})".encode()
        print(answer.decode(errors="replace").split("\r\n")[0] or "no answer")
    elif cmd in ("values", "missing", "nonzero"):  # SERIES...: their values / the absent / the absent or not 0
        v = [(s, value(samples()[0], s)) for s in a]
        print(" ".join(fmt(x) if cmd == "values" else s for s, x in v
                       if cmd == "values" or x is None or (cmd == "nonzero" and x != 0)))
    elif cmd == "lint":  # the text format, three TYPE lines, a cumulative histogram whose +Inf bucket is _count
        vals, bad, body = samples()
        bad += [t for t in ("# TYPE switchd_requests_total counter", "# TYPE switchd_config_generation gauge",
                            "# TYPE switchd_request_duration_seconds histogram") if t not in body.splitlines()]
        b = sorted((float(re.search(r'le="([^"]*)"', k).group(1)), v) for k, v in vals.items()
                   if k.startswith("switchd_request_duration_seconds_bucket{"))
        bad += ["buckets not cumulative"] * any(x[1] > y[1] for x, y in zip(b, b[1:]))
        bad += ["+Inf bucket is not _count"] * (not b or b[-1] != (float("inf"), vals.get("switchd_request_duration_seconds_count")))
        print("; ".join(bad + ["no final newline"] * (not body.endswith("\n"))))
    elif cmd == "snap":
        json.dump(samples()[0], open(os.environ["SNAP"], "w"))
    elif cmd == "delta":  # delta SERIES=N...: how much each grew since snap
        snap, pairs = json.load(open(os.environ["SNAP"])), [p.rsplit("=", 1) for p in a]
        def now():
            vals = samples()[0]
            return [fmt(None if value(vals, s) is None or value(snap, s) is None else value(vals, s) - value(snap, s))
                    for s, _ in pairs]
        print(" ".join(poll([n for _, n in pairs], now)))
    elif cmd == "tcpconn":  # the tcp connections gauge while a SIP connection is open, then after it closed
        tcp = lambda: [fmt(value(samples()[0], 'switchd_connections{transport="tcp"}'))]
        c = socket.create_connection(("127.0.0.1", int(os.environ["TPORT"])), 2)
        c.sendall(b"\r\n\r\n")
        c.recv(16)  # the CRLF answering the ping: the connection is accepted
        one = poll(["1"], tcp)
        c.close()
        print(one[0], poll(["0"], tcp)[0])
    elif cmd == "health":  # health shape|result|gen
        st, _, body = req("GET", "/health")
        j = json.loads(body) if body.startswith("{") else {}
        lr, g, ls = j.get("last_reload"), j.get("config_generation"), j.get("listeners")
        lr, number = lr if isinstance(lr, dict) else {}, type(g) in (int, float)
        print({"shape": f"{st} {j.get('status')} {number} {'result' in lr and 'time' in lr} "
                        f"{isinstance(ls, list) and os.environ['SPORT'] in json.dumps(ls)}",
               "result": lr.get("result"), "gen": fmt(g) if number else g}[a[0]])
    elif cmd == "udp":  # udp BIND COUNT [garbage]: COUNT keep-alive OPTIONS (or garbage) from BIND; answers in 1 s
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a[0], 0))
        s.settimeout(1.0)
        (h, p), sp, n = s.getsockname(), os.environ["SPORT"], 0
        for i in range(int(a[1])):
            s.sendto(b"\x00\x01\x02 garbage \xff" if a[2:] else (
                f"OPTIONS sip:127.0.0.1:{sp} SIP/2.0\r\nVia: SIP/2.0/UDP {h}:{p};branch=z9hG4bK{os.getpid()}x{i};rport\r\n"
                f"Max-Forwards: 70\r\nFrom: <sip:ping@{h}>;tag=t{i}\r\nTo: <sip:127.0.0.1:{sp}>\r\n"
                f"Call-ID: m{os.getpid()}x{i}@{h}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode(), ("127.0.0.1", int(sp)))
        try:
            while s.recv(65535):
                n += 1
        except socket.timeout:
            print(n)
    elif cmd == "flood":  # flood N HOLD READY: N connections at once (a third send garbage, a third an endless header)
        socks = [socket.socket() for _ in range(int(a[0]))]
        for s in socks:
            s.setblocking(False)
            s.connect_ex(M)
        time.sleep(1)
        up = [s for s in select.select([], socks, [], 0)[1] if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
        for i, s in enumerate(socks):
            try:
                s.send([os.urandom(512), b"GET /metrics HTTP/1.1\r\nX: " + b"A" * 60000, b""][i % 3])
            except OSError:
                pass
        open(a[2], "w").write(f"{len(up)} of {len(socks)} established after 1 s")
        time.sleep(float(a[1]))
    elif cmd == "stopping":  # stopping PID: SIGTERM, then what /health answers until it refuses (15 s at most)
        os.kill(int(a[0]), signal.SIGTERM)
        seen, deadline = [], time.monotonic() + 15
        while seen[-1:] != ["refused"] and time.monotonic() < deadline:
            st = req("GET", "/health")[0]
            seen += [st] * (seen[-1:] != [st])
            time.sleep(0.01)
        print(" ".join(seen))

main(*sys.argv[1:])
EOF

h() { SPORT=$port TPORT=$tport python3 "$lib_work/h.py" "$@" </dev/null; }
rq() { printf 'switchd_requests_total{method="%s"}' "$1"; }
rs() { printf 'switchd_responses_total{status="%s"}' "$1"; }
dc() { printf 'switchd_decisions_total{outcome="%s"}' "$1"; }
dr() { printf 'switchd_dropped_total{reason="%s"}' "$1"; }
deltas() {  # deltas NAME SERIES=N...: each series grew by exactly N since the last `h snap`
    local name=$1 want=() p
    shift
    for p in "$@"; do want+=("${p##*=}"); done
    check "$name" "$(h delta "$@")" "${want[*]}"
}
invite() {  # invite NUMBER [METHOD [FROM]]: the status line of the answer, "no answer" when none comes in 1 s
    local out
    out=$(python3 "$lib_root/scripts/send-invite.py" --to "$1" --method "${2:-INVITE}" \
        --from "${3:-sip:202@acme.example}" --timeout 1 "127.0.0.1:$port" 2>/dev/null | tr -d '\r' | head -1) || true
    echo "${out:-no answer}"
}
sipstatus() { jget "$(python3 "$regclient" "$1" "127.0.0.1:$port" "${@:2}" </dev/null || true)" status; }
start() {  # start NAME ARGS...: switchd on fresh UDP and TCP ports; waits for its listeners (10 s at most)
    local name=$1 _
    shift
    port=$(free_port udp) tport=$(free_port tcp)
    node_log[$name]=$lib_work/$name.log
    : >"${node_log[$name]}"  # before the first grep below (the background job creates it later)
    "$switchd" run --conf "$conf" --listen "udp:127.0.0.1:$port" --listen "tcp:127.0.0.1:$tport" "$@" \
        >"${node_log[$name]}" 2>&1 &
    node_pid[$name]=$!
    for _ in $(seq 1 100); do
        grep -q "switchd listening" "${node_log[$name]}" &&
            { [[ $* == *off* ]] || grep -q "metrics listening" "${node_log[$name]}"; } && return 0
        kill -0 "${node_pid[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL switchd $name did not start"
    exit 1
}
logged() { grep "metrics listening" "${node_log[$1]}" | grep -qF "$2"; }  # logged NAME ADDRESS
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v ~ /^[0-9.e+]+$/ && v + 0 >= lo && v + 0 <= hi) }'; }

series=('switchd_responses_total{status="302"}' switchd_auth_failures_total switchd_bans_active
    'switchd_connections{transport="tcp"}' 'switchd_connections{transport="tls"}' switchd_request_duration_seconds_sum
    'switchd_request_duration_seconds_bucket{le="+Inf"}' switchd_request_duration_seconds_count)
for m in INVITE OPTIONS ACK REGISTER BYE CANCEL other; do series+=("$(rq $m)"); done
for o in redirect foreign_trunk foreign_domain not_found incomplete challenged barred emergency unavailable; do
    series+=("$(dc $o)"); done
for r in malformed oversized rate_limited banned decision_log; do series+=("$(dr $r)"); done
for c in acme globex initech umbrella; do series+=("switchd_registrations{customer=\"$c\"}"); done
reloads=('switchd_config_reloads_total{result="ok"}' 'switchd_config_reloads_total{result="failed"}')

t0=$(date +%s)
start A --metrics-listen "127.0.0.1:$mport"
check_true "the log says metrics listening, with the address" "" logged A "127.0.0.1:$mport"
check "--metrics-listen replaces the conf's address" "$(MPORT=$cport h status /health)" "refused"
check "GET /metrics" "$(h status /metrics)" "200"
check "its Content-Type" "$(h ctype /metrics)" "text/plain; version=0.0.4"
check "every line is in the text format" "$(h lint)" ""
check "every series is there from the start" "$(h missing "${series[@]}" "${reloads[@]}" switchd_config_generation \
    switchd_config_loaded_timestamp_seconds)" ""
check "all at 0 before any request" "$(h nonzero "${series[@]}")" ""
ts=$(h values switchd_config_loaded_timestamp_seconds)
check_true "config_loaded_timestamp_seconds is the start" "$ts, started $t0" in_range "$ts" $((t0 - 2)) $(($(date +%s) + 2))
check "GET /health: status, config_generation, last_reload, listeners" "$(h health shape)" "200 serving True True True"
gen=$(h values switchd_config_generation)
check "/health's config_generation is the gauge's" "$(h health gen)" "$gen"

h snap
sum0=$(h values switchd_request_duration_seconds_sum)
n=0
for _ in 1 2 3 4 5; do [[ $(invite 201) == "SIP/2.0 302 Moved Temporarily" ]] && n=$((n + 1)); done
check "5 INVITEs to 201 get 302" "$n" "5"
deltas "  counted: INVITE, 302, redirect, histogram _count and +Inf bucket" "$(rq INVITE)=5" "$(rs 302)=5" \
    "$(dc redirect)=5" switchd_request_duration_seconds_count=5 'switchd_request_duration_seconds_bucket{le="+Inf"}=5'
sum1=$(h values switchd_request_duration_seconds_sum)
check_true "  and the histogram's _sum grew" "$sum0 -> $sum1" awk -v a="$sum0" -v b="$sum1" 'BEGIN { exit !(b > a) }'
# One request at a time: its answer, then exactly how the counters moved (COMMAND|answer|SERIES=N ...). A call
# (INVITE, OPTIONS to a number) makes one decision, so the sum over every outcome grows by 1.
while IFS='|' read -r cmd want pairs; do
    h snap
    check "$cmd" "$(eval "$cmd")" "$want"
    eval "deltas '  counted' $pairs"
done <<'EOF'
invite 911|SIP/2.0 302 Moved Temporarily|"$(dc emergency)=1" sum:switchd_decisions_total=1 "$(rs 302)=1"
invite 555|SIP/2.0 404 Not Found|"$(dc not_found)=1" sum:switchd_decisions_total=1 "$(rs 404)=1"
invite 20|SIP/2.0 484 Address Incomplete|"$(dc incomplete)=1" sum:switchd_decisions_total=1
invite 203|SIP/2.0 480 Temporarily Unavailable|"$(dc unavailable)=1" sum:switchd_decisions_total=1
invite 7195551234 INVITE sip:100@globex.example|SIP/2.0 403 Trunk Of Another Customer|"$(dc foreign_trunk)=1" sum:switchd_decisions_total=1
invite 9011442079460000 OPTIONS|SIP/2.0 403 Call Class Barred|"$(dc barred)=1" sum:switchd_decisions_total=1 "$(rq OPTIONS)=1" "$(rs 403)=1"
sipstatus lookup --to 100 --domain globex.example|403|"$(dc foreign_domain)=1" sum:switchd_decisions_total=1
sipstatus lookup --to 201 --bind 127.0.0.2|401|"$(dc challenged)=1" sum:switchd_decisions_total=1 "$(rs 401)=1" switchd_auth_failures_total=0
invite "" OPTIONS|SIP/2.0 200 OK|"$(rq OPTIONS)=1" "$(rs 200)=1" sum:switchd_decisions_total=0
invite 201 BYE|SIP/2.0 405 Method Not Allowed|"$(rq BYE)=1" "$(rs 405)=1" sum:switchd_decisions_total=0
invite 201 FOO|SIP/2.0 501 Not Implemented|"$(rq other)=1" "$(rs 501)=1"
invite 201 ACK|no answer|"$(rq ACK)=1" sum:switchd_responses_total=0 sum:switchd_decisions_total=0
invite 201 CANCEL|no answer|"$(rq CANCEL)=1" sum:switchd_responses_total=0
sipstatus register --aor 210@acme.example --contact sip:210@phone.example|200|"$(rq REGISTER)=1" "$(rs 200)=1" 'switchd_registrations{customer="acme"}=1'
h udp 127.0.0.1 1 garbage|0|"$(dr malformed)=1" sum:switchd_requests_total=0
EOF

h snap  # auth_failures = 10 in the sample: the tenth wrong password bans 127.0.0.2
for _ in $(seq 1 10); do
    sipstatus register --aor 201@acme.example --contact sip:201@phone.example --password wrong --bind 127.0.0.2 >/dev/null
done
deltas "10 wrong passwords: 10 auth failures, 1 ban" switchd_auth_failures_total=10 switchd_bans_active=1
h snap
check "the banned source gets no answer" "$(h udp 127.0.0.2 1)" "0"
deltas "  dropped banned" "$(dr banned)=1"
h snap
a=$(h udp 127.0.0.3 100)
a=${a//[^0-9]/}
check_true "100 keep-alives at once from 127.0.0.3: the burst (40) is answered" "$a answered" in_range "${a:-0}" 40 45
deltas "  every other one is dropped rate_limited" "$(dr rate_limited)=$((100 - ${a:-0}))"
check "connections{tcp} while a SIP connection is open, then after" "$(h tcpconn)" "1 0"

for m in POST PUT DELETE; do check "$m /metrics" "$(h status /metrics $m)" "405"; done
check "GET /nope" "$(h status /nope)" "404"
for b in length chunked; do
    st=$(h body $b)
    check_true "GET /metrics with a body ($b) is refused with a 4xx" "$st" grep -Eq '^HTTP/1.1 4[0-9]{2} ' <<<"$st"
done
check "and /metrics still answers" "$(h status /metrics)" "200"

# 300 connections held for 4 s (garbage, endless headers, silence) while 10 INVITEs must be answered.
h flood 300 4 "$lib_work/flood" &
flood=$!
for _ in $(seq 1 50); do [[ -s $lib_work/flood ]] && break; sleep 0.1; done
n=0
for _ in $(seq 1 10); do [[ $(invite 201) == "SIP/2.0 302 Moved Temporarily" ]] && n=$((n + 1)); done
check "during the flood ($(cat "$lib_work/flood" 2>/dev/null)) every INVITE is answered" "$n" "10"
wait "$flood" || true
check "after the flood /metrics answers" "$(h status /metrics)" "200"
check_true "the daemon is alive" "" kill -0 "${node_pid[A]}"

cp "$conf/customers/acme.toml" "$lib_work/acme.toml"
printf 'cm = \n' >>"$conf/customers/acme.toml"
h snap
kill -HUP "${node_pid[A]}"
for _ in $(seq 1 50); do grep -q "reload failed" "${node_log[A]}" && break; sleep 0.1; done
deltas "a failed reload: failed +1, ok and generation unchanged" "${reloads[1]}=1" "${reloads[0]}=0" switchd_config_generation=0
check "  /health's last_reload" "$(h health result)" "failed"
cp "$lib_work/acme.toml" "$conf/customers/acme.toml"
h snap
t1=$(date +%s)
kill -HUP "${node_pid[A]}"
for _ in $(seq 1 50); do grep -q "configuration reloaded" "${node_log[A]}" && break; sleep 0.1; done
deltas "a good reload: ok +1, generation +1" "${reloads[0]}=1" "${reloads[1]}=0" switchd_config_generation=1
check "  /health's last_reload and config_generation" "$(h health result) $(h health gen)" "ok $((gen + 1))"
ts=$(h values switchd_config_loaded_timestamp_seconds)
check_true "  config_loaded_timestamp_seconds is the reload's" "$ts, reloaded $t1" in_range "$ts" $((t1 - 1)) $(($(date +%s) + 2))

# SIGTERM: /health may answer 200 until the signal is handled, then 503 until the listener closes.
seen=$(h stopping "${node_pid[A]}")
check_true "SIGTERM: /health answers 503 while stopping" "seen: $seen" \
    grep -Eqx '(200 )?503 (no answer )?refused' <<<"$seen"
for _ in $(seq 1 150); do kill -0 "${node_pid[A]}" 2>/dev/null || break; sleep 0.1; done
node_stop A
check "  exit status" "$node_status" "0"

start B --metrics-listen off
check "--metrics-listen off: nothing on the conf's address" "$(MPORT=$cport h status /health)" "refused"
check "  and no metrics listening line" "$(grep -c "metrics listening" "${node_log[B]}" || true)" "0"
node_stop B
start C
check "[metrics] listen of the conf" "$(MPORT=$cport h status /health)" "200"
check_true "  logged" "" logged C "127.0.0.1:$cport"
node_stop C
lib_summary
