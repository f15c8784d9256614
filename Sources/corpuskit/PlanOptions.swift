import ArgumentParser
import CorpusKitPlan

/// The Megatron-LM flags `plan` and `replay` share.
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

    /// `--samples A..B`: global samples A ≤ g < B.
    static func sampleRange(_ text: String) throws -> Range<Int> {
        let parts = text.split(separator: ".", omittingEmptySubsequences: true)
        guard text.contains(".."), parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a < b else {
            throw ValidationError("--samples \(text): expected A..B with A < B")
        }
        return a ..< b
    }

    func configuration() throws -> PlanConfiguration {
        let blend: DataPathBlend
        switch (dataPath, dataPathFile) {
        case let (path?, nil): blend = try DataPathBlend(dataPath: path)
        case let (nil, file?): blend = try DataPathBlend(contentsOfFile: file)
        default: throw CLIError("give exactly one of --data-path and --data-path-file")
        }
        let samples: Int
        switch (trainIters, trainSamples) {
        case let (iters?, nil):
            let (product, overflow) = iters.multipliedReportingOverflow(by: globalBatchSize)
            guard !overflow else { throw CLIError("--train-iters × --global-batch-size overflows") }
            samples = product
        case let (nil, s?): samples = s
        default: throw CLIError("give exactly one of --train-iters and --train-samples")
        }
        guard let seed = UInt32(exactly: seed) else { throw CLIError("--seed must be in 0 ... 4294967295 (numpy's RandomState)") }
        let configuration = PlanConfiguration(
            blend: blend, sequenceLength: seqLength, globalBatchSize: globalBatchSize, totalSamples: samples,
            seed: seed, split: try SplitMatrix(split), flavor: megatron)
        try configuration.validate()
        return configuration
    }
}
