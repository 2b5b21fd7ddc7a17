"""The transport phase of `make bench` (bench/bench.py runs it; `--only transports` runs it alone).

Calls over one TCP connection and over one TLS connection, switchd (release, 1 worker) against Kamailio
(1 TCP reader, `-A WITH_TCP -A WITH_TLS` of bench/generate.py's script, Debian's kamailio-tls-modules)
on the generated plan, then memory per idle connection.

- Certificate: a self-signed ECDSA P-256 pair for 127.0.0.1 made with openssl in OUT/transports/tls/,
  used by both servers (switchd: [tls] of its bench conf; Kamailio: OUT/transports/tls.cfg).
- switchd: a copy of the generated conf with its own switchd.toml (tcp: and tls: listen addresses,
  [limits] max_connections and max_connections_per_address 15,000, idle_timeout 3,600 s).
- Both servers get RLIMIT_NOFILE NOFILE (or the hard limit, when lower and not to be raised), and so
  does this script (the client of the idle connections).
- Same answers first: SIPp bench/check.xml over each transport against each server, every call of
  calls.csv checked (status and Contact).
- Calls: SIPp bench/call.xml `-t t1` (one TCP connection carries every call) at --transport-rate calls/s
  for --seconds, --reps times, alternating switchd, Kamailio, switchd ... over TCP, then over TLS.
  Debian's SIPp 3.6.1 is built without TLS (no `-t l1`), so over TLS it talks TCP to a socat on
  127.0.0.1 that holds one TLS connection to the server (socat: OpenSSL, TLS 1.3, no certificate
  check); call.xml's Via then says TLS (a copy of it, OUT/transports/call-tls.xml). socat's CPU is not
  the server's and is left out of the "other load" of a run, like SIPp's.
  Per run: calls achieved, failed and retransmitted (SIPp), CPU µs per call = user+sys of all the
  server's processes / successful calls, SIPp's response-time p99 bucket, RSS before/after. A run
  during which other processes used more than bench.DISTURBED_SHARE of a core is run again once.
- Idle connections: on a server started afresh for each transport (so that memory freed by an earlier
  test is not reused), --idle-connections connections (TCP; then TLS with the handshake done) from
  IDLE_SOURCES source addresses of 127.0.0.0/8, opened in batches that the server accepts before the
  next; nothing sent on them. Per connection: (RSS with them - RSS before) / N in KB, summed over the
  server's processes, and the same for PSS (Kamailio's connections live in its shared memory, counted
  in the RSS of each process that touched it; PSS shares it out). Every connection must still be open
  when measured.
"""
import concurrent.futures
import os
import re
import resource
import select
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time

import compare   # bench/compare.py: the calls.csv reader

HERE = os.path.dirname(os.path.abspath(__file__))
# Base ports: +0 TCP, +1 TLS, +10 the socat relay to TLS, +20/+21 the instance of the idle TLS test.
PORTS = {"switchd": 15300, "kamailio": 15400}
SIPP_LOCAL_PORT = 16300    # + the server's port - 15300
NOFILE = 65536
IDLE_SOURCES = [f"127.0.1.{n}" for n in range(1, 11)]   # 1,000 connections each for 10,000
IDLE_BATCH = 250            # connections opened before waiting for the server to accept them
HANDSHAKES_AT_ONCE = 8      # TLS handshakes of a batch in flight together (client threads)
CONNECTION_LIMIT = 15000    # switchd max_connections(_per_address), Kamailio tcp/tls_max_connections
TRANSPORTS = ("tcp", "tls")


# ---------------------------------------------------------------- set-up

def make_certificate(directory):
    os.makedirs(directory, exist_ok=True)
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    if not (os.path.exists(cert) and os.path.exists(key)):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "30", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        os.chmod(key, 0o600)
    return cert, key


def raise_nofile(limit=NOFILE):
    """RLIMIT_NOFILE of this process to `limit`, or to the hard limit when it may not be raised (without
    CAP_SYS_RESOURCE, as in a container); returns (soft, hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, max(hard, limit)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(limit, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def switchd_conf(b, args, directory, ports, cert, key):
    conf = os.path.join(directory, f"conf-{ports[0]}")
    if os.path.exists(conf):
        shutil.rmtree(conf)
    shutil.copytree(os.path.join(args.data, "conf"), conf)
    with open(os.path.join(conf, "switchd.toml"), "w") as f:
        f.write("# bench/transports.py: the transport phase (bench/bench.py --only transports)\n\n"
                f"[server]\nlisten = [\"tcp:127.0.0.1:{ports[0]}\", \"tls:127.0.0.1:{ports[1]}\"]\nworkers = 1\n\n"
                f"[limits]\nmax_connections = {CONNECTION_LIMIT}\nmax_connections_per_address = {CONNECTION_LIMIT}\n"
                "idle_timeout = 3600\n\n"
                f"[tls]\ncertificate = \"{cert}\"\nprivate_key = \"{key}\"\n")
    result = subprocess.run([args.switchd, "check", "--conf", conf], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"switchd check failed on {conf}:\n{result.stderr[:3000]}")
    return conf


def kamailio_tls_cfg(directory, cert, key):
    path = os.path.join(directory, "tls.cfg")
    with open(path, "w") as f:
        f.write("# bench/transports.py: Kamailio's tls module, the same pair as switchd\n"
                "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
                f"private_key = {key}\ncertificate = {cert}\n")
    return path


class StreamServer:
    """One server process listening on tcp:127.0.0.1:PORT and tls:127.0.0.1:PORT+1."""

    def __init__(self, b, args, kind, ports, directory, cert, key, ctl=False):
        self.b, self.kind, self.workers, self.ctl = b, kind, 1, ctl and kind == "kamailio"
        self.tcp_port, self.tls_port = ports
        self.name = f"{kind} (1 worker)"
        self.log = os.path.join(args.out, f"transports-{kind}-{ports[0]}.log")
        if kind == "switchd":
            conf = switchd_conf(b, args, directory, ports, cert, key)
            self.argv = [args.switchd, "run", "--conf", conf, "--listen", f"tcp:127.0.0.1:{ports[0]}",
                         "--listen", f"tls:127.0.0.1:{ports[1]}", "--workers", "1", "--log-level", "warning"]
        else:
            cfg = os.path.join(args.data, "kamailio", "kamailio.cfg")
            with open(cfg) as f:
                shm = int(re.search(r" -m (\d+) ", f.read()).group(1))
            tls_cfg = kamailio_tls_cfg(directory, cert, key)
            # Shared memory: the plan's, plus room for 15,000 connections (TLS state lives there too);
            # untouched shared memory costs no RSS.
            self.argv = ["kamailio", "-f", cfg, "-DD", "-E", "-A", "WITH_TCP", "-A", "WITH_TLS",
                         "-A", f'TLS_CONFIG="{tls_cfg}"', "-l", f"tcp:127.0.0.1:{ports[0]}",
                         "-l", f"tls:127.0.0.1:{ports[1]}", "-n", "1", "-m", str(shm + 1024), "-M", "32"]
            if self.ctl:   # kamcmd core.shmmem: what Kamailio's own allocator hands out (idle tests only)
                self.argv += ["-A", "WITH_CTL"]
        self.process = None

    def start(self):
        log = open(self.log, "w")
        self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True, preexec_fn=lambda: raise_nofile(NOFILE))
        self.b.started.append(self.process)

    def stop(self):
        if self.process is not None:
            self.b.stop(self.process)

    def pids(self):
        return [self.process.pid] + self.b.descendants(self.process.pid)

    def wait_ready(self, limit_s=120):
        """Until an OPTIONS keep-alive over TCP gets 200 (Kamailio loads its tables first)."""
        deadline = time.time() + limit_s
        number = 0
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}: see {self.log}")
            number += 1
            try:
                with socket.create_connection(("127.0.0.1", self.tcp_port), timeout=0.5) as s:
                    s.sendall(options_keepalive(s.getsockname()[1], self.tcp_port, number))
                    if s.recv(65535).startswith(b"SIP/2.0 200"):
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"{self.name} did not answer over TCP within {limit_s} s: see {self.log}")


def options_keepalive(local_port, port, number):
    return (f"OPTIONS sip:127.0.0.1:{port};transport=tcp SIP/2.0\r\n"
            f"Via: SIP/2.0/TCP 127.0.0.1:{local_port};branch=z9hG4bK-ready-{number}\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:bench@127.0.0.1>;tag=ready\r\n"
            f"To: <sip:127.0.0.1:{port}>\r\nCall-ID: ready-tcp-{number}@bench\r\nCSeq: {number} OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n").encode()


class Relay:
    """socat: TCP on 127.0.0.1:PORT (SIPp connects there) to one TLS connection to the server."""

    def __init__(self, b, port, tls_port, log):
        self.b, self.port = b, port
        self.argv = ["socat", "-b", "65536", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,nodelay",
                     f"OPENSSL:127.0.0.1:{tls_port},verify=0,nodelay"]
        self.log = log
        self.process = None

    def start(self):
        self.process = self.b.start(self.argv, self.log)
        deadline = time.time() + 5
        while time.time() < deadline:   # listening?
            if listen_queue(self.port) is not None:
                return
            time.sleep(0.05)
        raise SystemExit(f"socat did not listen on 127.0.0.1:{self.port}: see {self.log}")

    def stop(self):
        if self.process is not None:
            self.b.stop(self.process)
            self.process = None


def listen_queue(port):
    """The accept queue of the listening TCP socket on 127.0.0.1:port (None when there is none), from
    /proc/net/tcp: rx_queue of a LISTEN socket is the number of connections not yet accepted."""
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "0A" and int(local.split(":")[1], 16) == port and local.split(":")[0] in ("0100007F", "00000000"):
                return int(fields[4].split(":")[1], 16)
    return None


# ---------------------------------------------------------------- probe

class StreamProbe(threading.Thread):
    """bench.Probe over a connection of its own, straight to the server (TLS: the handshake here, no
    relay): PROBE_RATE calls a second (INVITE, then ACK) beside the load, each answer timed in
    microseconds; an answer later than PROBE_TIMEOUT_S counts with that latency."""

    def __init__(self, b, port, calls, transport, context=None):
        super().__init__(daemon=True)
        self.b, self.port, self.calls, self.transport, self.context = b, port, calls, transport, context
        self.latencies_us, self.unanswered, self.sent, self.error = [], 0, 0, None
        self.running = True
        self.connected = threading.Event()

    def run(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.context is not None:
                s = self.context.wrap_socket(s, server_hostname="127.0.0.1")
        except OSError as error:
            self.error = f"probe connection: {error}"
            self.connected.set()
            return
        self.connected.set()
        with s:
            local = s.getsockname()[1]
            interval = 1.0 / self.b.PROBE_RATE
            next_send = time.perf_counter()
            pending = b""
            while self.running:
                user, domain, dialled = self.calls[self.sent % len(self.calls)]
                marker = f"probe-{self.transport}-{self.sent}@".encode()
                invite, ack = self.messages(local, self.sent, user, domain, dialled)
                self.sent += 1
                begin = time.perf_counter_ns()
                deadline = time.perf_counter() + self.b.PROBE_TIMEOUT_S
                try:
                    s.sendall(invite)
                    while True:   # until this probe's answer is whole (earlier late answers are skipped)
                        at = pending.find(marker)
                        end = pending.find(b"\r\n\r\n", at) if at >= 0 else -1
                        if end >= 0:
                            pending = pending[end + 4:]
                            break
                        left = deadline - time.perf_counter()
                        if left <= 0:
                            raise socket.timeout()
                        s.settimeout(left)
                        data = s.recv(65536)
                        if not data:
                            raise ConnectionError("closed by the server")
                        pending += data
                    self.latencies_us.append((time.perf_counter_ns() - begin) / 1000)
                    s.sendall(ack)
                except socket.timeout:
                    self.unanswered += 1
                    self.latencies_us.append(self.b.PROBE_TIMEOUT_S * 1e6)
                except (OSError, ConnectionError) as error:
                    self.error = f"probe: {error}"
                    return
                if len(pending) > 1 << 20:
                    pending = pending[-65536:]
                next_send += interval
                time.sleep(max(0.0, next_send - time.perf_counter()))

    def messages(self, local, number, user, domain, dialled):
        port, via = self.port, self.transport.upper()
        common = (f"Via: SIP/2.0/{via} 127.0.0.1:{local};branch=z9hG4bK-probe-{self.transport}-{number}\r\n"
                  f"Max-Forwards: 70\r\nFrom: <sip:{user}@{domain}>;tag=probe{number}\r\n"
                  f"To: <sip:{dialled}@127.0.0.1:{port}>\r\nCall-ID: probe-{self.transport}-{number}@bench\r\n")
        invite = (f"INVITE sip:{dialled}@127.0.0.1:{port} SIP/2.0\r\n{common}CSeq: 1 INVITE\r\n"
                  f"Contact: <sip:{user}@127.0.0.1:{local};transport={self.transport}>\r\nContent-Length: 0\r\n\r\n")
        ack = f"ACK sip:{dialled}@127.0.0.1:{port} SIP/2.0\r\n{common}CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
        return invite.encode(), ack.encode()


def client_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# ---------------------------------------------------------------- calls

def tls_scenario(directory):
    """call.xml with TLS in its Via (SIPp speaks TCP to the relay; the server sees TLS)."""
    with open(os.path.join(HERE, "call.xml")) as f:
        text = f.read()
    path = os.path.join(directory, "call-tls.xml")
    with open(path, "w") as f:
        f.write(text.replace("SIP/2.0/[transport]", "SIP/2.0/TLS"))
    return path


def check_xml_tls(directory):
    with open(os.path.join(HERE, "check.xml")) as f:
        text = f.read()
    path = os.path.join(directory, "check-tls.xml")
    with open(path, "w") as f:
        f.write(text.replace("SIP/2.0/[transport]", "SIP/2.0/TLS"))
    return path


def sipp_over(b, args, server, transport, scenario, rate, calls, label, relays):
    """SIPp over one TCP connection to the server, or to a fresh relay for TLS; (stats, relay pid)."""
    if transport == "tcp":
        return b.run_sipp(server.tcp_port, scenario, os.path.join(args.data, "calls.csv"), rate, calls, label,
                          args.out, SIPP_LOCAL_PORT + server.tcp_port - PORTS["switchd"], transport="t1"), None
    relay = Relay(b, server.tcp_port + 10, server.tls_port, os.path.join(args.out, f"{label}.socat.log"))
    relay.start()
    relays.append(relay)
    try:
        stats = b.run_sipp(relay.port, scenario, os.path.join(args.data, "calls.csv"), rate, calls, label,
                           args.out, SIPP_LOCAL_PORT + relay.port - PORTS["switchd"], transport="t1")
        return stats, relay.process.pid
    finally:
        relay.stop()


def check_answers(b, args, servers, directory):
    """check.xml over each transport against each server: every call of calls.csv answered as expected."""
    count = sum(1 for line in open(os.path.join(args.data, "calls.csv")) if line.strip() and not line.startswith("SEQUENTIAL"))
    scenarios = {"tcp": os.path.join(HERE, "check.xml"), "tls": check_xml_tls(directory)}
    lines, relays = [], []
    for transport in args.transports:
        for server in servers:
            stats, _ = sipp_over(b, args, server, transport, scenarios[transport], 5000, count,
                                 f"transports-check-{server.kind}-{transport}", relays)
            ok, failed = b.sipp_number(stats, "SuccessfulCall(C)"), b.sipp_number(stats, "FailedCall(C)")
            line = (f"SIPp check.xml over {transport.upper()} against {server.name}: {ok:.0f} calls with the expected "
                    f"status and Contact, {failed:.0f} failed")
            print("  " + line)
            lines.append(line)
            if failed != 0 or ok != count:
                raise SystemExit(f"{server.name} answered unexpectedly over {transport.upper()}: not measuring")
    return lines


def call_run(b, args, server, transport, scenario, rate, label, probe_calls):
    calls = rate * args.seconds
    idle_share = b.wait_for_idle()
    probe = StreamProbe(b, server.tcp_port if transport == "tcp" else server.tls_port, probe_calls, transport,
                        None if transport == "tcp" else client_context())
    probe.start()
    probe.connected.wait(10)   # the TLS handshake outside the measurement
    pids = server.pids()
    memory_before = b.memory_kb(pids)
    cpu_before = b.cpu_seconds(pids)
    processes_before = b.all_process_ticks()
    relays = []
    try:
        stats, relay_pid = sipp_over(b, args, server, transport, scenario, rate, calls, label, relays)
    finally:
        probe.running = False
        probe.join()
    time.sleep(0.2)   # late ACKs
    pids = server.pids()
    cpu = b.cpu_seconds(pids) - cpu_before
    # socat has exited by now (it serves one connection), like SIPp: neither is in `after`.
    excluded = set(pids) | {os.getpid()} | ({relay_pid} if relay_pid else set())
    other = b.other_cpu_seconds(processes_before, b.all_process_ticks(), excluded)
    elapsed = stats["wall_s"]
    successful = b.sipp_number(stats, "SuccessfulCall(C)")
    failed = b.sipp_number(stats, "FailedCall(C)")
    memory_after = b.memory_kb(pids)
    answered = successful + len(probe.latencies_us) - probe.unanswered
    return {
        "server": server.kind, "workers": 1, "transport": transport, "rate": rate, "label": label,
        "calls": calls, "successful": successful, "failed": failed,
        "unfinished": calls - successful - failed,
        "retransmissions": b.sipp_number(stats, "Retransmissions(C)"),
        "achieved_rate": successful / elapsed, "elapsed_s": elapsed,
        "cpu_s": cpu, "cpu_us_per_call": 1e6 * cpu / max(1.0, answered),
        "other_load_share": other / elapsed, "idle_share_before": idle_share,
        "sipp_p99_ms_bucket": b.sipp_histogram_p99_ms(stats),
        "sipp_mean_response_ms": b.sipp_number(stats, "ResponseTime1(C)"),
        "rss_kb_before": memory_before[0], "rss_kb_after": memory_after[0], "pss_kb_after": memory_after[1],
        "probe_sent": probe.sent, "probe_unanswered": probe.unanswered, "probe_error": probe.error,
        "probe_p50_us": b.percentile(probe.latencies_us, 0.50),
        "probe_p99_us": b.percentile(probe.latencies_us, 0.99),
        "probe_max_us": max(probe.latencies_us) if probe.latencies_us else None,
    }


def call_runs(b, args, servers, directory):
    scenarios = {"tcp": "call.xml", "tls": tls_scenario(directory)}
    calls = compare.read_calls(os.path.join(args.data, "calls.csv"), None)
    probe_calls = [(user, domain, dialled) for _, user, domain, dialled, status, _ in calls if status == 302]
    runs = []
    for transport in args.transports:
        for rep in range(1, args.reps + 1):
            for server in servers:
                label = f"transports-{server.kind}-{transport}-{args.transport_rate}-r{rep}"
                run = call_run(b, args, server, transport, scenarios[transport], args.transport_rate, label, probe_calls)
                if run["other_load_share"] > b.DISTURBED_SHARE:
                    print(f"  {label}: other processes used {run['other_load_share']:.2f} of a core: run again")
                    run = call_run(b, args, server, transport, scenarios[transport], args.transport_rate, label + "-again",
                                   probe_calls)
                    run["disturbed"] = run["other_load_share"] > b.DISTURBED_SHARE
                runs.append(run)
                print(f"  {label}: {run['achieved_rate']:,.0f} calls/s, {run['failed']:.0f} failed, "
                      f"{run['unfinished']:.0f} unfinished, {run['retransmissions']:.0f} retrans., "
                      f"{run['cpu_us_per_call']:.1f} µs CPU/call, probe p99 {b.fmt(run['probe_p99_us'], '.0f')} µs, "
                      f"SIPp p99 ≤ {b.fmt(run['sipp_p99_ms_bucket'], 'd')} ms" + (f" ({run['probe_error']})" if run['probe_error'] else ""))
    return runs


# ---------------------------------------------------------------- idle connections

def handshake(tls_context, s):
    try:
        return tls_context.wrap_socket(s, server_hostname="127.0.0.1")   # the handshake is done here
    except OSError:   # ssl.SSLError and socket.timeout are OSErrors
        s.close()
        raise


def open_idle(port, count, tls_context=None, limit_s=300):
    """`count` connections to 127.0.0.1:port from IDLE_SOURCES in turn (TLS: handshake done), in batches
    of IDLE_BATCH that the server has accepted (its accept queue empty) before the next batch; returns
    (the sockets, None) or, at the first connection that fails or after limit_s, (those open, why)."""
    sockets = []
    deadline = time.time() + limit_s
    with concurrent.futures.ThreadPoolExecutor(HANDSHAKES_AT_ONCE) as pool:
        while len(sockets) < count:
            if time.time() > deadline:
                return sockets, f"{len(sockets)} of {count} connections open after {limit_s} s"
            batch = []
            for _ in range(min(IDLE_BATCH, count - len(sockets))):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    s.bind((IDLE_SOURCES[(len(sockets) + len(batch)) % len(IDLE_SOURCES)], 0))
                    s.settimeout(10)
                    s.connect(("127.0.0.1", port))
                except OSError as error:
                    s.close()
                    return sockets + batch, f"connection {len(sockets) + len(batch) + 1}: {error}"
                batch.append(s)
            if tls_context is not None:
                futures = [pool.submit(handshake, tls_context, s) for s in batch]
                batch, errors = [], []
                for future in futures:
                    try:
                        batch.append(future.result())
                    except OSError as error:
                        errors.append(error)
                if errors:
                    return sockets + batch, f"{len(errors)} TLS handshakes failed: {errors[0]}"
            sockets += batch
            while (listen_queue(port) or 0) > 0 and time.time() < deadline:
                time.sleep(0.01)
    return sockets, None


def still_open(sockets):
    """How many of the sockets the server has not closed. A readable one is read once without
    blocking: an end of stream or an error means closed; data, or TLS records without application
    data (TLS 1.3 sends its session tickets after the handshake), mean open."""
    poller = select.poll()
    by_fd = {s.fileno(): s for s in sockets}
    for fd in by_fd:
        poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    closed = 0
    for fd, _ in poller.poll(0):
        s = by_fd[fd]
        s.setblocking(False)
        try:
            closed += s.recv(4096) == b""
        except (ssl.SSLWantReadError, BlockingIOError):
            pass
        except OSError:   # ssl.SSLError (an EOF without close_notify among them), a reset
            closed += 1
    return len(sockets) - closed


KAMAILIO_CTL = "unix:/tmp/kamailio-bench-ctl.sock"   # generate.py's WITH_CTL socket


def kamailio_shm_used_kb(server):
    """real_used of Kamailio's shared memory (kamcmd core.shmmem), in KB; None without ctl."""
    if not server.ctl or shutil.which("kamcmd") is None:
        return None
    result = subprocess.run(["kamcmd", "-s", KAMAILIO_CTL, "core.shmmem"], capture_output=True, text=True, timeout=10)
    m = re.search(r"real_used:\s*(\d+)", result.stdout)
    return int(m.group(1)) / 1024 if m else None


def idle_memory(b, args, server, transport):
    """Memory of `server` (fresh, started and stopped here) with args.idle_connections idle connections."""
    count = args.idle_connections
    server.start()
    try:
        server.wait_ready()
        time.sleep(2)
        pids = server.pids()
        before = b.memory_kb(pids)
        shm_before = kamailio_shm_used_kb(server)
        context = None
        port = server.tcp_port
        if transport == "tls":
            context = client_context()
            port = server.tls_port
        began = time.perf_counter()
        sockets, error = open_idle(port, count, context)
        opened_s = time.perf_counter() - began
        if error:
            print(f"  {server.name} {transport.upper()}: {error}")
        try:
            time.sleep(3)   # the server settles (Kamailio hands connections to its reader)
            pids = server.pids()
            with_connections = b.memory_kb(pids)
            shm_with = kamailio_shm_used_kb(server)
            open_count = still_open(sockets)
        finally:
            for s in sockets:
                try:
                    s.close()
                except OSError:
                    pass
        time.sleep(2)
        after_close = b.memory_kb(server.pids())
    finally:
        server.stop()
    result = {
        "server": server.kind, "transport": transport, "connections": count, "opened": len(sockets),
        "open_when_measured": open_count, "error": error,
        "seconds_to_open": opened_s,
        "rss_kb_before": before[0], "rss_kb_with": with_connections[0], "rss_kb_after_close": after_close[0],
        "pss_kb_before": before[1], "pss_kb_with": with_connections[1], "pss_kb_after_close": after_close[1],
        # per connection actually open (all of them, unless `error` says otherwise)
        "rss_kb_per_connection": (with_connections[0] - before[0]) / max(1, len(sockets)),
        "pss_kb_per_connection": (with_connections[1] - before[1]) / max(1, len(sockets)),
        # Kamailio: its shared memory in use (connections and TLS state live there, in pages that may
        # already be resident from loading the plan, which RSS and PSS then do not show)
        "shm_kb_before": shm_before, "shm_kb_with": shm_with,
        "shm_kb_per_connection": (shm_with - shm_before) / max(1, len(sockets))
        if shm_before is not None and shm_with is not None else None,
    }
    print(f"  {server.name} {transport.upper()}: {open_count:,} of {count:,} open after {opened_s:.1f} s to open; "
          f"RSS {before[0] / 1024:.1f} → {with_connections[0] / 1024:.1f} MB = {result['rss_kb_per_connection']:.2f} KB "
          f"per connection (PSS {result['pss_kb_per_connection']:.2f} KB"
          + (f", Kamailio shm in use {result['shm_kb_per_connection']:.2f} KB" if result["shm_kb_per_connection"] is not None else "")
          + f"); after closing them RSS {after_close[0] / 1024:.1f} MB")
    return result


# ---------------------------------------------------------------- the phase

def transport_phase(b, args):
    directory = os.path.join(args.out, "transports")
    os.makedirs(directory, exist_ok=True)
    cert, key = make_certificate(os.path.join(directory, "tls"))
    limits = raise_nofile(NOFILE)
    if args.idle_connections and limits[0] < args.idle_connections + 1000:
        raise SystemExit(f"RLIMIT_NOFILE is {limits[0]} (hard {limits[1]}): {args.idle_connections:,} idle connections "
                         "need 1,000 more; lower --idle-connections or raise the hard limit")
    results = {"rate": args.transport_rate, "seconds": args.seconds, "reps": args.reps,
               "transports": list(args.transports), "client_nofile": list(limits), "runs": [], "idle": []}
    servers = [StreamServer(b, args, kind, (PORTS[kind], PORTS[kind] + 1), directory, cert, key)
               for kind in ("switchd", "kamailio")]
    # The idle tests: servers of their own (with Kamailio's ctl, to read its shared memory in use).
    idle_tcp = [StreamServer(b, args, kind, (PORTS[kind] + 40, PORTS[kind] + 41), directory, cert, key, ctl=True)
                for kind in ("switchd", "kamailio")]
    # The idle TLS test gets servers of its own (memory freed after the idle TCP test would be reused).
    fresh = [StreamServer(b, args, kind, (PORTS[kind] + 20, PORTS[kind] + 21), directory, cert, key, ctl=True)
             for kind in ("switchd", "kamailio")]

    if args.idle_connections and "tcp" in args.transports:
        print(f"bench: {args.idle_connections:,} idle TCP connections to each server (fresh)")
        for server in idle_tcp:
            results["idle"].append(idle_memory(b, args, server, "tcp"))
    if args.idle_connections and "tls" in args.transports:
        print(f"bench: {args.idle_connections:,} idle TLS connections to each server (fresh)")
        for server in fresh:
            results["idle"].append(idle_memory(b, args, server, "tls"))

    if args.transport_rate:
        print("bench: starting " + ", ".join(f"{s.name} on tcp:{s.tcp_port} and tls:{s.tls_port}" for s in servers))
        for server in servers:
            server.start()
        try:
            for server in servers:
                server.wait_ready()
            time.sleep(1)
            results["idle_memory_kb"] = {s.kind: b.memory_kb(s.pids()) for s in servers}
            print("bench: identical answers over " + " and ".join(t.upper() for t in args.transports) + "?")
            results["equivalence"] = check_answers(b, args, servers, directory)
            print(f"bench: {len(args.transports)} transports x {args.reps} repetitions x 2 servers, "
                  f"{args.transport_rate:,} calls/s for {args.seconds} s over one connection")
            results["runs"] = call_runs(b, args, servers, directory)
            results["final_memory_kb"] = {s.kind: b.memory_kb(s.pids()) for s in servers}
        finally:
            for server in servers:
                server.stop()
    return results


# ---------------------------------------------------------------- report

def report(b, results):
    lines = []
    runs = results["runs"]
    if runs:
        lines += ["| transport | server (workers) | achieved calls/s (worst) | failed (worst) | unfinished (worst) | retrans. (worst) "
                  "| CPU µs/call median (worst) | probe p50 µs median | probe p99 µs median (worst) | SIPp p99 ≤ ms (worst) "
                  "| RSS MB before → after (max) |",
                  "|" + " --- |" * 11]
        for transport in results["transports"]:
            summaries = {}
            for kind in ("switchd", "kamailio"):
                rs = [r for r in runs if r["server"] == kind and r["transport"] == transport]
                rs = [r for r in rs if not r.get("disturbed")] or rs
                if not rs:
                    continue
                s = summaries[kind] = {
                    "achieved_min": min(r["achieved_rate"] for r in rs),
                    "failed_max": max(r["failed"] for r in rs), "unfinished_max": max(r["unfinished"] for r in rs),
                    "retrans_max": max(r["retransmissions"] for r in rs),
                    "cpu_median": statistics.median(r["cpu_us_per_call"] for r in rs),
                    "cpu_worst": max(r["cpu_us_per_call"] for r in rs),
                    "p99_ms": max((r["sipp_p99_ms_bucket"] or 0) for r in rs) or None,
                    "p50_median": median_of(rs, "probe_p50_us"), "p99_median": median_of(rs, "probe_p99_us"),
                    "p99_worst": max((r["probe_p99_us"] for r in rs if r["probe_p99_us"] is not None), default=None),
                    "rss_before_mb": min(r["rss_kb_before"] for r in rs) / 1024,
                    "rss_after_mb": max(r["rss_kb_after"] for r in rs) / 1024,
                }
                lines.append(f"| {transport.upper()} | {kind} (1) | {s['achieved_min']:,.0f} | {s['failed_max']:.0f} | "
                             f"{s['unfinished_max']:.0f} | {s['retrans_max']:.0f} | {s['cpu_median']:.1f} ({s['cpu_worst']:.1f}) | "
                             f"{b.fmt(s['p50_median'], '.0f')} | {b.fmt(s['p99_median'], '.0f')} ({b.fmt(s['p99_worst'], '.0f')}) | "
                             f"{b.fmt(s['p99_ms'], 'd')} | {s['rss_before_mb']:.1f} → {s['rss_after_mb']:.1f} |")
            a, k = summaries.get("switchd"), summaries.get("kamailio")
            if a and k:
                lines.append(f"| {transport.upper()} | **switchd / Kamailio** | {b.ratio(a['achieved_min'], k['achieved_min'])} | | | | "
                             f"**{b.ratio(a['cpu_median'], k['cpu_median'])}** ({b.ratio(a['cpu_worst'], k['cpu_worst'])}) | "
                             f"{b.ratio(a['p50_median'], k['p50_median'])} | {b.ratio(a['p99_median'], k['p99_median'])} "
                             f"({b.ratio(a['p99_worst'], k['p99_worst'])}) | | {b.ratio(a['rss_after_mb'], k['rss_after_mb'])} |")
                results.setdefault("ratios_cpu_per_call", {})[transport] = a["cpu_median"] / k["cpu_median"]
    if results["idle"]:
        if lines:
            lines.append("")
        lines += ["| transport | server | idle connections (open when measured) | RSS MB before → with them → after closing "
                  "| **RSS KB per connection** | PSS KB per connection | Kamailio shm in use KB per connection | seconds to open |",
                  "|" + " --- |" * 8]
        for r in results["idle"]:
            lines.append(f"| {r['transport'].upper()} | {r['server']} | {r['connections']:,} ({r['open_when_measured']:,}) | "
                         f"{r['rss_kb_before'] / 1024:.1f} → {r['rss_kb_with'] / 1024:.1f} → {r['rss_kb_after_close'] / 1024:.1f} | "
                         f"**{r['rss_kb_per_connection']:.2f}** | {r['pss_kb_per_connection']:.2f} | "
                         f"{b.fmt(r.get('shm_kb_per_connection'), '.2f')} | {r['seconds_to_open']:.1f} |")
        for transport in results["transports"]:
            by = {r["server"]: r for r in results["idle"] if r["transport"] == transport}
            if "switchd" in by and "kamailio" in by:
                a, k = by["switchd"], by["kamailio"]
                lines.append(f"| {transport.upper()} | **switchd / Kamailio** | | | "
                             f"**{b.ratio(a['rss_kb_per_connection'], k['rss_kb_per_connection'])}** | "
                             f"{b.ratio(a['pss_kb_per_connection'], k['pss_kb_per_connection'])} | "
                             f"{b.ratio(a['pss_kb_per_connection'], k.get('shm_kb_per_connection'))} (switchd PSS / Kamailio shm) | |")
    for transport, value in results.get("ratios_cpu_per_call", {}).items():
        lines.append(f"{transport.upper()}: switchd's median CPU per call is {value:.2f} of Kamailio's "
                     f"({'no higher' if value <= 1 else 'HIGHER'}).")
    return lines


def median_of(rs, key):
    values = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(values) if values else None


def every_run(b, results):
    lines = ["| transport | server | run | achieved | failed | unfinished | retrans. | CPU µs/call | probe p50 / p99 µs "
             "| SIPp p99 ≤ ms | other load (cores) |",
             "|" + " --- |" * 11]
    for r in results["runs"]:
        lines.append(f"| {r['transport'].upper()} | {r['server']} | {r['label']} | {r['achieved_rate']:,.0f} | {r['failed']:.0f} | "
                     f"{r['unfinished']:.0f} | {r['retransmissions']:.0f} | {r['cpu_us_per_call']:.1f} | "
                     f"{b.fmt(r['probe_p50_us'], '.0f')} / {b.fmt(r['probe_p99_us'], '.0f')} | "
                     f"{b.fmt(r['sipp_p99_ms_bucket'], 'd')} | {r['other_load_share']:.2f}{' DISTURBED' if r.get('disturbed') else ''} |")
    return lines


def failures(results):
    """What the issue requires of switchd: every call answered (0 failed, 0 unfinished), every idle
    connection still open."""
    failed = []
    for r in results["runs"]:
        if r["server"] == "switchd" and (r["failed"] or r["unfinished"]):
            failed.append(f"{r['label']}: {r['failed']:.0f} failed, {r['unfinished']:.0f} unfinished")
    for r in results["idle"]:
        if r["server"] == "switchd" and r["open_when_measured"] != r["connections"]:
            failed.append(f"switchd idle {r['transport']}: {r['open_when_measured']} of {r['connections']} open")
    return failed
