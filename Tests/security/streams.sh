#!/usr/bin/env bash
# Abuse over TCP while trusted callers keep calling (`make security-test` runs it after run.sh, on the
# same release build):
#   - the per-address limit: max_connections_per_address + 10 connections from one address;
#   - thousands of idle connections from many addresses (IDLE_CONNECTIONS, 127.30.x.y, 50 per address),
#     each answered a keep-alive ping, then silent: switchd's RSS before and with them (KB per idle
#     connection), and every one closed by the server after idle_timeout;
#   - slowloris (SLOW_CONNECTIONS, 127.31.x.y): half trickle an INVITE's header a byte per second, half
#     send whole headers and trickle the body; every one closed after message_timeout;
#   - connect/close churn from thousands of addresses (127.32.x.y; FIN, RST, or an OPTIONS answered first);
#   - the table filled from many addresses (127.33.x.y) 500 beyond max_connections: exactly the room
#     left is served, the rest refused (a new connection from the trusted 127.0.0.1 too: shown as INFO);
#   - a connection that sends keep-alive pings as fast as it can and never reads the pongs (127.35.0.1):
#     switchd's memory must stay bounded (it stops reading a peer that does not read);
#   - afterwards every slot is back: max_connections - 1 new connections served (the trusted caller
#     holds one), the next ones refused.
# Meanwhile a trusted caller (127.0.0.1, Globex) sends INVITEs over UDP and over one TCP connection,
# TRUSTED_RATE per second each, and measures every answer: per phase and transport, every call must be
# answered 302 (0 lost) with p99 under P99_LIMIT_MS. 200 ms: well under RFC 3261's T1 (500 ms), the first
# UDP retransmission, so a phone never retransmits and a caller hears no delay; run.sh uses the same bound.
#
#   bash Tests/security/streams.sh [PATH-TO-SWITCHD]     (default: the debug build)
#
# switchd runs on free ports of 127.0.0.1 (UDP and TCP) on a copy of conf/ with [limits] max_connections
# 6000, max_connections_per_address 64, message_timeout 2, idle_timeout 30 (other limits as the sample).
# The open-file limit is raised to what the test needs (switchd inherits it); the hard limit must allow it.
# All traffic stays on 127.0.0.0/8; every phase is bounded in time and count, a watchdog ends the test
# after 300 s. The attacking helper runs at nice 10: on one machine it competes with the server and the
# callers it measures. Environment: IDLE_CONNECTIONS (3000), SLOW_CONNECTIONS (200), TRUSTED_RATE (50),
# P99_LIMIT_MS (200), KEEP_LOGS=1 (keep the work directory).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../daemon/lib.sh"
switchd=$(need_switchd "${1:-}")
idle=${IDLE_CONNECTIONS:-3000}
slow=${SLOW_CONNECTIONS:-200}
trusted_rate=${TRUSTED_RATE:-50}
p99_limit_ms=${P99_LIMIT_MS:-200}
max_connections=6000
per_address=64
message_timeout=2
idle_timeout=30

# Descriptors: switchd holds up to max_connections, the attacking helper as many at once (+ margin).
need_fds=$((max_connections + 2048))
hard=$(ulimit -Hn)
if [[ $hard != unlimited && $hard -lt $need_fds ]]; then
    echo "streams.sh: the hard limit of open files is $hard, the test needs $need_fds (ulimit -Hn)" >&2
    exit 2
fi
soft=$(ulimit -Sn)
if [[ $soft != unlimited && $soft -lt $need_fds ]]; then ulimit -Sn "$need_fds"; fi

lib_init streams 300
[[ ${KEEP_LOGS:-0} == 1 ]] && lib_on_exit 'cp -R "$lib_work" "${lib_work}.kept" && echo "logs kept in ${lib_work}.kept"'
conf=$lib_work/conf
cp -R "$lib_root/conf" "$conf"
rm -rf "$conf/var" "$conf/tls"
cat >"$conf/switchd.toml" <<TOML
[limits]
max_connections = $max_connections
max_connections_per_address = $per_address
message_timeout = $message_timeout
idle_timeout = $idle_timeout

[registrar]
store = "memory"
TOML

tcp_port=$(free_port tcp)
# debug: one line per connection closed or refused, with the reason (counted below)
if ! node_start A "$conf" --listen "tcp:127.0.0.1:$tcp_port" --log-level debug; then
    echo "FAIL switchd does not start"
    lib_failed=$((lib_failed + 1))
    lib_summary || exit 1
fi
udp_server=$(node_addr A)
tcp_server=127.0.0.1:$tcp_port
pid=${node_pid[A]}
log=${node_log[A]}
echo "switchd (pid $pid) on udp:$udp_server and tcp:$tcp_server; open files: $(ulimit -Sn);" \
    "[limits] max_connections=$max_connections max_connections_per_address=$per_address" \
    "message_timeout=$message_timeout idle_timeout=$idle_timeout"

stop_file=$lib_work/trusted.stop
udp_pid="" tcp_pid="" abuse_pid=""
lib_on_exit 'for p in $udp_pid $tcp_pid $abuse_pid; do kill "$p" 2>/dev/null; done'
interval=$(python3 -c "print(1 / $trusted_rate)")
now() { date +%s.%N; }
t_start=$(now)
python3 "$here/sipclient.py" trusted "$udp_server" --bind 127.0.0.1 --from sip:100@globex.example --to 201 \
    --interval "$interval" --stop-file "$stop_file" --result "$lib_work/trusted-udp.json" --max-seconds 240 &
udp_pid=$!
python3 "$here/streamflood.py" trusted-tcp "$tcp_server" --bind 127.0.0.1 --from sip:100@globex.example --to 201 \
    --interval "$interval" --stop-file "$stop_file" --result "$lib_work/trusted-tcp.json" --max-seconds 240 &
tcp_pid=$!
sleep 3
abuse_rc=0
nice -n 10 timeout --kill-after=5 220 python3 "$here/streamflood.py" abuse "$tcp_server" --server-pid "$pid" \
    --result "$lib_work/abuse.json" --max-connections "$max_connections" --per-address "$per_address" \
    --message-timeout "$message_timeout" --idle-timeout "$idle_timeout" --idle "$idle" --slow "$slow" \
    2>"$lib_work/abuse.err" &
abuse_pid=$!
wait "$abuse_pid" || abuse_rc=$?
abuse_pid=""
touch "$stop_file"
wait "$udp_pid" || true
wait "$tcp_pid" || true
udp_pid="" tcp_pid=""
alive=0
kill -0 "$pid" 2>/dev/null && alive=1
node_stop A
stop_status=$node_status
[[ $abuse_rc -eq 0 ]] || { echo "abuse helper exit $abuse_rc:"; tail -n 20 "$lib_work/abuse.err"; }

# Every trusted call split at the phase boundaries the helper marked.
mapfile -t bounds < <(python3 -c 'import json, sys
try:
    marks = json.load(open(sys.argv[1]))["phases"]
except (OSError, ValueError, KeyError):
    marks = []
print(",".join(["before"] + [n for n, _ in marks[:-1]]))
print(" ".join([sys.argv[2]] + [str(t) for _, t in marks]))' "$lib_work/abuse.json" "$t_start")
for t in udp tcp; do
    # shellcheck disable=SC2086  # the wall-clock bounds, one word each
    python3 "$here/sipclient.py" phases "$lib_work/trusted-$t.json" "${bounds[0]}" ${bounds[1]} \
        >"$lib_work/phases-$t.json" 2>/dev/null || echo '{}' >"$lib_work/phases-$t.json"
done

closed_slow=$(grep -c "a message not complete within" "$log" || true)
closed_idle=$(grep -c "why=idle for\|why=\"idle for" "$log" || true)
refused_total=$(grep -c "(limits\.max_connections) .*connection refused" "$log" || true)
refused_per_address=$(grep -c "(limits\.max_connections_per_address) .*connection refused" "$log" || true)
counters=$(grep -F "switchd stopped" "$log" | grep -oE "connections_[a-z_]+=[0-9]+" | tr '\n' ' ' || true)

# The verdicts: one "NAME<TAB>0|1<TAB>DETAIL" line each, INFO lines printed as they are.
python3 - "$lib_work" "$p99_limit_ms" "$idle_timeout" "$message_timeout" "$closed_slow" "$closed_idle" \
    "$refused_total" "$refused_per_address" "$alive" "$stop_status" "$abuse_rc" >"$lib_work/verdicts.txt" <<'EOF'
import json, sys
work, limit, idle_timeout, message_timeout = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
closed_slow, closed_idle, refused_total, refused_per_address, alive, stop_status, abuse_rc = sys.argv[5:12]
def load(name):
    try:
        return json.load(open(f"{work}/{name}"))
    except (OSError, ValueError):
        return {}
abuse = load("abuse.json")
def check(name, ok, detail):
    print(f"{name}\t{1 if ok else 0}\t{detail}")
def info(text):
    print(f"INFO\t-\t{text}")
check("abuse-helper", abuse_rc == "0" and "recount" in abuse, f"every phase ran (exit {abuse_rc})")

p = abuse.get("per_address", {})
check("per-address-limit", p.get("served") == abuse.get("limits", {}).get("per_address") and p.get("refused") == 10,
      f"{p.get('asked')} connections from 127.40.0.1: {p.get('served')} served, {p.get('refused')} refused, "
      f"{p.get('failed')} failed; log: {refused_per_address} refused for max_connections_per_address")

i = abuse.get("idle", {})
check("idle-held", i.get("served") == i.get("asked") and not i.get("refused") and not i.get("failed"),
      f"{i.get('asked')} idle connections from {(i.get('asked') or 0) // 50} addresses 127.30.x.y: {i.get('served')} "
      f"served a ping in {i.get('open_seconds')} s, {i.get('refused')} refused, {i.get('failed')} failed")
kb = i.get("kb_per_connection")
check("idle-memory", kb is not None and kb < 64,
      f"switchd RSS {i.get('rss_before_kb')} kB before, {i.get('rss_idle_kb')} kB with {i.get('served')} idle: "
      f"{kb} KB per idle connection (bound 64)")

s = abuse.get("slowloris", {})
lo, hi = s.get("close_after_s_min"), s.get("close_after_s_max")
check("slowloris-closed", s.get("connections") and s.get("closed_by_server") == s.get("connections")
      and lo is not None and lo >= message_timeout - 0.1 and hi <= message_timeout + 1.5,
      f"{s.get('connections')} slow senders from 127.31.x.y: {s.get('closed_by_server')} closed by the server "
      f"({s.get('closed_header_trickle')} trickling the header, {s.get('closed_body_trickle')} the body), "
      f"{s.get('left_open')} left open; {lo}-{hi} s after their first byte (message_timeout {message_timeout:g} s, "
      f"at most {s.get('bytes_sent_max')} bytes sent); log: {closed_slow} closed for a message not complete")

c = abuse.get("churn", {})
check("churn-accepted", c.get("connected") and c.get("connected") == c.get("started") and not c.get("connect_failed"),
      f"{c.get('started')} connections from {c.get('sources')} addresses 127.32.x.y in 6 s: {c.get('connected')} "
      f"connected ({c.get('closed')} closed at once, {c.get('reset')} reset, {c.get('answered')} OPTIONS answered, "
      f"{c.get('no_answer')} unanswered in 2 s (untrusted rate limits), {c.get('closed_by_server')} closed by the "
      f"server; answer p99 {c.get('answer_p99_ms')} ms), {c.get('connect_failed')} failed")

f = abuse.get("full", {})
room = f.get("room") or 0
check("full-refused", f.get("served") is not None and room - 5 <= f["served"] <= room
      and f.get("refused", 0) >= f.get("asked", 0) - room and f.get("idle_still_open") == i.get("served"),
      f"{f.get('open_before')} open (idle + the trusted caller), {f.get('asked')} more asked from 127.33.x.y: "
      f"{f.get('served')} served (room {room}), {f.get('refused')} refused, {f.get('failed')} failed; "
      f"{f.get('idle_still_open')} idle ones still open; log: {refused_total} refused for max_connections")
info(f"while the table was full a new TCP connection from the trusted 127.0.0.1 was {f.get('new_trusted_tcp')} "
     f"(and {f.get('new_trusted_tcp_later')} {abuse.get('limits', {}).get('max_connections')} connections later): "
     "max_connections counts every address alike; the trusted caller's UDP and its open TCP connection are what "
     "the checks below measure")
check("full-released", f.get("new_trusted_tcp_after") == "served",
      f"once the connections beyond the idle ones closed, a new one from 127.0.0.1: {f.get('new_trusted_tcp_after')}")

n = abuse.get("non_reader", {})
growth = (n.get("rss_peak_kb") or 0) - (n.get("rss_before_kb") or 0)
check("non-reader-bounded", n.get("rss_before_kb") is not None and growth < 65536,
      f"127.35.0.1 sent {n.get('bytes_sent')} bytes of pings ({n.get('pongs_owed')} pongs) in {n.get('seconds')} s "
      f"without reading (stalled for the last {n.get('stalled_at_end_s')} s): switchd RSS {n.get('rss_before_kb')} -> "
      f"peak {n.get('rss_peak_kb')} kB (+{growth} kB, bound 64 MB), {n.get('rss_after_close_kb')} kB after it closed")

t = abuse.get("idle_timeout", {})
lo, hi = t.get("close_after_s_min"), t.get("close_after_s_max")
check("idle-timeout-closed", t.get("served") and t.get("closed_by_server") == t.get("served") and not t.get("left_open")
      and lo is not None and lo >= idle_timeout - 0.5 and hi <= idle_timeout + 3,
      f"{t.get('closed_by_server')} of {t.get('served')} idle connections closed by the server, {t.get('left_open')} left "
      f"open, {lo}-{hi} s after their ping (idle_timeout {idle_timeout:g} s); log: {closed_idle} closed for idle")

r = abuse.get("recount", {})
check("slots-released", r.get("served") == r.get("room") and r.get("refused") == r.get("asked", 0) - r.get("room", 0)
      and not r.get("failed"),
      f"after everything: {r.get('asked')} new connections from 127.36.x.y: {r.get('served')} served "
      f"(max_connections - the trusted caller's = {r.get('room')}), {r.get('refused')} refused, {r.get('failed')} failed")
check("slots-released-trusted", r.get("new_trusted_tcp_after") == "served",
      f"then a new connection from 127.0.0.1: {r.get('new_trusted_tcp_after')}")

names = [m[0] for m in abuse.get("phases", [])[:-1]]
for transport in ("udp", "tcp"):
    phases = load(f"phases-{transport}.json")
    for phase in ["before"] + names + ["all"]:
        x = phases.get(phase) or {}
        ok302 = x.get("statuses", {}).get("SIP/2.0 302 Moved Temporarily") == x.get("calls")
        ok = bool(x.get("calls")) and not x.get("lost") and ok302 and x.get("p99_ms") is not None and x["p99_ms"] < limit
        check(f"trusted-{transport}-{phase}", ok,
              f"{x.get('calls')} INVITEs, {x.get('answered')} answered{' (all 302)' if ok302 else ' (NOT all 302)'}, "
              f"{x.get('lost')} lost; p50 {x.get('p50_ms')} ms, p99 {x.get('p99_ms')} ms, max {x.get('max_ms')} ms")
tcp = load("trusted-tcp.json")
check("trusted-tcp-connection-kept", tcp.get("reconnects") == 0,
      f"the trusted caller's TCP connection: {tcp.get('reconnects')} reconnects")
check("daemon-alive", alive == "1" and stop_status == "0", f"running to the end, SIGTERM exit {stop_status}")
EOF
while IFS=$'\t' read -r name ok detail; do
    if [[ $name == INFO ]]; then echo "INFO $detail"; continue; fi
    if [[ $ok == 1 ]]; then check_true "$name" "$detail" true; else check_true "$name" "$detail" false; fi
done <"$lib_work/verdicts.txt"
echo "counters at stop: ${counters:-none}"
lib_summary
