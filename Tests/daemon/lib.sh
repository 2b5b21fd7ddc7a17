# Shared by the process-level registrar tests (Tests/daemon/registrar.sh, Tests/daemon/baresip.sh,
# Tests/cluster/daemons.sh); source it, then call `lib_init NAME SECONDS`.
#   - PASS/FAIL lines and a final "N passed, M failed" (`check`, `check_true`, `lib_summary`)
#   - switchd nodes started on free UDP ports of 127.0.0.1 and stopped on every way out
#     (`node_start NAME CONF`, `node_stop NAME [SIGNAL]` (KILL for kill -9); `${node_port[NAME]}`,
#     `${node_metrics_port[NAME]}` for /metrics and /health)
#   - a watchdog that ends the whole test after SECONDS (or $WATCHDOG_S), so that nothing can hang `make test`
#   - extra cleanup steps: `lib_on_exit 'command'` (run before the nodes' logs are removed)
# Scripts that source this must not set their own EXIT trap.

lib_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
regclient="$lib_root/Tests/daemon/regclient.py"
declare -A node_pid=() node_port=() node_log=() node_starts=() node_metrics_port=()
lib_passed=0
lib_failed=0
lib_cleanups=()
lib_watchdog=""
lib_work=""

lib_init() {  # lib_init NAME SECONDS: the work directory, the traps, the watchdog
    local name=$1 seconds=${WATCHDOG_S:-$2}
    lib_work=$(mktemp -d "/tmp/switchd-$name.XXXXXX")
    trap lib_cleanup EXIT
    trap 'echo "FAIL interrupted (signal)"; exit 130' INT TERM
    # A TERM to this shell ends it through the trap above, which runs the EXIT cleanup.
    (
        trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
        sleep "$seconds" &
        sleeper=$!
        wait "$sleeper"
        echo "FAIL $name: watchdog: still running after $seconds s"
        kill -TERM $$
    ) &
    lib_watchdog=$!
}

lib_on_exit() { lib_cleanups+=("$1"); }

lib_cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e  # every step runs, whatever fails
    [[ -n $lib_watchdog ]] && kill "$lib_watchdog" 2>/dev/null
    local name
    for name in "${!node_pid[@]}"; do
        if [[ -n ${node_pid[$name]} ]]; then
            disown "${node_pid[$name]}" 2>/dev/null  # no "Killed" notice from the shell
            kill -KILL "${node_pid[$name]}" 2>/dev/null
        fi
    done
    local step
    for step in "${lib_cleanups[@]}"; do eval "$step" || true; done
    if [[ $status != 0 || $lib_failed != 0 ]] && [[ -n $lib_work ]]; then
        for name in "${!node_log[@]}"; do
            echo "--- last lines of ${node_log[$name]}" >&2
            tail -n 15 "${node_log[$name]}" >&2 || true
        done
    fi
    [[ -n $lib_work ]] && rm -rf "$lib_work"
    exit "$status"
}

check() {  # check NAME ACTUAL EXPECTED
    if [[ $2 == "$3" ]]; then
        echo "PASS $1"
        lib_passed=$((lib_passed + 1))
    else
        echo "FAIL $1: got '$2', expected '$3'"
        lib_failed=$((lib_failed + 1))
    fi
}

check_true() {  # check_true NAME DETAIL COMMAND...: PASS when COMMAND succeeds
    local name=$1 detail=$2
    shift 2
    if "$@"; then
        echo "PASS $name${detail:+ ($detail)}"
        lib_passed=$((lib_passed + 1))
    else
        echo "FAIL $name${detail:+ ($detail)}"
        lib_failed=$((lib_failed + 1))
    fi
}

lib_summary() {
    echo "$lib_passed passed, $lib_failed failed"
    [[ $lib_failed -eq 0 ]]
}

free_port() {  # free_port udp|tcp [ADDRESS]: a port free on ADDRESS (default 127.0.0.1)
    python3 - "$1" "${2:-127.0.0.1}" <<'EOF'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind((sys.argv[2], 0))
print(s.getsockname()[1])
EOF
}

jget() {  # jget JSON KEY: one field of regclient's JSON line ("" when absent)
    python3 -c 'import json, sys
try:
    v = json.loads(sys.argv[1]).get(sys.argv[2], "")
except ValueError:
    v = ""
print(json.dumps(v) if isinstance(v, (list, dict)) else v)' "$1" "$2"
}

# node_start NAME CONF [ARGS...]: switchd run on a free port, its metrics on another (`${node_metrics_port[NAME]}`;
# the sample conf's 127.0.0.1:9090 would collide between nodes); waits (10 s at most) for "switchd listening".
node_start() {
    local name=$1 conf=$2
    shift 2
    local port=${node_port[$name]:-$(free_port udp)}
    local metrics=${node_metrics_port[$name]:-$(free_port tcp)}
    node_port[$name]=$port
    node_metrics_port[$name]=$metrics
    node_log[$name]=$lib_work/$name.log
    "$switchd" run --conf "$conf" --listen "udp:127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics" "$@" \
        >>"${node_log[$name]}" 2>&1 &
    node_pid[$name]=$!
    local _
    for _ in $(seq 1 100); do
        [[ $(grep -c "switchd listening" "${node_log[$name]}") -gt ${node_starts[$name]:-0} ]] && break
        kill -0 "${node_pid[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    node_starts[$name]=$(grep -c "switchd listening" "${node_log[$name]}")
    kill -0 "${node_pid[$name]}" 2>/dev/null && grep -q "switchd listening" "${node_log[$name]}"
}

# node_stop NAME [SIGNAL]: SIGTERM (or SIGNAL) and wait at most 15 s, then SIGKILL. Sets node_status to
# the exit status (not to be called in $(...): the shell that started the node must wait for it).
node_status=""
node_stop() {
    local name=$1 signal=${2:-TERM} pid=${node_pid[$1]}
    node_status=none
    [[ -n $pid ]] || return 0
    kill "-$signal" "$pid" 2>/dev/null || true
    local _
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null && echo "switchd $name did not stop within 15 s: killed" >&2
    node_status=0
    # (in braces: the shell's own "Killed" notice goes to /dev/null too)
    { wait "$pid"; } 2>/dev/null || node_status=$?
    node_pid[$name]=""
}

node_addr() { echo "127.0.0.1:${node_port[$1]}"; }

need_switchd() {  # need_switchd PATH: the absolute path of an executable switchd, or exit 2
    local given=${1:-}
    if [[ -z $given ]]; then
        given=$(cd "$lib_root" && swift build --show-bin-path 2>/dev/null)/switchd
    fi
    [[ -x $given ]] || { echo "switchd binary '$given' not found (build it first: swift build)" >&2; exit 2; }
    echo "$(cd "$(dirname "$given")" && pwd)/$(basename "$given")"
}
