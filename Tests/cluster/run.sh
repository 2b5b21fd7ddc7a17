#!/usr/bin/env bash
# The cluster tests: RegistrarPostgresTests against a private PostgreSQL server that this script
# starts (Tests/cluster/postgres.sh) on a free port of 127.0.0.1 and stops on every way out.
#   bash Tests/cluster/run.sh     (after `swift build --build-tests`; `make cluster-test` does both)
# The tests read the server from SWITCHD_TEST_POSTGRES; SWITCHD_TEST_POSTGRES_HARNESS and
# SWITCHD_TEST_POSTGRES_DIR let them stop and restart it (the outage test).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
swift=${SWIFT:-swift}
harness=$root/Tests/cluster/postgres.sh
# /tmp, not $TMPDIR: the postgres user must reach it, and a socket path has at most 107 bytes.
dir=$(mktemp -d /tmp/switchd-pg.XXXXXX)
cleanup() {
    bash "$harness" stop "$dir" immediate || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bash "$harness" start "$dir" "$port"

export SWITCHD_TEST_POSTGRES
SWITCHD_TEST_POSTGRES=$(bash "$harness" url "$dir" "$port")
export SWITCHD_TEST_POSTGRES_HARNESS=$harness
export SWITCHD_TEST_POSTGRES_DIR=$dir
cd "$root"
# Bounded: the suite takes well under a minute; a hang is killed, and the trap still stops the server.
timeout --kill-after=10 600 "$swift" test --skip-build --filter 'RegistrarPostgresTests\.'
