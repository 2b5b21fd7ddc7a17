#!/usr/bin/env python3
"""switchd against Kamailio, side by side: CPU per call, failures, latency and memory (`make bench`).

    python3 bench/bench.py --switchd PATH [--out DIR] [--rates 5000,10000,20000] [--seconds 8]
                           [--reps 3] [--workers 1,2] [--skip-extras] [--only PHASES] [--metrics]
                           [--registered-rate 10000] [--register-rates 2000,4000] [--register-seconds 10]
                           [--register-stores sqlite,postgresql] [--kamailio-db-mode 2]
                           [--transport-rate 5000] [--transports tcp,tls] [--idle-connections 10000]

1. Generates one dial plan (bench/generate.py): a switchd conf/, the same plan as a Kamailio
   stateless-redirect script with htables, and calls.csv (numbers spread over customers and outcomes).
2. Starts every server configuration (each server with 1 and 2 workers) and checks that both servers
   answer the same calls identically: bench/compare.py over every call of calls.csv, then SIPp's
   check.xml over every call again, per configuration (status and Contact of every answer checked).
3. For each rate, for each repetition, runs every configuration in turn (switchd, Kamailio, switchd,
   Kamailio ...): SIPp call.xml for `seconds` at that rate, with a probe beside it sending
   PROBE_RATE INVITEs a second to time answers in microseconds. Before each run it waits for an idle
   machine; a run during which other processes used more than DISTURBED_SHARE of a core is run
   again (once) and flagged if still disturbed.
4. Per run: achieved rate, failed calls, retransmissions (SIPp statistics), server CPU seconds
   (user+sys of all its processes, /proc) / calls answered = microseconds of CPU per call, probe
   latency percentiles, SIPp's response-time histogram, and memory (RSS and PSS of all processes).
5. Extras (unless --skip-extras): a SIGHUP every 2 s while switchd answers 10,000 calls/s, every
   answer checked by check.xml; `switchd check` time and peak RSS on a 200,000-extension plan.

6. Registered vs static (bench/registrar.py): one switchd on a copy of the plan; INVITEs (call.xml) to
   20,000 extensions with static contacts only, then one REGISTER each (bench/register.xml, from a
   trusted source), then the same INVITEs again: CPU per call of both and their ratio; a sample of
   302s must list the registered phone first.
7. REGISTER (bench/registrar.py): register.xml with MD5 digest, a new user per REGISTER, at each of
   --register-rates for --register-seconds, into SQLite and into a private PostgreSQL
   (Tests/cluster/postgres.sh); then Kamailio's registrar (usrloc + auth_db on db_sqlite /
   db_postgres) under the same load. 0 failures required, and every binding in the store after.
8. Transports (bench/transports.py): switchd and Kamailio (1 worker each) on tcp: and tls: listen
   addresses with one self-signed certificate; check.xml over each transport, then call.xml over one
   TCP connection (SIPp -t t1) and over one TLS connection (SIPp's TCP through a socat relay: Debian's
   SIPp has no TLS) at --transport-rate for `seconds`, `reps` times alternating; CPU per call,
   failures, retransmissions; then RSS and PSS per idle connection with --idle-connections open
   (TCP, then TLS), each server started afresh.
--only runs some phases: calls (1-5), registered (6), register and kamailio-register (7),
registrar (6 and 7), or transports (8).

Prints one table with the best worker count of each server side by side (and their ratio), the
table of every configuration, and writes every raw number to OUT/results.json. Every process it
starts is stopped by its pid, also on Ctrl-C.
"""
import argparse
import json
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import compare   # bench/compare.py: the calls.csv reader
import registrar  # bench/registrar.py: the registered-vs-static and REGISTER phases
import transports  # bench/transports.py: calls over TCP and TLS, memory per idle connection

HERE = os.path.dirname(os.path.abspath(__file__))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
PROBE_RATE = 200           # probe INVITEs per second beside the load
PROBE_TIMEOUT_S = 0.5      # a probe unanswered this long counts with this latency
IDLE_SHARE = 0.10          # machine busy below this share of one core counts as idle
DISTURBED_SHARE = 0.15     # other processes using more than this share of a core disturb a run
SOCKET_BUFFER = 4 * 1024 * 1024
PORTS = {"switchd": 15100, "kamailio": 15200}
# bench/generate.py's arguments for the plan every phase uses (registrar.py rebuilds it from them).
PLAN_ARGS = ["--customers", "400", "--range-size", "100", "--calls", "20000"]
PHASES = ("calls", "registered", "register", "kamailio-register", "transports")

started = []               # every process this script started, stopped at exit


# ---------------------------------------------------------------- processes and /proc

def start(argv, log_path):
    log = open(log_path, "w")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    started.append(process)
    return process


def stop(process):
    """SIGTERM to the process's group (it was started in a session of its own, so the group holds
    Kamailio's workers too, even after a crash of the main process), SIGKILL to it after 5 s."""
    def signal_group(number):
        try:
            os.killpg(process.pid, number)
        except (ProcessLookupError, PermissionError):
            pass
    signal_group(signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    signal_group(signal.SIGKILL)
    process.wait()


def stop_all():
    for process in started:
        stop(process)


def process_stats():
    """(pid, fields of /proc/PID/stat after the command name) of every process on the machine; the
    fields are numbered from 0 = state, so ppid is [1], utime [11], stime [12]."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue   # gone since listdir
            if len(fields) > 12:
                yield int(entry), fields


def descendants(pid):
    """Every process below pid (Kamailio forks its workers and timers from the main process)."""
    parents = {}
    for child, fields in process_stats():
        parents.setdefault(int(fields[1]), []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pids):
    """user+sys of these processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])   # utime, stime (fields 14 and 15)
        except OSError:
            continue
    return total / CLOCK_TICKS


def memory_kb(pids):
    """(RSS, PSS, peak RSS) summed over the processes, in kB. PSS shares Kamailio's shared memory
    fairly between its processes; RSS counts it once per process."""
    rss = pss = peak = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        peak += int(line.split()[1])
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss, pss, peak


def all_process_ticks():
    """user+sys clock ticks of every process on the machine (kernel threads included), by pid."""
    return {pid: int(fields[11]) + int(fields[12]) for pid, fields in process_stats()}


def other_cpu_seconds(before, after, excluded):
    """CPU used during a run by processes other than `excluded`: those that lived through it, and
    those that started during it and were still there at its end (a process that came and went
    within the run is not seen). SIPp has exited by then and is not counted."""
    total = 0
    for pid, ticks in after.items():
        if pid not in excluded:
            total += ticks - before.get(pid, 0)
    return total / CLOCK_TICKS


def machine_busy_seconds():
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def wait_for_idle(limit_s=60):
    """Waits until the machine is idle for one second; returns the busy share seen last."""
    deadline = time.time() + limit_s
    while True:
        before = machine_busy_seconds()
        time.sleep(1.0)
        share = machine_busy_seconds() - before
        if share < IDLE_SHARE or time.time() > deadline:
            return share


# ---------------------------------------------------------------- servers

class Server:
    """One configuration: a server with a worker count, on its own port, started once."""

    def __init__(self, kind, workers, args, out):
        self.kind, self.workers = kind, workers
        self.name = f"{kind} ({workers} worker{'s' if workers > 1 else ''})"
        self.port = PORTS[kind] + workers
        self.log = os.path.join(out, f"{kind}-{workers}.log")
        if kind == "switchd":
            argv = [args.switchd, "run", "--conf", os.path.join(args.data, "conf"),
                    "--listen", f"udp:127.0.0.1:{self.port}", "--workers", str(workers),
                    "--log-level", "warning"]
            # --metrics: /metrics served and scraped once a second during every run, its cost in the CPU.
            self.metrics_port = self.port + 1000 if getattr(args, "metrics", False) else None
            if self.metrics_port:
                argv += ["--metrics-listen", f"127.0.0.1:{self.metrics_port}"]
        else:
            cfg = os.path.join(args.data, "kamailio", "kamailio.cfg")
            with open(cfg) as f:
                shm = re.search(r" -m (\d+) ", f.read()).group(1)
            argv = ["kamailio", "-f", cfg, "-DD", "-E", "-l", f"udp:127.0.0.1:{self.port}",
                    "-n", str(workers), "-m", shm, "-M", "32"]
            self.metrics_port = None
        self.argv = argv
        self.process = None

    def start(self):
        self.process = start(self.argv, self.log)

    def pids(self):
        return [self.process.pid] + descendants(self.process.pid)

    def wait_ready(self, limit_s=120):
        """Until an OPTIONS keep-alive gets 200 (Kamailio loads its tables first)."""
        deadline = time.time() + limit_s
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(0.5)
            number = 0
            while time.time() < deadline:
                if self.process.poll() is not None:
                    raise SystemExit(f"{self.name} exited with {self.process.returncode}: see {self.log}")
                number += 1
                s.sendto(options_keepalive(s.getsockname()[1], self.port, number), ("127.0.0.1", self.port))
                try:
                    if s.recv(65535).startswith(b"SIP/2.0 200"):
                        return
                except socket.timeout:
                    continue
        raise SystemExit(f"{self.name} did not answer within {limit_s} s: see {self.log}")


def options_keepalive(local_port, port, number):
    return (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK-ready-{number}\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:bench@127.0.0.1>;tag=ready\r\n"
            f"To: <sip:127.0.0.1:{port}>\r\nCall-ID: ready-{number}@bench\r\nCSeq: {number} OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n").encode()


# ---------------------------------------------------------------- probe

class Probe(threading.Thread):
    """Sends PROBE_RATE calls a second (INVITE, then ACK) beside the load and times each answer in
    microseconds: SIPp reports whole milliseconds only."""

    def __init__(self, port, calls):
        super().__init__(daemon=True)
        self.port, self.calls = port, calls
        self.latencies_us, self.unanswered, self.sent = [], 0, 0
        self.running = True

    def run(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(PROBE_TIMEOUT_S)
            local = s.getsockname()[1]
            interval = 1.0 / PROBE_RATE
            next_send = time.perf_counter()
            while self.running:
                user, domain, dialled = self.calls[self.sent % len(self.calls)]
                invite, ack = probe_messages(local, self.port, self.sent, user, domain, dialled)
                self.sent += 1
                begin = time.perf_counter_ns()
                s.sendto(invite, ("127.0.0.1", self.port))
                try:
                    while True:   # skip a late answer to an earlier probe
                        answer = s.recv(65535)
                        if f"probe-{self.sent - 1}@".encode() in answer:
                            break
                    self.latencies_us.append((time.perf_counter_ns() - begin) / 1000)
                    s.sendto(ack, ("127.0.0.1", self.port))
                except socket.timeout:
                    # Counted as answered at the timeout, so that loss shows in the percentiles.
                    self.unanswered += 1
                    self.latencies_us.append(PROBE_TIMEOUT_S * 1e6)
                next_send += interval
                time.sleep(max(0.0, next_send - time.perf_counter()))


def probe_messages(local, port, number, user, domain, dialled):
    common = (f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-probe-{number}\r\n"
              f"Max-Forwards: 70\r\nFrom: <sip:{user}@{domain}>;tag=probe{number}\r\n"
              f"To: <sip:{dialled}@127.0.0.1:{port}>\r\nCall-ID: probe-{number}@bench\r\n")
    invite = (f"INVITE sip:{dialled}@127.0.0.1:{port} SIP/2.0\r\n{common}CSeq: 1 INVITE\r\n"
              f"Contact: <sip:{user}@127.0.0.1:{local}>\r\nContent-Length: 0\r\n\r\n")
    ack = f"ACK sip:{dialled}@127.0.0.1:{port} SIP/2.0\r\n{common}CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    return invite.encode(), ack.encode()


def percentile(values, share):
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(share * len(ordered) - 1e-9)   # the epsilon: 0.99 * 100 is 99.00000000000001
    return ordered[min(len(ordered), max(1, rank)) - 1]


# ---------------------------------------------------------------- SIPp

def run_sipp(port, scenario, calls_csv, rate, calls, name, out, local_port, local_ip="127.0.0.1", extra=(),
             transport="u1"):
    """Runs SIPp to completion; returns its final statistics (a dict of the stat file's columns).
    With -trace_rtt in `extra`, SIPp's per-call response times end up in OUT/NAME.rtt.csv.
    `transport` is SIPp's -t (u1: one UDP socket; t1: one TCP connection for every call)."""
    stat = os.path.join(out, f"{name}.stat.csv")
    rtt = os.path.join(out, f"{name}.rtt.csv")
    rtt_prefix = os.path.splitext(os.path.basename(scenario))[0] + "_"
    for path in [stat, rtt] + [os.path.join(out, f) for f in os.listdir(out)
                               if f.startswith(rtt_prefix) and f.endswith("_rtt.csv")]:
        if os.path.exists(path):
            os.remove(path)
    argv = ["sipp", f"127.0.0.1:{port}", "-sf", os.path.join(HERE, scenario), "-inf", calls_csv,
            "-m", str(calls), "-r", str(rate), "-l", str(max(1000, rate * 2)), "-t", transport,
            "-buff_size", str(SOCKET_BUFFER), "-i", local_ip, "-p", str(local_port),
            "-nd", "-nostdin", "-recv_timeout", "4000", "-timeout", f"{calls // rate + 30}s",
            "-trace_stat", "-stf", stat, "-fd", "1"] + list(extra)
    limit = calls // rate + 45
    with open(os.path.join(out, f"{name}.sipp.log"), "w") as log:
        began = time.perf_counter()
        sipp = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=out, start_new_session=True)
        started.append(sipp)
        try:
            sipp.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            stop(sipp)
        wall = time.perf_counter() - began
    for f in os.listdir(out):
        if f.startswith(rtt_prefix) and f.endswith("_rtt.csv"):
            os.rename(os.path.join(out, f), rtt)
    with open(stat) as f:
        rows = [line.rstrip("\n").split(";") for line in f if line.strip()]
    stats = dict(zip(rows[0], rows[-1]))
    stats["wall_s"] = wall   # SIPp's ElapsedTime has whole seconds only
    return stats


def sipp_number(stats, column):
    try:
        return float(stats.get(column, "nan"))
    except ValueError:
        return float("nan")


def sipp_histogram_p99_ms(stats):
    """The upper bound (ms) of the ResponseTimeRepartition bucket holding the 99th percentile."""
    buckets = []
    for key, value in stats.items():
        m = re.match(r"ResponseTimeRepartition1_(?:(\d+)_(\d+)|>=(\d+)|<(\d+))$", key)
        if m and value.strip().isdigit():
            upper = int(m.group(2) or m.group(4) or 10**9)
            buckets.append((upper, int(value)))
    total = sum(count for _, count in buckets)
    if total == 0:
        return None
    seen = 0
    for upper, count in sorted(buckets):
        seen += count
        if seen >= 0.99 * total:
            return upper
    return None


# ---------------------------------------------------------------- one measured run

def measured_run(server, rate, seconds, args, probe_calls, label, calls_csv=None):
    calls = rate * seconds
    idle_share = wait_for_idle()
    pids = server.pids()
    memory_before = memory_kb(pids)
    cpu_before = cpu_seconds(pids)
    processes_before = all_process_ticks()
    probe = Probe(server.port, probe_calls)
    probe.start()
    scraper = Scraper(server.metrics_port) if server.metrics_port else None
    if scraper:
        scraper.start()
    stats = run_sipp(server.port, "call.xml", calls_csv or os.path.join(args.data, "calls.csv"), rate, calls,
                     label, args.out, 16000 + server.port % 1000)
    probe.running = False
    probe.join()
    if scraper:
        scraper.running = False
        scraper.join()
    time.sleep(0.2)   # late ACKs
    pids = server.pids()
    cpu = cpu_seconds(pids) - cpu_before
    other = other_cpu_seconds(processes_before, all_process_ticks(), set(pids) | {os.getpid()})
    elapsed = stats["wall_s"]
    successful = sipp_number(stats, "SuccessfulCall(C)")
    failed = sipp_number(stats, "FailedCall(C)")
    answered_calls = successful + len(probe.latencies_us)
    memory_after = memory_kb(pids)
    return {
        "server": server.kind, "workers": server.workers, "rate": rate, "label": label,
        "calls": calls, "successful": successful, "failed": failed,
        "retransmissions": sipp_number(stats, "Retransmissions(C)"),
        "achieved_rate": successful / elapsed, "elapsed_s": elapsed,
        "cpu_s": cpu, "cpu_us_per_call": 1e6 * cpu / max(1.0, answered_calls),
        "other_load_share": other / elapsed, "idle_share_before": idle_share,
        "probe_sent": probe.sent, "probe_unanswered": probe.unanswered,
        "probe_p50_us": percentile(probe.latencies_us, 0.50),
        "probe_p99_us": percentile(probe.latencies_us, 0.99),
        "probe_max_us": max(probe.latencies_us) if probe.latencies_us else None,
        "sipp_p99_ms_bucket": sipp_histogram_p99_ms(stats),
        "sipp_mean_response_ms": sipp_number(stats, "ResponseTime1(C)"),
        "rss_kb_before": memory_before[0], "rss_kb_after": memory_after[0],
        "pss_kb_after": memory_after[1], "peak_rss_kb": memory_after[2],
    }


class Scraper(threading.Thread):
    """GET /metrics once a second, as Prometheus would (faster than its usual 15 s): --metrics."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.running, self.scrapes, self.failures = port, True, 0, 0

    def run(self):
        while self.running:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=2) as answer:
                    answer.read()
                self.scrapes += 1
            except OSError:
                self.failures += 1
            time.sleep(1.0)


# ---------------------------------------------------------------- phases

def generate(args):
    marker = os.path.join(args.data, "calls.csv")
    cfg = os.path.join(args.data, "kamailio", "kamailio.cfg")
    if os.path.exists(marker) and os.path.exists(cfg):
        with open(cfg) as f:
            if "WITH_TCP" not in f.read():   # made by a generate.py without the transport phase's switches
                os.remove(marker)
    if not os.path.exists(marker):
        run([sys.executable, os.path.join(HERE, "generate.py"), args.data] + args.plan_args)
    summary = subprocess.run([args.switchd, "check", "--conf", os.path.join(args.data, "conf")],
                             capture_output=True, text=True)
    if summary.returncode != 0:
        raise SystemExit(f"switchd check failed on the generated conf:\n{summary.stderr}")
    return summary.stdout.strip()


def run(argv, **kwargs):
    result = subprocess.run(argv, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(argv)}")
    return result


def check_equivalence(servers, args, calls):
    """Both servers, identical answers: compare.py, then SIPp check.xml (every answer checked)."""
    first = {s.kind: s for s in servers if s.workers == 1}
    result = subprocess.run([sys.executable, os.path.join(HERE, "compare.py"), os.path.join(args.data, "calls.csv"),
                             f"127.0.0.1:{first['switchd'].port}", f"127.0.0.1:{first['kamailio'].port}"],
                            capture_output=True, text=True)
    print("  compare.py: " + result.stdout.strip().splitlines()[0] if result.stdout else "  compare.py: no output")
    if result.returncode != 0:
        print(result.stdout + result.stderr)
        raise SystemExit("the servers do not answer identically: not measuring")
    lines = [result.stdout.strip().splitlines()[0]]
    # Every line of calls.csv, so that every number the measured runs dial has been checked.
    count = len(calls)
    for server in servers:
        stats = run_sipp(server.port, "check.xml", os.path.join(args.data, "calls.csv"), 5000, count,
                         f"check-{server.kind}-{server.workers}", args.out, 17000 + server.port % 1000)
        ok, failed = sipp_number(stats, "SuccessfulCall(C)"), sipp_number(stats, "FailedCall(C)")
        line = f"SIPp check.xml against {server.name}: {ok:.0f} calls with the expected status and Contact, {failed:.0f} failed"
        print("  " + line)
        lines.append(line)
        if failed != 0 or ok != count:
            raise SystemExit("a server gave an unexpected answer: not measuring")
    return lines


def reload_under_load(args):
    """SIGHUP every 2 s while 10,000 calls/s are answered; every answer checked by check.xml."""
    server = Server("switchd", 1, args, args.out)
    server.port = PORTS["switchd"] + 50
    server.argv[server.argv.index("--listen") + 1] = f"udp:127.0.0.1:{server.port}"
    server.log = os.path.join(args.out, "switchd-reload.log")
    # notice: the reload lines are logged (there is still no line per call at this level).
    server.argv[server.argv.index("--log-level") + 1] = "notice"
    server.start()
    server.wait_ready()
    reloads = []

    def hangups():
        for _ in range(4):
            time.sleep(2)
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGHUP)
                reloads.append(time.time())

    sender = threading.Thread(target=hangups, daemon=True)
    sender.start()
    stats = run_sipp(server.port, "check.xml", os.path.join(args.data, "calls.csv"), 10000, 100000,
                     "reload", args.out, 17900)
    sender.join()
    stop(server.process)
    with open(server.log) as f:
        reloaded = sum(1 for line in f if "configuration reloaded" in line)
    return {"calls": 100000, "rate": 10000, "sighups": len(reloads), "reloads_logged": reloaded,
            "successful": sipp_number(stats, "SuccessfulCall(C)"), "failed": sipp_number(stats, "FailedCall(C)"),
            "retransmissions": sipp_number(stats, "Retransmissions(C)")}


def check_at_scale(args):
    """`switchd check` at the dial-plan issue's size: 999 customers (generate.py's limit) with 201
    single extensions each (200,799) plus a 1,000-number range each."""
    data = os.path.join(args.out, "scale")
    if not os.path.exists(os.path.join(data, "conf")):
        run([sys.executable, os.path.join(HERE, "generate.py"), data, "--customers", "999", "--group-size", "10",
             "--extensions", "201", "--range-size", "1000", "--calls", "10", "--switchd-only"],
            stdout=subprocess.DEVNULL)
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M", args.switchd, "check", "--conf", os.path.join(data, "conf")],
                            capture_output=True, text=True)
    seconds, peak_kb = result.stderr.strip().splitlines()[-1].split()
    return {"summary": result.stdout.strip(), "exit": result.returncode, "seconds": float(seconds), "peak_rss_kb": int(peak_kb)}


# ---------------------------------------------------------------- report

def best_configuration(runs, kind, rate):
    """The worker count with the lowest median CPU per call among those with no failed call."""
    candidates = {}
    for r in runs:
        if r["server"] == kind and r["rate"] == rate:
            candidates.setdefault(r["workers"], []).append(r)
    # A run still disturbed after its rerun is reported in the list of runs but left out here, as long
    # as an undisturbed run of the configuration remains.
    candidates = {w: [r for r in rs if not r.get("disturbed")] or rs for w, rs in candidates.items()}
    clean = {w: rs for w, rs in candidates.items() if all(r["failed"] == 0 for r in rs)}
    pool = clean or candidates
    if not pool:
        return None, []
    workers = min(pool, key=lambda w: statistics.median(r["cpu_us_per_call"] for r in pool[w]))
    return workers, pool[workers]


def summarize(rs):
    worst = lambda key: max(r[key] for r in rs if r[key] is not None) if any(r[key] is not None for r in rs) else None
    return {
        "runs": len(rs),
        "achieved_min": min(r["achieved_rate"] for r in rs),
        "failed_max": max(r["failed"] for r in rs),
        "retrans_max": max(r["retransmissions"] for r in rs),
        "cpu_median": statistics.median(r["cpu_us_per_call"] for r in rs),
        "cpu_worst": max(r["cpu_us_per_call"] for r in rs),
        "p50_median": statistics.median(r["probe_p50_us"] for r in rs if r["probe_p50_us"] is not None),
        "p99_median": statistics.median(r["probe_p99_us"] for r in rs if r["probe_p99_us"] is not None),
        "p50_worst": worst("probe_p50_us"), "p99_worst": worst("probe_p99_us"),
        "sipp_p99_ms": worst("sipp_p99_ms_bucket"),
        "rss_after_mb": max(r["rss_kb_after"] for r in rs) / 1024,
        "pss_after_mb": max(r["pss_kb_after"] for r in rs) / 1024,
    }


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def configuration_summary(runs, kind, workers, rate, idle_rss_kb):
    rs = [r for r in runs if r["server"] == kind and r["workers"] == workers and r["rate"] == rate]
    rs = [r for r in rs if not r.get("disturbed")] or rs
    if not rs:
        return None
    s = summarize(rs)
    s["rss_idle_mb"] = idle_rss_kb[(kind, workers)] / 1024
    return s


def report(runs, rates, idle_rss_kb):
    """Per rate: every configuration (the best worker count of each server, by median CPU per call
    without failed calls, marked "best"), then switchd / Kamailio for the best of each, and for each
    worker count both servers ran with."""
    lines = []
    header = ("| rate asked | server (workers) | achieved calls/s (worst) | failed (worst) | retrans. (worst) "
              "| CPU µs/call median (worst) | probe p50 µs median | probe p99 µs median (worst) | SIPp p99 ≤ ms | RSS MB idle → after | PSS MB after |")
    lines += [header, "|" + " --- |" * 11]
    ratios = []
    worker_counts = sorted({r["workers"] for r in runs})
    for rate in rates:
        summaries, best = {}, {}
        for kind in ("switchd", "kamailio"):
            best[kind] = best_configuration(runs, kind, rate)[0]
            for workers in worker_counts:
                s = configuration_summary(runs, kind, workers, rate, idle_rss_kb)
                if s is None:
                    continue
                summaries[(kind, workers)] = s
                mark = ", best" if workers == best[kind] else ""
                lines.append(f"| {rate:,} | {kind} ({workers}{mark}) | {s['achieved_min']:,.0f} | {s['failed_max']:.0f} | "
                             f"{s['retrans_max']:.0f} | {s['cpu_median']:.1f} ({s['cpu_worst']:.1f}) | "
                             f"{s['p50_median']:.0f} | {s['p99_median']:.0f} ({fmt(s['p99_worst'], '.0f')}) | {fmt(s['sipp_p99_ms'], 'd')} | "
                             f"{s['rss_idle_mb']:.1f} → {s['rss_after_mb']:.1f} | {s['pss_after_mb']:.1f} |")
        pairs = [("best", best["switchd"], best["kamailio"])] + [(f"{w} each", w, w) for w in worker_counts]
        for label, sw, kw in pairs:
            a, b = summaries.get(("switchd", sw)), summaries.get(("kamailio", kw))
            if not a or not b:
                continue
            lines.append(f"| {rate:,} | **switchd / Kamailio** ({label}) | {ratio(a['achieved_min'], b['achieved_min'])} | | | "
                         f"**{ratio(a['cpu_median'], b['cpu_median'])}** ({ratio(a['cpu_worst'], b['cpu_worst'])}) | "
                         f"{ratio(a['p50_median'], b['p50_median'])} | {ratio(a['p99_median'], b['p99_median'])} "
                         f"({ratio(a['p99_worst'], b['p99_worst'])}) | | "
                         f"{ratio(a['rss_idle_mb'], b['rss_idle_mb'])} → {ratio(a['rss_after_mb'], b['rss_after_mb'])} | "
                         f"{ratio(a['pss_after_mb'], b['pss_after_mb'])} |")
            ratios.append({"rate": rate, "pair": label, "switchd_workers": sw, "kamailio_workers": kw,
                           "cpu_median": a["cpu_median"] / b["cpu_median"],
                           "p99_median": a["p99_median"] / b["p99_median"], "p99_worst": a["p99_worst"] / b["p99_worst"]})
    return lines, ratios


def ratio(x, y):
    return "-" if not x or not y else f"{x / y:.2f}"


def all_runs_table(runs, ordered=False):
    """Every run, by rate and configuration (or in the order given)."""
    lines = ["| rate | server (workers) | run | achieved | failed | retrans. | CPU µs/call | probe p50 / p99 µs | other load (cores) |",
             "|" + " --- |" * 9]
    if not ordered:
        runs = sorted(runs, key=lambda r: (r["rate"], r["server"], r["workers"], r["label"]))
    for r in runs:
        lines.append(f"| {r['rate']:,} | {r['server']} ({r['workers']}) | {r['label']} | {r['achieved_rate']:,.0f} | "
                     f"{r['failed']:.0f} | {r['retransmissions']:.0f} | {r['cpu_us_per_call']:.1f} | "
                     f"{fmt(r['probe_p50_us'], '.0f')} / {fmt(r['probe_p99_us'], '.0f')} | {r['other_load_share']:.2f}"
                     f"{' DISTURBED' if r.get('disturbed') else ''} |")
    return lines


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switchd", required=True, help="the switchd binary (a release build)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(HERE), ".bench"))
    parser.add_argument("--rates", default="5000,10000,20000")
    parser.add_argument("--seconds", type=int, default=8, help="seconds of calls per run")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--metrics", action="store_true",
                        help="switchd serves /metrics (--metrics-listen), scraped once a second during each run")
    parser.add_argument("--skip-extras", action="store_true", help="no reload-under-load and no scale check")
    parser.add_argument("--only", default=None,
                        help="comma-separated phases to run: calls (switchd vs Kamailio, with the extras), "
                             "registered (registered vs static contacts), register (REGISTER with digest, "
                             "SQLite and PostgreSQL), kamailio-register (Kamailio's registrar, same load); "
                             "`registrar` = registered,register,kamailio-register; transports (calls over TCP and TLS, "
                             "memory per idle connection). Default: all")
    parser.add_argument("--registered-rate", type=int, default=10000, help="calls/s of the registered-vs-static phase")
    parser.add_argument("--registered-workers", type=int, default=1)
    parser.add_argument("--register-rates", default="2000,4000", help="REGISTERs/s of the REGISTER phase")
    parser.add_argument("--register-seconds", type=int, default=10, help="seconds of REGISTERs per run")
    parser.add_argument("--register-stores", default="sqlite,postgresql")
    parser.add_argument("--register-workers", type=int, default=1, help="switchd --workers / Kamailio -n")
    parser.add_argument("--kamailio-db-mode", type=int, default=2,
                        help="Kamailio usrloc db_mode (1 write-through, 2 write-back every second; default 2)")
    parser.add_argument("--transport-rate", type=int, default=5000,
                        help="calls/s over one TCP and one TLS connection in the transport phase (0: none)")
    parser.add_argument("--transports", default="tcp,tls", help="transports of the transport phase")
    parser.add_argument("--idle-connections", type=int, default=10000,
                        help="idle connections per server for memory per connection (0: not measured)")
    args = parser.parse_args()
    args.transports = [x.strip() for x in args.transports.split(",") if x.strip()]
    if not args.transports or any(x not in transports.TRANSPORTS for x in args.transports):
        parser.error("--transports: tcp and/or tls")
    args.switchd = os.path.abspath(args.switchd)
    args.plan_args = PLAN_ARGS
    rates = [int(x) for x in args.rates.split(",")]
    worker_counts = [int(x) for x in args.workers.split(",")]
    args.register_rates = [int(x) for x in args.register_rates.split(",")]
    args.register_stores = [x.strip() for x in args.register_stores.split(",") if x.strip()]
    if any(x not in ("sqlite", "postgresql") for x in args.register_stores):
        parser.error("--register-stores: sqlite and/or postgresql")
    phases = PHASES
    if args.only:
        phases = []
        for name in args.only.split(","):
            name = name.strip()
            chosen = ["registered", "register", "kamailio-register"] if name == "registrar" else [name]
            if any(x not in PHASES for x in chosen):
                parser.error(f"--only: unknown phase {name!r} (calls, registered, register, kamailio-register, "
                             "registrar, transports)")
            phases += [x for x in chosen if x not in phases]
    os.makedirs(args.out, exist_ok=True)
    args.data = os.path.join(args.out, "data")
    began = time.time()
    results = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine_description(),
               "sipp": subprocess.run(["sipp", "-v"], capture_output=True, text=True).stdout.strip().splitlines()[:1],
               "kamailio": subprocess.run(["kamailio", "-v"], capture_output=True, text=True).stdout.strip().splitlines()[:1],
               "command": " ".join(sys.argv), "phases": list(phases), "runs": []}

    print(f"bench: generating the plan into {args.data}")
    results["plan"] = generate(args)
    print(f"  {results['plan']}")
    table = servers = None
    if "calls" in phases:
        servers, table = call_phase(args, rates, worker_counts, results)
    postgres = registrar.Postgres(sys.modules[__name__], os.path.join(args.out, "postgres"))
    try:
        if "registered" in phases:
            print(f"bench: registered vs static contacts ({args.registered_rate:,} calls/s, {args.reps} x {args.seconds} s each)")
            results["registered"] = registrar.registered_vs_static(sys.modules[__name__], args)
        if "register" in phases:
            print(f"bench: REGISTER with MD5 digest at {args.register_rates} /s for {args.register_seconds} s, "
                  f"stores {args.register_stores}")
            results["register"] = registrar.register_load(sys.modules[__name__], args, postgres)
        if "kamailio-register" in phases:
            print("bench: Kamailio's registrar under the same REGISTER load")
            results["kamailio_register"] = registrar.kamailio_register_load(sys.modules[__name__], args, postgres)
    finally:
        postgres.stop()
    if "transports" in phases:
        print(f"bench: transports {args.transports}: {args.transport_rate:,} calls/s over one connection, "
              f"{args.idle_connections:,} idle connections")
        results["transports"] = transports.transport_phase(sys.modules[__name__], args)

    results["seconds"] = time.time() - began
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print()
    if table is not None:
        print(f"switchd vs Kamailio, {results['date']}, {results['machine']}; best worker count of each server per rate")
        print(f"(CPU = user+sys of all the server's processes / calls answered; probe = {PROBE_RATE} INVITEs/s beside the load)")
        print("\n".join(table))
        print()
        print("every run:")
        print("\n".join(all_runs_table(results["runs"])))
        print()
        print("idle memory (RSS, PSS, peak kB): " + "; ".join(f"{k}: {v}" for k, v in results["idle_memory_kb"].items()))
        print()
    if "registered" in results:
        print(f"registered vs static contacts, {results['date']}, {results['machine']}")
        print("\n".join(registrar.report_registered(results["registered"])))
        kamailio = best_configuration(results["runs"], "kamailio", args.registered_rate)
        if kamailio[1]:
            cpu = statistics.median(r["cpu_us_per_call"] for r in kamailio[1])
            reg = results["registered"]
            results["registered"]["kamailio_cpu_median"] = cpu
            print(f"against Kamailio's best at {args.registered_rate:,} calls/s in the call phase ({kamailio[0]} worker(s), "
                  f"{cpu:.1f} µs/call): static {reg['static']['cpu_median'] / cpu:.2f}, "
                  f"registered {reg['registered']['cpu_median'] / cpu:.2f}")
        print()
        print("every run:")
        print("\n".join(all_runs_table(results["registered"]["runs"], ordered=True)))
        print()
    register_runs = results.get("register", []) + results.get("kamailio_register", [])
    if register_runs:
        print(f"REGISTER with MD5 digest (REGISTER, 401, REGISTER with credentials, 200), a new user per REGISTER, "
              f"{args.register_seconds} s per run, {results['date']}, {results['machine']}")
        print("(CPU = user+sys of the server's processes, and separately of PostgreSQL's, until the store holds every "
              "binding / REGISTERs answered 200; latency = SIPp, first REGISTER to 200)")
        print("\n".join(registrar.report_register(register_runs)))
        print()
    if "transports" in results:
        t = results["transports"]
        print(f"over one connection: {t['rate']:,} calls/s asked for {t['seconds']} s, {t['reps']} runs per server and "
              f"transport, 1 worker each, {results['date']}, {results['machine']}")
        print("(CPU = user+sys of all the server's processes / calls answered, SIPp's and the probe's; TLS: SIPp -> socat -> TLS to the server; "
              "memory per idle connection = (with them - before) / connections, fresh servers)")
        print("\n".join(transports.report(sys.modules[__name__], t)))
        print()
        if t["runs"]:
            print("every run:")
            print("\n".join(transports.every_run(sys.modules[__name__], t)))
            print()
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(results, f, indent=1)   # with the ratios the report adds
    print(f"raw numbers: {os.path.join(args.out, 'results.json')}  ({results['seconds']:.0f} s in all)")
    failed = []
    if "registered" in results and results["registered"]["registered"]["failed_max"]:
        failed.append("registered-vs-static calls failed")
    for r in results.get("register", []):   # switchd's (Kamailio's are reported, not required)
        if r["failed"] or r["stored_after_run"] != r["calls"] or r.get("bindings_as_expected") is False:
            failed.append(f"{r['label']}: {r['failed']:.0f} failed, {r['stored_after_run']} of {r['calls']} stored")
    failed += transports.failures(results.get("transports", {"runs": [], "idle": []}))
    if failed:
        print("FAILED: " + "; ".join(failed))
        raise SystemExit(1)


def call_phase(args, rates, worker_counts, results):
    """switchd against Kamailio on the generated plan (every configuration, rate and repetition), then
    the extras; returns the servers and the report's table."""
    servers = [Server(kind, w, args, args.out) for w in worker_counts for kind in ("switchd", "kamailio")]
    print("bench: starting " + ", ".join(s.name for s in servers))
    for server in servers:
        server.start()
    for server in servers:
        server.wait_ready()
    time.sleep(1)
    results["idle_memory_kb"] = {server.name: memory_kb(server.pids()) for server in servers}
    print("bench: identical answers?")
    calls = compare.read_calls(os.path.join(args.data, "calls.csv"), None)
    results["equivalence"] = check_equivalence(servers, args, calls)
    # (number, user, domain, dialled, status, contact): the probe dials the redirected calls.
    probe_calls = [(user, domain, dialled) for _, user, domain, dialled, status, _ in calls if status == 302]

    print(f"bench: {len(rates)} rates x {args.reps} repetitions x {len(servers)} configurations, {args.seconds} s each")
    for rate in rates:
        for rep in range(1, args.reps + 1):
            for server in servers:
                label = f"{server.kind}-{server.workers}-{rate}-r{rep}"
                result = measured_run(server, rate, args.seconds, args, probe_calls, label)
                if result["other_load_share"] > DISTURBED_SHARE:
                    print(f"  {label}: other processes used {result['other_load_share']:.2f} of a core: run again")
                    result = measured_run(server, rate, args.seconds, args, probe_calls, label + "-again")
                    result["disturbed"] = result["other_load_share"] > DISTURBED_SHARE
                results["runs"].append(result)
                print(f"  {label}: {result['achieved_rate']:,.0f} calls/s, {result['failed']:.0f} failed, "
                      f"{result['retransmissions']:.0f} retrans., {result['cpu_us_per_call']:.1f} µs CPU/call, "
                      f"probe p99 {fmt(result['probe_p99_us'], '.0f')} µs")
    results["final_memory_kb"] = {server.name: memory_kb(server.pids()) for server in servers}
    for server in servers:
        stop(server.process)

    if not args.skip_extras:
        print("bench: reload under load (SIGHUP every 2 s at 10,000 calls/s, every answer checked)")
        results["reload"] = reload_under_load(args)
        print(f"  {results['reload']}")
        print("bench: switchd check on 999 customers with 200,799 single extensions and a 1,000-number range each")
        results["scale"] = check_at_scale(args)
        print(f"  {results['scale']}")

    idle_rss_kb = {(s.kind, s.workers): results["idle_memory_kb"][s.name][0] for s in servers}
    table, ratios = report(results["runs"], rates, idle_rss_kb)
    results["ratios_cpu_per_call"] = ratios
    return servers, table


def machine_description():
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores, {model}"


def exit_on_signal(number, _frame):
    """SIGTERM or SIGHUP (a CI timeout, a closed terminal) ends the script through its cleanup."""
    raise SystemExit(128 + number)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGHUP, exit_on_signal)
    try:
        main()
    finally:
        stop_all()
