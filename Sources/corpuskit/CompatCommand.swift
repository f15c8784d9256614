import ArgumentParser
import CorpusKitChecks
import CorpusKitCompat
import CorpusKitPipeline
import CorpusKitTokenizer
import CorpusKitMegatron

/// `corpuskit compat`: do a vocabulary, another vocabulary, a checkpoint, shards fit together?
/// Exit status 0 compatible, 1 incompatible (or a warning with --strict), 2 bad input.
struct CompatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compat",
        abstract: "Check that vocabularies, checkpoints and shards fit together (exit 0 compatible, 1 incompatible, 2 bad input).",
        subcommands: [CompatVocabCommand.self, CompatModelCommand.self, CompatShardsCommand.self])
}

/// Flags every form shares.
struct CompatOutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the report as one JSON object (\"verdict\", \"checks\", …).")
    var json = false

    @Flag(name: .long, help: "Treat warnings as incompatible (exit 1).")
    var strict = false

    /// Prints `make()`'s report (its text form from `text`, when given) and exits with its
    /// status; bad input exits 2.
    func run(_ make: () throws -> (CompatReport, text: String?)) throws {
        let report: CompatReport, text: String?
        do {
            (report, text) = try make()
        } catch {
            throw CLIError.badInput("\(error)")
        }
        print(json ? report.json() : text ?? report.text())
        let status = report.exitStatus(strict: strict)
        if status != 0 { throw ExitCode(status) }
    }
}

/// The vocabulary that `compat model` and `compat shards` check against (the first argument).
struct VocabularyArgument: ParsableArguments {
    @Argument(help: "The vocabulary: a .model, a tokenizer.json, or a directory holding either.")
    var tokenizer: String
}

struct CompatVocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Compare two vocabularies: identical, same-ids, extension, remapped or incompatible.")

    @Argument(help: "Vocabulary A: a .model, a tokenizer.json, or a directory holding either.")
    var a: String
    @Argument(help: "Vocabulary B.")
    var b: String
    @OptionGroup(title: "A corpus both tokenizers encode (one file)") var corpus: CorpusOptions
    @Option(name: .long, help: "Documents of --input to encode.")
    var corpusDocuments = 1000
    @Option(name: .long, help: "For a remapped verdict: write the id permutation (id_in_a, id_in_b, piece) to FILE.")
    var map: String?
    @OptionGroup var output: CompatOutputOptions

    func validate() throws {
        try corpus.requireOneKey()
    }

    func run() throws {
        let input: String?
        do { input = try corpus.singleFile() } catch let error as CLIError { throw CLIError.badInput(error.description) }
        try output.run { () throws -> (CompatReport, text: String?) in
            let va: VocabularyFile, vb: VocabularyFile
            va = try VocabularyComparison.vocabulary(a)
            vb = try VocabularyComparison.vocabulary(b)
            let comparison = try VocabularyComparison(a: va, b: vb, corpus: input, corpusKey: corpus.key, corpusLimit: corpusDocuments)
            if let map {
                do { try comparison.writePermutation(to: map) } catch { throw CLIError("--map: \(error)") }
            }
            return (comparison.report, nil)
        }
    }
}

struct CompatModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Check a Hugging Face checkpoint (configs and safetensors headers only) against a vocabulary.")

    @OptionGroup var vocabulary: VocabularyArgument
    @Argument(help: "The checkpoint directory (config.json, model.safetensors or model.safetensors.index.json).")
    var modelDirectory: String
    @OptionGroup var output: CompatOutputOptions

    func run() throws {
        try output.run { () throws -> (CompatReport, text: String?) in
            (try CheckpointCompatibility(tokenizerPath: vocabulary.tokenizer, modelDirectory: modelDirectory).report, nil)
        }
    }
}

struct CompatShardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shards",
        abstract: "Check Megatron shards against a vocabulary: dtype, id range, BOS/EOD, and a decode/re-encode round trip.")

    @OptionGroup var vocabulary: VocabularyArgument
    @Argument(help: "Dataset prefixes, .idx/.bin paths, directories (searched recursively) or globs, as count takes them.")
    var shards: [String]
    @Option(name: .long, help: "The run's --tokenizer-type (\(MegatronTokenizerType.allCases.map(\.rawValue).joined(separator: ", "))); inferred when absent.")
    var tokenizerType: String?
    @Flag(name: .long, inversion: .prefixedNo, help: "Whether the run appended EOD (tokenize --append-eod); inferred when neither is given.")
    var appendEod: Bool?
    @Option(name: .long, help: "Documents to round-trip per shard (evenly spaced).")
    var sample = 300
    @Flag(name: .long, help: "Round-trip every document.")
    var all = false
    @Flag(name: .long, help: "One line per dataset (verdict, type, round trip, tokens, the worst problem) and the totals.")
    var summary = false
    @OptionGroup var output: CompatOutputOptions

    func validate() throws {
        if let tokenizerType, MegatronTokenizerType(rawValue: tokenizerType) == nil {
            let supported = MegatronTokenizerType.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--tokenizer-type \(tokenizerType) is not supported (supported: \(supported))")
        }
        // `--append-eod true|false` of earlier releases would leave its value among the shards.
        if let value = ([vocabulary.tokenizer] + shards).first(where: { $0 == "true" || $0 == "false" }) {
            throw ValidationError("--append-eod is a flag: write --append-eod or --no-append-eod, not \(value)")
        }
    }

    func run() throws {
        let type = tokenizerType.flatMap(MegatronTokenizerType.init(rawValue:))
        let options = ShardCompatibility.Options(tokenizerType: type, appendEOD: appendEod, sample: sample, all: all)
        try output.run { () throws -> (CompatReport, text: String?) in
            let compatibility = try ShardCompatibility(tokenizerPath: vocabulary.tokenizer, shards: shards, options: options)
            return (compatibility.report, summary ? compatibility.summary() : nil)
        }
    }
}
