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

    @Option(help: "Global samples A..B (A ≤ g < B) instead of steps.")
    var samples: String?

    @Flag(help: "Include the seq-length + 1 token ids of every sample.")
    var ids = false

    @Option(help: "Tokenizer (.model or tokenizer.json) to decode the samples with --text.")
    var tokenizer: String?

    @Flag(help: "Include the decoded text (needs --tokenizer).")
    var text = false

    func run() throws {
        if text && tokenizer == nil { throw CLIError("--text needs --tokenizer") }
        let decoder = try tokenizer.map { path in
            do { return try Tokenizer.load(path: path) } catch { throw CLIError("\(path): \(error)") }
        }
        let replayer = try Replayer(configuration: options.configuration(), warnEpochs: options.warnEpochs)
        let chosen: [ReplaySample]
        switch (step, samples) {
        case let (s?, nil):
            chosen = try replayer.steps(s, count: count, ids: ids || text)
        case let (nil, range?):
            chosen = try replayer.samples(try PlanOptions.sampleRange(range), ids: ids || text)
        default:
            throw CLIError("give exactly one of --step and --samples")
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
