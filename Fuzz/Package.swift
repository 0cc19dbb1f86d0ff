// swift-tools-version: 6.1
import PackageDescription
import struct Foundation.URL

// SwiftPM names a path dependency after its directory, which differs between
// checkouts; read it instead of hard-coding it (as Benchmarks/ does).
let libraryPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// Coverage-guided fuzzing of the readers of untrusted bytes, with libFuzzer and
// AddressSanitizer: a package of its own, built only by `Fuzz/run.sh`, never
// by the library's users or by CI.
let package = Package(
    name: "swift-kallsyms-fuzz",
    dependencies: [.package(path: "..")],
    targets: [.target(name: "FuzzDriver")] + ["FuzzELF", "FuzzText", "FuzzQuery", "FuzzSideFiles"].map { name in
        .executableTarget(name: name, dependencies: ["FuzzDriver", .product(name: "Kallsyms", package: libraryPackage)],
                          path: "Sources/\(name)")
    }
)
