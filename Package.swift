// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Plumb",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "plumb", targets: ["PlumbCLI"]),
        .library(name: "PlumbCore", targets: ["PlumbCore"]),
        // Fuzz targets for the loader and the webhook parsers: `plumb-fuzz replay` in a
        // normal build, a libFuzzer binary when built by scripts/fuzz (-DFUZZING).
        .executable(name: "plumb-fuzz", targets: ["PlumbFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
        // Already in the graph through hummingbird; named because the agent's connection
        // handlers (WebhookGate) use them directly.
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
    ],
    targets: [
        // The core: model, loading, validation, diff, plan, chunking, apply loop, checks.
        // It knows nothing of HTTP, git or SQLite.
        .target(
            name: "PlumbCore",
            dependencies: [
                "PlumbDNS",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // libcurl, seen through typed shims (curl_easy_setopt is variadic).
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Plumb's one HTTP client: pooled keep-alive libcurl handles on threads of their own.
        .target(name: "PlumbHTTP", dependencies: ["CCurl"]),
        // libgit2, for reading desired state from any commit without a work tree.
        .systemLibrary(
            name: "CLibGit2",
            path: "Sources/CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Git access: the only module that imports CLibGit2.
        .target(name: "PlumbGit", dependencies: ["CLibGit2", "PlumbCore"]),
        // Plumb's one DNS message codec (RFC 1035 wire format, names, RDATA), shared by the
        // dns check and the rfc2136 provider.
        // Also TSIG (RFC 8945), hence Crypto.
        .target(name: "PlumbDNS", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Check runners: dns (over PlumbDNS), tcp, http, command.
        .target(name: "PlumbChecks", dependencies: ["PlumbCore", "PlumbHTTP", "PlumbDNS"]),
        // State under --state: run history, journal, last applied state (SQLite).
        .target(
            name: "PlumbStore",
            dependencies: ["PlumbCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The shared store: the same history on PostgreSQL, and per-stack leases (advisory
        // locks) so agents on several machines apply each stack one at a time.
        .target(
            name: "PlumbStorePostgres",
            dependencies: [
                "PlumbCore", "PlumbStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Providers, one module each.
        .target(
            name: "PlumbProviderEmbedded",
            dependencies: ["PlumbCore", "PlumbStore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Providers/Embedded"
        ),
        // What HTTP providers share: rate limits, concurrency, retries with backoff.
        .target(
            name: "PlumbProviderKit",
            dependencies: ["PlumbCore", "PlumbHTTP"],
            path: "Sources/Providers/Kit"
        ),
        .target(
            name: "PlumbProviderPowerDNS",
            dependencies: ["PlumbCore", "PlumbHTTP", "PlumbProviderKit"],
            path: "Sources/Providers/PowerDNS"
        ),
        // Any server that speaks DNS UPDATE and zone transfer, TSIG-signed (BIND, Knot, PowerDNS).
        .target(
            name: "PlumbProviderRFC2136",
            dependencies: ["PlumbCore", "PlumbChecks", "PlumbHTTP", "PlumbProviderKit"],
            path: "Sources/Providers/RFC2136"
        ),
        // AWS: Route 53 (REST), EC2 and IAM (Query), signed with SigV4, XML parsed with
        // FoundationXML.
        .target(
            name: "PlumbProviderAWS",
            dependencies: [
                "PlumbCore", "PlumbHTTP", "PlumbProviderKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Providers/AWS"
        ),
        // What the CLI and the agent share: workspaces (directory or commit), providers,
        // review plans.
        .target(
            name: "PlumbRunner",
            dependencies: [
                "PlumbCore", "PlumbChecks", "PlumbStore", "PlumbStorePostgres", "PlumbGit",
                "PlumbProviderEmbedded", "PlumbProviderPowerDNS", "PlumbProviderAWS", "PlumbProviderRFC2136",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What forges' webhooks say, and their signatures: small on purpose, so it fuzzes
        // without building the agent's server.
        .target(name: "PlumbWebhooks", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The long-running agent: webhooks, polling, drift, status, metrics.
        .target(
            name: "PlumbAgent",
            dependencies: [
                "PlumbWebhooks", "PlumbRunner", "PlumbCore", "PlumbStore", "PlumbStorePostgres", "PlumbGit", "PlumbHTTP",
                "PlumbProviderKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        // The thin command line.
        .executableTarget(
            name: "PlumbCLI",
            dependencies: [
                "PlumbCore", "PlumbRunner", "PlumbStore", "PlumbAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Fuzz targets (see Sources/PlumbFuzz/PlumbFuzz.swift and scripts/fuzz).
        .executableTarget(name: "PlumbFuzz", dependencies: ["PlumbCore", "PlumbWebhooks"]),
        .target(
            name: "PlumbTestSupport",
            dependencies: ["PlumbCore", .product(name: "OrderedCollections", package: "swift-collections")],
            path: "Tests/PlumbTestSupport"
        ),
        .testTarget(
            name: "PlumbCoreTests",
            dependencies: ["PlumbCore", "PlumbTestSupport", .product(name: "OrderedCollections", package: "swift-collections")]
        ),
        .testTarget(
            name: "PlumbProviderPowerDNSTests",
            dependencies: ["PlumbProviderPowerDNS", "PlumbProviderKit", "PlumbChecks", "PlumbCore", "PlumbHTTP", "PlumbTestSupport"]
        ),
        .testTarget(
            name: "PlumbAgentTests",
            dependencies: [
                "PlumbAgent", "PlumbWebhooks", "PlumbCore", "PlumbGit", "PlumbHTTP", "PlumbTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "PlumbProviderRFC2136Tests",
            dependencies: ["PlumbProviderRFC2136", "PlumbProviderKit", "PlumbChecks", "PlumbCore", "PlumbTestSupport"]
        ),
        .testTarget(
            name: "PlumbProviderAWSTests",
            dependencies: ["PlumbProviderAWS", "PlumbProviderKit", "PlumbCore", "PlumbHTTP", "PlumbTestSupport"]
        ),
        .testTarget(
            name: "PlumbStoreTests",
            dependencies: [
                "PlumbStore", "PlumbStorePostgres", "PlumbCore", "PlumbTestSupport",
                .product(name: "Logging", package: "swift-log"),
                // To damage a page of a store's file (StoreRetentionTests).
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "PlumbGitTests", dependencies: ["PlumbGit", "PlumbCore", "PlumbTestSupport"]),
        .testTarget(name: "PlumbRunnerTests", dependencies: ["PlumbRunner", "PlumbStore", "PlumbCore"]),
        .testTarget(name: "PlumbChecksTests", dependencies: ["PlumbChecks", "PlumbHTTP", "PlumbCore", "PlumbTestSupport"]),
        .testTarget(
            name: "PlumbProviderEmbeddedTests",
            dependencies: ["PlumbProviderEmbedded", "PlumbCore", "PlumbStore", "PlumbTestSupport"]
        ),
        .testTarget(
            name: "PlumbCLITests",
            dependencies: [
                "PlumbCLI", "PlumbCore", "PlumbRunner", "PlumbProviderEmbedded", "PlumbAgent", "PlumbWebhooks", "PlumbHTTP", "PlumbStore",
                "PlumbTestSupport",
                // To damage a store page behind the agent's back (AgentFailureModeTests).
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
