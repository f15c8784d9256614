import ArgumentParser
import Foundation
import CorpusKitInference
import CorpusKitPlan
import CorpusKitSystem

/// Runs a parity check (diff, compare, loss): bad input exits 2, since exit 1 is "different"
/// (loss, which has no verdict, exits as the other two).
func parity<T>(_ body: () throws(ParityError) -> T) throws -> T {
    do { return try body() } catch { throw CLIError.badInput("\(error)") }
}

struct ModelDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two checkpoints tensor by tensor and their computing config fields (exit 0 identical, 1 different, 2 bad input).",
        discussion: "Values are compared as numbers: the same weights in another dtype are identical. Embedding and lm_head rows beyond --tokenizer-size (default: the rows both have) are reported apart as padding.")
    @OptionGroup var pair: CheckpointPair
    @Option(name: .long, help: "The real vocabulary's size: embedding and lm_head rows from here on are padding.")
    var tokenizerSize: Int?
    @OptionGroup var output: JSONOutputOption

    func validate() throws {
        if let tokenizerSize, tokenizerSize < 1 { throw ValidationError("--tokenizer-size must be ≥ 1") }
    }

    func run() throws {
        let diff = try parity { () throws(ParityError) in try CheckpointDiff(a: pair.a, b: pair.b, tokenizerSize: tokenizerSize) }
        try output.print(diff)
    }
}

struct ModelCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run two checkpoints of one tokenizer on the same windows of a corpus: KL(P_A‖P_B), top-1 agreement, both perplexities (exit 0 pass, 1 fail, 2 bad input).",
        discussion: "Pass: mean KL ≤ --max-kl-mean and top-1 agreement ≥ --min-top1-agreement (conversion-grade defaults; a lossless conversion gives KL ≈ 0).")
    @OptionGroup var pair: CheckpointPair
    @OptionGroup var corpus: CorpusWindowOptions
    @Option(name: .long, help: "Largest mean KL(P_A‖P_B) in nats that passes.")
    var maxKlMean = ModelComparison.Thresholds().maxKLMean
    @Option(name: .long, help: "Smallest share of positions with equal top-1 ids that passes (0...1).")
    var minTop1Agreement = ModelComparison.Thresholds().minTop1Agreement
    @Option(name: .long, help: "Worst documents and positions to list.")
    var worst = 5
    @OptionGroup var threads: ThreadsOption
    @OptionGroup var output: JSONOutputOption

    func validate() throws {
        guard maxKlMean >= 0 else { throw ValidationError("--max-kl-mean must be ≥ 0") }
        guard (0...1).contains(minTop1Agreement) else { throw ValidationError("--min-top1-agreement must be in 0...1") }
        guard worst >= 0 else { throw ValidationError("--worst must be ≥ 0") }
    }

    func run() throws {
        let tok = try loadTokenizer(corpus.tokenizer)
        let options = ModelComparison.Options(context: corpus.context, stride: corpus.stride, addBOS: corpus.addBos, textKey: corpus.corpus.key,
                                              thresholds: .init(maxKLMean: maxKlMean, minTop1Agreement: minTop1Agreement), worst: worst)
        let input: String
        do { input = try corpus.corpus.requiredFile() } catch let error as CLIError { throw CLIError.badInput(error.description) }
        let summary = try parity { () throws(ParityError) in
            try ModelComparison.load(a: pair.a, b: pair.b, tokenizer: tok, threads: threads.count, options: options).evaluate(corpus: input)
        }
        try output.print(summary)
    }
}

struct ModelLossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss",
        abstract: "Megatron's lm loss of a checkpoint on exactly the samples of a training step (replay's), with per-dataset losses.",
        discussion: "As pretrain_gpt.py with its defaults: causal over each whole packed sample of seq-length + 1 ids, every label counted; comparable to the training log's lm loss at that iteration.")
    @Argument(help: "The checkpoint directory (Hugging Face layout).")
    var checkpoint: String
    @OptionGroup var plan: PlanOptions
    @OptionGroup var samples: SampleSelectionOptions
    @OptionGroup var threads: ThreadsOption
    @OptionGroup var output: JSONOutputOption

    func run() throws {
        let selection: TrainingStepLoss.Selection
        if let range = try samples.sampleRange() {
            selection = .samples(range)
        } else {
            selection = .steps(first: samples.step!, count: samples.count)
        }
        let configuration: PlanConfiguration
        do { configuration = try plan.configuration() } catch { throw CLIError.badInput("\(error)") }
        let result = try parity { () throws(ParityError) in
            try TrainingStepLoss.load(checkpoint: checkpoint, configuration: configuration, threads: threads.count).evaluate(selection)
        }
        try output.print(result)
    }
}

/// The two checkpoints `model diff` and `model compare` take.
struct CheckpointPair: ParsableArguments {
    @Argument(help: "Checkpoint directory A (the reference).")
    var a: String
    @Argument(help: "Checkpoint directory B.")
    var b: String
}

/// `model check --long-context [--long-context-length N] [--bucket-edges 512,1024,…]`.
struct LongContextFlags: ParsableArguments {
    @Flag(name: .customLong("long-context"), help: "With --corpus: NLL by position bucket, warning when it rises with position (a wrong rope_theta).")
    var enabled = false
    @Option(name: .customLong("long-context-length"), help: "Window length for --long-context (default: the config's max_position_embeddings).")
    var length: Int?
    @Option(name: .customLong("bucket-edges"), help: "Position bucket edges for --long-context, comma-separated (default: 512,1024,2048,… below the length).")
    var edges: String?
    @Option(name: .customLong("bucket-min-tokens"), help: "Tokens a bucket needs to be compared.")
    var minimumTokens = 100

    func validate() throws {
        if let length, length < 2 { throw ValidationError("--long-context-length must be ≥ 2") }
        if let edges, edges.split(separator: ",").contains(where: { Int($0) == nil }) { throw ValidationError("--bucket-edges: comma-separated integers") }
    }

    var options: ModelHealthCheck.LongContextOptions {
        .init(context: length, edges: edges.map { $0.split(separator: ",").compactMap { Int($0) } }, minimumTokens: minimumTokens)
    }
}

extension PerplexityConvention: ExpressibleByArgument {}

/// The corpus and windows `model perplexity` and `model compare` score.
struct CorpusWindowOptions: ParsableArguments {
    @Option(name: .long, help: "The tokenizer the model was trained with.")
    var tokenizer: String
    @OptionGroup var corpus: CorpusOptions
    @Option(name: .long, help: "Window length in tokens.")
    var context = 2048
    @Option(name: .long, help: "Window step in tokens.")
    var stride = 512
    @Flag(name: .long, inversion: .prefixedNo, help: "Prepend the checkpoint's bos id to each document.")
    var addBos = true

    func validate() throws {
        if corpus.paths.isEmpty { throw ValidationError("missing --input (a JSONL corpus)") }
        try corpus.requireOneKey()
    }
}
