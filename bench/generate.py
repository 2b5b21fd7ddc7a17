#!/usr/bin/env python3
"""Generate a switchd-vs-Kamailio benchmark: one dial plan, written twice, plus the calls to send.

    python3 bench/generate.py OUTDIR [--customers 400] [--group-size 4] [--extensions 100]
                                     [--range-size 1000] [--calls 20000] [--seed 1]

Writes, deterministically for a seed:
  OUTDIR/conf/               a switchd configuration directory (`switchd check --conf OUTDIR/conf`)
  OUTDIR/kamailio/           kamailio.cfg and the db_text tables its htables load (db/)
  OUTDIR/calls.csv           SIPp injection file: caller_user;caller_domain;dialled;status;contact

The dial plan of every customer is built so that no string it can dial is a prefix of another
(switchd's prefix rule):
  1xx, 2xxx, 5xxxx, 6xxxx, *97, *98   explicit extensions ("5xxxx" only when --extensions > ~1100)
  3... (a range, e.g. 3000-3999)      plus a few explicit overrides inside it
  0, and for some customers 9         trunk codes
  71..7N                              access codes in the group (N = group size)
Nothing else starts with 7, 0 or 9, so the access and trunk codes never collide with extensions.

The expected answers in calls.csv come from `Model.route`, a direct reading of README "Routing
rules"; the Kamailio tables are derived from the same customer data but answer through a different
mechanism (hash lookups), and switchd through its trie, so compare.py checks three ways.
"""
import argparse
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field

DIAL_SYMBOLS = set("0123456789*#")
# Kamailio's htables get 2^size buckets; about one row per bucket, but at most 4M buckets.
MAX_HTABLE_SIZE_BITS = 22


# --------------------------------------------------------------------------------------------
# The dial plan
# --------------------------------------------------------------------------------------------

@dataclass
class Customer:
    id: str                      # file name in customers/, e.g. c007
    number: int                  # 1-based, used to make addresses
    cm: int
    domains: list
    networks: list
    group: str = None            # group id, or None
    access_code: str = None      # set with group
    explicit: dict = field(default_factory=dict)   # extension -> contact (overrides included)
    overrides: list = field(default_factory=list)  # explicit extensions inside the range
    range_low: str = None        # "3000"
    range_high: str = None       # "3999"
    range_template: str = None   # "sip:{ext}@pbx.c007.bench.example"
    trunks: dict = field(default_factory=dict)     # trunk code -> gateway template

    def in_range(self, number):
        """Whether `number` is a member of the customer's range (same length, digits, within bounds)."""
        if self.range_low is None or len(number) != len(self.range_low) or not number.isdigit():
            return False
        return self.range_low <= number <= self.range_high  # equal lengths: string order = numeric order

    def contact(self, number):
        """Rule 1: the contact of extension `number`, or None. An explicit extension overrides the range."""
        if number in self.explicit:
            return self.explicit[number]
        if self.in_range(number):
            return self.range_template.replace("{ext}", number)
        return None

    def range_numbers(self):
        if self.range_low is None:
            return []
        width = len(self.range_low)
        return [str(n).zfill(width) for n in range(int(self.range_low), int(self.range_high) + 1)]

    def all_numbers(self):
        """Every extension number: explicit ones, then the range members not overridden (ordered)."""
        numbers = list(self.explicit)
        numbers += [n for n in self.range_numbers() if n not in self.explicit]
        return numbers

    def has_extensions(self):
        return bool(self.explicit) or self.range_low is not None


class Plan:
    """All customers, with the derived data both the model and the Kamailio tables need."""

    def __init__(self, customers, groups):
        self.customers = customers
        self.by_id = {c.id: c for c in customers}
        self.groups = groups                      # group id -> [Customer]
        # Proper prefixes (incl. "") of each customer's extensions: "is a proper prefix of an extension".
        self.ext_prefixes = {c.id: proper_prefixes(c.all_numbers()) for c in customers}

    def members(self, customer):
        """The customers of `customer`'s group, itself included ([] without a group)."""
        return self.groups.get(customer.group, []) if customer.group else []

    def others(self, customer):
        return [m for m in self.members(customer) if m is not customer]

    def can_dial_anything(self, customer):
        """Whether anything at all redirects for `customer` (what a prefix of its own code may lead to)."""
        return (customer.has_extensions() or bool(customer.trunks)
                or any(m.has_extensions() for m in self.others(customer)))


def proper_prefixes(strings):
    prefixes = set()
    for s in strings:
        for length in range(len(s)):
            prefixes.add(s[:length])
    return prefixes


# --------------------------------------------------------------------------------------------
# The routing model (README "Routing rules"), used for the expected answers
# --------------------------------------------------------------------------------------------

class Model:
    def __init__(self, plan):
        self.plan = plan

    def route(self, caller, dialled):
        """(status, contact or None) for a trusted `caller` dialling `dialled`."""
        if any(ch not in DIAL_SYMBOLS for ch in dialled):
            return (404, None)
        decided = self.redirect(caller, dialled)
        if decided:
            return decided
        if self.incomplete(caller, dialled):
            return (484, None)
        return (404, None)

    def redirect(self, caller, dialled):
        """Rules 1-3: (302, contact), (403, None), or None when none applies."""
        contact = caller.contact(dialled)                                  # rule 1
        if contact:
            return (302, contact)
        for code, gateway in caller.trunks.items():                        # rule 2
            if dialled.startswith(code) and len(dialled) > len(code):
                return (302, gateway.replace("{number}", dialled[len(code):]))
        for member in self.plan.members(caller):                          # rule 3
            code = member.access_code
            if not dialled.startswith(code):
                continue
            rest = dialled[len(code):]
            if member is caller:
                # The own access code is transparent: the rest is routed as if dialled alone.
                if rest:
                    decided = self.redirect(caller, rest)
                    if decided:
                        return decided
                continue
            contact = member.contact(rest)
            if contact:
                return (302, contact)
            if any(rest.startswith(trunk) for trunk in member.trunks):
                return (403, None)
        return None

    def incomplete(self, caller, dialled):
        """Rule 4: `dialled` is a proper prefix of something rules 1-3 redirect."""
        if dialled in self.plan.ext_prefixes[caller.id]:                   # ... of an own extension
            return True
        if any(trunk.startswith(dialled) for trunk in caller.trunks):      # ... of trunk code + number
            return True
        for member in self.plan.others(caller):                           # ... of access code + extension
            if not member.has_extensions():
                continue
            code = member.access_code
            if code.startswith(dialled):
                return True
            if dialled.startswith(code) and dialled[len(code):] in self.plan.ext_prefixes[member.id]:
                return True
        own = caller.access_code
        if own:
            # own code + anything that redirects: a prefix of the own code leads somewhere as soon as
            # anything can be dialled at all; after the own code, the rest counts alone.
            if own.startswith(dialled) and self.plan.can_dial_anything(caller):
                return True
            if dialled.startswith(own) and len(dialled) > len(own):
                return self.incomplete(caller, dialled[len(own):])
        return False


# --------------------------------------------------------------------------------------------
# Building the customers
# --------------------------------------------------------------------------------------------

def access_codes(group_size):
    """71, 72, ... (one digit after the 7 while it fits, else two)."""
    if group_size <= 9:
        return [f"7{k}" for k in range(1, group_size + 1)]
    if group_size <= 99:
        return [f"7{k:02d}" for k in range(1, group_size + 1)]
    sys.exit("--group-size must be at most 99")


def range_bounds(size):
    """A range of `size` numbers starting with 3: 1000 -> ("3000", "3999"); 2000 -> ("30000", "31999")."""
    if size <= 0:
        return None
    width = max(4, len(str(size - 1)) + 1)
    low = 3 * 10 ** (width - 1)
    return str(low), str(low + size - 1)


def explicit_counts(total):
    """How many explicit extensions come from each pool (3-digit 1xx, 4-digit 2xxx, 5-digit 6xxxx/5xxxx)."""
    star = min(2, total)
    rest = total - star
    pool1 = min(100, rest // 10)
    pool6 = min(10000, max(1, rest // 30)) if rest > pool1 else 0
    pool2 = min(1000, rest - pool1 - pool6)
    pool5 = rest - pool1 - pool6 - pool2
    if pool5 > 10000:
        sys.exit("--extensions too large (at most ~21,000)")
    return star, pool1, pool2, pool5, pool6


def office_host(customer, rng):
    """An address in the customer's office network for a desk phone's contact."""
    return f"10.{customer.cm}.{customer.number % 256}.{rng.randint(10, 250)}"


def build_customer(number, cm, group, code, args, rng):
    cid = f"c{number:03d}"
    base = f"{cid}.bench.example"
    domains = [base] + ([f"sip.{base}"] if number % 10 == 0 else [])
    customer = Customer(
        id=cid, number=number, cm=cm, domains=domains, group=group, access_code=code,
        networks=["127.0.0.0/8", f"10.{cm}.{number % 256}.0/24"])

    star, pool1, pool2, pool5, pool6 = explicit_counts(args.extensions)
    if star >= 1:
        customer.explicit["*97"] = f"sip:voicemail@vm.{base}"
    if star >= 2:
        customer.explicit["*98"] = f"sip:conference@media.{base}"
    for prefix, width, count in (("1", 2, pool1), ("2", 3, pool2), ("5", 4, pool5), ("6", 4, pool6)):
        for suffix in sorted(rng.sample(range(10 ** width), count)):
            ext = f"{prefix}{suffix:0{width}d}"
            customer.explicit[ext] = f"sip:{ext}@{office_host(customer, rng)}:5060"

    bounds = range_bounds(args.range_size)
    if bounds:
        customer.range_low, customer.range_high = bounds
        customer.range_template = f"sip:{{ext}}@pbx.{base}"
        # Overrides: the operator at the start of the range and a couple of desk phones inside it.
        numbers = customer.range_numbers()
        chosen = [numbers[0]] + rng.sample(numbers[1:], min(2, len(numbers) - 1))
        for index, ext in enumerate(chosen):
            user = "operator" if index == 0 else ext
            customer.explicit[ext] = f"sip:{user}@{office_host(customer, rng)}:5060"
            customer.overrides.append(ext)

    customer.trunks["0"] = f"sip:{{number}}@gw1.{base}"
    if number % 3 == 0:
        customer.trunks["9"] = f"sips:+{{number}}@gw2.{base}:5061"
    return customer


def build_plan(args, rng):
    """Customers 1..N: the first ones grouped (group_size each), the last `ungrouped` alone."""
    codes = access_codes(args.group_size)
    grouped = args.customers - args.ungrouped
    customers, groups = [], {}
    for index in range(args.customers):
        number = index + 1
        if index < grouped:
            group_index = index // args.group_size
            group = f"g{group_index + 1:03d}"
            code = codes[index % args.group_size]
            cm = group_index % args.cms + 1       # a group never spans CMs
        else:
            group, code, cm = None, None, index % args.cms + 1
        customer = build_customer(number, cm, group, code, args, rng)
        customers.append(customer)
        if group:
            groups.setdefault(group, []).append(customer)
    return Plan(customers, groups)


# --------------------------------------------------------------------------------------------
# switchd configuration
# --------------------------------------------------------------------------------------------

def toml_str(value):
    """A TOML basic string (the generated values are plain ASCII without quotes or backslashes)."""
    assert '"' not in value and "\\" not in value
    return f'"{value}"'


def toml_list(values):
    return "[" + ", ".join(toml_str(v) for v in values) + "]"


def write_switchd_conf(plan, outdir):
    conf = os.path.join(outdir, "conf")
    os.makedirs(os.path.join(conf, "groups"), exist_ok=True)
    os.makedirs(os.path.join(conf, "customers"), exist_ok=True)
    with open(os.path.join(conf, "switchd.toml"), "w") as f:
        f.write("# Generated by bench/generate.py\n\n[server]\nlisten = [\"udp:127.0.0.1:5060\"]\n")
    for group in plan.groups:
        with open(os.path.join(conf, "groups", f"{group}.toml"), "w") as f:
            f.write(f"name = {toml_str('Group ' + group)}\n")
    for c in plan.customers:
        lines = [f"name = {toml_str('Customer ' + c.id)}", f"cm = {c.cm}", f"domains = {toml_list(c.domains)}"]
        if c.group:
            lines += [f"group = {toml_str(c.group)}", f"access_code = {toml_str(c.access_code)}"]
        lines += [f"networks = {toml_list(c.networks)}", "", "[extensions]"]
        if c.range_low:
            lines.append(f"{toml_str(c.range_low + '-' + c.range_high)} = {toml_str(c.range_template)}")
        lines += [f"{toml_str(ext)} = {toml_str(contact)}" for ext, contact in c.explicit.items()]
        for code, gateway in c.trunks.items():
            lines += ["", f"[trunks.{toml_str(code)}]", f"gateway = {toml_str(gateway)}"]
        with open(os.path.join(conf, "customers", f"{c.id}.toml"), "w") as f:
            f.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------------------------
# Kamailio tables
# --------------------------------------------------------------------------------------------
# dial  "C|S" -> contact of extension S of customer C (ranges expanded, overrides applied),
#                "~E" when S is a proper prefix of an extension of C (also "" when C has any),
#                "~O" when S is only a proper prefix of a trunk code or of an access code of a
#                     group member that has extensions.
#       C's own lookups answer 484 for both markers; lookups through an access code (C dialled
#       A + S) only for "~E", as only the member's extensions can be reached that way.
# code  "C|P" -> "T|<gateway before {number}>|<after>" for a trunk code P of C,
#                "A|<member id>|<longest code of the member>" for an access code P of another member.
# cust  "C"   -> "<networks, comma separated>|<own access code or empty>|<longest code of C>|<1 when
#                anything redirects for C at all, else 0>"
# dom   domain (lower case) -> C

def dial_table(plan):
    rows = {}
    for c in plan.customers:
        for number in c.all_numbers():
            rows[f"{c.id}|{number}"] = c.contact(number)
        for prefix in sorted(plan.ext_prefixes[c.id]):
            assert f"{c.id}|{prefix}" not in rows, "an extension is a prefix of another"
            rows[f"{c.id}|{prefix}"] = "~E"
        others = [m.access_code for m in plan.others(c) if m.has_extensions()]
        for code in list(c.trunks) + others:
            for length in range(len(code)):
                rows.setdefault(f"{c.id}|{code[:length]}", "~O")
    return rows


def code_table(plan):
    rows = {}
    for c in plan.customers:
        for code, gateway in c.trunks.items():
            before, after = gateway.split("{number}", 1)
            assert "{number}" not in after and "|" not in gateway
            rows[f"{c.id}|{code}"] = f"T|{before}|{after}"
        for member in plan.others(c):
            rows[f"{c.id}|{member.access_code}"] = f"A|{member.id}|{longest_code(plan, member)}"
    return rows


def longest_code(plan, customer):
    codes = list(customer.trunks) + [m.access_code for m in plan.others(customer)]
    return max((len(code) for code in codes), default=0)


def cust_table(plan):
    return {c.id: f"{','.join(c.networks)}|{c.access_code or ''}|{longest_code(plan, c)}|"
            f"{1 if plan.can_dial_anything(c) else 0}" for c in plan.customers}


def dom_table(plan):
    return {domain.lower(): c.id for c in plan.customers for domain in c.domains}


def dbtext_escape(value):
    """db_text separates fields with ':' and unescapes backslash sequences."""
    return value.replace("\\", "\\\\").replace(":", "\\:")


def write_dbtext(path, rows):
    with open(path, "w") as f:
        f.write("key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n")
        for key, value in rows.items():
            f.write(f"{dbtext_escape(key)}:0:0:{dbtext_escape(value)}:0\n")


def htable_bits(count):
    """Bucket count (as a power of two) for about one entry per bucket."""
    return min(MAX_HTABLE_SIZE_BITS, max(4, math.ceil(math.log2(max(count, 2)))))


def write_kamailio(plan, outdir):
    kdir = os.path.join(outdir, "kamailio")
    dbdir = os.path.join(kdir, "db")
    os.makedirs(dbdir, exist_ok=True)
    tables = {"dial": dial_table(plan), "code": code_table(plan), "cust": cust_table(plan), "dom": dom_table(plan)}
    for name, rows in tables.items():
        write_dbtext(os.path.join(dbdir, name), rows)
    # Every db_text database needs a version table.
    with open(os.path.join(dbdir, "version"), "w") as f:
        f.write("table_name(str) table_version(int)\n")
        f.writelines(f"{name}:1\n" for name in tables)
    sizes = {name: htable_bits(len(rows)) for name, rows in tables.items()}
    total = sum(len(rows) for rows in tables.values())
    with open(os.path.join(kdir, "kamailio.cfg"), "w") as f:
        f.write(kamailio_cfg(os.path.abspath(dbdir), sizes, total))
    return {name: len(rows) for name, rows in tables.items()}


def kamailio_cfg(dbdir, sizes, total):
    return KAMAILIO_CFG.replace("@DBDIR@", dbdir).replace("@ROWS@", str(total + 10)) \
        .replace("@ROWS_IN_ALL@", str(total)).replace("@SHM@", str(shared_memory_mb(total))) \
        .replace("@SHMFLAG@", f"-m {shared_memory_mb(total)}".ljust(18)) \
        .replace("@DIAL@", str(sizes["dial"])).replace("@CODE@", str(sizes["code"])) \
        .replace("@CUST@", str(sizes["cust"])).replace("@DOM@", str(sizes["dom"]))


def shared_memory_mb(rows):
    """Kamailio -m for `rows` htable rows: about 1.6 KB a row at the loading peak (measured: 790 MB
    for 523,507 rows with Kamailio 5.6's default allocator), plus headroom, in steps of 256 MB."""
    return max(256, math.ceil((rows * 1600 / 2 ** 20 + 64) / 256) * 256)


KAMAILIO_CFG = r'''#!KAMAILIO
#
# Generated by bench/generate.py: a stateless multi-tenant SIP redirect server doing switchd's work
# for trusted callers, with switchd's answers (README "Routing rules" and "SIP behaviour").
#
# Run in the foreground (the creator stays attached, logs on stderr), e.g. 1 UDP worker on port 5092:
#
#   kamailio -f kamailio.cfg -DD -E -l udp:127.0.0.1:5092 -n 1 -m @SHM@ -M 32
#
#   -l udp:HOST:PORT  listen address (repeatable; no listen= in this file)
#   -n N              number of UDP worker processes per listen address
#   @SHMFLAG@shared memory in MB, computed for this plan (@ROWS_IN_ALL@ htable rows): while
#                     loading, db_text's copy of a table and the htable coexist (about 1.5 KB a row
#                     at the peak, half of it once loaded); too small and Kamailio crashes at start
#   -M 32             private memory per process in MB
#   -A WITH_CTL       also load ctl, so `kamcmd -s unix:/tmp/kamailio-bench-ctl.sock core.psx` lists
#                     the processes (adds one idle "ctl handler" process)
#   -A WITH_TCP       serve TCP too (bench/transports.py: -l tcp:HOST:PORT; -n N is also the number
#                     of TCP reader processes), up to 15,000 connections, none closed for idling
#   -A WITH_TLS       with WITH_TCP: load tls (Debian's kamailio-tls-modules) for -l tls:HOST:PORT,
#                     its certificate and key in the file of -A 'TLS_CONFIG="/path/tls.cfg"'
#
# Processes: the creator (main, "attendant"), then its children in fork order: the N UDP workers
# ("udp receiver child=0..N-1", the lowest child pids), "slow timer", "timer", "secondary timer".
# Loading the tables takes the creator 15-20 s of CPU for 500,000 rows before the workers start;
# an OPTIONS without user part gets 200 once they answer.
#
# The htables are loaded at start from the db_text tables in
#   @DBDIR@
# (see generate.py for their layout). Nothing is logged per request: debug=0 keeps warnings and
# errors only, and a normal call produces neither.

debug=0
log_stderror=no
children=1
#!ifdef WITH_TCP
disable_tcp=no
tcp_max_connections=15000
tcp_connection_lifetime=3600
#!ifdef WITH_TLS
enable_tls=yes
tls_max_connections=15000
#!endif
#!else
disable_tcp=yes
#!endif
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=no
dns_try_ipv6=no
sip_warning=0
# The shared memory holds the whole plan: a core dump would be as large (and land in /).
disable_core_dump=yes

mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "db_text.so"
loadmodule "htable.so"
loadmodule "ipops.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
#!ifdef WITH_TLS
loadmodule "tls.so"
modparam("tls", "config", TLS_CONFIG)
#!endif
#!ifdef WITH_CTL
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:/tmp/kamailio-bench-ctl.sock")
#!endif

# sl runs without tm (stateless only): do not look for it.
modparam("sl", "bind_tm", 0)
# Non-caching mode: db_text drops its copy of a table once htable has read it (cached mode would
# keep all of it in shared memory for nothing; htable reads the tables once, at start).
modparam("db_text", "db_mode", 1)
modparam("db_text", "max_result_rows", @ROWS@)
modparam("htable", "db_url", "text://@DBDIR@")
modparam("htable", "fetch_rows", 10000)
modparam("htable", "htable", "dial=>size=@DIAL@;dbtable=dial;")
modparam("htable", "htable", "code=>size=@CODE@;dbtable=code;")
modparam("htable", "htable", "cust=>size=@CUST@;dbtable=cust;")
modparam("htable", "htable", "dom=>size=@DOM@;dbtable=dom;")

request_route {
	# Like switchd: ACK and CANCEL are never answered.
	if (is_method("ACK|CANCEL")) {
		exit;
	}
	if (is_method("OPTIONS") && $rU == $null) {
		# Keep-alive, answered like switchd's.
		append_to_reply("Allow: INVITE, ACK, CANCEL, OPTIONS\r\nAccept: application/sdp\r\nSupported: \r\n");
		sl_send_reply("200", "OK");
		exit;
	}
	if (!is_method("INVITE|OPTIONS")) {
		append_to_reply("Allow: INVITE, ACK, CANCEL, OPTIONS\r\n");
		if (is_method("REGISTER|BYE|PRACK|UPDATE|INFO|REFER|MESSAGE|SUBSCRIBE|NOTIFY|PUBLISH")) {
			sl_send_reply("405", "Method Not Allowed");
		} else {
			sl_send_reply("501", "Not Implemented");
		}
		exit;
	}
	if (is_maxfwd_lt("1")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	route(CALLER);
	route(DIAL);
}

# The caller customer $var(c) from the From host; its record $var(rec) (see generate.py).
route[CALLER] {
	$vn(c) = $sht(dom=>$(fd{s.tolower}));
	if ($vn(c) == $null) {
		sl_send_reply("401", "Unauthorized");
		exit;
	}
	$var(c) = $vn(c);
	$var(rec) = $sht(cust=>$var(c));
	$var(nets) = $(var(rec){s.select,0,|});
	if (!is_in_subnet("$si", "$var(nets)")) {
		sl_send_reply("401", "Unauthorized");
		exit;
	}
	$vn(o) = $sht(dom=>$(rd{s.tolower}));
	if ($vn(o) != $null && $vn(o) != $var(c)) {
		sl_send_reply("403", "Domain Of Another Customer");
		exit;
	}
}

# Rules 1-5 for the dialled string (switchd's DialPlan.dial): look the string up; while that decides
# nothing and the string starts with the caller's own access code, drop the code and look again.
route[DIAL] {
	$var(s) = $(rU{s.unescape.user});
	if (!($var(s) =~ "^[0-9*#]*$")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	$var(own) = $(var(rec){s.select,1,|});
	$var(ol) = $(var(own){s.len});
	$var(maxc) = $(var(rec){s.select,2,|}{s.int});
	$var(any) = $(var(rec){s.select,3,|}{s.int});
	$var(inc) = 0;
	$var(more) = 1;
	while ($var(more) == 1) {
		$var(more) = 0;
		route(OWN);
		if ($var(res) == 302) {
			# sl writes the new Request-URI as the Contact of a 3xx reply.
			$ru = $var(contact);
			sl_send_reply("302", "Moved Temporarily");
			exit;
		}
		if ($var(res) == 403) {
			sl_send_reply("403", "Trunk Of Another Customer");
			exit;
		}
		if ($var(res) == 484) {
			$var(inc) = 1;
		}
		if ($var(ol) > 0) {
			$var(sl) = $(var(s){s.len});
			if ($var(sl) < $var(ol)) {
				# A proper prefix of the own code leads somewhere when anything can be dialled.
				if ($var(sl) > 0 && $var(any) == 1) {
					if ($(var(own){s.substr,0,$var(sl)}) == $var(s)) {
						$var(inc) = 1;
					}
				}
			} else if ($(var(s){s.substr,0,$var(ol)}) == $var(own)) {
				if ($var(sl) == $var(ol)) {
					$var(s) = "";
				} else {
					$var(s) = $(var(s){s.substr,$var(ol),0});
				}
				$var(more) = 1;
			}
		}
	}
	if ($var(inc) == 1) {
		sl_send_reply("484", "Address Incomplete");
	} else {
		sl_send_reply("404", "Not Found");
	}
	exit;
}

# One lookup of $var(s) for the caller $var(c): $var(res) = 302 ($var(contact)), 403, 484 or 404.
route[OWN] {
	$vn(v) = $sht(dial=>$var(c)|$var(s));
	if ($vn(v) != $null) {
		if ($vn(v) == "~E" || $vn(v) == "~O") {
			$var(res) = 484;
		} else {
			$var(res) = 302;
			$var(contact) = $vn(v);
		}
		return;
	}
	# A trunk code or another member's access code starting the string (codes are prefix-free,
	# so the first one found is the only one).
	$var(res) = 404;
	$var(sl) = $(var(s){s.len});
	$var(l) = 1;
	while ($var(l) <= $var(maxc) && $var(l) <= $var(sl)) {
		$var(p) = $(var(s){s.substr,0,$var(l)});
		$vn(k) = $sht(code=>$var(c)|$var(p));
		if ($vn(k) != $null) {
			if ($var(l) == $var(sl)) {
				$var(rest) = "";
			} else {
				$var(rest) = $(var(s){s.substr,$var(l),0});
			}
			if ($(vn(k){s.select,0,|}) == "T") {
				if ($var(rest) == "") {
					$var(res) = 484;
				} else {
					$var(res) = 302;
					$var(contact) = $(vn(k){s.select,1,|}) + $var(rest) + $(vn(k){s.select,2,|});
				}
				return;
			}
			$var(x) = $(vn(k){s.select,1,|});
			$var(xmax) = $(vn(k){s.select,2,|}{s.int});
			route(MEMBER);
			return;
		}
		$var(l) = $var(l) + 1;
	}
}

# $var(rest) dialled after the access code of member $var(x): its extensions only; its trunks: 403.
route[MEMBER] {
	$vn(v) = $sht(dial=>$var(x)|$var(rest));
	if ($vn(v) != $null) {
		if ($vn(v) == "~E") {
			$var(res) = 484;
			return;
		}
		if ($vn(v) != "~O") {
			$var(res) = 302;
			$var(contact) = $vn(v);
			return;
		}
	}
	$var(res) = 404;
	$var(rl) = $(var(rest){s.len});
	$var(l) = 1;
	while ($var(l) <= $var(xmax) && $var(l) <= $var(rl)) {
		$var(p) = $(var(rest){s.substr,0,$var(l)});
		$vn(k) = $sht(code=>$var(x)|$var(p));
		if ($vn(k) != $null) {
			# A trunk of the member can never be seized; its access codes lead nowhere.
			if ($(vn(k){s.select,0,|}) == "T") {
				$var(res) = 403;
			}
			return;
		}
		$var(l) = $var(l) + 1;
	}
}
'''


# --------------------------------------------------------------------------------------------
# Calls
# --------------------------------------------------------------------------------------------

class CallMaker:
    """Makes dialled strings of each kind for a caller; each maker returns None when it cannot."""

    def __init__(self, plan, rng):
        self.plan = plan
        self.rng = rng

    # ---- helpers
    def plain_explicit(self, c):
        """Explicit extensions outside the range (so not overrides)."""
        return [e for e in c.explicit if e not in c.overrides]

    def any_number(self, c):
        """A random extension of c: explicit, override or range member."""
        if c.range_low and self.rng.random() < 0.5:
            return self.range_member(c)
        return self.rng.choice(list(c.explicit))

    def range_member(self, c):
        while True:
            n = str(self.rng.randint(int(c.range_low), int(c.range_high)))
            if n not in c.explicit:
                return n

    def digits(self, low, high):
        return "".join(self.rng.choice("0123456789") for _ in range(self.rng.randint(low, high)))

    def other_member(self, c):
        others = self.plan.others(c)
        return self.rng.choice(others) if others else None

    def strict_prefix(self, s):
        return s[:self.rng.randint(1, len(s) - 1)]

    # ---- 302
    def own_ext(self, c):
        return self.rng.choice(self.plain_explicit(c))

    def own_range(self, c):
        return self.range_member(c) if c.range_low else None

    def override(self, c):
        return self.rng.choice(c.overrides) if c.overrides else None

    def member_ext(self, c):
        m = self.other_member(c)
        return m.access_code + self.any_number(m) if m else None

    def own_code_ext(self, c):
        if not c.access_code:
            return None
        times = 2 if self.rng.random() < 0.2 else 1
        return c.access_code * times + self.any_number(c)

    def trunk(self, c):
        return self.rng.choice(list(c.trunks)) + self.digits(4, 12)

    # ---- 403
    def foreign_trunk(self, c):
        m = self.other_member(c)
        if not m:
            return None
        number = self.digits(0, 11) if self.rng.random() < 0.15 else self.digits(4, 11)
        return m.access_code + self.rng.choice(list(m.trunks)) + number

    # ---- 404
    def unknown(self, c):
        kind = self.rng.randrange(6)
        if kind == 0:                                  # an unassigned 4-digit 2xxx number
            n = "2" + self.digits(3, 3)
            return None if n in c.explicit else n
        if kind == 1:                                  # an extension followed by one digit too many
            return self.any_number(c) + self.digits(1, 1)
        if kind == 2:                                  # a start nobody has
            return "8" + self.digits(0, 6)
        if kind == 3:                                  # an unknown voice service
            return "*9" + self.rng.choice("0123456")
        m = self.other_member(c)
        if not m:
            return "4" + self.digits(2, 5)
        if kind == 4:                                  # access code + an unknown number
            return m.access_code + "8" + self.digits(1, 4)
        # access code + another access code (+ extension): codes are not followed through a member
        third = self.rng.choice([x for x in self.plan.members(c) if x is not m])
        return m.access_code + third.access_code + self.plain_explicit(third)[0]

    # ---- 484
    def incomplete(self, c):
        m = self.other_member(c)
        choices = [
            lambda: self.strict_prefix(self.own_ext(c)),                # "20" of 2001, "*9" of *97
            lambda: self.rng.choice(list(c.trunks)),                    # a trunk code without number
        ]
        if c.range_low:
            choices.append(lambda: self.strict_prefix(self.range_member(c)))   # "34" of the range
        if m:
            choices += [
                lambda: self.rng.choice([m.access_code, m.access_code[:1]]),   # "72", "7"
                lambda: m.access_code + self.strict_prefix(self.any_number(m)),  # "72" + "20"
                # the own code (repeated) alone or before the start of an own extension
                lambda: c.access_code * self.rng.randint(1, 2)
                + self.rng.choice(["", self.strict_prefix(self.own_ext(c))]),
            ]
        return self.rng.choice(choices)()


# (maker, intended status, weight in percent)
CALL_MIX = [
    ("own_ext", 302, 14), ("own_range", 302, 14), ("override", 302, 5), ("member_ext", 302, 12),
    ("own_code_ext", 302, 5), ("trunk", 302, 10),
    ("foreign_trunk", 403, 16),
    ("unknown", 404, 12),
    ("incomplete", 484, 12),
]


def make_calls(plan, model, count, rng):
    maker = CallMaker(plan, rng)
    grouped = [c for c in plan.customers if c.group]
    kinds = [kind for kind, _, _ in CALL_MIX]
    intended = {kind: status for kind, status, _ in CALL_MIX}
    weights = [weight for _, _, weight in CALL_MIX]
    calls = []
    while len(calls) < count:
        kind = rng.choices(kinds, weights)[0]
        # Group-only kinds need a grouped caller; the others call from anyone, ungrouped included.
        pool = grouped if kind in ("member_ext", "own_code_ext", "foreign_trunk") else plan.customers
        caller = rng.choice(pool)
        dialled = getattr(maker, kind)(caller)
        if dialled is None:
            continue
        status, contact = model.route(caller, dialled)
        if status != intended[kind]:
            raise AssertionError(f"generator bug: {kind} {caller.id} {dialled} -> {status}")
        calls.append((caller_user(caller, maker), caller_domain(caller, rng), dialled, status, contact or "-"))
    return calls


def caller_user(c, maker):
    """The From user: one of the caller's phones (a numeric extension)."""
    while True:
        user = maker.own_ext(c)
        if user.isdigit():
            return user


def caller_domain(c, rng):
    domain = rng.choice(c.domains)
    # Some callers write their domain in upper case: the From host matches case-insensitively.
    return domain.upper() if rng.random() < 0.05 else domain


def write_calls(calls, outdir):
    with open(os.path.join(outdir, "calls.csv"), "w") as f:
        f.write("SEQUENTIAL\n")
        f.writelines(";".join(map(str, call)) + "\n" for call in calls)


# --------------------------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--group-size", type=int, default=4)
    parser.add_argument("--ungrouped", type=int, default=None,
                        help="customers in no group (default: 1 in 100)")
    parser.add_argument("--cms", type=int, default=10, help="call managers (default 10)")
    parser.add_argument("--extensions", type=int, default=100, help="explicit extensions per customer")
    parser.add_argument("--range-size", type=int, default=1000, help="numbers in each customer's range")
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--switchd-only", action="store_true",
                        help="write conf/ and calls.csv only (for `switchd check` at scale)")
    args = parser.parse_args(argv)
    if args.ungrouped is None:
        args.ungrouped = args.customers // 100
    if args.customers < 1 or args.group_size < 2 or args.extensions < 3 or args.customers > 999:
        parser.error("need 1-999 customers, --group-size >= 2 and --extensions >= 3")
    if not 0 <= args.ungrouped < args.customers:
        parser.error("--ungrouped must leave at least one grouped customer")
    return args


def main(argv):
    args = parse_args(argv)
    started = time.monotonic()
    rng = random.Random(args.seed)
    plan = build_plan(args, rng)
    model = Model(plan)
    os.makedirs(args.outdir, exist_ok=True)
    write_switchd_conf(plan, args.outdir)
    rows = {} if args.switchd_only else write_kamailio(plan, args.outdir)
    calls = make_calls(plan, model, args.calls, rng)
    write_calls(calls, args.outdir)

    numbers = sum(len(c.all_numbers()) for c in plan.customers)
    by_status = {}
    for call in calls:
        by_status[call[3]] = by_status.get(call[3], 0) + 1
    print(f"{args.outdir}: {len(plan.customers)} customers, {len(plan.groups)} groups, "
          f"{numbers} extensions, {sum(len(c.trunks) for c in plan.customers)} trunks; "
          f"htable rows {rows} ({sum(rows.values())} in all); "
          f"{len(calls)} calls {dict(sorted(by_status.items()))}; {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
