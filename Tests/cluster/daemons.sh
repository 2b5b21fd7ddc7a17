#!/usr/bin/env bash
# A switchd cluster as processes: two (then three) `switchd run` daemons sharing one private PostgreSQL
# server (Tests/cluster/postgres.sh) through `[registrar] store = "postgresql://..."`.
#   bash Tests/cluster/daemons.sh [path-to-switchd]     (make cluster-test runs it after Tests/cluster/run.sh)
# Checks, printing one PASS/FAIL line each and the measured numbers:
#   - a REGISTER on node A is used by node B's redirects within 1 s (the latency of every sample, both ways);
#   - a removal (expires=0) on A is seen by B within 1 s;
#   - a node started later serves every live binding, and no removed one;
#   - PostgreSQL stopped: REGISTERs on A still get 200 at once, A's log names the outage once (not once
#     per request or retry), A's own redirects use the new bindings; PostgreSQL restarted: within a few
#     seconds B's redirects use every binding A accepted during the outage (and not the one A removed),
#     A's use the one B accepted, and the store holds them; one line at the outage's start and one at its
#     end (with how many changes were written), not one per layer;
#   - a node started while PostgreSQL is down serves (with no bindings), logs the outage once, answers
#     REGISTERs 200; once PostgreSQL is back its binding is in the store and on another node within 1 s,
#     it has loaded every live binding, and logs the recovery once;
#   - a node whose database refuses to let it create the schema exits 1 naming the cause.
# Sends SIP to 127.0.0.1 only; PostgreSQL listens on 127.0.0.1 and a socket in its own directory. Every
# process it starts is stopped on every way out (the whole test is bounded by a watchdog).
# Environment: SAMPLES (latency samples per direction, default 5), RECOVERY_LIMIT_S (default 10).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../daemon/lib.sh"
switchd=$(need_switchd "${1:-}")
samples=${SAMPLES:-5}
recovery_limit=${RECOVERY_LIMIT_S:-10}
lib_init cluster-daemons 300

harness=$here/postgres.sh
# /tmp itself, not the work directory: the postgres user must reach it when this runs as root.
pgdir=$(mktemp -d /tmp/switchd-pg.XXXXXX)
lib_on_exit 'bash "$harness" stop "$pgdir" immediate >/dev/null 2>&1; rm -rf "$pgdir"'
pgport=$(free_port tcp)
bash "$harness" start "$pgdir" "$pgport"
url=$(bash "$harness" url "$pgdir" "$pgport")

conf=$lib_work/conf
cp -R "$lib_root/conf" "$conf"
rm -rf "$conf/var"
sed -i "s|^store = .*|store = \"$url\"|" "$conf/switchd.toml"
check "the conf copy names the PostgreSQL store" "$(grep -c "^store = \"postgresql://" "$conf/switchd.toml")" "1"

below() { awk -v value="$1" -v limit="$2" 'BEGIN { exit !(value != "" && value + 0 < limit + 0) }'; }
# seen_within NAME JSON LIMIT_MS: PASS when regclient saw the change, within LIMIT_MS.
seen_within() {
    local ms seen
    ms=$(jget "$2" ms)
    seen=$(jget "$2" seen)
    check_true "$1" "${ms:-?} ms, $(jget "$2" polls) INVITEs" eval "[[ $seen == True ]] && below '$ms' $3"
}
first_contact() {  # first_contact NODE EXT: the first Contact of the node's redirect (or its status)
    local out
    out=$(python3 "$regclient" lookup "$(node_addr "$1")" --to "$2" || true)
    python3 -c 'import json, sys
r = json.loads(sys.argv[1]) if sys.argv[1] else {}
print(r["contacts"][0] if r.get("status") == 302 and r["contacts"] else "status %s" % r.get("status"))' "$out"
}
all_contacts() {  # all_contacts NODE EXT: every Contact of the redirect, space-separated
    python3 "$regclient" lookup "$(node_addr "$1")" --to "$2" |
        python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["contacts"]))' || true
}
latencies=()
propagate() {  # propagate FROM TO EXT CONTACT [EXPIRES]: REGISTER on FROM, wait for TO; echoes the JSON
    python3 "$regclient" propagate --register-on "$(node_addr "$1")" --lookup-on "$(node_addr "$2")" \
        --aor "$3@acme.example" --contact "$4" --expires "${5:-3600}" --timeout 5 || true
}

check_true "node A starts on the PostgreSQL store" "" node_start A "$conf"
check_true "node B starts on the PostgreSQL store" "" node_start B "$conf"

# --- A REGISTER on one node, a redirect on the other ----------------------------------------------------
out=$(propagate A B 201 sip:201@phone-a.example)
latencies+=("$(jget "$out" ms)")
seen_within "B redirects 201 to the phone registered on A within 1 s" "$out" 1000
check "B's first Contact for 201" "$(first_contact B 201)" "sip:201@phone-a.example"
for i in $(seq 0 $((samples - 1))); do
    ext=$((110 + i))
    out=$(propagate A B "$ext" "sip:$ext@phone-a.example")
    latencies+=("$(jget "$out" ms)")
    seen_within "A→B sample $ext within 1 s" "$out" 1000
    ext=$((140 + i))
    out=$(propagate B A "$ext" "sip:$ext@phone-b.example")
    latencies+=("$(jget "$out" ms)")
    seen_within "B→A sample $ext within 1 s" "$out" 1000
done
echo "  registration latency between nodes, REGISTER's 200 to the other node's first redirect using it (ms):" \
    "$(printf '%s\n' "${latencies[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "min %s, median %s, max %s over %d samples", v[1], v[int((NR + 1) / 2)], v[NR], NR }')"

# --- A removal -------------------------------------------------------------------------------------------
out=$(propagate A B 201 sip:201@phone-a.example 0)
echo "  removal of 201 on A seen by B after $(jget "$out" ms) ms"
seen_within "B stops redirecting 201 to the removed binding within 1 s" "$out" 1000
check "B redirects 201 to its conf contact again" "$(first_contact B 201)" "sip:201@10.1.0.21:5060"

# --- A node started later ------------------------------------------------------------------------------
out=$(propagate A B 201 sip:201@phone-a2.example)
seen_within "201 registered again on A, seen by B within 1 s" "$out" 1000
out=$(propagate B A 202 sip:202@phone-b.example)
seen_within "202 registered on B, seen by A within 1 s" "$out" 1000
check_true "node C starts later on the same store" "" node_start C "$conf"
exts=(201 202)
for i in $(seq 0 $((samples - 1))); do exts+=($((110 + i)) $((140 + i))); done
same=0
for ext in "${exts[@]}"; do
    a=$(all_contacts A "$ext")
    c=$(all_contacts C "$ext")
    if [[ -n $a && $a == "$c" ]]; then same=$((same + 1)); else echo "  $ext: A redirects to '$a', C to '$c'"; fi
done
check "C redirects every registered extension as A does (all Contacts)" "$same of ${#exts[@]}" "${#exts[@]} of ${#exts[@]}"
check "C loaded 201's new binding, not the removed one" "$(all_contacts C 201)" "sip:201@phone-a2.example sip:201@10.1.0.21:5060"
node_stop C
check "C stops with status 0" "$node_status" "0"

# --- PostgreSQL outage -----------------------------------------------------------------------------------
# 135: registered before the outage, removed on A during it; 136: registered on B during it.
out=$(propagate A B 135 sip:135@phone-pre.example)
seen_within "135 registered on A before the outage, seen by B" "$out" 1000
bash "$harness" stop "$pgdir" fast
outage_start=$(date +%s.%N)
out=$(python3 "$regclient" register "$(node_addr A)" --aor 120@acme.example --contact sip:120@phone-outage.example || true)
check "REGISTER on A during the outage gets 200" "$(jget "$out" status)" "200"
echo "  answered in $(jget "$out" ms) ms with PostgreSQL down"
python3 "$regclient" burst "$(node_addr A)" --count 10 --rate 20 --first 121 --contact-host phone-outage.example \
    >"$lib_work/outage.json" || true
check "10 more REGISTERs on A during the outage get 200" \
    "$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["answered"]))' "$lib_work/outage.json")" "10"
out=$(python3 "$regclient" expect "$(node_addr A)" --to 120 --first sip:120@phone-outage.example --timeout 2 || true)
check "A's own redirect uses the binding registered during the outage" "$(jget "$out" seen)" "True"
out=$(python3 "$regclient" survivors "$(node_addr A)" --journal "$lib_work/outage.json" \
    --contact-host phone-outage.example --killed-at "$(date +%s.%N)" || true)
check "A's own redirects use all 10 of them" "$(jget "$out" survived)" "10"
echo "  B during the outage redirects 120 to: $(first_contact B 120) (nothing reaches B without the database)"
out=$(python3 "$regclient" register "$(node_addr A)" --aor 135@acme.example --contact sip:135@phone-pre.example \
    --expires 0 || true)
check "a removal on A during the outage gets 200" "$(jget "$out" status)" "200"
out=$(python3 "$regclient" register "$(node_addr B)" --aor 136@acme.example --contact sip:136@phone-b-outage.example || true)
check "a REGISTER on B during the outage gets 200" "$(jget "$out" status)" "200"
# Let the write-through retry (0.1 s doubling, at most 1 s apart) and the change feeds' reconnects run a while.
sleep 4
unreachable=$(grep -c "PostgreSQL store unreachable" "${node_log[A]}" || true)
unavailable=$(grep -c "registrar store unavailable" "${node_log[A]}" || true)
errors=$(grep -c " error " "${node_log[A]}" || true)
echo "  A's log after 12 REGISTERs and $(awk -v s="$outage_start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }') s of outage:" \
    "$errors error lines in all"
grep " error " "${node_log[A]}" | sed 's/^/    /' | cut -c1-240 || true
check "A logs 'registrar store unavailable' once" "$unavailable" "1"
check "A's store layer does not log the outage a second time" "$unreachable" "0"
check "A logs no other error during the outage" "$errors" "1"
echo "  B's log: $(grep -c " error " "${node_log[B]}" || true) error lines"

# --- Recovery ---------------------------------------------------------------------------------------------
restart_begun=$(date +%s.%N)
bash "$harness" start "$pgdir" "$pgport"
restart_done=$(date +%s.%N)
out=$(python3 "$regclient" expect "$(node_addr B)" --to 120 --first sip:120@phone-outage.example \
    --timeout "$recovery_limit" --interval 0.05 || true)
echo "  B redirects 120 to the outage's binding $(jget "$out" ms) ms after postgres.sh start returned" \
    "($(awk -v a="$restart_begun" -v b="$restart_done" 'BEGIN { printf "%.2f", b - a }') s after it began: initdb-less start, role check)"
check_true "B uses the binding A accepted during the outage within $recovery_limit s" "$(jget "$out" ms) ms" \
    eval "[[ $(jget "$out" seen) == True ]]"
out=$(python3 "$regclient" survivors "$(node_addr B)" --journal "$lib_work/outage.json" \
    --contact-host phone-outage.example --killed-at "$(date +%s.%N)" || true)
check "B uses all 10 other bindings of the outage (nothing answered 200 is lost)" "$(jget "$out" survived)" "10"
out=$(python3 "$regclient" expect "$(node_addr B)" --to 135 --absent sip:135@phone-pre.example \
    --timeout "$recovery_limit" --interval 0.05 || true)
check "B drops the binding A removed during the outage" "$(jget "$out" seen)" "True"
out=$(python3 "$regclient" expect "$(node_addr A)" --to 136 --first sip:136@phone-b-outage.example \
    --timeout "$recovery_limit" --interval 0.05 || true)
check "A uses the binding B accepted during the outage" "$(jget "$out" seen)" "True"
for _ in $(seq 1 50); do
    grep -q "registrar store available again" "${node_log[A]}" && break
    sleep 0.1
done
check "A logs the end of the outage once (registrar store available again)" \
    "$(grep -c "registrar store available again" "${node_log[A]}" || true)" "1"
check "A's recovery line says how many changes it wrote (11 bindings and 1 removal)" \
    "$(grep "registrar store available again" "${node_log[A]}" | grep -o "written=[0-9]*" || true)" "written=12"
check "A's store layer does not log the recovery a second time" \
    "$(grep -c "PostgreSQL store reachable again" "${node_log[A]}" || true)" "0"
stored=$(timeout 30 "$switchd" registrations --conf "$conf" --json 2>"$lib_work/registrations.err" |
    python3 -c 'import json, sys
rows = [json.loads(line) for line in sys.stdin if line.strip()]
print(sum(1 for r in rows if r["contact"].endswith("@phone-outage.example")))' || echo "error: $(head -c 300 "$lib_work/registrations.err")")
check "the PostgreSQL store holds the 11 bindings of the outage (switchd registrations)" "$stored" "11"

# --- A node started while PostgreSQL is down ---------------------------------------------------------
bash "$harness" stop "$pgdir" fast
check_true "node D starts while PostgreSQL is down" "" node_start D "$conf"
out=$(python3 "$regclient" register "$(node_addr D)" --aor 150@acme.example --contact sip:150@phone-d.example || true)
check "a REGISTER on D, started during the outage, gets 200" "$(jget "$out" status)" "200"
out=$(python3 "$regclient" expect "$(node_addr D)" --to 150 --first sip:150@phone-d.example --timeout 2 || true)
check "D's own redirect uses it" "$(jget "$out" seen)" "True"
# Let D's write retries and change feed reconnects run a while.
sleep 3
check "D logs the outage once" "$(grep -c "registrar store unavailable" "${node_log[D]}" || true)" "1"
check "D logs no other error or critical line" "$(grep -c -E " (error|critical) " "${node_log[D]}" || true)" "1"
bash "$harness" start "$pgdir" "$pgport"
out=$(python3 "$regclient" expect "$(node_addr A)" --to 150 --first sip:150@phone-d.example --timeout 1 --interval 0.05 || true)
check_true "A uses D's binding within 1 s of PostgreSQL's return" "$(jget "$out" ms) ms" eval "[[ $(jget "$out" seen) == True ]]"
stored=$(timeout 30 "$switchd" registrations --conf "$conf" --json 2>/dev/null |
    python3 -c 'import json, sys; print(sum(1 for line in sys.stdin if line.strip() and json.loads(line)["contact"] == "sip:150@phone-d.example"))' || true)
check "the PostgreSQL store holds D's binding" "$stored" "1"
out=$(python3 "$regclient" expect "$(node_addr D)" --to 120 --first sip:120@phone-outage.example --timeout 2 --interval 0.05 || true)
check "D loaded the bindings registered before it started" "$(jget "$out" seen)" "True"
check "D redirects every registered extension as A does" \
    "$(all_contacts D 201) / $(all_contacts D 136)" "$(all_contacts A 201) / $(all_contacts A 136)"
for _ in $(seq 1 20); do
    grep -q "registrar store available again" "${node_log[D]}" && break
    sleep 0.1
done
check "D logs the recovery once, with the 1 change it wrote" \
    "$(grep "registrar store available again" "${node_log[D]}" | grep -o "written=[0-9]*" || true)" "written=1"
grep -E "registrar store (unavailable|available again)" "${node_log[D]}" | sed 's/^/    /' | cut -c1-300
node_stop D
check "D stops with status 0" "$node_status" "0"

# --- A schema the role may not create -----------------------------------------------------------------
bash "$harness" sql "$pgdir" "$pgport" "CREATE DATABASE switchd_locked OWNER postgres" >/dev/null
conf_locked=$lib_work/conf-locked
cp -R "$conf" "$conf_locked"
sed -i "s|^store = .*|store = \"${url%/*}/switchd_locked\"|" "$conf_locked/switchd.toml"
node_start E "$conf_locked" || true
node_stop E
check "E, whose role may not create the schema, exits 1" "$node_status" "1"
check "E's log names the cause" \
    "$(grep -c "refused to create the bindings schema: permission denied for schema public (SQLSTATE 42501)" "${node_log[E]}" || true)" "1"
grep -E "critical" "${node_log[E]}" | sed 's/^/    /' | cut -c1-300 || true

node_stop A
check "A stops with status 0" "$node_status" "0"
node_stop B
check "B stops with status 0" "$node_status" "0"
check "no registration was left unwritten at stop" \
    "$(cat "${node_log[A]}" "${node_log[B]}" | grep -c "registrations not written" || true)" "0"
lib_summary
