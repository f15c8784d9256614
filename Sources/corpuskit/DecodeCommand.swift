import ArgumentParser
import CorpusKitReaders
import CorpusKitTokenizer

/// `corpuskit decode`: one JSON array of ids per line in, `{"text": ...}` per line out.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode JSON arrays of ids (one per line) into {\"text\": ...} lines.")

    @OptionGroup var tokenizerOption: TokenizerOption

    @Option(help: "Input file (default: standard input).")
    var input: String?

    @OptionGroup var special: SkipSpecialTokensFlag

    func run() throws {
        let tokenizer = try tokenizerOption.load()
        let lines = try InputLines(path: input)
        let output = JSONLinesOutput()
        while let line = try lines.next() {
            guard let values = IDLines.parse(line.bytes) else {
                throw CLIError("\(lines.displayName):\(line.number): expected a JSON array of integer ids")
            }
            let text: [UInt8]
            do {
                let ids = try tokenizer.tokenIDs(values)
                text = try tokenizer.decodeUTF8(ids, skipSpecialTokens: special.skipSpecialTokens)
            } catch {
                throw CLIError("\(lines.displayName):\(line.number): \(error)")
            }
            try CLIError.writingOutput { try output.appendTextLine(text) }
        }
        try CLIError.writingOutput { try output.flush() }
    }
}
