# switchd: `make run` serves the sample conf/ on udp:127.0.0.1:5060; `make test` runs every test.
# Both install the Debian packages they need when missing (as root, or through sudo).

SWIFT ?= swift
CONF ?= conf
# Empty: the listen addresses of $(CONF)/switchd.toml (the sample: UDP and TCP on 5060, TLS on 5061).
LISTEN ?=
LOG_LEVEL ?= info
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

RUN_PACKAGES := libosip2-dev libjemalloc-dev libsqlite3-dev pkg-config openssl
# baresip-core: the softphone of Tests/daemon/baresip.sh (the `baresip` package adds only GUI and video front-ends)
TEST_PACKAGES := $(RUN_PACKAGES) sip-tester python3 python3-venv postgresql baresip-core systemd
# postgresql: the private server of the REGISTER phase (Tests/cluster/postgres.sh); the kamailio-*-modules:
# db_sqlite and db_postgres for Kamailio's registrar under the same load, tls for Kamailio over TLS in the
# transport phase; socat: the TLS end of SIPp's TCP connection there (Debian's SIPp is built without TLS)
BENCH_PACKAGES := $(RUN_PACKAGES) kamailio kamailio-sqlite-modules kamailio-postgres-modules kamailio-tls-modules \
	sip-tester python3 time postgresql socat
FUZZ_SECONDS ?= 60
BENCH_ARGS ?=

.PHONY: run test build release deps-run deps-test deps-bench unit-test sipp-test daemon-test security-test cluster-test baresip-test fuzz bench bench-route bench-handler bench-registrar check format lint clean

define install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

deps-run:
	$(call install_missing,$(RUN_PACKAGES))

deps-test:
	$(call install_missing,$(TEST_PACKAGES))

deps-bench:
	$(call install_missing,$(BENCH_PACKAGES))

release: deps-run
	$(SWIFT) build -c release --product switchd

# A self-signed certificate for the sample's tls: address, made once (a real one replaces these files).
$(CONF)/tls/cert.pem:
	$(call install_missing,openssl)
	mkdir -p $(CONF)/tls
	openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
		-keyout $(CONF)/tls/key.pem -out $(CONF)/tls/cert.pem 2>/dev/null
	chmod 600 $(CONF)/tls/key.pem
	@echo "made a self-signed certificate: $(CONF)/tls/cert.pem"

run: release $(CONF)/tls/cert.pem
	@echo "switchd serves $(CONF)/ on $(if $(LISTEN),$(LISTEN),the listen addresses of $(CONF)/switchd.toml); stop it with Ctrl-C. From another terminal, send it a call:"
	@echo "  python3 scripts/send-invite.py --to 71201 --from sip:100@globex.example 127.0.0.1:5060"
	@echo "(README.md, 'Try it by hand', also shows sipsak and SIPp)"
	exec $$($(SWIFT) build -c release --show-bin-path)/switchd run --conf $(CONF) $(if $(LISTEN),--listen $(LISTEN)) --log-level $(LOG_LEVEL)

build: deps-test conf/tls/cert.pem
	$(SWIFT) build --build-tests

unit-test: build
	$(SWIFT) test --skip-build

sipp-test: build
	bash Tests/sipp/run.sh $$($(SWIFT) build --show-bin-path)/switchd

# The daemon as a process: SIGHUP reloads (a bad conf keeps the old plan), SIGTERM stops cleanly; the
# registrar's SQLite store across SIGTERM, SIGHUP and kill -9 after a burst of REGISTERs; numbering,
# the unit, the decision log, /metrics and /health, and switchd diff (the last two written from the
# issue's text alone).
daemon-test: build
	bash Tests/daemon/signals.sh $$($(SWIFT) build --show-bin-path)/switchd
	bash Tests/daemon/registrar.sh $$($(SWIFT) build --show-bin-path)/switchd
	bash Tests/daemon/transports.sh $$($(SWIFT) build --show-bin-path)/switchd
	bash Tests/daemon/numbering.sh $$($(SWIFT) build --show-bin-path)/switchd
	bash Tests/daemon/systemd.sh $$($(SWIFT) build --show-bin-path)/switchd
	bash Tests/daemon/decisions.sh $$($(SWIFT) build --show-bin-path)/switchd
	bash Tests/daemon/metrics.sh $$($(SWIFT) build --show-bin-path)/switchd
	bash Tests/daemon/diff.sh $$($(SWIFT) build --show-bin-path)/switchd

# SIPVicious scanners (from PyPI, into .venv-sipvicious), password guessing and floods, against the
# release build (the flood checks measure how promptly trusted callers are answered); then abuse over
# TCP (idle connections by the thousand, slowloris, connection floods, a peer that never reads) while a
# trusted caller calls over UDP and TCP (Tests/security/streams.sh).
security-test: deps-test
	$(SWIFT) build -c release --product switchd
	bash Tests/security/run.sh $$($(SWIFT) build -c release --show-bin-path)/switchd
	bash Tests/security/streams.sh $$($(SWIFT) build -c release --show-bin-path)/switchd

# The registrar's PostgreSQL store against a private server that Tests/cluster/postgres.sh starts on a
# free port of 127.0.0.1 and stops on every way out (two nodes, NOTIFY latency, an outage and recovery);
# then the same as switchd processes (Tests/cluster/daemons.sh: redirects across nodes, a late node, an outage).
cluster-test: build
	SWIFT=$(SWIFT) bash Tests/cluster/run.sh
	bash Tests/cluster/daemons.sh $$($(SWIFT) build --show-bin-path)/switchd

# A real softphone (Debian's baresip, headless) registers with digest credentials, gets called through a
# 302 and auto-answers; all on 127.0.0.0/8.
baresip-test: build
	bash Tests/daemon/baresip.sh $$($(SWIFT) build --show-bin-path)/switchd

test: unit-test sipp-test daemon-test security-test cluster-test baresip-test

# libFuzzer + AddressSanitizer, each target for FUZZ_SECONDS: parse/validate/route/respond (seeded with
# the torture messages), then configuration loading from in-memory conf directories.
fuzz: deps-run
	bash fuzz/run.sh $(FUZZ_SECONDS)
	bash fuzz/run-config.sh $(FUZZ_SECONDS)

check: deps-run $(CONF)/tls/cert.pem
	$(SWIFT) run switchd check --conf $(CONF)

# switchd against Kamailio on one generated plan, side by side (bench/bench.py; about 14 minutes):
# CPU per call, failures, latency, memory; then reload under load and `check` at 200,000 extensions;
# then the registrar (bench/registrar.py): INVITEs to static vs registered contacts, and REGISTERs with
# digest into SQLite and a private PostgreSQL, switchd and Kamailio's registrar under the same load; then
# the transports (bench/transports.py): 5,000 calls/s over one TCP and one TLS connection to each server,
# and memory per idle connection with 10,000 of them open.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--rates 10000 --reps 3", BENCH_ARGS="--only registrar",
# or BENCH_ARGS="--only transports".
bench: deps-bench
	$(SWIFT) build -c release --product switchd
	python3 bench/bench.py --switchd $$($(SWIFT) build -c release --show-bin-path)/switchd $(BENCH_ARGS)

# The dial plan alone: load time and routing decisions per second on 1.2 million numbers.
bench-route: deps-run
	$(SWIFT) run -c release RouteBench

# RequestHandler.handle alone, per INVITE and per ACK, without sockets (also the subject for callgrind).
bench-handler: deps-run
	$(SWIFT) run -c release HandlerBench conf

# The location service alone: lookup ns per call over 10,000 AORs x 2 bindings, register() per second
# into SQLite (written behind), and single-change SQLite transactions per second.
bench-registrar: deps-run
	$(SWIFT) run -c release RegistrarBench

# swift-format (shipped with the toolchain) with the project's .swift-format: `format` rewrites the
# sources in place, `lint` fails on any difference or rule violation (CI runs it).
FORMAT_PATHS := Package.swift Sources Tests
format:
	$(SWIFT) format --in-place --recursive --parallel $(FORMAT_PATHS)

lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)

clean:
	rm -rf .build
