import ArgumentParser
import Foundation
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
            FileHandle.standardError.write(Data("corpuskit compat: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(json ? report.json() : text ?? report.text())
        let status = report.exitStatus(strict: strict)
        if status != 0 { throw ExitCode(status) }
    }
}

struct CompatVocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Compare two vocabularies: identical, same-ids, extension, remapped or incompatible.")

    @Argument(help: "Vocabulary A: a .model, a tokenizer.json, or a directory holding either.")
    var a: String
    @Argument(help: "Vocabulary B.")
    var b: String
    @Option(name: .long, help: "A JSONL corpus both tokenizers encode (Unigram only).")
    var corpus: String?
    @Option(name: .long, help: "JSON key of the corpus text.")
    var corpusKey = "text"
    @Option(name: .long, help: "Documents of --corpus to encode.")
    var corpusDocuments = 1000
    @Option(name: .long, help: "For a remapped verdict: write the id permutation (id_in_a, id_in_b, piece) to FILE.")
    var map: String?
    @OptionGroup var output: CompatOutputOptions

    func run() throws {
        try output.run { () throws -> (CompatReport, text: String?) in
            let va: VocabularyFile, vb: VocabularyFile
            va = try VocabularyComparison.vocabulary(a)
            vb = try VocabularyComparison.vocabulary(b)
            let comparison = try VocabularyComparison(a: va, b: vb, corpus: corpus, corpusKey: corpusKey, corpusLimit: corpusDocuments)
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

    @Argument(help: "The vocabulary: a .model, a tokenizer.json, or a directory holding either.")
    var tokenizer: String
    @Argument(help: "The checkpoint directory (config.json, model.safetensors or model.safetensors.index.json).")
    var modelDirectory: String
    @OptionGroup var output: CompatOutputOptions

    func run() throws {
        try output.run { () throws -> (CompatReport, text: String?) in
            (try CheckpointCompatibility(tokenizerPath: tokenizer, modelDirectory: modelDirectory).report, nil)
        }
    }
}

struct CompatShardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shards",
        abstract: "Check Megatron shards against a vocabulary: dtype, id range, BOS/EOD, and a decode/re-encode round trip.")

    @Argument(help: "The vocabulary the shards should have been made with.")
    var tokenizer: String
    @Argument(help: "Dataset prefixes, .idx/.bin paths, directories (searched recursively) or globs, as count takes them.")
    var shards: [String]
    @Option(name: .long, help: "The run's --tokenizer-type (\(MegatronTokenizerType.allCases.map(\.rawValue).joined(separator: ", "))); inferred when absent.")
    var tokenizerType: String?
    @Option(name: .long, help: "The run's --append-eod: true or false; inferred when absent.")
    var appendEod: Bool?
    @Option(name: .long, help: "Documents to round-trip per shard (evenly spaced).")
    var sample = 300
    @Flag(name: .long, help: "Round-trip every document.")
    var all = false
    @Flag(name: .long, help: "One line per dataset (verdict, type, round trip, tokens, the worst problem) and the totals.")
    var summary = false
    @OptionGroup var output: CompatOutputOptions

    func run() throws {
        var type: MegatronTokenizerType?
        if let tokenizerType {
            guard let parsed = MegatronTokenizerType(rawValue: tokenizerType) else {
                FileHandle.standardError.write(Data("corpuskit compat: unknown --tokenizer-type \(tokenizerType)\n".utf8))
                throw ExitCode(2)
            }
            type = parsed
        }
        let options = ShardCompatibility.Options(tokenizerType: type, appendEOD: appendEod, sample: sample, all: all)
        try output.run { () throws -> (CompatReport, text: String?) in
            let compatibility = try ShardCompatibility(tokenizerPath: tokenizer, shards: shards, options: options)
            return (compatibility.report, summary ? compatibility.summary() : nil)
        }
    }
}
