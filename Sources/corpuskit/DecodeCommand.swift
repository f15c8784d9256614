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

    @Flag(help: "Drop special tokens (tokenizer.json special added tokens; sentencepiece always hides control pieces).")
    var skipSpecialTokens = false

    func run() throws {
        let tokenizer = try tokenizerOption.load()
        let lines = try InputLines(path: input)
        let output = OutputBuffer()
        while let line = try lines.next() {
            guard let values = JSONText.parseIDArray(line.bytes) else {
                throw CLIError("\(lines.displayName):\(line.number): expected a JSON array of integer ids")
            }
            let text: [UInt8]
            do {
                let ids = try Self.tokenizerIDs(values, format: tokenizer.format, vocabularySize: tokenizer.vocabularySize)
                text = try tokenizer.decodeUTF8(ids, skipSpecialTokens: skipSpecialTokens)
            } catch {
                throw CLIError("\(lines.displayName):\(line.number): \(error)")
            }
            output.append("{\"text\": ")
            JSONText.appendString(text, to: output)
            output.append(0x7D)
            try output.endLine()
        }
        try output.flush()
    }

    /// Maps parsed ids to the tokenizer's id type the way each reference treats them.
    /// HF tokenizers takes u32: a negative id or one of 2^32 and above is an OverflowError, and ids
    /// it cannot map to a token (any id of 2^31 and above is beyond every vocabulary) are dropped.
    /// sentencepiece refuses any id outside the vocabulary, which the tokenizer reports itself.
    static func tokenizerIDs(_ values: [Int64], format: Tokenizer.Format, vocabularySize: Int) throws -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(values.count)
        for value in values {
            switch format {
            case .huggingFace:
                guard value >= 0, value <= Int64(UInt32.max) else {
                    throw CLIError("id \(value) is not a u32 token id (tokenizers raises OverflowError)")
                }
                if let id = Int32(exactly: value) { ids.append(id) }
            case .sentencePiece:
                guard let id = Int32(exactly: value) else {
                    throw CLIError("id \(value) is outside the vocabulary (size \(vocabularySize))")
                }
                ids.append(id)
            }
        }
        return ids
    }
}
