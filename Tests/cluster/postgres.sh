#!/usr/bin/env bash
# A private PostgreSQL 15 server for the cluster tests, in a directory of its own, on 127.0.0.1 and a
# Unix socket in that directory only. Nothing of the machine's own clusters is used or touched.
#   bash Tests/cluster/postgres.sh start DIR PORT   initdb DIR/data when new, start, create role and database
#   bash Tests/cluster/postgres.sh stop DIR [MODE]  pg_ctl stop (MODE fast by default, or immediate); idempotent
#   bash Tests/cluster/postgres.sh freeze DIR       SIGSTOP the server's processes: a server that hangs
#   bash Tests/cluster/postgres.sh thaw DIR         SIGCONT them
#   bash Tests/cluster/postgres.sh url DIR PORT     print the TCP URL of the test role
#   bash Tests/cluster/postgres.sh sql DIR PORT SQL run SQL as the bootstrap superuser (test setups)
# As root (CI) the server runs as the postgres user, since initdb refuses root; otherwise as the caller.
# Installs Debian's postgresql when initdb is missing. Every step is bounded in time; a failed start
# stops what it started.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ROLE=switchd
PASSWORD=switchd-test
DATABASE=switchd

die() { echo "postgres.sh: $*" >&2; exit 1; }

is_root() { [[ $(id -u) == 0 ]]; }

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_if_missing() {
    [[ -x $PGBIN/initdb ]] && return 0
    echo "postgres.sh: $PGBIN/initdb is missing; installing postgresql" >&2
    local sudo=""
    is_root || sudo=sudo
    timeout 600 $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 $sudo apt-get install -y -qq postgresql >/dev/null
    [[ -x $PGBIN/initdb ]] || die "postgresql installed, but $PGBIN/initdb is still missing"
}

psql_admin() {  # psql_admin DIR PORT SQL...: as the bootstrap superuser over the private socket
    local dir=$1 port=$2
    shift 2
    as_owner timeout 30 "$PGBIN/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
}

start() {
    local dir=$1 port=$2
    [[ $port =~ ^[0-9]+$ ]] || die "port '$port' is not a number"
    install_if_missing
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ -f $dir/data/postmaster.pid ]] && as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        die "a server is already running in $dir/data"
    fi
    # Whatever ends this function early (an error, Ctrl-C, a TERM from a timeout) stops the server.
    trap "stop '$dir' immediate" EXIT
    trap 'exit 130' INT TERM
    if is_root; then
        id postgres >/dev/null 2>&1 || die "there is no postgres user (the postgresql package creates it)"
        chown postgres: "$dir"
        chmod 700 "$dir"
    fi
    if [[ ! -f $dir/data/PG_VERSION ]]; then
        # trust on the private socket (only the owner can reach it: the directory is 700), passwords
        # over TCP, so that the tests go through SCRAM authentication as a deployment does.
        as_owner timeout 120 "$PGBIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
            --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    # fsync off: a test server's data may be lost on a machine crash, and the tests run faster.
    if ! as_owner timeout 90 "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
        tail -n 20 "$dir/server.log" >&2 || true
        die "the server did not start on port $port"
    fi
    provision "$dir" "$port" || die "could not create the role and database"
    trap - EXIT INT TERM
}

# The test role and database; a second start on the same DIR finds them there.
provision() {
    local dir=$1 port=$2
    psql_admin "$dir" "$port" -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
            CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD';
        END IF; END \$\$;" || return 1
    if [[ -z $(psql_admin "$dir" "$port" -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'") ]]; then
        psql_admin "$dir" "$port" -c "CREATE DATABASE $DATABASE OWNER $ROLE" || return 1
    fi
}

# The postmaster's PID (the first line of postmaster.pid) and its children's (from /proc: procps may
# be missing), when it runs.
server_pids() {
    local pid
    pid=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
    echo "$pid" $(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
}

signal_server() {  # signal_server DIR SIGNAL
    local pids
    pids=$(server_pids "$1")
    [[ -z $pids ]] && die "no server runs in $1/data"
    kill "-$2" $pids
}

stop() {
    local dir=$1 mode=${2:-fast}
    [[ -f $dir/data/postmaster.pid ]] || return 0
    # A frozen server would not act on pg_ctl's signal.
    local pids
    pids=$(server_pids "$dir")
    [[ -n $pids ]] && kill -CONT $pids 2>/dev/null || true
    as_owner timeout 40 "$PGBIN/pg_ctl" -D "$dir/data" -m "$mode" -w -t 30 stop >/dev/null 2>&1 && return 0
    as_owner timeout 20 "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 15 stop >/dev/null 2>&1 && return 0
    # Last resort: the postmaster's PID is the first line of postmaster.pid; its children exit when
    # they see it gone.
    local pid
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        echo "postgres.sh: killed postmaster $pid" >&2
    fi
}

url() {
    echo "postgresql://$ROLE:$PASSWORD@127.0.0.1:$2/$DATABASE"
}

case ${1:-} in
start) [[ $# == 3 ]] || die "usage: postgres.sh start DIR PORT"; start "$2" "$3" ;;
stop) [[ $# == 2 || $# == 3 ]] || die "usage: postgres.sh stop DIR [fast|immediate]"; stop "$2" "${3:-fast}" ;;
freeze) [[ $# == 2 ]] || die "usage: postgres.sh freeze DIR"; signal_server "$2" STOP ;;
thaw) [[ $# == 2 ]] || die "usage: postgres.sh thaw DIR"; signal_server "$2" CONT ;;
url) [[ $# == 3 ]] || die "usage: postgres.sh url DIR PORT"; url "$2" "$3" ;;
sql) [[ $# == 4 ]] || die "usage: postgres.sh sql DIR PORT SQL"; psql_admin "$2" "$3" -c "$4" ;;
*) die "usage: postgres.sh start DIR PORT | stop DIR [fast|immediate] | freeze DIR | thaw DIR | url DIR PORT | sql DIR PORT SQL" ;;
esac
