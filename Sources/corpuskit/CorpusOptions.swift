import ArgumentParser
import CorpusKitReaders

/// `--input` and `--json-keys`: a JSONL corpus and the keys of its text, the same in every command
/// that reads one (tokenize, count, launch tokenize, encode, vocab extend, model perplexity, compare
/// and check, compat vocab).
///
/// The names earlier releases used are accepted as hidden aliases for one release: `--corpus` for
/// `--input`, `--json-key` and `--corpus-key` for `--json-keys`.
struct CorpusOptions: ParsableArguments {
    @Option(name: .customLong("input"), parsing: .upToNextOption,
            help: ArgumentHelp("JSONL corpus files (.jsonl, .json, also .gz or .zst), directories (recursive) or glob patterns.", valueName: "path"))
    var inputs: [String] = []

    @Option(name: .customLong("corpus"), parsing: .upToNextOption, help: .hidden)
    var corpusAlias: [String] = []

    @Option(name: .customLong("json-keys"), parsing: .upToNextOption,
            help: ArgumentHelp("The JSON keys holding the text (default: text).", valueName: "key"))
    var jsonKeys: [String] = []

    @Option(name: [.customLong("json-key"), .customLong("corpus-key")], help: .hidden)
    var keyAliases: [String] = []

    /// The `--input` values (and `--corpus`'s), in order.
    var paths: [String] { inputs + corpusAlias }

    /// The `--json-keys` values (and the aliases'), `text` when none is given.
    var keys: [String] {
        let given = jsonKeys + keyAliases
        return given.isEmpty ? ["text"] : given
    }

    /// The one key of a command that reads one text per line.
    var key: String { keys[0] }

    /// Refuses a second key in a command that reads one.
    func requireOneKey() throws {
        if keys.count > 1 { throw ValidationError("this command reads one key: give one --json-keys value (got \(keys.joined(separator: " ")))") }
    }

    /// `--input` expanded into files as tokenize expands it (directories walked, globs matched).
    func files() throws -> [String] {
        do { return try InputExpansion.expand(paths) } catch { throw CLIError(error.description) }
    }

    /// The one corpus file of a command that reads one (nil: none given): `--input` expanded as
    /// tokenize expands it (a directory or a glob must hold exactly one corpus file).
    func singleFile() throws -> String? {
        let paths = paths
        guard !paths.isEmpty else { return nil }
        let files = try files()
        guard files.count == 1 else {
            throw ValidationError("this command reads one corpus file: --input \(paths.joined(separator: " ")) gives \(files.count)")
        }
        return files[0]
    }

    /// The corpus file of a command that needs one.
    func requiredFile() throws -> String {
        guard let file = try singleFile() else { throw ValidationError("missing --input (a JSONL corpus)") }
        return file
    }
}
