// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "switchd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchd", targets: ["Switchd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libosip2 as installed by Debian's libosip2-dev; shim.h wraps the macros Swift cannot import.
        .systemLibrary(
            name: "COsip",
            pkgConfig: "libosip2",
            providers: [.apt(["libosip2-dev"])]
        ),
        // recvmmsg/sendmmsg, which Swift's Glibc module does not declare (they need _GNU_SOURCE).
        .target(name: "CDatagramIO"),
        // The only Swift code that touches COsip: parsing into Swift values, building responses.
        .target(name: "SIP", dependencies: ["COsip"]),
        // IP addresses and CIDR networks: what both the configuration and the dial plan speak of.
        .target(name: "Addressing"),
        // TOML files -> typed settings and customer model, with every diagnostic. No dial plan, no SIP.
        .target(name: "Config", dependencies: ["Addressing", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The compiled dial plan and routing "as this caller". No trust, no SIP, no sockets, no logging.
        .target(name: "Routing", dependencies: ["Config", "Addressing"]),
        // Digest authentication: HA1 hashes, stateless nonces, replay protection. No SIP, no sockets.
        .target(name: "Auth", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Request handling, UDP transport, reloads: everything the daemon does, testable in-process.
        .target(name: "Server", dependencies: [
            "SIP", "Config", "Routing", "Addressing", "Auth", "CDatagramIO",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(
            name: "Switchd",
            dependencies: [
                "Server", "Config", "Routing", "Addressing", "Auth",
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
        .executableTarget(name: "HandlerBench", dependencies: [
            "Server", "Config", "Routing", .product(name: "Logging", package: "swift-log"),
        ]),
        // libFuzzer target over RequestHandler.handle (fuzz/run.sh builds it with -DFUZZING -sanitize=fuzzer,address);
        // a plain build is a regression runner: `swift run SwitchdFuzz FILE...`.
        .executableTarget(
            name: "SwitchdFuzz",
            dependencies: ["Server", "Config", "Routing", "Addressing", "SIP", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        // libFuzzer target over configuration loading from in-memory files (fuzz/run-config.sh builds it
        // with -DFUZZING -sanitize=fuzzer,address); a plain build replays inputs: `swift run ConfigFuzz FILE...`.
        .executableTarget(
            name: "ConfigFuzz",
            dependencies: ["Config", "Routing"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .testTarget(name: "RoutingTests", dependencies: ["Config", "Routing", "Addressing"]),
        // Loading against every mutation of the sample conf, the config fuzzer's findings, exact diagnostics.
        .testTarget(name: "ConfigTests", dependencies: ["Config", "Routing", "Addressing"]),
        .testTarget(name: "SIPTests", dependencies: ["SIP"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth"]),
        // Runs the built `switchd` binary as an admin would (exit codes, stdout/stderr).
        .testTarget(name: "CLITests", dependencies: ["Switchd"]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "SIP", "Config", "Routing", "Addressing", "Auth",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
