import ArgumentParser
import CorpusKitTokenizer

/// `corpuskit info`: what a tokenizer file contains.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show a tokenizer's vocabulary size, model type, normalizer chain and special tokens.")

    @OptionGroup var tokenizerOption: TokenizerOption

    func run() throws {
        let tokenizer = try tokenizerOption.load()
        let summary = tokenizer.summary
        print("file:            \(tokenizer.path)")
        print("format:          \(summary.format.rawValue)")
        print("model:           \(summary.modelType)\(summary.byteFallback ? " (byte fallback)" : "")")
        print("vocabulary size: \(summary.vocabularySize)")
        print("normalizer:      \(summary.normalizer)")
        print("pre-tokenizer:   \(summary.preTokenizer)")
        print("post-processor:  \(summary.postProcessor)")
        print("decoder:         \(summary.decoder)")
        print("special tokens:  \(summary.specialTokens.count)")
        for (name, id) in summary.specialTokens.prefix(40) { print("  \(id)\t\(name)") }
        if summary.specialTokens.count > 40 { print("  … \(summary.specialTokens.count - 40) more") }
    }
}
