#!/usr/bin/env bash
# contrib/switchd.service against systemd-analyze verify, and the settings the README promises of it;
# `switchd --version`. A broken copy of the unit must fail the same verification, so that the check
# can fail at all.
#   bash Tests/daemon/systemd.sh [path-to-switchd]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
switchd=$(need_switchd "${1:-}")
lib_init systemd 60
unit=$lib_root/contrib/switchd.service

command -v systemd-analyze >/dev/null || { echo "FAIL systemd-analyze not found (Debian: apt-get install systemd)"; exit 1; }

# The unit names /usr/local/bin/switchd; verify checks that ExecStart's program exists, so the copy
# under test names the binary just built.
sed "s|/usr/local/bin/switchd|$switchd|g" "$unit" >"$lib_work/switchd.service"
output=$(systemd-analyze verify "$lib_work/switchd.service" 2>&1) && status=0 || status=$?
check "systemd-analyze verify contrib/switchd.service: exit status" "$status" "0"
check "systemd-analyze verify contrib/switchd.service: no complaint" "$output" ""

sed 's/^ProtectSystem=strict/ProtectSystm=strict/' "$lib_work/switchd.service" >"$lib_work/broken.service"
broken=$(systemd-analyze verify "$lib_work/broken.service" 2>&1 || true)
check_true "a misspelt key in a copy is reported by the same verification" "" grep -q "ProtectSystm" <<<"$broken"

setting() { grep -E "^$1=" "$unit" | head -1 | cut -d= -f2-; }
check "ExecStart" "$(setting ExecStart)" "/usr/local/bin/switchd run --conf /etc/switchd"
check "ExecStartPre checks the conf first" "$(setting ExecStartPre)" "/usr/local/bin/switchd check --conf /etc/switchd"
check "ExecReload sends SIGHUP" "$(setting ExecReload)" "/bin/kill -HUP \$MAINPID"
check "a dedicated user" "$(setting User)" "switchd"
check "port 5060 without root" "$(setting AmbientCapabilities)" "CAP_NET_BIND_SERVICE"
check "no other capability" "$(setting CapabilityBoundingSet)" "CAP_NET_BIND_SERVICE"
check "ProtectSystem" "$(setting ProtectSystem)" "strict"
check "NoNewPrivileges" "$(setting NoNewPrivileges)" "yes"
check "the registrar's store has a writable place" "$(setting StateDirectory)" "switchd"

check "switchd --version" "$("$switchd" --version)" "switchd 0.12.0"
lib_summary
