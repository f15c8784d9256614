import ArgumentParser
import CorpusKitSystem
import CorpusKitMegatron
import CorpusKitReaders
import CorpusKitShards
import CorpusKitTokenizer

/// `corpuskit shard`: inspect, decode and merge Megatron indexed datasets (`.bin` + `.idx`).
struct ShardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shard",
        abstract: "Inspect, decode and merge Megatron indexed datasets.",
        subcommands: [ShardInfoCommand.self, ShardDecodeCommand.self, ShardMergeCommand.self])
}

/// `corpuskit shard info PREFIX`.
struct ShardInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Validate a dataset's .idx/.bin pair and show dtype, documents, sequences and tokens.")

    @OptionGroup var dataset: DatasetArgument

    func run() throws {
        print(try dataset.open(ShardTools.info(prefix:)))
    }
}

/// `corpuskit shard decode PREFIX --tokenizer PATH [--docs A..B]`.
struct ShardDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode documents of a dataset back to text, one {\"text\": ...} line each.")

    @OptionGroup var dataset: DatasetArgument

    @OptionGroup var tokenizerOption: TokenizerOption

    @Option(help: ArgumentHelp("0-based documents to decode: A..B (A ≤ d < B, half-open), A.. (to the end) or A (one). Default: all.", valueName: "range"))
    var docs: String?

    @OptionGroup var special: SkipSpecialTokensFlag

    func validate() throws {
        if let docs { _ = try IndexRange(docs, option: "--docs", openEnded: true, single: true) }
    }

    func run() throws {
        let tokenizer = try tokenizerOption.load()
        let reader = try dataset.open(MegatronIndexReader.init(prefix:))
        let range = try docs.map { try IndexRange($0, option: "--docs", openEnded: true, single: true) }?
            .clamped(to: reader.documentCount, items: "documents") ?? 0 ..< reader.documentCount
        let decoder = ShardTextDecoder(tokenizer: tokenizer)
        let output = JSONLinesOutput()
        for d in range {
            let text: [UInt8]
            do {
                text = try decoder.decode(try reader.documentTokens(d), skipSpecialTokens: special.skipSpecialTokens)
            } catch {
                throw CLIError("\(dataset.prefix): document \(d): \(error)")
            }
            try CLIError.writingOutput { try output.appendTextLine(text) }
        }
        try CLIError.writingOutput { try output.flush() }
    }
}

/// The dataset that `shard info` and `shard decode` read.
struct DatasetArgument: ParsableArguments {
    @Argument(help: "Dataset prefix (a path ending in .idx or .bin is accepted too).")
    var prefix: String

    /// `open(prefix)`; a failure is a ``CLIError`` naming the dataset.
    func open<T>(_ open: (String) throws -> T) throws -> T {
        do { return try open(prefix) } catch { throw CLIError("\(prefix): \(error)") }
    }
}

/// `corpuskit shard merge OUT IN...`.
struct ShardMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Concatenate datasets as Megatron does (merge_file_ / tools/merge_datasets.py).",
        discussion: """
            Inputs are merged in the order given; the output takes the first input's dtype and all \
            inputs must share it. A single directory input merges every complete .idx/.bin pair in it, \
            sorted as tools/merge_datasets.py sorts them (provenance records are passed over).

            Datasets whose provenance records name different tokenizer files, tokenizer types, EOD \
            appending or dtypes are refused (--allow-different-tokenizers merges them with a warning). \
            The output gets a provenance record listing every merged dataset.
            """)

    @Argument(help: "Output prefix.")
    var output: String

    @Argument(help: "Input prefixes, or one directory.")
    var inputs: [String]

    @Flag(help: "Merge datasets made with different tokenizers or options (their ids then mean different things).")
    var allowDifferentTokenizers = false

    func run() throws {
        let summary: ShardSummary
        let warn: (String) -> Void = { StandardError.write("warning: \($0)\n") }
        do {
            summary = try MegatronMerge.merge(inputs: inputs, into: output, allowingDifferentProducers: allowDifferentTokenizers, warn: warn)
        } catch ShardError.differentProducers(let reason) {
            throw CLIError("merge into \(output): \(reason)\n(nothing was written; --allow-different-tokenizers merges them anyway)")
        } catch {
            throw CLIError("merge into \(output): \(error)")
        }
        print(summary)
    }
}
