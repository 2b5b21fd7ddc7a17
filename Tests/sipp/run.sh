#!/usr/bin/env bash
# SIPp scenario tests for switchd (Debian package sip-tester, binary sipp).
#
#   Tests/sipp/run.sh [PATH-TO-SWITCHD]        default: .build/debug/switchd (relative to the cwd)
#
# Starts switchd on 127.0.0.1 (a free UDP port from 15060 up, and TCP on the same port number) with the
# sample conf/, waits until it answers an OPTIONS keep-alive, runs every scenario of this folder against
# it, over UDP and then over TCP (-t t1: one connection for all calls; -t tn: one per call), prints one PASS/FAIL
# line per scenario, the load run's calls/s and failed calls, and a final "N passed, M failed".
# Exits non-zero when any scenario failed. Logs (SIPp error logs, stats, screens, the daemon's log) are
# kept in a temporary directory whose path is printed at the end.
#
# Environment (all optional):
#   SWITCHD_CONF   configuration directory            (default: conf/ of this repository)
#   LOAD_CALLS     calls of the load run               (default: 10000)
#   LOAD_RATE      calls/s the load run aims at        (default: 500; the debug build on a busy
#                                                      2-core machine answers in ~1 ms there)
#   LOAD_LIMIT     simultaneous calls in the load run  (default: 1000)
#   TCP_LOAD_CALLS calls of each TCP load run          (default: 5000; -t tn opens a connection per call)
#
# Every SIPp run is bounded: -recv_timeout (and a timeout on each <recv>) fails a call whose answer
# does not come, -timeout with -timeout_error fails the whole run when it takes too long, and
# `timeout` kills sipp should it still hang.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
switchd=${1:-.build/debug/switchd}
conf=${SWITCHD_CONF:-$root/conf}
load_calls=${LOAD_CALLS:-10000}
load_rate=${LOAD_RATE:-500}
load_limit=${LOAD_LIMIT:-1000}
tcp_load_calls=${TCP_LOAD_CALLS:-5000}
host=127.0.0.1

die() { echo "run.sh: $*" >&2; exit 2; }

command -v sipp >/dev/null || die "sipp not found (Debian: apt-get install sip-tester)"
[[ -x $switchd ]] || die "switchd binary '$switchd' not found or not executable (build it first)"
[[ -d $conf ]] || die "configuration directory '$conf' not found"
switchd=$(cd "$(dirname "$switchd")" && pwd)/$(basename "$switchd")

logdir=$(mktemp -d "${TMPDIR:-/tmp}/switchd-sipp.XXXXXX")
switchd_pid=""

cleanup() {
    if [[ -n $switchd_pid ]] && kill -0 "$switchd_pid" 2>/dev/null; then
        kill -TERM "$switchd_pid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$switchd_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$switchd_pid" 2>/dev/null || true
        wait "$switchd_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Is port $1 on 127.0.0.1 free for UDP and TCP? ss (iproute2) when present, else python3, else assume it is.
udp_port_free() {
    local port=$1
    if command -v ss >/dev/null; then
        [[ -z $(ss -Hlun "sport = :$port" 2>/dev/null) && -z $(ss -Hltn "sport = :$port" 2>/dev/null) ]]
    elif command -v python3 >/dev/null; then
        python3 -c 'import socket,sys
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s=socket.socket(socket.AF_INET, kind)
    try: s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError: sys.exit(1)' "$port"
    else
        return 0
    fi
}

# First free UDP port from $1 on.
pick_port() {
    local port=$1
    while (( port < $1 + 500 )); do
        if udp_port_free "$port"; then
            echo "$port"
            return 0
        fi
        port=$((port + 1))
    done
    die "no free UDP port from $1 on"
}

# Data lines of an injection file: not the first line (SEQUENTIAL/RANDOM), not comments, not blank.
csv_calls() { tail -n +2 "$1" | grep -v '^#' | grep -c '[^[:space:]]' || true; }

# Value of column $2 (by header name) in the last line of SIPp's statistics file $1.
stat_value() {
    awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        { last = $c } END { print (c ? last : "") }' "$1" 2>/dev/null || true
}

# run_sipp NAME LOCAL-IP GLOBAL-TIMEOUT-S SIPP-ARGS... : runs sipp against the daemon, logs under NAME.
# Sets sipp_rc.
run_sipp() {
    local name=$1 local_ip=$2 limit_s=$3
    shift 3
    local lport
    lport=$(pick_port 25060)
    sipp_rc=0
    (cd "$logdir" && timeout --kill-after=5 "$((limit_s + 15))" \
        sipp "$host:$port" -i "$local_ip" -p "$lport" -nd -nostdin \
            -recv_timeout 5000 -timeout "${limit_s}s" -timeout_error \
            -trace_err -error_file "$logdir/$name.errors.log" \
            -trace_stat -stf "$logdir/$name.stat.csv" \
            -trace_screen -screen_file "$logdir/$name.screen.log" \
            "$@" >"$logdir/$name.out" 2>&1) || sipp_rc=$?
}

passed=0
failed=0

# scenario NAME XML CSV|- CALLS RATE LIMIT GLOBAL-TIMEOUT-S [LOCAL-IP] [SIPP-TRANSPORT]
# SIPP-TRANSPORT: u1 (UDP, the default), t1 (TCP, one connection for every call), tn (one per call).
scenario() {
    local name=$1 xml=$2 csv=$3 calls=$4 rate=$5 limit=$6 limit_s=$7 local_ip=${8:-$host} transport=${9:-u1}
    local inf=() sockets=()
    [[ $csv != - ]] && inf=(-inf "$here/$csv")
    # (SIPp's default of 50,000 sockets for tn is refused when above the file limit)
    [[ $transport == tn ]] && sockets=(-max_socket 2000)
    run_sipp "$name" "$local_ip" "$limit_s" -t "$transport" "${sockets[@]}" -sf "$here/$xml" "${inf[@]}" -m "$calls" -r "$rate" -l "$limit"
    local ok fail
    ok=$(stat_value "$logdir/$name.stat.csv" 'SuccessfulCall(C)')
    fail=$(stat_value "$logdir/$name.stat.csv" 'FailedCall(C)')
    if [[ $sipp_rc -eq 0 && ${ok:-0} -eq $calls && ${fail:-0} -eq 0 ]]; then
        echo "PASS $name ($calls calls)"
        passed=$((passed + 1))
    else
        echo "FAIL $name (sipp exit $sipp_rc; ${ok:-?} of $calls calls succeeded, ${fail:-?} failed)"
        failed=$((failed + 1))
        if [[ -s $logdir/$name.errors.log ]]; then
            # SIPp writes its events without line breaks between them: split before each timestamp.
            echo "  --- last events of $logdir/$name.errors.log"
            tr -d '\r' <"$logdir/$name.errors.log" |
                sed 's/\(.\)\([0-9]\{4\}-[0-9][0-9]-[0-9][0-9]\t[0-9][0-9]:\)/\1\n\2/g' |
                grep -v '^The following events occurred:$' | tail -n 15 | cut -c1-400 | sed 's/^/  | /'
        else
            echo "  --- tail of $logdir/$name.out"
            tail -n 25 "$logdir/$name.out" | tr -d '\r' | sed 's/^/  | /'
        fi
    fi
}

# --- start the daemon -------------------------------------------------------------------------
port=$(pick_port 15060)
metrics_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$switchd" run --conf "$conf" --listen "udp:$host:$port" --listen "tcp:$host:$port" \
    --metrics-listen "127.0.0.1:$metrics_port" --log-level notice \
    >"$logdir/switchd.log" 2>&1 &
switchd_pid=$!

ready=0
for _ in $(seq 1 40); do
    if ! kill -0 "$switchd_pid" 2>/dev/null; then
        echo "FAIL switchd exited during startup:"
        sed 's/^/  | /' "$logdir/switchd.log"
        echo "0 passed, 1 failed"
        exit 1
    fi
    run_sipp probe "$host" 3 -sf "$here/options.xml" -m 1
    if [[ $sipp_rc -eq 0 ]]; then ready=1; break; fi
    sleep 0.25
done
if [[ $ready -ne 1 ]]; then
    echo "FAIL switchd does not answer OPTIONS on udp:$host:$port"
    tail -n 20 "$logdir/probe.out" "$logdir/switchd.log" | sed 's/^/  | /'
    echo "0 passed, 1 failed"
    exit 1
fi
echo "switchd (pid $switchd_pid) answers on udp:$host:$port (and listens on tcp:$host:$port); logs in $logdir"

# --- the scenarios ----------------------------------------------------------------------------
scenario keepalive      options.xml  -                    5                                  50  5  30
scenario redirect       redirect.xml redirect.csv         "$(csv_calls "$here/redirect.csv")"  100 20 30
scenario reject403      reject403.xml reject403.csv       "$(csv_calls "$here/reject403.csv")" 100 20 30
# Untrusted callers get the 401 challenge: unknown From domains (even from 127.0.0.1), and every caller
# from 127.0.0.2, which is in no customer's networks (SIPp sends no credentials).
scenario challenge401   challenge401.xml challenge401.csv "$(csv_calls "$here/challenge401.csv")" 100 20 30
scenario challenge401-source challenge401.xml challenge401-source.csv "$(csv_calls "$here/challenge401-source.csv")" 100 20 30 127.0.0.2
scenario reject404      reject404.xml reject404.csv       "$(csv_calls "$here/reject404.csv")" 100 20 30
scenario reject484      reject484.xml reject484.csv       "$(csv_calls "$here/reject484.csv")" 100 20 30
scenario load           load.xml     redirect.csv         "$load_calls" "$load_rate" "$load_limit" 120

# The same answers over TCP (RFC 3261 §18.3 framing): one connection for all calls (-t t1), and a new
# connection per call (-t tn); an INVITE with a 4 KB SDP body; bounded load runs on both.
scenario redirect-tcp-t1 redirect.xml redirect.csv      "$(csv_calls "$here/redirect.csv")"  100 20 30 "$host" t1
scenario redirect-tcp-tn redirect.xml redirect.csv      "$(csv_calls "$here/redirect.csv")"  100 20 30 "$host" tn
scenario reject403-tcp-t1 reject403.xml reject403.csv  "$(csv_calls "$here/reject403.csv")" 100 20 30 "$host" t1
scenario challenge401-tcp-tn challenge401.xml challenge401-source.csv "$(csv_calls "$here/challenge401-source.csv")" 100 20 30 127.0.0.2 tn
scenario bigbody-tcp-t1  bigbody.xml  -                 20                                   20  5  30 "$host" t1
# The metrics count exactly: over TCP nothing is retransmitted, so one load run is exactly its calls'
# INVITEs, ACKs and 302s.
metric() {  # metric SERIES: its value on /metrics now
    python3 - "$metrics_port" "$1" <<'EOF'
import sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
print(next((line.split(" ")[1] for line in text.splitlines() if line.startswith(sys.argv[2] + " ")), "absent"))
EOF
}
counted=('switchd_requests_total{method="INVITE"}' 'switchd_requests_total{method="ACK"}' 'switchd_responses_total{status="302"}')
before=()
for series in "${counted[@]}"; do before+=("$(metric "$series")"); done
scenario load-tcp-t1     load.xml     redirect.csv      "$tcp_load_calls" "$load_rate" "$load_limit" 120 "$host" t1
grown=""
for index in "${!counted[@]}"; do grown+="$(( $(metric "${counted[$index]}") - ${before[$index]} )) "; done
if [[ $grown == "$tcp_load_calls $tcp_load_calls $tcp_load_calls " ]]; then
    echo "PASS metrics: load-tcp-t1 grew INVITE, ACK and 302 by exactly $tcp_load_calls each"
    passed=$((passed + 1))
else
    echo "FAIL metrics: load-tcp-t1 grew INVITE, ACK and 302 by $grown(expected $tcp_load_calls each)"
    failed=$((failed + 1))
fi
scenario load-tcp-tn     load.xml     redirect.csv      "$tcp_load_calls" "$load_rate" "$load_limit" 120 "$host" tn
for run in load-tcp-t1 load-tcp-tn; do
    echo "$run: $(stat_value "$logdir/$run.stat.csv" 'SuccessfulCall(C)') of $tcp_load_calls calls succeeded," \
        "$(stat_value "$logdir/$run.stat.csv" 'FailedCall(C)') failed, $(stat_value "$logdir/$run.stat.csv" 'CallRate(C)') calls/s"
done

load_cps=$(stat_value "$logdir/load.stat.csv" 'CallRate(C)')
load_ok=$(stat_value "$logdir/load.stat.csv" 'SuccessfulCall(C)')
load_failed=$(stat_value "$logdir/load.stat.csv" 'FailedCall(C)')
load_elapsed=$(stat_value "$logdir/load.stat.csv" 'ElapsedTime(C)')
# SIPp writes times as HH:MM:SS:microseconds (millisecond resolution).
load_rtt=$(stat_value "$logdir/load.stat.csv" 'ResponseTime1(C)' |
    awk -F: 'NF == 4 { ms = ($1 * 3600 + $2 * 60 + $3) * 1000 + $4 / 1000
                      if (ms < 1) print "<1 ms"; else printf "%.0f ms\n", ms }')
echo "load: ${load_ok:-?} of $load_calls calls succeeded, ${load_failed:-?} failed calls, ${load_cps:-?} calls/s achieved" \
    "(target $load_rate calls/s, elapsed ${load_elapsed:-?}, mean INVITE->302 time ${load_rtt:-?})"

# The daemon must have survived all of it.
if ! kill -0 "$switchd_pid" 2>/dev/null; then
    echo "FAIL switchd exited during the run:"
    tail -n 20 "$logdir/switchd.log" | sed 's/^/  | /'
    failed=$((failed + 1))
fi

echo "logs: $logdir"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
