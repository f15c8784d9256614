import ArgumentParser
import CorpusKitReaders
import CorpusKitTokenizer

/// `corpuskit encode`: JSONL (or text lines) in, one JSON array of ids (or pieces) per line out.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode documents into token ids, one JSON array per input line.")

    enum InputFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, lines }
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case ids, pieces }

    @OptionGroup var tokenizerOption: TokenizerOption

    @OptionGroup(title: "Input (one file; default: standard input)") var corpus: CorpusOptions

    @Option(help: "jsonl: one JSON object per line; lines: each raw line is a document.")
    var inputFormat: InputFormat = .jsonl

    @Option(help: "ids: JSON arrays of ids; pieces: JSON arrays of piece strings.")
    var outputFormat: OutputFormat = .ids

    @Flag(help: "Add special tokens (sentencepiece: BOS and EOS; tokenizer.json: its post-processor).")
    var addSpecialTokens = false

    func validate() throws {
        try corpus.requireOneKey()
    }

    func run() throws {
        let tokenizer = try tokenizerOption.load()
        let lines = try InputLines(path: try corpus.singleFile())
        let output = JSONLinesOutput()
        var workspace = EncodingWorkspace()
        var ids: [Int32] = []
        var text = JSONTextExtractor(key: corpus.key)
        while let line = try lines.next() {
            ids.removeAll(keepingCapacity: true)
            do {
                let document: UnsafeBufferPointer<UInt8>
                switch inputFormat {
                case .lines: document = line.bytes.assumingMemoryBound(to: UInt8.self)
                case .jsonl: document = try text.extract(from: line.bytes)   // validates UTF-8
                }
                try tokenizer.encode(utf8: document, addSpecialTokens: addSpecialTokens,
                                     isValidatedUTF8: inputFormat == .jsonl, into: &ids, workspace: &workspace)
            } catch {
                throw CLIError("\(lines.displayName):\(line.number): \(error)")
            }
            switch outputFormat {
            case .ids:
                output.appendIDArray(ids)
            case .pieces:
                output.appendStringArray(ids.lazy.map { tokenizer.piece(for: $0) ?? "" })
            }
            try CLIError.writingOutput { try output.endLine() }
        }
        try CLIError.writingOutput { try output.flush() }
    }
}
