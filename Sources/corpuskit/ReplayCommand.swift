import ArgumentParser
import CorpusKitPlan
import CorpusKitTokenizer

/// `corpuskit replay`: the exact samples (documents, offsets, token ids) of chosen training steps.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Print the samples of training steps as JSON Lines: dataset, .idx spans, and optionally ids and text.")

    @OptionGroup var options: PlanOptions

    @OptionGroup var selection: SampleSelectionOptions

    @Flag(help: "Include the seq-length + 1 token ids of every sample.")
    var ids = false

    @Option(help: "Tokenizer (.model or tokenizer.json) to decode the samples with --text.")
    var tokenizer: String?

    @Flag(help: "Include the decoded text (needs --tokenizer).")
    var text = false

    func validate() throws {
        if text && tokenizer == nil { throw ValidationError("--text needs --tokenizer") }
    }

    func run() throws {
        let decoder = try tokenizer.map(loadTokenizer)
        let chosen: [ReplaySample]
        do {
            let replayer = try Replayer(configuration: options.configuration(), warnEpochs: options.warnEpochs)
            if let range = try selection.sampleRange() {
                chosen = try replayer.samples(range, ids: ids || text)
            } else {
                chosen = try replayer.steps(selection.step!, count: selection.count, ids: ids || text)
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
