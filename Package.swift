// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "switchd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchd", targets: ["Switchd"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The registrar's embedded store (SQLite through the system's libsqlite3: Debian's libsqlite3-dev).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // libosip2 (Debian: apt install libosip2-dev; headers in /usr/include/osipparser2, no pkg-config
        // flags beyond the two libraries). include/shim.h wraps the macros Swift cannot import; a regular C
        // target rather than a system library so that osip_trace.c can hold the shim's one piece of state
        // (the trace buffer) exactly once.
        .target(
            name: "COsip",
            linkerSettings: [.linkedLibrary("osipparser2"), .linkedLibrary("osip2")]
        ),
        // recvmmsg/sendmmsg, which Swift's Glibc module does not declare (they need _GNU_SOURCE).
        .target(name: "CDatagramIO"),
        // The only Swift code that touches COsip: parsing into Swift values, building responses.
        .target(name: "SIP", dependencies: ["COsip"]),
        // IP addresses and CIDR networks: what both the configuration and the dial plan speak of.
        .target(name: "Addressing"),
        // TOML files -> typed settings and customer model, with every diagnostic. No dial plan, no SIP.
        .target(
            name: "Config",
            dependencies: [
                "Addressing", "Auth", "Registrar", "RegistrarPostgresURL", .product(name: "TOMLKit", package: "TOMLKit"),
            ]),
        // The compiled dial plan and routing "as this caller". No trust, no SIP, no sockets, no logging.
        .target(name: "Routing", dependencies: ["Config", "Addressing"]),
        // The location service: bindings of registered phones (RFC 3261 §10.3), served from memory and
        // written through to a store (memory, or SQLite through GRDB). No SIP, no sockets, no dial plan.
        .target(name: "Registrar", dependencies: ["Addressing", .product(name: "GRDB", package: "GRDB.swift")]),
        // `[registrar] store` URLs of PostgreSQL, parsed without a driver (so `switchd check` can use it).
        .target(name: "RegistrarPostgresURL"),
        // The location service's PostgreSQL store: bindings shared by a cluster of nodes, with a change
        // feed (LISTEN/NOTIFY) so that each node learns the others' REGISTERs.
        .target(
            name: "RegistrarPostgres",
            dependencies: [
                "Registrar", "RegistrarPostgresURL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Digest authentication: HA1 hashes, stateless nonces, replay protection. No SIP, no sockets.
        .target(name: "Auth", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Request handling, UDP transport, reloads: everything the daemon does, testable in-process.
        .target(
            name: "Server",
            dependencies: [
                "SIP", "Config", "Routing", "Addressing", "Auth", "Registrar", "RegistrarPostgres", "CDatagramIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "Switchd",
            dependencies: [
                "Server", "SIP", "Config", "Routing", "Addressing", "Auth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // jemalloc instead of glibc's malloc: libosip2 makes about 200 small allocations per INVITE
            // and frees them together, which glibc's tcache (7 chunks per size) mostly cannot absorb.
            // bench/ measured 8% less CPU per call and 10% less memory (Debian: libjemalloc-dev).
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        // Generates a large configuration and measures load time and routing decisions per second.
        .executableTarget(name: "RouteBench", dependencies: ["Config", "Routing"]),
        // In-process cost of RequestHandler.handle per INVITE and per ACK (and a callgrind subject).
        .executableTarget(
            name: "HandlerBench",
            dependencies: [
                "Server", "Config", "Routing", .product(name: "Logging", package: "swift-log"),
            ]),
        // Location service costs: lookup per call over 10,000 AORs, register() per second into SQLite;
        // `RegistrarBench durability-writer DB` is the process the kill -9 durability test kills.
        .executableTarget(name: "RegistrarBench", dependencies: ["Registrar"]),
        // The fuzz targets' regression runners: inputs from files and directories, messages to stderr.
        .target(name: "FuzzInputs"),
        // libFuzzer target over RequestHandler.handle (fuzz/run.sh builds it with -DFUZZING -sanitize=fuzzer,address);
        // a plain build is a regression runner: `swift run SwitchdFuzz FILE...`.
        .executableTarget(
            name: "SwitchdFuzz",
            dependencies: [
                "Server", "Config", "Routing", "Addressing", "SIP", "FuzzInputs", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        // libFuzzer target over configuration loading from in-memory files (fuzz/run-config.sh builds it
        // with -DFUZZING -sanitize=fuzzer,address); a plain build replays inputs: `swift run ConfigFuzz FILE...`.
        .executableTarget(
            name: "ConfigFuzz",
            dependencies: ["Config", "Routing", "FuzzInputs"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .testTarget(name: "RoutingTests", dependencies: ["Config", "Routing", "Addressing"]),
        // Loading against every mutation of the sample conf, the config fuzzer's findings, exact diagnostics.
        .testTarget(name: "ConfigTests", dependencies: ["Config", "Routing", "Addressing"]),
        // Crypto: the tests check each RFC 4475 fixture against its SHA256SUMS entry before using it.
        .testTarget(name: "SIPTests", dependencies: ["SIP", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "AuthTests", dependencies: ["Auth"]),
        // RegistrarBench: the durability test runs its writer as a process and kills it; GRDB: the tests
        // read the schema and pragmas of the file.
        .testTarget(
            name: "RegistrarTests",
            dependencies: [
                "Registrar", "RegistrarBench", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        // Against a real PostgreSQL server: Tests/cluster/run.sh starts one and sets SWITCHD_TEST_POSTGRES.
        .testTarget(
            name: "RegistrarPostgresTests",
            dependencies: [
                "RegistrarPostgres", "RegistrarPostgresURL", "Registrar",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // Runs the built `switchd` binary as an admin would (exit codes, stdout/stderr).
        .testTarget(name: "CLITests", dependencies: ["Switchd", "Registrar"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "SIP", "Config", "Routing", "Addressing", "Auth",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
