import ArgumentParser
import CorpusKitPlan

/// The Megatron-LM flags `plan`, `replay` and `model loss` share.
struct PlanOptions: ParsableArguments {
    @Option(help: "Megatron's --data-path: \"w1 p1 w2 p2 …\" (weights and prefixes) or \"p1 p2 …\".")
    var dataPath: String?

    @Option(help: "A file holding the data path: plain \"w1 p1 w2 p2 …\" or llm-jp's TRAIN_DATA_PATH=( --data-path w p … ) bash array.")
    var dataPathFile: String?

    @Option(help: "Megatron's --seq-length.")
    var seqLength: Int

    @Option(help: "Megatron's --global-batch-size.")
    var globalBatchSize: Int

    @Option(help: "Megatron's --train-iters (N = train iters × global batch size).")
    var trainIters: Int?

    @Option(help: "Megatron's --train-samples (N).")
    var trainSamples: Int?

    @Option(help: "Megatron's --seed.")
    var seed: Int = 1234

    @Option(help: "Megatron's --split.")
    var split: String = "969,30,1"

    @Option(help: "Whose Megatron the run uses: \(MegatronFlavor.allCases.map(\.rawValue).joined(separator: ", ")) (llm-jp/Megatron-LM branches).")
    var megatron: MegatronFlavor = .core016

    @Option(help: "Warn about datasets trained on more than this many epochs.")
    var warnEpochs: Double = 4


    /// The usage errors: one blend, one run length, numbers Megatron takes.
    func validate() throws {
        if seqLength < 2 { throw ValidationError("--seq-length must be at least 2") }
        if globalBatchSize < 1 { throw ValidationError("--global-batch-size must be at least 1") }
        if let trainIters, trainIters < 1 { throw ValidationError("--train-iters must be at least 1") }
        if let trainSamples, trainSamples < 1 { throw ValidationError("--train-samples must be at least 1") }
        if (dataPath == nil) == (dataPathFile == nil) { throw ValidationError("give exactly one of --data-path and --data-path-file") }
        if (trainIters == nil) == (trainSamples == nil) { throw ValidationError("give exactly one of --train-iters and --train-samples") }
        if let trainIters, trainIters.multipliedReportingOverflow(by: globalBatchSize).overflow {
            throw ValidationError("--train-iters × --global-batch-size overflows")
        }
        if UInt32(exactly: seed) == nil { throw ValidationError("--seed must be in 0 ... 4294967295 (numpy's RandomState)") }
    }

    /// The run's configuration (the blend read and checked).
    func configuration() throws -> PlanConfiguration {
        let blend = try dataPath.map { try DataPathBlend(dataPath: $0) } ?? DataPathBlend(contentsOfFile: dataPathFile!)
        let configuration = PlanConfiguration(
            blend: blend, sequenceLength: seqLength, globalBatchSize: globalBatchSize,
            totalSamples: trainSamples ?? trainIters! * globalBatchSize,
            seed: UInt32(seed), split: try SplitMatrix(split), flavor: megatron)
        try configuration.validate()
        return configuration
    }
}

/// `--step`, `--count` and `--samples`, which choose the training samples `replay` and `model loss`
/// read: steps `step ..< step + count`, or global samples A ≤ g < B.
struct SampleSelectionOptions: ParsableArguments {
    @Option(help: "The first training step, 0-based: the training log's iteration N is step N − 1.")
    var step: Int?

    @Option(help: "Number of steps from --step.")
    var count: Int = 1

    @Option(help: ArgumentHelp("Global samples A..B (A ≤ g < B, half-open) instead of steps.", valueName: "range"))
    var samples: String?

    func validate() throws {
        if (step == nil) == (samples == nil) { throw ValidationError("give exactly one of --step and --samples") }
        if let step, step < 0 { throw ValidationError("--step must be ≥ 0") }
        if count < 1 { throw ValidationError("--count must be ≥ 1") }
        _ = try sampleRange()
    }

    /// `--samples` as a range (``IndexRange``'s syntax); nil when steps are chosen.
    func sampleRange() throws -> Range<Int>? {
        try samples.map { try IndexRange($0, option: "--samples", openEnded: false, single: false).range }
    }
}
