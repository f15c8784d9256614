import ArgumentParser
import CorpusKitTokenizer

/// `--tokenizer PATH`, shared by the commands that need one.
struct TokenizerOption: ParsableArguments {
    @Option(name: .long, help: "A sentencepiece .model, a tokenizer.json, or a directory holding either.")
    var tokenizer: String

    func load() throws -> Tokenizer {
        do {
            return try Tokenizer.load(path: tokenizer)
        } catch {
            throw CLIError("\(tokenizer): \(error)")
        }
    }
}

/// `--skip-special-tokens`, shared by the commands that decode ids to text.
struct SkipSpecialTokensFlag: ParsableArguments {
    @Flag(help: "Drop special tokens (tokenizer.json special added tokens; sentencepiece always hides control pieces).")
    var skipSpecialTokens = false
}
