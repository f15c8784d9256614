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
        .library(name: "CorpusKitCheckpoint", targets: ["CorpusKitCheckpoint"]),
        .library(name: "CorpusKitCompat", targets: ["CorpusKitCompat"]),
        .library(name: "CorpusKitInference", targets: ["CorpusKitInference"]),
        .executable(name: "corpuskit", targets: ["corpuskit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, found with pkg-config.
        .systemLibrary(name: "CICU", pkgConfig: "icu-uc", providers: [.apt(["libicu-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // ICU behind a plain C API: importing ICU headers into Swift clashes with Foundation's bundled ICU.
        .target(name: "CICUShim", dependencies: ["CICU"]),

        .target(name: "CorpusKitReaders", dependencies: ["CZstd", "CZlib"]),
        .target(name: "CorpusKitTokenizer", dependencies: ["CICUShim"]),
        .target(name: "CorpusKitShards", dependencies: [], exclude: ["FORMAT.md"]),
        // Corpus files → tokenizer → Megatron shards, in parallel (corpuskit tokenize).
        .target(name: "CorpusKitPipeline", dependencies: ["CorpusKitReaders", "CorpusKitTokenizer", "CorpusKitShards"]),
        // Hugging Face checkpoint files read without weights: safetensors headers, config.json & co.
        .target(name: "CorpusKitCheckpoint", dependencies: []),
        // Do a vocabulary, a checkpoint and shards fit together? (corpuskit compat)
        .target(name: "CorpusKitCompat", dependencies: ["CorpusKitTokenizer", "CorpusKitReaders", "CorpusKitShards", "CorpusKitPipeline", "CorpusKitCheckpoint"]),
        // Hugging Face checkpoints run on the CPU (memory-mapped weights, OpenBLAS): logits, greedy
        // generation, perplexity, weight health (corpuskit model).
        .target(name: "CorpusKitInference", dependencies: ["COpenBLAS", "CorpusKitCheckpoint", "CorpusKitCompat", "CorpusKitTokenizer", "CorpusKitReaders"]),
        .executableTarget(
            name: "corpuskit",
            dependencies: [
                "CorpusKitTokenizer", "CorpusKitReaders", "CorpusKitShards", "CorpusKitPipeline", "CorpusKitCompat", "CorpusKitInference",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "CorpusKitTokenizerTests", dependencies: ["CorpusKitTokenizer"]),
        .testTarget(name: "CorpusKitReadersTests", dependencies: ["CorpusKitReaders"]),
        .testTarget(name: "CorpusKitShardsTests", dependencies: ["CorpusKitShards", "CorpusKitTokenizer"]),
        .testTarget(name: "CorpusKitCLITests", dependencies: ["corpuskit", "CorpusKitTokenizer"]),
        .testTarget(name: "CorpusKitPipelineTests", dependencies: ["CorpusKitPipeline", "CorpusKitShards", "CorpusKitTokenizer", "CorpusKitReaders"]),
        .testTarget(name: "CorpusKitInferenceTests", dependencies: ["CorpusKitInference", "CorpusKitCheckpoint", "corpuskit"]),
        .testTarget(name: "CorpusKitCompatTests", dependencies: ["CorpusKitCompat", "CorpusKitCheckpoint", "CorpusKitPipeline", "CorpusKitShards", "CorpusKitTokenizer"]),
    ],
    swiftLanguageModes: [.v6]
)
