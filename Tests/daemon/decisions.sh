#!/usr/bin/env bash
# `[log] decisions` on the running daemon: one JSON object per answered INVITE / OPTIONS to a number,
# none for a keep-alive; after the file is moved away, SIGUSR1 makes the daemon write to the path again
# (logrotate); SIGTERM writes what is pending. Sends SIP over UDP to 127.0.0.1 only.
#   bash Tests/daemon/decisions.sh [path-to-switchd]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
switchd=$(need_switchd "${1:-}")
lib_init decisions 90

conf=$lib_work/conf
cp -R "$lib_root/conf" "$conf"
rm -rf "$conf/var"
printf '\n[log]\ndecisions = "var/decisions.log"\n' >>"$conf/switchd.toml"
sed -i 's|^store = .*|store = "memory"|' "$conf/switchd.toml"
log=$conf/var/decisions.log

node_start A "$conf" || { echo "FAIL the daemon did not start"; cat "${node_log[A]}"; exit 1; }
invite() {  # invite NUMBER [METHOD]: the status line of the answer
    python3 "$lib_root/scripts/send-invite.py" --to "$1" --method "${2:-INVITE}" --from sip:202@acme.example \
        "127.0.0.1:${node_port[A]}" | tr -d '\r' | head -1
}
lines() { [[ -f $1 ]] && wc -l <"$1" | tr -d ' ' || echo 0; }
wait_lines() {  # wait_lines FILE N: until FILE has N lines (bounded)
    for _ in $(seq 1 50); do [[ $(lines "$1") -ge $2 ]] && return 0; sleep 0.1; done
}
field() {  # field FILE LINE KEY
    python3 -c 'import json,sys; print(json.dumps(json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2])])[sys.argv[3]]))' "$@"
}

check "911 is answered" "$(invite 911)" "SIP/2.0 302 Moved Temporarily"
check "international from 202 is barred" "$(invite 9011442079460000 OPTIONS)" "SIP/2.0 403 Call Class Barred"
python3 "$lib_root/scripts/send-invite.py" --method OPTIONS "127.0.0.1:${node_port[A]}" >/dev/null
wait_lines "$log" 2
sleep 0.3  # a keep-alive line, were one written, would have arrived by now
check "one line per answered call, none for the keep-alive" "$(lines "$log")" "2"
check "line 1: dialled" "$(field "$log" 0 dialled)" '"911"'
check "line 1: contact" "$(field "$log" 0 contact)" '["sip:911@emergency-gw.example"]'
check "line 1: caller" "$(field "$log" 0 caller)" '"acme"'
check "line 2: method and status" "$(field "$log" 1 method) $(field "$log" 1 status)" '"OPTIONS" 403'

mv "$log" "$log.1"
kill -USR1 "${node_pid[A]}"
for _ in $(seq 1 50); do grep -q "decision log reopened" "${node_log[A]}" && break; sleep 0.1; done
check "after the move and SIGUSR1" "$(invite 201)" "SIP/2.0 302 Moved Temporarily"
node_stop A
check "SIGTERM: exit status 0" "$node_status" "0"
check "the moved file keeps its lines" "$(lines "$log.1")" "2"
check "the path has the new line (written at SIGTERM at the latest)" "$(lines "$log")" "1"
check "its dialled" "$(field "$log" 0 dialled)" '"201"'
lib_summary
