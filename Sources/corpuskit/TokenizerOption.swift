import ArgumentParser
import CorpusKitTokenizer

/// `--tokenizer PATH`, shared by the commands that need one.
struct TokenizerOption: ParsableArguments {
    @Option(name: .long, help: "A sentencepiece .model, a tokenizer.json, or a directory holding either.")
    var tokenizer: String

    func load() throws -> Tokenizer { try loadTokenizer(tokenizer) }
}

/// The tokenizer at `path`; a failure is a ``CLIError`` naming the path.
func loadTokenizer(_ path: String) throws -> Tokenizer {
    do { return try Tokenizer.load(path: path) } catch { throw CLIError("\(path): \(error)") }
}

/// `--skip-special-tokens`, shared by the commands that decode ids to text.
struct SkipSpecialTokensFlag: ParsableArguments {
    @Flag(help: "Drop special tokens (tokenizer.json special added tokens; sentencepiece always hides control pieces).")
    var skipSpecialTokens = false
}
