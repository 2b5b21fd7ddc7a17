"""The registrar phases of `make bench` (bench/bench.py runs them; `--only registrar` runs them alone).

registered_vs_static: one switchd on a copy of the generated plan (store: a SQLite file under the
    out dir). SIPp call.xml to N extensions that have only their static contact, then one REGISTER per
    extension (register.xml from 127.0.0.1, inside the customers' networks, so without digest), then the
    same INVITE load again; then every binding is removed (Expires: 0) and the next repetition starts
    with static contacts again. Reports switchd's CPU µs per call for both and their ratio, and checks
    a sample of 302s each time: the first Contact must be the registered phone, the static contact last
    with q=0 (and, without bindings, the static contact alone).

register_load: SIPp register.xml with MD5 digest from 127.0.0.2 (outside every customer's networks, so
    every REGISTER is challenged: REGISTER, 401, REGISTER with credentials, 200), one unique user per
    call from an injection file, over many customers' extensions with [credentials]; at each rate for a
    fixed number of seconds, on a fresh store each time: SQLite (a file under the out dir) and
    PostgreSQL (a private server started by Tests/cluster/postgres.sh on a free port of 127.0.0.1,
    stopped on every way out). Reports REGISTERs/s achieved, failures, CPU µs per REGISTER of switchd
    and of the PostgreSQL processes, latency percentiles (SIPp's per-call response times), and checks
    that the store holds one binding per user afterwards (`switchd registrations --json`).

kamailio_register_load: the same load against Kamailio's registrar (registrar + usrloc with
    db_sqlite / db_postgres, auth + auth_db with the same HA1s), same users, same rates.

Every function takes `b`, the bench module itself, for its process and SIPp helpers and its list of
started processes (stopped at exit).
"""
import hashlib
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

import compare   # bench/compare.py: make_invite, parse_response
import generate  # bench/generate.py: the plan itself, rebuilt from its arguments

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
POSTGRES_SH = os.path.join(REPO, "Tests", "cluster", "postgres.sh")
PORTS = {"registered": 15160, "register": 15170, "kamailio-register": 15270}
REGISTER_SOURCE = "127.0.0.2"       # outside every customer's networks in the digest conf
REGISTERED_PER_CUSTOMER = 50        # phase (a): extensions registered per customer (400 x 50 = 20,000)
REGISTER_RATE_TRUSTED = 5000        # phase (a): rate of its REGISTERs (not measured)
SAMPLE = 200                        # phase (a): 302s whose Contacts are checked
CATCH_UP_LIMIT_S = 60               # how long the store may take to hold every binding after a run
KAMAILIO_MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"


# ---------------------------------------------------------------- the plan's customers

def plan(args):
    """The generated plan's customers, rebuilt by generate.py from the arguments bench.py gave it."""
    gen_args = generate.parse_args([args.data] + args.plan_args)
    return generate.build_plan(gen_args, random.Random(gen_args.seed))


def numeric_plain(customer):
    """The customer's explicit numeric extensions outside its range (no overrides, no *97)."""
    return [e for e in customer.explicit if e.isdigit() and e not in customer.overrides]


def registered_host(customer, ext):
    """The registered phone of phase (a): a host name (never NAT-rewritten), not a customer domain."""
    return f"ph{ext}.{customer.id}.phones.bench.example:5070"


def copy_conf(args, name, switchd_toml):
    """OUT/NAME/conf: the generated conf's groups and customers, with its own switchd.toml."""
    directory = os.path.join(args.out, name)
    conf = os.path.join(directory, "conf")
    if os.path.exists(conf):
        shutil.rmtree(conf)
    os.makedirs(directory, exist_ok=True)
    shutil.copytree(os.path.join(args.data, "conf"), conf)
    with open(os.path.join(conf, "switchd.toml"), "w") as f:
        f.write(switchd_toml)
    return directory, conf


def remove_sqlite(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def sqlite_count(path, table):
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return None


def check_conf(b, args, conf):
    result = subprocess.run([args.switchd, "check", "--conf", conf], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"switchd check failed on {conf}:\n{result.stderr[:3000]}")
    return result.stdout.strip()


def switchd_server(b, args, name, conf, port, workers=1):
    server = b.Server("switchd", workers, args, args.out)
    server.port = port
    server.log = os.path.join(args.out, f"{name}.log")
    server.argv[server.argv.index("--conf") + 1] = conf
    server.argv[server.argv.index("--listen") + 1] = f"udp:127.0.0.1:{port}"
    server.name = f"switchd ({name})"
    return server


def registrations(args, conf):
    """The store's live bindings, as `switchd registrations --json` lists them."""
    result = subprocess.run([args.switchd, "registrations", "--conf", conf, "--json"], capture_output=True,
                            text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"switchd registrations failed on {conf}:\n{result.stderr[:2000]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# ---------------------------------------------------------------- (a) registered vs static contacts

def registered_vs_static(b, args):
    customers = plan(args).customers
    rng = random.Random(7)
    targets = []   # (customer, ext, caller user)
    for c in customers:
        numbers = numeric_plain(c)
        chosen = sorted(rng.sample(numbers, min(REGISTERED_PER_CUSTOMER, len(numbers) - 1)))
        callers = [n for n in numbers if n not in chosen]
        targets += [(c, ext, rng.choice(callers)) for ext in chosen]
    rng.shuffle(targets)
    store = os.path.join(args.out, "registered", "bindings.sqlite")
    directory, conf = copy_conf(args, "registered", (
        "# bench/registrar.py: phase registered-vs-static (bench/bench.py)\n\n"
        f"[server]\nlisten = [\"udp:127.0.0.1:{PORTS['registered']}\"]\n\n"
        f"[registrar]\nstore = \"sqlite:{store}\"\n"))
    remove_sqlite(store)
    calls_csv = os.path.join(directory, "calls.csv")
    with open(calls_csv, "w") as f:
        f.write("SEQUENTIAL\n")
        f.writelines(f"{user};{c.domains[0]};{ext};302;{c.explicit[ext]}\n" for c, ext, user in targets)
    register_csv, unregister_csv = os.path.join(directory, "register.csv"), os.path.join(directory, "unregister.csv")
    for path, expires in ((register_csv, 3600), (unregister_csv, 0)):
        with open(path, "w") as f:
            f.write("SEQUENTIAL\n")
            f.writelines(f"{ext};{c.domains[0]};-;{registered_host(c, ext)};{expires}\n" for c, ext, _ in targets)
    summary = check_conf(b, args, conf)
    print(f"  {summary}; {len(targets)} extensions called, then registered")

    server = switchd_server(b, args, "registered", conf, PORTS["registered"], args.registered_workers)
    server.start()
    server.wait_ready()
    probe_calls = [(user, c.domains[0], ext) for c, ext, user in targets]
    sample = targets[:SAMPLE]
    result = {"extensions": len(targets), "rate": args.registered_rate, "seconds": args.seconds,
              "workers": args.registered_workers, "runs": []}

    # static, register, registered, unregister, static ...: the two kinds alternate on the one process,
    # so that a drift of the machine over the phase weighs on both alike.
    result["register"] = []
    for rep in range(1, args.reps + 1):
        check = check_contacts(server.port, sample, registered=False)
        if check["as_expected"] != len(sample):
            raise SystemExit(f"registered-vs-static: without bindings, the 302s are not the static contacts alone: {check}")
        result["runs"].append(contact_run(b, args, server, "static", rep, calls_csv, probe_calls))
        register_all(b, args, server, register_csv, len(targets), f"registered-register-r{rep}", result)
        check = check_contacts(server.port, sample, registered=True)
        result["contacts_checked"] = check
        if rep == 1:
            print(f"  302 Contacts after registering: {check['as_expected']} of {check['checked']} list the registered "
                  f"phone first and the static contact last (q=0)")
        if check["as_expected"] != len(sample):
            raise SystemExit(f"registered-vs-static: the 302s do not point to the registered contacts: {check}")
        result["runs"].append(contact_run(b, args, server, "registered", rep, calls_csv, probe_calls))
        result["bindings_in_store"] = wait_for_count(lambda: sqlite_count(store, "binding"), len(targets))
        if rep < args.reps:
            register_all(b, args, server, unregister_csv, len(targets), f"registered-unregister-r{rep}", result)
    b.stop(server.process)
    for kind in ("static", "registered"):
        rs = [r for r in result["runs"] if r["contacts"] == kind]
        rs = [r for r in rs if not r.get("disturbed")] or rs
        result[kind] = {"cpu_median": statistics.median(r["cpu_us_per_call"] for r in rs),
                        "cpu_worst": max(r["cpu_us_per_call"] for r in rs),
                        "achieved_min": min(r["achieved_rate"] for r in rs),
                        "failed_max": max(r["failed"] for r in rs),
                        "retrans_max": max(r["retransmissions"] for r in rs),
                        "p99_median": statistics.median(r["probe_p99_us"] for r in rs if r["probe_p99_us"] is not None)}
    result["ratio_cpu"] = result["registered"]["cpu_median"] / result["static"]["cpu_median"]
    return result


def register_all(b, args, server, csv, count, label, result):
    """One REGISTER per target extension (or, from unregister.csv, one removal), all answered 200."""
    stats = b.run_sipp(server.port, "register.xml", csv, REGISTER_RATE_TRUSTED, count, label, args.out, 17160)
    ok, failed = b.sipp_number(stats, "SuccessfulCall(C)"), b.sipp_number(stats, "FailedCall(C)")
    result["register"].append({"label": label, "successful": ok, "failed": failed})
    if ok != count or failed != 0:
        raise SystemExit(f"registered-vs-static, {label}: {ok:.0f} of {count} REGISTERs succeeded, {failed:.0f} failed")


def wait_for_count(count, expected, limit_s=CATCH_UP_LIMIT_S):
    deadline = time.time() + limit_s
    value = count()
    while value != expected and time.time() < deadline:
        time.sleep(0.2)
        value = count()
    return value


def contact_run(b, args, server, kind, rep, calls_csv, probe_calls):
    label = f"{kind}-{args.registered_rate}-r{rep}"
    run = b.measured_run(server, args.registered_rate, args.seconds, args, probe_calls, label, calls_csv=calls_csv)
    if run["other_load_share"] > b.DISTURBED_SHARE:
        print(f"  {label}: other processes used {run['other_load_share']:.2f} of a core: run again")
        run = b.measured_run(server, args.registered_rate, args.seconds, args, probe_calls, label + "-again",
                             calls_csv=calls_csv)
        run["disturbed"] = run["other_load_share"] > b.DISTURBED_SHARE
    run["contacts"] = kind
    print(f"  {label}: {run['achieved_rate']:,.0f} calls/s, {run['failed']:.0f} failed, "
          f"{run['retransmissions']:.0f} retrans., {run['cpu_us_per_call']:.1f} µs CPU/call, "
          f"probe p99 {b.fmt(run['probe_p99_us'], '.0f')} µs, other load {run['other_load_share']:.2f}")
    return run


def contact_list(data):
    """Every Contact value of a response, in order (several headers, or one comma-separated list)."""
    text = data.decode("utf-8", errors="replace").split("\r\n\r\n", 1)[0]
    values = []
    for line in text.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() not in ("contact", "m"):
            continue
        depth, current = 0, ""
        for ch in value:
            if ch == "<":
                depth += 1
            elif ch == ">":
                depth -= 1
            if ch == "," and depth == 0:
                values.append(current.strip())
                current = ""
            else:
                current += ch
        if current.strip():
            values.append(current.strip())
    return values


def check_contacts(port, sample, registered):
    """INVITEs to the sample's extensions, one at a time: with `registered`, each 302 must list the
    registered phone first and the static contact last with q=0; without, the static contact alone."""
    checked = as_expected = 0
    wrong = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(2.0)
        for number, (c, ext, user) in enumerate(sample):
            call_id = f"contact-check-{int(registered)}-{number}@bench"
            s.sendto(compare.make_invite(("127.0.0.1", port), s.getsockname(), user, c.domains[0], ext, call_id),
                     ("127.0.0.1", port))
            contacts = None
            try:
                while contacts is None:
                    data = s.recv(65535)
                    parsed = compare.parse_response(data)
                    if parsed and parsed[0] >= 200 and parsed[2].get("call-id") == call_id:
                        contacts = contact_list(data) if parsed[0] == 302 else [f"status {parsed[0]}"]
            except socket.timeout:
                contacts = ["no answer"]
            checked += 1
            static = c.explicit[ext]
            if registered:
                uris = [compare.contact_uri(v) for v in contacts]
                ok = (len(contacts) == 2 and uris[0] == f"sip:{ext}@{registered_host(c, ext)}"
                      and uris[1] == static and contacts[1].replace(" ", "").endswith(";q=0"))
            else:
                ok = [compare.contact_uri(v) for v in contacts] == [static]
            if ok:
                as_expected += 1
            elif len(wrong) < 5:
                wrong.append({"extension": ext, "customer": c.id, "contacts": contacts})
    return {"checked": checked, "as_expected": as_expected, "wrong": wrong}


# ---------------------------------------------------------------- (b) REGISTER with digest

def password(customer, ext):
    return f"pw-{customer.id}-{ext}"


def ha1(algorithm, user, realm, secret):
    text = f"{user}:{realm}:{secret}".encode()
    return hashlib.md5(text).hexdigest() if algorithm == "md5" else hashlib.sha256(text).hexdigest()


def register_users(customers, count):
    """`count` (customer, extension) pairs, round robin over the customers: their numeric explicit
    extensions, then their range members."""
    pools = [[(c, e) for e in numeric_plain(c) + [n for n in c.range_numbers() if n not in c.explicit]]
             for c in customers]
    users, index = [], 0
    while len(users) < count and any(pools):
        pool = pools[index % len(pools)]
        if pool:
            users.append(pool.pop(0))
        index += 1
    if len(users) < count:
        raise SystemExit(f"the plan has only {len(users)} extensions to register, {count} asked")
    return users


def digest_conf(args, users):
    """OUT/register/conf: the plan without 127.0.0.0/8 in any customer's networks (REGISTERs from
    127.0.0.2 must authenticate), every user's HA1s under [credentials], MD5 challenges (SIPp does no
    SHA-256), per-source limits out of the way (every REGISTER comes from one address), and a
    switchd.toml per store (written by store_toml)."""
    directory = os.path.join(args.out, "register")
    conf = os.path.join(directory, "conf")
    if os.path.exists(conf):
        shutil.rmtree(conf)
    os.makedirs(directory, exist_ok=True)
    shutil.copytree(os.path.join(args.data, "conf"), conf)
    by_customer, customer = {}, {}
    for c, ext in users:
        by_customer.setdefault(c.id, []).append(ext)
        customer[c.id] = c
    for cid, extensions in by_customer.items():
        c = customer[cid]
        path = os.path.join(conf, "customers", f"{c.id}.toml")
        with open(path) as f:
            text = f.read()
        networks = [n for n in c.networks if not n.startswith("127.")]
        old = f"networks = {generate.toml_list(c.networks)}"
        assert old in text, path
        text = text.replace(old, f"networks = {generate.toml_list(networks)}")
        realm = c.domains[0]
        lines = ["", "[credentials]"]
        for ext in extensions:
            secret = password(c, ext)
            lines.append(f'"{ext}" = {{ sha256 = "{ha1("sha256", ext, realm, secret)}", '
                         f'md5 = "{ha1("md5", ext, realm, secret)}" }}')
        with open(path, "w") as f:
            f.write(text + "\n".join(lines) + "\n")
    csv = os.path.join(directory, "register.csv")
    with open(csv, "w") as f:
        f.write("SEQUENTIAL\n")
        f.writelines(f"{ext};{c.domains[0]};[authentication username={ext} password={password(c, ext)}];"
                     f"{registered_host(c, ext)};3600\n" for c, ext in users)
    return directory, conf, csv


def store_toml(port, store):
    return ("# bench/registrar.py: phase register (bench/bench.py)\n\n"
            f"[server]\nlisten = [\"udp:127.0.0.1:{port}\"]\n\n"
            "[limits]\n# One source sends every REGISTER: no per-source limit in the way.\n"
            "rate = 1000000\nburst = 1000000\nuntrusted_rate = 10000000\nuntrusted_burst = 10000000\n\n"
            "[auth]\n# SIPp answers MD5 challenges only.\nalgorithms = [\"MD5\"]\n\n"
            f"[registrar]\nstore = \"{store}\"\n")


def check_passwd_line(args, conf, users):
    """The HA1 written here must be what `switchd passwd` makes for the same password."""
    c, ext = users[0]
    result = subprocess.run([args.switchd, "passwd", "--conf", conf, "--customer", c.id, ext],
                            input=password(c, ext) + "\n", capture_output=True, text=True)
    line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if ha1("md5", ext, c.domains[0], password(c, ext)) not in line:
        raise SystemExit(f"switchd passwd disagrees with the bench's HA1 for {c.id} {ext}: {line!r} {result.stderr}")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A private PostgreSQL server (Tests/cluster/postgres.sh) on a free port of 127.0.0.1."""

    def __init__(self, b, directory):
        self.b, self.directory = b, directory
        self.port = None

    def start(self):
        self.port = free_port()
        result = subprocess.run(["bash", POSTGRES_SH, "start", self.directory, str(self.port)],
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise SystemExit(f"PostgreSQL did not start: {result.stderr[-2000:]}")
        self.url = subprocess.run(["bash", POSTGRES_SH, "url", self.directory, str(self.port)],
                                  capture_output=True, text=True, check=True).stdout.strip()

    def stop(self):
        if self.port is not None:
            subprocess.run(["bash", POSTGRES_SH, "stop", self.directory], capture_output=True, timeout=120)
            self.port = None

    def pids(self):
        try:
            with open(os.path.join(self.directory, "data", "postmaster.pid")) as f:
                pid = int(f.readline())
        except (OSError, ValueError):
            return []
        return [pid] + self.b.descendants(pid)

    def sql(self, statement, stdin=None):
        result = subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", self.url, "-c", statement],
                                input=stdin, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"psql: {result.stderr.strip()}")
        return result.stdout.strip()

    def sql_file(self, path):
        result = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url, "-f", path],
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"psql -f {path}: {result.stderr.strip()}")

    def count(self, table):
        try:
            return int(self.sql(f"SELECT count(*) FROM {table}"))
        except (RuntimeError, ValueError):
            return None


def register_load(b, args, postgres):
    customers = plan(args).customers
    most = max(args.register_rates) * args.register_seconds
    users = register_users(customers, most)
    directory, conf, csv = digest_conf(args, users)
    port = PORTS["register"]
    with open(os.path.join(conf, "switchd.toml"), "w") as f:
        f.write(store_toml(port, "memory"))
    print(f"  {check_conf(b, args, conf)}; {len(users)} users with credentials")
    check_passwd_line(args, conf, users)

    def measure(store, rate, label):
        """A fresh store, a switchd started on it, one measured run, switchd stopped, the store listed."""
        if store == "sqlite":
            path = os.path.join(directory, f"{label}.sqlite")
            remove_sqlite(path)
            url = f"sqlite:{path}"
            count = lambda: sqlite_count(path, "binding")
        else:
            if postgres.port is None:
                print(f"  starting a private PostgreSQL in {postgres.directory}")
                postgres.start()
            try:
                postgres.sql("TRUNCATE switchd_bindings")
            except RuntimeError:
                pass   # the first switchd creates the table
            url = postgres.url
            count = lambda: postgres.count("switchd_bindings")
        with open(os.path.join(conf, "switchd.toml"), "w") as f:
            f.write(store_toml(port, url))
        server = switchd_server(b, args, label, conf, port, args.register_workers)
        server.start()
        server.wait_ready()
        db_pids = postgres.pids if store == "postgresql" else (lambda: [])
        run = register_run(b, args, server, label, rate, csv, count, db_pids)
        b.stop(server.process)
        listed = {x["aor"] for x in registrations(args, conf)}
        expected = {f"{ext}@{c.id}" for c, ext in users[:run["calls"]]}
        run.update({"server": "switchd", "store": store, "bindings_listed": len(listed),
                    "bindings_as_expected": listed == expected})
        return run

    return [measured_again(b, measure, store, rate, f"register-{store}-{rate}")
            for store in args.register_stores for rate in args.register_rates]


def measured_again(b, measure, store, rate, label):
    """measure(...), and once more (on a fresh store) when other processes disturbed it."""
    run = measure(store, rate, label)
    report_run(run)
    if run["other_load_share"] > b.DISTURBED_SHARE:
        print(f"  {label}: other processes used {run['other_load_share']:.2f} of a core: run again")
        run = measure(store, rate, label + "-again")
        run["disturbed"] = run["other_load_share"] > b.DISTURBED_SHARE
        report_run(run)
    return run


def register_run(b, args, server, label, rate, csv, count, db_pids):
    """One measured REGISTER run; the CPU is read once the store holds every binding."""
    calls = rate * args.register_seconds
    idle_share = b.wait_for_idle()
    pids = server.pids()
    excluded = set(pids) | set(db_pids()) | {os.getpid()}
    cpu_before = b.cpu_seconds(pids)
    db_before = b.cpu_seconds(db_pids())
    processes_before = b.all_process_ticks()
    began = time.perf_counter()
    stats = b.run_sipp(server.port, "register.xml", csv, rate, calls, label, args.out, 17170,
                       local_ip=REGISTER_SOURCE, extra=["-trace_rtt", "-rtt_freq", "100"])
    sipp_done = time.perf_counter()
    stored = count()
    successful = b.sipp_number(stats, "SuccessfulCall(C)")
    while (stored or 0) < successful and time.perf_counter() - sipp_done < CATCH_UP_LIMIT_S:
        time.sleep(0.2)
        stored = count()
    caught_up = time.perf_counter() - sipp_done
    elapsed = stats["wall_s"]
    cpu = b.cpu_seconds(server.pids()) - cpu_before
    db_cpu = b.cpu_seconds(db_pids()) - db_before
    other = b.other_cpu_seconds(processes_before, b.all_process_ticks(), excluded | set(db_pids()))
    latencies = rtt_ms(args.out, label)
    return {
        "label": label, "rate": rate, "calls": calls, "seconds": args.register_seconds,
        "successful": successful, "failed": b.sipp_number(stats, "FailedCall(C)"),
        "retransmissions": b.sipp_number(stats, "Retransmissions(C)"),
        "achieved_rate": successful / elapsed, "elapsed_s": elapsed,
        "cpu_s": cpu, "cpu_us_per_register": 1e6 * cpu / max(1.0, successful),
        "db_cpu_s": db_cpu, "db_cpu_us_per_register": 1e6 * db_cpu / max(1.0, successful) if db_pids() else None,
        "stored_after_run": stored, "store_caught_up_s": caught_up,
        "latency_p50_ms": b.percentile(latencies, 0.50), "latency_p99_ms": b.percentile(latencies, 0.99),
        "latency_max_ms": max(latencies) if latencies else None, "latency_samples": len(latencies),
        "sipp_p99_ms_bucket": b.sipp_histogram_p99_ms(stats),
        "other_load_share": (other / (elapsed + caught_up)), "idle_share_before": idle_share,
        "rss_kb_after": b.memory_kb(server.pids())[0],
    }


def rtt_ms(out, label):
    """SIPp's -trace_rtt file of this run (bench.run_sipp names it LABEL.rtt.csv): one response time
    in ms per call, from the first REGISTER to the 200."""
    values = []
    path = os.path.join(out, f"{label}.rtt.csv")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.strip().split(";")
                if len(parts) >= 2:
                    try:
                        values.append(float(parts[1]))
                    except ValueError:
                        continue   # the header
    return values


def report_run(run):
    db = f", PostgreSQL {run['db_cpu_us_per_register']:.1f} µs" if run.get("db_cpu_us_per_register") is not None else ""
    print(f"  {run['label']} ({run['server']}): {run['achieved_rate']:,.0f} REGISTERs/s, {run['failed']:.0f} failed, "
          f"{run['retransmissions']:.0f} retrans., {run['cpu_us_per_register']:.1f} µs CPU/REGISTER{db}, "
          f"p99 {fmt_ms(run['latency_p99_ms'])} ms, store {run['stored_after_run']} after {run['store_caught_up_s']:.1f} s"
          + (f", listed {run['bindings_listed']}" if "bindings_listed" in run else "")
          + f", other load {run['other_load_share']:.2f}")


def fmt_ms(value):
    """SIPp's response times are whole milliseconds of its own clock (which steps by a few ms)."""
    return "-" if value is None else f"{value:.0f}"


# ---------------------------------------------------------------- (c) Kamailio's registrar

KAMAILIO_REGISTRAR_CFG = r'''#!KAMAILIO
# Generated by bench/registrar.py: Kamailio's registrar under the bench's REGISTER load.
# registrar + usrloc (db_mode @DBMODE@ with @DBMOD@), auth + auth_db (HA1 in subscriber.ha1), stateless.
debug=0
log_stderror=yes
memdbg=5
memlog=5
auto_aliases=no
dns=no
rev_dns=no
dns_cache_init=off
use_dns_cache=no
dns_try_ipv6=no
sip_warning=0
disable_core_dump=yes

mpath="@MPATH@"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "@DBMOD@.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"

modparam("sl", "bind_tm", 0)
modparam("usrloc", "db_url", "@DBURL@")
modparam("usrloc", "db_mode", @DBMODE@)
modparam("usrloc", "timer_interval", 1)
modparam("usrloc", "use_domain", 1)
modparam("registrar", "default_expires", 3600)
modparam("registrar", "min_expires", 60)
modparam("registrar", "max_expires", 7200)
modparam("registrar", "max_contacts", 10)
modparam("auth", "secret", "bench-registrar-secret")
modparam("auth", "nonce_expire", 300)
modparam("auth_db", "db_url", "@DBURL@")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "use_domain", 1)
modparam("auth_db", "load_credentials", "")

request_route {
	if (is_method("OPTIONS") && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (!is_method("REGISTER")) {
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	if (is_maxfwd_lt("1")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	# Realm: the From domain (the customer's first domain, as switchd's); the From/To user must be
	# the authenticated user (flag 1); the challenge offers qop=auth (flag 1), MD5.
	if (!auth_check("$fd", "subscriber", "1")) {
		auth_challenge("$fd", "1");
		exit;
	}
	consume_credentials();
	if (!save("location")) {
		sl_reply_error();
	}
	exit;
}
'''


def kamailio_register_load(b, args, postgres):
    customers = plan(args).customers
    most = max(args.register_rates) * args.register_seconds
    users = register_users(customers, most)
    directory = os.path.join(args.out, "kamailio-register")
    os.makedirs(directory, exist_ok=True)
    csv = digest_conf(args, users)[2]   # the users, passwords and injection file of register_load
    port = PORTS["kamailio-register"]
    results = []
    for store in args.register_stores:
        if store == "sqlite":
            module, schema_dir = "db_sqlite", "/usr/share/kamailio/db_sqlite"
        else:
            module, schema_dir = "db_postgres", "/usr/share/kamailio/postgres"
        if not os.path.exists(os.path.join(KAMAILIO_MODULES, f"{module}.so")):
            print(f"  kamailio {module} is missing (Debian kamailio-{'sqlite' if store == 'sqlite' else 'postgres'}-modules): skipped")
            continue
        for rate in args.register_rates:
            measure = lambda store, rate, label, module=module, schema_dir=schema_dir: kamailio_run(
                b, args, postgres, users, csv, directory, port, store, rate, label, module, schema_dir)
            results.append(measured_again(b, measure, store, rate, f"kamailio-register-{store}-{rate}"))
    return results


def kamailio_run(b, args, postgres, users, csv, directory, port, store, rate, label, module, schema_dir):
    """A fresh database (subscriber rows with the users' HA1s, empty location), Kamailio started on it,
    one measured run, Kamailio stopped."""
    if store == "sqlite":
        path = os.path.join(directory, f"{label}.sqlite")
        remove_sqlite(path)
        with sqlite3.connect(path) as db:
            # WAL (kept in the file): the workers' subscriber reads do not wait for usrloc's writes.
            db.execute("PRAGMA journal_mode=WAL")
            for name in ("standard", "auth_db", "usrloc"):
                with open(os.path.join(schema_dir, f"{name}-create.sql")) as f:
                    db.executescript(f.read())
            db.executemany("INSERT INTO subscriber (username, domain, ha1) VALUES (?, ?, ?)",
                           [(ext, c.domains[0], ha1("md5", ext, c.domains[0], password(c, ext))) for c, ext in users])
        url = f"sqlite://{path}"
        count = lambda: sqlite_count(path, "location")
    else:
        if postgres.port is None:
            print(f"  starting a private PostgreSQL in {postgres.directory}")
            postgres.start()
        for table in ("location_attrs", "location", "subscriber", "version"):
            postgres.sql(f"DROP TABLE IF EXISTS {table}")
        for name in ("standard", "auth_db", "usrloc"):
            postgres.sql_file(os.path.join(schema_dir, f"{name}-create.sql"))
        rows = "".join(f"{ext}\t{c.domains[0]}\t{ha1('md5', ext, c.domains[0], password(c, ext))}\n" for c, ext in users)
        postgres.sql("COPY subscriber (username, domain, ha1) FROM STDIN", stdin=rows)
        url = postgres.url.replace("postgresql://", "postgres://")
        count = lambda: postgres.count("location")
    cfg = os.path.join(directory, f"kamailio-{store}.cfg")
    with open(cfg, "w") as f:
        f.write(KAMAILIO_REGISTRAR_CFG.replace("@MPATH@", KAMAILIO_MODULES).replace("@DBMOD@", module)
                .replace("@DBURL@", url).replace("@DBMODE@", str(args.kamailio_db_mode)))
    server = b.Server("kamailio", args.register_workers, args, args.out)
    server.port = port
    server.log = os.path.join(args.out, f"{label}.log")
    server.argv = ["kamailio", "-f", cfg, "-DD", "-E", "-l", f"udp:127.0.0.1:{port}",
                   "-n", str(args.register_workers), "-m", "256", "-M", "32"]
    server.name = f"kamailio ({label})"
    server.start()
    server.wait_ready()
    db_pids = postgres.pids if store == "postgresql" else (lambda: [])
    run = register_run(b, args, server, label, rate, csv, count, db_pids)
    b.stop(server.process)
    run.update({"server": "kamailio", "store": store})
    return run


# ---------------------------------------------------------------- report

def report_registered(result):
    lines = [f"INVITEs to {result['extensions']:,} extensions at {result['rate']:,} calls/s, {result['seconds']} s x "
             f"{len(result['runs']) // 2} runs each, switchd {result['workers']} worker(s); one process, the runs "
             "alternating: static, one REGISTER per extension, registered, every binding removed, static ...",
             "| contacts | achieved calls/s (worst) | failed (worst) | retrans. (worst) | CPU µs/call median (worst) | probe p99 µs median |",
             "|" + " --- |" * 6]
    for kind in ("static", "registered"):
        s = result[kind]
        lines.append(f"| {kind} | {s['achieved_min']:,.0f} | {s['failed_max']:.0f} | {s['retrans_max']:.0f} | "
                     f"{s['cpu_median']:.1f} ({s['cpu_worst']:.1f}) | {s['p99_median']:.0f} |")
    lines.append(f"| **registered / static** | | | | **{result['ratio_cpu']:.2f}** "
                 f"({result['registered']['cpu_worst'] / result['static']['cpu_worst']:.2f}) | "
                 f"{result['registered']['p99_median'] / result['static']['p99_median']:.2f} |")
    c = result["contacts_checked"]
    lines.append(f"302s checked after registering: {c['as_expected']} of {c['checked']} list the registered phone "
                 f"first and the static contact last with q=0; bindings in the store: {result['bindings_in_store']}")
    return lines


def report_register(runs):
    lines = ["| server | store | REGISTERs/s asked | achieved/s | failed | retrans. | CPU µs/REGISTER server | "
             "CPU µs/REGISTER PostgreSQL | SIPp latency p50 / p99 ms | bindings stored (expected) | store caught up s | other load |",
             "|" + " --- |" * 12]
    for r in runs:
        db = "-" if r.get("db_cpu_us_per_register") is None else f"{r['db_cpu_us_per_register']:.1f}"
        listed = f"{r['stored_after_run']:,}" if r["stored_after_run"] is not None else "-"
        if "bindings_listed" in r:
            listed += f" / listed {r['bindings_listed']:,}"
        lines.append(f"| {r['server']} | {r['store']} | {r['rate']:,} | {r['achieved_rate']:,.0f} | {r['failed']:.0f} | "
                     f"{r['retransmissions']:.0f} | {r['cpu_us_per_register']:.1f} | {db} | "
                     f"{fmt_ms(r['latency_p50_ms'])} / {fmt_ms(r['latency_p99_ms'])} | {listed} ({r['calls']:,}) | "
                     f"{r['store_caught_up_s']:.1f} | {r['other_load_share']:.2f}{' DISTURBED' if r.get('disturbed') else ''} |")
    return lines
