import ArgumentParser
import CorpusKitVocab

/// `corpuskit vocab`: build vocabularies from others.
struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab", abstract: "Build vocabularies (Swallow-style extension).",
        subcommands: [VocabExtendCommand.self])
}

/// `corpuskit vocab extend BASE.model --add NEW --output DIR`.
struct VocabExtendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Append the pieces of NEW that BASE lacks to BASE (ids kept); write tokenizer.model, tokenizer.json, tokenizer_config.json.",
        discussion: """
            NEW is a sentencepiece .model (its normal pieces) or a piece list (one piece a line, optional TAB score, as
            the trainer's .vocab). New pieces get scores below BASE's lowest, in NEW's order. tokenizer.json and
            tokenizer_config.json are what transformers' conversion of the new tokenizer.model writes. With --input,
            tokens per byte and per character of BASE and of the result are reported per file and language.
            """)

    @Argument(help: "The base sentencepiece .model (BPE or Unigram).")
    var base: String
    @Option(name: .long, help: "The pieces to add: a sentencepiece .model or a piece list.")
    var add: String
    @Option(name: .long, help: "Output directory (created if missing).")
    var output: String?
    @Flag(name: .long, help: "Report what would be added; write nothing.")
    var dryRun = false
    @OptionGroup(title: "Corpus to compare the two tokenizers on (tokens per byte and character)") var corpus: CorpusOptions

    func validate() throws {
        if !dryRun && output == nil { throw ValidationError("--output DIR is required (or --dry-run)") }
    }

    func run() throws {
        do {
            let extension_ = try VocabularyExtension(base: base, add: add)
            var written: [String] = []
            if let output, !dryRun { written = try extension_.write(to: output) }
            print(extension_.summary)
            for path in written { print("wrote \(path)") }
            if !corpus.paths.isEmpty {
                let comparison = try CompressionComparison(extension: extension_, inputs: try corpus.files(), keys: corpus.keys)
                print(comparison.table)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }
}
