#!/usr/bin/env bash
# The registrar's SQLite store across the daemon's life (`[registrar] store = "sqlite:var/bindings.sqlite"`,
# the sample conf's default, relative to a temporary copy of conf/):
#   - a binding registered with expires=3600 still redirects after SIGTERM and a restart (and keeps its
#     expiry), and after SIGHUP; a Contact on the daemon's own address and port is refused (403);
#   - kill -9 right after a burst of REGISTERs: after a restart, how many of those answered 200 survive
#     (printed); the issue allows losing only those answered in the last second before the kill.
#   bash Tests/daemon/registrar.sh [path-to-switchd]     (make daemon-test runs it after signals.sh)
# Environment: BURST (REGISTERs per burst, default 100, at most 100: acme's extensions 100-199),
# BURST_RATE (REGISTERs/s of the steady burst, default 50). A second burst runs flat out.
# Sends SIP to 127.0.0.1 only (a source in acme's networks); every process is stopped on every way out.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
switchd=$(need_switchd "${1:-}")
burst=${BURST:-100}
burst_rate=${BURST_RATE:-50}
[[ $burst -ge 1 && $burst -le 100 ]] || { echo "BURST must be 1-100" >&2; exit 2; }
lib_init registrar 180

conf=$lib_work/conf
cp -R "$lib_root/conf" "$conf"
rm -rf "$conf/var"
check "the conf copy keeps bindings in SQLite" "$(grep -c '^store = "sqlite:var/bindings.sqlite"' "$conf/switchd.toml")" "1"

first_contact() {  # first_contact EXT: the first Contact of the redirect of a call from 202 to EXT
    local out
    out=$(python3 "$regclient" lookup "$(node_addr A)" --to "$1" || true)
    python3 -c 'import json, sys
r = json.loads(sys.argv[1]) if sys.argv[1] else {}
print(r["contacts"][0] if r.get("status") == 302 and r["contacts"] else "status %s" % r.get("status"))' "$out"
}
stored_expires() {  # stored_expires EXT: what `switchd registrations` says is left of the binding's expiry
    timeout 30 "$switchd" registrations --conf "$conf" --customer acme --json 2>/dev/null |
        python3 -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print(" ".join(str(r["expires"]) for r in rows if r["aor"] == sys.argv[1] + "@acme") or "none")' "$1" || echo "error"
}
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v ~ /^[0-9]+$/ && v + 0 >= lo && v + 0 <= hi) }'; }

check_true "switchd starts on the SQLite store" "" node_start A "$conf"
out=$(python3 "$regclient" register "$(node_addr A)" --aor 201@acme.example --contact sip:201@phone-sqlite.example \
    --expires 3600 || true)
check "REGISTER 201 with expires=3600 gets 200" "$(jget "$out" status)" "200"
check "the redirect uses the binding" "$(first_contact 201)" "sip:201@phone-sqlite.example"
# The daemon's own socket (the address and port it is bound to) is never a phone.
out=$(python3 "$regclient" register "$(node_addr A)" --aor 202@acme.example --contact "sip:202@$(node_addr A)" \
    --expires 3600 || true)
check "a Contact on the daemon's own address and port gets 403" "$(jget "$out" reason)" "SIP/2.0 403 Contact Not Allowed"

# "203" = "registered" in the sample conf: no contact of its own, only its phones.
check "a call to 203 (registered phones only) without a phone gets 480" "$(first_contact 203)" "status 480"
out=$(python3 "$regclient" register "$(node_addr A)" --aor 203@acme.example --contact sip:203@soft-sqlite.example \
    --expires 3600 || true)
check "REGISTER 203 gets 200" "$(jget "$out" status)" "200"
out=$(python3 "$regclient" lookup "$(node_addr A)" --to 203 || true)
check "then the call to 203 is redirected to its phone alone" "$(jget "$out" status) $(jget "$out" contacts)" \
    '302 ["sip:203@soft-sqlite.example"]'

node_stop A TERM
check "SIGTERM stops with status 0" "$node_status" "0"
check_true "the SQLite file exists" "" test -s "$conf/var/bindings.sqlite"
check_true "switchd restarts" "" node_start A "$conf"
check "after SIGTERM and a restart the binding still redirects" "$(first_contact 201)" "sip:201@phone-sqlite.example"
expires=$(stored_expires 201)
check_true "and keeps its expiry (3600 s less the time since)" "expires $expires s" in_range "$expires" 3500 3600

reloads=$(grep -c "configuration reloaded" "${node_log[A]}" || true)
kill -HUP "${node_pid[A]}"
for _ in $(seq 1 50); do
    [[ $(grep -c "configuration reloaded" "${node_log[A]}" || true) -gt $reloads ]] && break
    sleep 0.1
done
check "SIGHUP reloads" "$(grep -c "configuration reloaded" "${node_log[A]}" || true)" "$((reloads + 1))"
check "after SIGHUP the binding still redirects" "$(first_contact 201)" "sip:201@phone-sqlite.example"

# --- kill -9 right after a burst ------------------------------------------------------------------------
# run NAME RATE HOST: BURST REGISTERs of 100, 101, ... (Contact sip:EXT@HOST) at RATE per second,
# SIGKILL to the daemon right after the last 200, a restart, then which of them the redirects use.
run_burst() {
    local name=$1 rate=$2 host=$3
    # (stderr of the group to /dev/null: the shell's "Killed" notice is expected)
    {
        python3 "$regclient" burst "$(node_addr A)" --count "$burst" --rate "$rate" --first 100 --contact-host "$host" \
            --kill-pid "${node_pid[A]}" >"$lib_work/$name.json" 2>"$lib_work/$name.err" || cat "$lib_work/$name.err" >&3
        node_stop A KILL
    } 3>&2 2>/dev/null
    check "$name: the daemon was killed by SIGKILL" "$node_status" "137"
    local answered seconds
    answered=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["answered"]))' "$lib_work/$name.json")
    seconds=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["seconds"])' "$lib_work/$name.json")
    check "$name: every REGISTER of the burst got 200" "$answered" "$burst"
    check_true "$name: switchd restarts after kill -9" "" node_start A "$conf"
    local out survived lost within
    out=$(python3 "$regclient" survivors "$(node_addr A)" --journal "$lib_work/$name.json" --contact-host "$host" || true)
    survived=$(jget "$out" survived)
    lost=$(jget "$out" lost)
    within=$(jget "$out" lost_within_ms)
    echo "  $name: $answered REGISTERs in $seconds s ($(awk -v n="$answered" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')/s)," \
        "kill -9 right after the last 200: $survived of $answered survive the restart" \
        "$([[ $survived == "$answered" ]] && echo "(none lost)" || echo "(lost: $lost, the earliest of them answered $within ms before the kill)")"
    check_true "$name: only REGISTERs of the last second before kill -9 are lost" \
        "$survived of $answered survive" awk -v w="$within" -v s="$survived" 'BEGIN { exit !(s != "" && w != "" && w + 0 <= 1000) }'
}
run_burst "steady burst" "$burst_rate" burst.example
run_burst "flat-out burst" 100000 flat.example
check "after both kills the first binding still redirects" "$(first_contact 201)" "sip:201@phone-sqlite.example"

node_stop A TERM
check "SIGTERM stops with status 0" "$node_status" "0"
lib_summary
