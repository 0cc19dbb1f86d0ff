// swift-tools-version: 6.1
import PackageDescription
import struct Foundation.URL

// SwiftPM names a path dependency after its directory, which differs between
// checkouts (main, a CI clone); read it instead of hard-coding it.
let libraryPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// A package of its own (as swift-nio does), so the library's dependency graph
// never includes benchmark code.
let package = Package(
    name: "swift-kallsyms-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KallsymsBenchmarks",
            dependencies: [
                .product(name: "Kallsyms", package: libraryPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "KallsymsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
