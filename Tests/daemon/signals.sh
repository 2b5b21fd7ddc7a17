#!/usr/bin/env bash
# The daemon as a process: SIGHUP reloads the conf directory (a bad conf keeps the old plan serving and
# logs every error), SIGTERM stops it with exit status 0. Sends SIP over UDP to 127.0.0.1 only.
#   bash Tests/daemon/signals.sh [path-to-switchd]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
switchd=${1:-$root/.build/debug/switchd}
work=$(mktemp -d "${TMPDIR:-/tmp}/switchd-signals.XXXXXX")
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0
failed=0
check() {  # check NAME ACTUAL EXPECTED
    if [[ $2 == "$3" ]]; then echo "PASS $1"; passed=$((passed + 1)); else echo "FAIL $1: got '$2', expected '$3'"; failed=$((failed + 1)); fi
}
contact() {  # the Contact (or status line) the daemon answers for acme 201 dialling 201
    python3 "$root/scripts/send-invite.py" --to 201 --from sip:201@acme.example "127.0.0.1:$port" |
        tr -d '\r' | awk '/^Contact:/ { print $2; found = 1 } END { if (!found) print "no contact" }'
}

port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp -R "$root/conf" "$work/conf"
"$switchd" run --conf "$work/conf" --listen "udp:127.0.0.1:$port" --metrics-listen off >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do grep -q "switchd listening" "$work/log" && break; sleep 0.1; done

check "serves the conf" "$(contact)" "<sip:201@10.1.0.21:5060>"

sed -i 's|"201" = "sip:201@10.1.0.21:5060"|"201" = "sip:201@10.1.0.99:5060"|' "$work/conf/customers/acme.toml"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q "configuration reloaded" "$work/log" && break; sleep 0.1; done
check "SIGHUP serves the changed conf" "$(contact)" "<sip:201@10.1.0.99:5060>"

printf 'cm = 0\nnmae = "typo"\n' >"$work/conf/customers/broken.toml"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q "reload failed" "$work/log" && break; sleep 0.1; done
check "a failing reload keeps the old plan" "$(contact)" "<sip:201@10.1.0.99:5060>"
check "a failing reload logs every error" "$(grep -c 'broken.toml: error:' "$work/log")" "4"
check "and says the old plan serves" "$(grep -c 'configuration reload failed; the previous configuration keeps serving' "$work/log")" "1"

# Files that once killed the daemon on SIGHUP: toml++ aborted on its own assertion ([#), TOMLKit's
# iterator trapped on a key holding U+0000. Now each reload fails and the daemon keeps serving.
failures_before() { grep -c 'configuration reload failed' "$work/log" || true; }
reload_expecting_failure() {  # reload_expecting_failure CONTENTS
    local before
    before=$(failures_before)
    printf '%s' "$1" >"$work/conf/customers/broken.toml"
    kill -HUP "$pid"
    for _ in $(seq 1 50); do [[ $(failures_before) -gt $before ]] && break; sleep 0.1; done
}
reload_expecting_failure $'[#\n'
check "a header starting with # fails the reload" "$(grep -c 'broken.toml:1:2: error: a table header must start with a name' "$work/log")" "1"
check "and the daemon keeps serving the old plan" "$(contact)" "<sip:201@10.1.0.99:5060>"
reload_expecting_failure $'name = "B"\ncm = 3\ndomains = ["b.example"]\n[extensions]\n"1\\u0000" = "sip:1@b.example"\n'
check "a NUL in a key fails the reload" "$(grep -c 'broken.toml:5:3: error: a string must not contain U+0000' "$work/log")" "1"
check "and the daemon still serves the old plan" "$(contact)" "<sip:201@10.1.0.99:5060>"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
check "SIGTERM stops with status 0" "$status" "0"
check "and logs the stop" "$(grep -c 'switchd stopped' "$work/log")" "1"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
