// swift-tools-version:6.0
import PackageDescription

// Data flow (ARCHITECTURE.md): readers → tokenizer → shards → (Megatron semantics) → pipeline →
// reports, plans, compatibility, scale-out. CorpusKitSystem is below everything; the CLI is a
// thin layer on top that nothing imports.
let package = Package(
    name: "CorpusKit",
    // macOS 15: the Synchronization module (Mutex, Atomic) that Vocabulary and ComputePool use.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CorpusKitSystem", targets: ["CorpusKitSystem"]),
        .library(name: "CorpusKitTokenizer", targets: ["CorpusKitTokenizer"]),
        .library(name: "CorpusKitReaders", targets: ["CorpusKitReaders"]),
        .library(name: "CorpusKitShards", targets: ["CorpusKitShards"]),
        .library(name: "CorpusKitMegatron", targets: ["CorpusKitMegatron"]),
        .library(name: "CorpusKitPipeline", targets: ["CorpusKitPipeline"]),
        .library(name: "CorpusKitReport", targets: ["CorpusKitReport"]),
        .library(name: "CorpusKitPlan", targets: ["CorpusKitPlan"]),
        .library(name: "CorpusKitCheckpoint", targets: ["CorpusKitCheckpoint"]),
        .library(name: "CorpusKitChecks", targets: ["CorpusKitChecks"]),
        .library(name: "CorpusKitCompat", targets: ["CorpusKitCompat"]),
        .library(name: "CorpusKitInference", targets: ["CorpusKitInference"]),
        .library(name: "CorpusKitLaunch", targets: ["CorpusKitLaunch"]),
        .library(name: "CorpusKitVocab", targets: ["CorpusKitVocab"]),
        .executable(name: "corpuskit", targets: ["corpuskit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // SHA-256 for file fingerprints and provenance (Foundation on Linux has no digest API).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // System libraries, found with pkg-config; ICU's headers only (no pkg-config, whose flags
        // would link it): CICUShim opens ICU on first use (ck_icu.c says why).
        .systemLibrary(name: "CICU", providers: [.apt(["libicu-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // ICU behind a plain C API: importing ICU headers into Swift clashes with Foundation's bundled ICU.
        .target(name: "CICUShim", dependencies: ["CICU"]),
        // The bf16 matrix-vector kernel of decoding, compiled for AVX2 + FMA in one function and chosen
        // at run time (Swift has no per-function target attribute; see include/ck_kernels.h).
        .target(name: "CInferenceKernels", dependencies: ["CCPUFeatures"]),
        // The text path's vector kernels, AVX2 where the CPU has it: the JSON string scan's plain
        // runs (include/ck_json_scan.h, JSONTokenScanners.swift); the Viterbi pass's offers over a
        // run of escaped spaces, 8 or 4 at a time (include/ck_space_run.h, UnigramViterbi.swift); the
        // space → ▁ copy of the normalizers (include/ck_replace_byte.h, ByteReplacement.swift).
        .target(name: "CTextKernels", dependencies: ["CCPUFeatures"]),
        // The C kernels' one CPU check: AVX2, FMA, AVX-512 and the OS saving their registers
        // (include/ck_cpu_features.h).
        .target(name: "CCPUFeatures"),
        // The SIGBUS handler that names a mapped file truncated under the process (MappedFile); C
        // because a signal handler may only make async-signal-safe calls (include/ck_mapped_file_guard.h).
        .target(name: "CMappedFileGuard"),
        // glibc's heap settings (mallopt, sbrk), which Swift's Glibc module does not export
        // (LargePageHeap; include/ck_heap_setup.h).
        .target(name: "CHeapSetup"),

        // Files, mappings, errno-level errors and standard error, for every module below.
        // The git commit of the build, for CorpusKitVersion (runs git before each build).
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .target(
            name: "CorpusKitSystem",
            dependencies: ["CMappedFileGuard", "CHeapSetup", .product(name: "Crypto", package: "swift-crypto")],
            plugins: ["BuildCommit"]
        ),
        // Streaming corpus readers: plain/gzip/zstd, lines, json.loads-exact field extraction; the
        // buffered writer of the JSON lines the CLI prints (JSONLinesOutput).
        .target(name: "CorpusKitReaders", dependencies: ["CZstd", "CZlib", "CTextKernels", "CorpusKitSystem"]),
        // Vocabulary, segmentation models, the sentencepiece and HF tokenizers behaviours.
        .target(name: "CorpusKitTokenizer", dependencies: ["CICUShim", "CTextKernels", "CorpusKitSystem"]),
        // Megatron indexed datasets (.bin/.idx): writer, reader, merge.
        .target(name: "CorpusKitShards", dependencies: ["CorpusKitSystem"], exclude: ["FORMAT.md"]),
        // What llm-jp Megatron-LM's tokenizer wrappers mean (DocumentEncoder), for every command that
        // reads or writes shards.
        .target(name: "CorpusKitMegatron", dependencies: ["CorpusKitTokenizer", "CorpusKitShards"]),
        // Corpus files → tokenizer → Megatron shards, in parallel (corpuskit tokenize).
        .target(name: "CorpusKitPipeline", dependencies: ["CorpusKitSystem", "CorpusKitReaders", "CorpusKitTokenizer", "CorpusKitShards", "CorpusKitMegatron"]),
        // Token counts per dataset, training mixtures, their tables and chart (corpuskit count / mixture).
        .target(
            name: "CorpusKitReport",
            dependencies: [
                "CorpusKitSystem", "CorpusKitShards", "CorpusKitMegatron", "CorpusKitPipeline",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // megatron-core's blending, sample and shuffle indices (corpuskit plan / replay).
        .target(name: "CorpusKitPlan", dependencies: ["CorpusKitSystem", "CorpusKitShards"]),
        // Hugging Face checkpoint files read without weights: safetensors headers, config.json & co.
        .target(name: "CorpusKitCheckpoint", dependencies: ["CorpusKitSystem"]),
        // Named checks, their statuses, verdicts and reports, shared by compat and inference (model check).
        .target(name: "CorpusKitChecks", dependencies: []),
        // Do a vocabulary, a checkpoint and shards fit together? (corpuskit compat)
        .target(name: "CorpusKitCompat", dependencies: ["CorpusKitSystem", "CorpusKitTokenizer", "CorpusKitReaders", "CorpusKitShards", "CorpusKitMegatron", "CorpusKitCheckpoint", "CorpusKitChecks"]),
        // Hugging Face checkpoints run on the CPU (memory-mapped weights, OpenBLAS through dlopen): logits, greedy
        // decoding, perplexity, weight health (corpuskit model).
        .target(name: "CorpusKitInference", dependencies: ["CInferenceKernels", "CorpusKitSystem", "CorpusKitCheckpoint", "CorpusKitChecks", "CorpusKitTokenizer", "CorpusKitReaders", "CorpusKitPlan"]),
        // Scale-out: a corpus planned into tasks, run as a Slurm array job or local processes (corpuskit launch).
        .target(name: "CorpusKitLaunch", dependencies: ["CorpusKitSystem", "CorpusKitReaders", "CorpusKitShards", "CorpusKitMegatron", "CorpusKitPipeline"]),
        .target(name: "CorpusKitVocab", dependencies: ["CorpusKitSystem", "CorpusKitReaders", "CorpusKitTokenizer", "CorpusKitCheckpoint"]),
        .executableTarget(
            name: "corpuskit",
            dependencies: [
                "CorpusKitSystem", "CorpusKitTokenizer", "CorpusKitReaders", "CorpusKitShards", "CorpusKitMegatron", "CorpusKitPipeline",
                "CorpusKitReport", "CorpusKitPlan", "CorpusKitChecks", "CorpusKitCompat", "CorpusKitInference", "CorpusKitLaunch", "CorpusKitVocab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Paths, the shared data, reference files, scratch directories and the built executable,
        // for every test target (tests only; nothing in Sources imports it).
        .target(name: "CorpusKitTestSupport", dependencies: ["CorpusKitSystem"], path: "Tests/CorpusKitTestSupport"),
        .testTarget(name: "CorpusKitTokenizerTests", dependencies: ["CorpusKitTokenizer", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitReadersTests", dependencies: ["CorpusKitReaders", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitShardsTests", dependencies: ["CorpusKitShards", "CorpusKitTokenizer", "CorpusKitTestSupport"]),
        // The CLI tests run the built executable (swift build --build-tests builds it; a target
        // dependency on the executable would make them import its Yams module map).
        .testTarget(name: "CorpusKitCLITests", dependencies: ["CorpusKitTokenizer", "CorpusKitShards", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitMegatronTests", dependencies: ["CorpusKitMegatron", "CorpusKitTokenizer", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitPipelineTests", dependencies: ["CorpusKitPipeline", "CorpusKitMegatron", "CorpusKitShards", "CorpusKitTokenizer", "CorpusKitReaders", "CorpusKitReport", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitReportTests", dependencies: ["CorpusKitReport", "CorpusKitMegatron", "CorpusKitShards", "CorpusKitPipeline", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitPlanTests", dependencies: ["CorpusKitPlan", "CorpusKitShards", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitCompatTests", dependencies: ["CorpusKitCompat", "CorpusKitChecks", "CorpusKitCheckpoint", "CorpusKitMegatron", "CorpusKitPipeline", "CorpusKitShards", "CorpusKitTokenizer", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitInferenceTests", dependencies: ["CInferenceKernels", "CorpusKitInference", "CorpusKitCheckpoint", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitVocabTests", dependencies: ["CorpusKitVocab", "CorpusKitTokenizer", "CorpusKitCheckpoint", "CorpusKitTestSupport"]),
        .testTarget(name: "CorpusKitLaunchTests", dependencies: ["CorpusKitLaunch", "CorpusKitMegatron", "CorpusKitShards", "CorpusKitTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
