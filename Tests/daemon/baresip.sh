#!/usr/bin/env bash
# A real softphone against the registrar: baresip (Debian 12's 1.0, package baresip-core), headless, with
# a config directory of its own, registers 201@acme.example with digest credentials from 127.0.0.2 (outside
# acme's networks, so switchd challenges it); a call to 201 from 127.0.0.1 then gets a 302 to the phone's
# contact, and a UAC (Tests/daemon/regclient.py call) follows it: baresip answers by itself
# (answermode=auto), sends RTP (a sine wave; ALSA's null device plays what it receives), and the UAC hangs up.
#   bash Tests/daemon/baresip.sh [path-to-switchd]     (make baresip-test)
# Debian's baresip 1.0 gives up on a 401 whose first challenge is not MD5 ("Register: Function not
# implemented"), and switchd offers SHA-256 first by default: the test's conf says [auth] algorithms = ["MD5"].
# It first shows (INFO, not counted) what baresip does with the default challenge.
# All SIP and RTP stays on 127.0.0.0/8; every process is stopped on every way out.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
switchd=$(need_switchd "${1:-}")
command -v baresip >/dev/null || { echo "baresip not found (Debian: apt-get install baresip-core)" >&2; exit 2; }
lib_init baresip 150

phone_ip=127.0.0.2
baresip_pid=""
lib_on_exit '[[ -n $baresip_pid ]] && { kill -KILL "$baresip_pid" 2>/dev/null; { wait "$baresip_pid"; } 2>/dev/null; }'

conf_default=$lib_work/conf-default
cp -R "$lib_root/conf" "$conf_default"
rm -rf "$conf_default/var"
sed -i 's|^store = .*|store = "memory"|' "$conf_default/switchd.toml"
conf=$lib_work/conf
cp -R "$conf_default" "$conf"
sed -i 's|^nonce_lifetime = .*|&\nalgorithms = ["MD5"]   # Debian 12 baresip 1.0 gives up on a non-MD5 challenge|' "$conf/switchd.toml"
check "the test conf offers MD5 only, and switchd check accepts it" \
    "$(grep -c '^algorithms = \["MD5"\]' "$conf/switchd.toml") $("$switchd" check --conf "$conf" >/dev/null 2>&1 && echo ok)" "1 ok"

# baresip_start NAME SWITCHD_PORT: a headless baresip for 201@acme.example in $lib_work/NAME, SIP on
# 127.0.0.2, registering through switchd; sets baresip_pid, baresip_out, baresip_port.
baresip_start() {
    local dir=$lib_work/$1 registrar=$2
    mkdir -p "$dir"
    baresip_port=$(free_port udp "$phone_ip")
    local rtp
    rtp=$(free_port udp 127.0.0.1)
    cat >"$dir/config" <<EOF
poll_method		epoll
sip_listen		$phone_ip:$baresip_port
net_interface		$phone_ip
call_local_timeout	120
call_max_calls		4
# No sound card: a 440 Hz sine (48 kHz stereo, all that ausine makes) is sent, ALSA's null device plays.
audio_source		ausine,440
audio_player		alsa,null
audio_alert		alsa,null
ausrc_srate		48000
ausrc_channels		2
audio_level		no
rtp_ports		$rtp-$((rtp + 40))
module_path		/usr/lib/baresip/modules
module			g711.so
module			alsa.so
module			ausine.so
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
EOF
    # outbound: every request goes to switchd (acme.example resolves nowhere); answermode=auto answers calls.
    echo "<sip:201@acme.example>;auth_pass=acme-201-demo;outbound=\"sip:127.0.0.1:$registrar\";answermode=auto;regint=600;audio_codecs=pcmu;mwi=no;pubint=0" \
        >"$dir/accounts"
    baresip_out=$dir/out.txt
    : >"$baresip_out"
    # -t bounds its life should everything else fail; stdin from /dev/null: no console to read.
    baresip -f "$dir" -s -t 120 </dev/null >"$baresip_out" 2>&1 &
    baresip_pid=$!
}
baresip_stop() {  # SIGTERM, 10 s to unregister and quit, then SIGKILL
    [[ -n $baresip_pid ]] || return 0
    kill -TERM "$baresip_pid" 2>/dev/null || true
    local _
    for _ in $(seq 1 100); do kill -0 "$baresip_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$baresip_pid" 2>/dev/null || true
    { wait "$baresip_pid"; } 2>/dev/null || true
    baresip_pid=""
}
# wait_for FILE REGEX SECONDS: until a line of FILE matches (0) or time is up (1)
wait_for() {
    local _
    for _ in $(seq 1 $(($3 * 10))); do
        grep -aqE "$2" "$1" && return 0
        sleep 0.1
    done
    return 1
}
first_contact() {
    python3 "$regclient" lookup "$(node_addr "$1")" --to 201 |
        python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["contacts"][0] if r.get("contacts") else "status %s" % r.get("status"))' || true
}
# What baresip printed about its registration (the SIP trace's messages and colour codes removed).
registration_line() { grep -aE '201@acme.example: .*(OK|[0-9]{3} )|reg: .*Register' "$baresip_out" | sed 's/\x1b\[[0-9;]*m//g' | head -n 1; }

# --- The default challenge (SHA-256, then MD5): what baresip 1.0 does with it --------------------------
check_true "switchd starts with the default [auth] algorithms" "" node_start default "$conf_default" --log-level info
baresip_start default "${node_port[default]}"
wait_for "$baresip_out" 'reg: .*Register|\(switchd\)' 8 || true
echo "INFO with the default challenge (SHA-256 first, then MD5) baresip says: '$(registration_line)'; switchd redirects 201 to $(first_contact default)"
baresip_stop
node_stop default

# --- MD5 only: baresip registers from outside acme's networks -------------------------------------------
check_true "switchd starts with [auth] algorithms = [\"MD5\"]" "" node_start A "$conf" --log-level info
out=$(python3 "$regclient" register "$(node_addr A)" --bind "$phone_ip" --aor 201@acme.example \
    --contact "sip:201@$phone_ip:5999" || true)
check "$phone_ip is outside acme's networks: a REGISTER without credentials gets 401" "$(jget "$out" status)" "401"
check "and the challenge offers MD5 only" "$(jget "$out" challenge_algorithms)" '["MD5"]'

baresip_start phone "${node_port[A]}"
registered=no
wait_for "$baresip_out" '201@acme.example: .*200 OK \(switchd\)' 10 && registered=yes
echo "  baresip says: '$(registration_line)'"
check "baresip registers 201@acme.example with digest credentials" "$registered" "yes"
challenged=$(grep -c "reg.status=401 .*sip.method=REGISTER sip.source=$phone_ip:$baresip_port" "${node_log[A]}" || true)
accepted=$(grep -c "reg.status=200 .*sip.method=REGISTER sip.source=$phone_ip:$baresip_port" "${node_log[A]}" || true)
check "switchd challenged baresip's first REGISTER (401) and accepted the answer (200)" \
    "$([[ $challenged -ge 1 ]] && echo challenged) $([[ $accepted -ge 1 ]] && echo accepted)" "challenged accepted"
contact=$(first_contact A)
echo "  the redirect of a call to 201 from 127.0.0.1 (202@acme.example) lists first: $contact"
check_true "the 302's first Contact is baresip's contact" "$contact" \
    eval "[[ '$contact' =~ ^sip:201-[^@]*@$phone_ip:$baresip_port\$ ]]"
out=$(timeout 30 python3 "$regclient" call "$(node_addr A)" --to 201 --talk 1 || true)
echo "  call: $out"
check "the UAC follows the 302 to baresip" "$(python3 -c 'import json, sys; r = json.loads(sys.argv[1] or "{}"); print(r.get("redirect"), "|", (r.get("contacts") or [""])[0])' "$out")" \
    "SIP/2.0 302 Moved Temporarily | $contact"
check "baresip answers by itself (answermode=auto)" "$(jget "$out" final | cut -d' ' -f2)" "200"
packets=$(jget "$out" rtp_packets)
check_true "baresip sends RTP to the caller" "$packets packets in 1 s" eval "[[ '$packets' =~ ^[0-9]+$ ]] && (( $packets > 10 ))"
check "the BYE gets 200" "$(jget "$out" bye)" "SIP/2.0 200 OK"
check_true "baresip saw the call established and ended" "" \
    eval "grep -aq 'Call established' '$baresip_out' && grep -aq 'terminated' '$baresip_out'"

baresip_stop
out=$(python3 "$regclient" expect "$(node_addr A)" --to 201 --first sip:201@10.1.0.21:5060 --timeout 5 --interval 0.05 || true)
check "baresip unregisters when it quits: 201 redirects to its conf contact again" "$(jget "$out" seen)" "True"
node_stop A
check "switchd stops with status 0" "$node_status" "0"
lib_summary
