// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "muster",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "muster", targets: ["muster"]),
        .library(name: "MusterCore", targets: ["MusterCore"]),
        .library(name: "MusterStore", targets: ["MusterStore"]),
        .library(name: "MusterTesting", targets: ["MusterTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        // The pure core: formats, proofs, signatures, sealing, schemas. No storage, network or CLI code.
        .target(
            name: "MusterCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),
        // Fixtures and temporary hubs for every test suite.
        .target(
            name: "MusterTesting",
            dependencies: ["MusterCore"]
        ),
        // glibc's mallopt, which Swift's Glibc module does not export (see AllocatorPolicy).
        .target(name: "CMusterAllocator"),
        // Storage adapters: the SQLite log store, the on-disk key store, the hub's data directory.
        .target(
            name: "MusterStore",
            dependencies: [
                "MusterCore",
                "CMusterAllocator",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Replication at the edge: the hub's HTTP server (Hummingbird) and its peers' client
        // (AsyncHTTPClient) around the pure protocol in MusterCore/Sync.
        .target(
            name: "MusterSync",
            dependencies: [
                "MusterCore",
                "MusterStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // A synthetic movement for the demo, benchmarks and tests.
        .target(
            name: "MusterDemo",
            dependencies: [
                "MusterCore",
                "MusterStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "muster",
            dependencies: [
                "MusterCore",
                "MusterStore",
                "MusterDemo",
                "MusterSync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks (Tools/bench/run drives it).
        .executableTarget(
            name: "muster-bench",
            dependencies: [
                "MusterCore", "MusterStore", "MusterSync", "MusterTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tools/bench/Sources/muster-bench"),
        .testTarget(
            name: "MusterStoreTests",
            dependencies: [
                "MusterStore", "MusterCore", "MusterTesting", "MusterDemo", "MusterSync", "muster",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MusterCoreTests",
            dependencies: ["MusterCore", "MusterTesting", "MusterDemo"]
        ),
    ]
)

// Shared settings for every target (the swift-nio / swift-log pattern).
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
