#!/usr/bin/env bash
# TCP and TLS against the daemon as a process, with clients nobody here wrote the server side of:
#   - a TLS client that verifies the server's certificate (Python's ssl, against the test's own CA-less
#     self-signed certificate) gets the same answer as UDP and TCP for the same call;
#   - SIGHUP with a broken certificate keeps the old one serving (and says so), with a new valid one
#     serves the new one to new connections, without a restart;
#   - `switchd check` names a certificate that cannot serve.
#   bash Tests/daemon/transports.sh [path-to-switchd]      (make daemon-test runs it)
# Certificates are made with openssl in the test's work directory; traffic stays on 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
switchd=$(need_switchd "${1:-}")
client="$here/streamclient.py"
lib_init transports 120

conf=$lib_work/conf
cp -R "$lib_root/conf" "$conf"
rm -rf "$conf/var" "$conf/tls"
mkdir -p "$conf/tls" "$lib_work/next"
make_cert() {  # make_cert DIR CN: a self-signed certificate for 127.0.0.1 and its key
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}
fingerprint() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
make_cert "$conf/tls" "switchd-test-1"
make_cert "$lib_work/next" "switchd-test-2"
cat >"$conf/switchd.toml" <<TOML
[tls]
certificate = "tls/cert.pem"
private_key = "tls/key.pem"
TOML

check "switchd check accepts the certificate and key" "$("$switchd" check --conf "$conf" 2>&1)" \
    "$conf: OK: 4 customers, 1 group, 425 extensions, 4 trunks, 1 emergency number, 5 call classes"

tcp_port=$(free_port tcp)
tls_port=$(free_port tcp)
check_true "switchd serves UDP, TCP and TLS" "" \
    node_start A "$conf" --listen "tcp:127.0.0.1:$tcp_port" --listen "tls:127.0.0.1:$tls_port"
check "the start line names every transport" \
    "$(grep -c "sip.listen=udp:127.0.0.1:${node_port[A]} tcp:127.0.0.1:$tcp_port tls:127.0.0.1:$tls_port" "${node_log[A]}")" "1"

udp=$(python3 "$regclient" lookup "$(node_addr A)" --to 201 || true)
tcp=$(python3 "$client" "127.0.0.1:$tcp_port" --transport tcp || true)
tls=$(python3 "$client" "127.0.0.1:$tls_port" --transport tls --cafile "$conf/tls/cert.pem" || true)
check "UDP: 302 to 201's contact" "$(jget "$udp" status) $(jget "$udp" contacts)" '302 ["sip:201@10.1.0.21:5060"]'
check "TCP: the same" "$(jget "$tcp" status) $(jget "$tcp" contacts)" '302 ["sip:201@10.1.0.21:5060"]'
check "TLS, certificate verified: the same" "$(jget "$tls" status) $(jget "$tls" contacts) $(jget "$tls" error)" \
    '302 ["sip:201@10.1.0.21:5060"] None'
bad=$(python3 "$client" "127.0.0.1:$tls_port" --transport tls --cafile "$lib_work/next/cert.pem" || true)
check_true "a client trusting another certificate refuses the handshake" "$(jget "$bad" error)" \
    grep -q "CERTIFICATE_VERIFY_FAILED" <<<"$(jget "$bad" error)"
check "TCP: Globex seizing Acme's trunk (71+9...) is refused like over UDP" \
    "$(python3 "$client" "127.0.0.1:$tcp_port" --transport tcp --to 7191234 --from sip:100@globex.example | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["status"], r["reason"])')" \
    "403 Trunk Of Another Customer"

reload_and_wait() {  # reload_and_wait PATTERN: SIGHUP, then wait for one more log line matching PATTERN
    local before
    before=$(grep -c "$1" "${node_log[A]}" || true)
    kill -HUP "${node_pid[A]}"
    for _ in $(seq 1 50); do
        [[ $(grep -c "$1" "${node_log[A]}" || true) -gt $before ]] && return 0
        sleep 0.1
    done
    return 1
}

old=$(fingerprint "$conf/tls/cert.pem")
cp "$conf/tls/cert.pem" "$lib_work/old-cert.pem"
echo "not a certificate" >"$conf/tls/cert.pem"
check_true "SIGHUP with a broken certificate fails the reload" "" reload_and_wait "reload failed"
check_true "and the log names the file and key" "" grep -q "error: tls.certificate: $conf/tls/cert.pem: is not a readable PEM certificate" "${node_log[A]}"
after=$(python3 "$client" "127.0.0.1:$tls_port" --transport tls --cafile "$lib_work/old-cert.pem" || true)
check "the old certificate keeps serving new connections" "$(jget "$after" fingerprint) $(jget "$after" status)" "$old 302"
check "switchd check names the broken certificate" \
    "$("$switchd" check --conf "$conf" 2>&1 | head -n 1 | cut -c1-90)" \
    "$(echo "$conf/switchd.toml: error: tls.certificate: $conf/tls/cert.pem: is not a readable PEM certificate" | cut -c1-90)"

cp "$lib_work/next/cert.pem" "$lib_work/next/key.pem" "$conf/tls/"
check_true "SIGHUP with a renewed certificate reloads" "" reload_and_wait "configuration reloaded"
renewed=$(python3 "$client" "127.0.0.1:$tls_port" --transport tls --cafile "$lib_work/next/cert.pem" || true)
check "new connections get the renewed certificate, verified, without a restart" \
    "$(jget "$renewed" fingerprint) $(jget "$renewed" status)" "$(fingerprint "$lib_work/next/cert.pem") 302"

node_stop A TERM
check "SIGTERM stops with status 0" "$node_status" "0"
lib_summary
