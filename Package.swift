// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-kallsyms",
    products: [
        .library(name: "Kallsyms", targets: ["Kallsyms"]),
        .executable(name: "kallsyms", targets: ["kallsyms"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "Kallsyms",
            dependencies: ["CZlib"],
            swiftSettings: [
                .enableUpcomingFeature("InternalImportsByDefault"),
                // `BorrowedSymbol`'s lifetime annotations, as swift-system uses them.
                .enableExperimentalFeature("Lifetimes"),
            ]
        ),
        .executableTarget(
            name: "kallsyms",
            dependencies: [
                "Kallsyms",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources/sample-kallsyms-6.18.44-x86_64.txt.gz")]
        ),
        .testTarget(
            name: "KallsymsTests",
            dependencies: ["Kallsyms"]
        ),
    ]
)
