import ArgumentParser
import CorpusKitPlan
import CorpusKitTokenizer

/// `corpuskit replay`: the exact samples (documents, offsets, token ids) of chosen training steps.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Print the samples of training steps as JSON Lines: dataset, .idx spans, and optionally ids and text.")

    @OptionGroup var options: PlanOptions

    @Option(help: "First step to replay.")
    var step: Int?

    @Option(help: "Number of steps from --step.")
    var count: Int = 1

    @Option(help: ArgumentHelp("Global samples A..B (A ≤ g < B, half-open) instead of steps.", valueName: "range"))
    var samples: String?

    @Flag(help: "Include the seq-length + 1 token ids of every sample.")
    var ids = false

    @Option(help: "Tokenizer (.model or tokenizer.json) to decode the samples with --text.")
    var tokenizer: String?

    @Flag(help: "Include the decoded text (needs --tokenizer).")
    var text = false

    func validate() throws {
        if text && tokenizer == nil { throw ValidationError("--text needs --tokenizer") }
        if (step == nil) == (samples == nil) { throw ValidationError("give exactly one of --step and --samples") }
        if let step, step < 0 { throw ValidationError("--step must be ≥ 0") }
        if count < 1 { throw ValidationError("--count must be ≥ 1") }
        if let samples { _ = try PlanOptions.sampleRange(samples) }
    }

    func run() throws {
        let decoder = try tokenizer.map { path in
            do { return try Tokenizer.load(path: path) } catch { throw CLIError("\(path): \(error)") }
        }
        let chosen: [ReplaySample]
        do {
            let replayer = try Replayer(configuration: options.configuration(), warnEpochs: options.warnEpochs)
            if let step {
                chosen = try replayer.steps(step, count: count, ids: ids || text)
            } else {
                chosen = try replayer.samples(try PlanOptions.sampleRange(samples!), ids: ids || text)
            }
        } catch {
            throw CLIError("\(error)")
        }
        for sample in chosen {
            var decoded: String?
            if text, let decoder, let tokenIDs = sample.ids {
                do {
                    decoded = String(decoding: try decoder.decodeUTF8(tokenIDs), as: UTF8.self)
                } catch {
                    throw CLIError("sample \(sample.sample): \(error)")
                }
            }
            print(sample.jsonLine(includeIds: ids, text: decoded))
        }
    }
}
