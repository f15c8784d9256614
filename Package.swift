// swift-tools-version:6.0
import PackageDescription

// Data flow: readers → tokenization → shards (→ reports). The CLI is a thin layer on top; nothing imports it.
let package = Package(
    name: "CorpusKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "CorpusKitTokenizer", targets: ["CorpusKitTokenizer"]),
        .library(name: "CorpusKitReaders", targets: ["CorpusKitReaders"]),
        .library(name: "CorpusKitShards", targets: ["CorpusKitShards"]),
        .library(name: "CorpusKitPipeline", targets: ["CorpusKitPipeline"]),
        .library(name: "CorpusKitReport", targets: ["CorpusKitReport"]),
        .library(name: "CorpusKitLaunch", targets: ["CorpusKitLaunch"]),
        .executable(name: "corpuskit", targets: ["corpuskit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries, found with pkg-config.
        .systemLibrary(name: "CICU", pkgConfig: "icu-uc", providers: [.apt(["libicu-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // ICU behind a plain C API: importing ICU headers into Swift clashes with Foundation's bundled ICU.
        .target(name: "CICUShim", dependencies: ["CICU"]),

        .target(name: "CorpusKitReaders", dependencies: ["CZstd", "CZlib"]),
        .target(name: "CorpusKitTokenizer", dependencies: ["CICUShim"]),
        .target(name: "CorpusKitShards", dependencies: [], exclude: ["FORMAT.md"]),
        // Corpus files → tokenizer → Megatron shards, in parallel (corpuskit tokenize).
        .target(name: "CorpusKitPipeline", dependencies: ["CorpusKitReaders", "CorpusKitTokenizer", "CorpusKitShards"]),
        // Token counts per dataset, training mixtures, their tables and chart (corpuskit count / mixture).
        .target(
            name: "CorpusKitReport",
            dependencies: [
                "CorpusKitReaders", "CorpusKitShards", "CorpusKitPipeline",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Scale-out: a corpus planned into tasks, run as a Slurm array job or local processes (corpuskit launch).
        .target(name: "CorpusKitLaunch", dependencies: ["CorpusKitReaders", "CorpusKitShards", "CorpusKitPipeline"]),
        .executableTarget(
            name: "corpuskit",
            dependencies: [
                "CorpusKitTokenizer", "CorpusKitReaders", "CorpusKitShards", "CorpusKitPipeline", "CorpusKitReport", "CorpusKitLaunch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "CorpusKitTokenizerTests", dependencies: ["CorpusKitTokenizer"]),
        .testTarget(name: "CorpusKitReadersTests", dependencies: ["CorpusKitReaders"]),
        .testTarget(name: "CorpusKitShardsTests", dependencies: ["CorpusKitShards", "CorpusKitTokenizer"]),
        .testTarget(name: "CorpusKitCLITests", dependencies: ["corpuskit", "CorpusKitTokenizer"]),
        .testTarget(name: "CorpusKitReportTests", dependencies: ["CorpusKitReport", "CorpusKitShards", "CorpusKitPipeline"]),
        .testTarget(name: "CorpusKitLaunchTests", dependencies: ["CorpusKitLaunch", "CorpusKitShards"]),
        .testTarget(name: "CorpusKitPipelineTests", dependencies: ["CorpusKitPipeline", "CorpusKitShards", "CorpusKitTokenizer", "CorpusKitReaders"]),
    ],
    swiftLanguageModes: [.v6]
)
