import ArgumentParser
import CorpusKitVocab

extension EmbeddingResize.Initialization: ExpressibleByArgument {}

/// `corpuskit model resize-embeddings CKPT --base-tokenizer BASE.model --tokenizer DIR/tokenizer.model --output CKPT2`.
struct ModelResizeEmbeddingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resize-embeddings",
        abstract: "Grow a safetensors checkpoint's embedding (and lm_head) rows to an extended tokenizer (vocab extend).",
        discussion: """
            Rows of the base tokenizer's ids and every other tensor are copied byte for byte. With --init mean (Swallow's),
            a new piece's row is the mean of the base rows of the ids the base tokenizer gives its text (no dummy prefix,
            byte fallback included). Rows beyond the tokenizer (--pad-to-multiple-of) are the mean of all base rows. config.json's vocab_size
            is updated and the extended tokenizer's files are copied next to the weights.
            """)

    @Argument(help: "The checkpoint directory (config.json, model.safetensors or an index and shards).")
    var checkpoint: String
    @Option(name: .long, help: "The checkpoint's tokenizer: the base sentencepiece .model.")
    var baseTokenizer: String
    @Option(name: .long, help: "The extended .model (vocab extend's DIR/tokenizer.model).")
    var tokenizer: String
    @Option(name: .long, help: "Output checkpoint directory.")
    var output: String
    @Option(name: .long, help: "Round the row count up to a multiple of N (default 1).")
    var padToMultipleOf = 1
    @Option(name: .customLong("init"), help: "How new rows are initialised: mean.")
    var initialization: EmbeddingResize.Initialization = .mean

    func validate() throws {
        if padToMultipleOf < 1 { throw ValidationError("--pad-to-multiple-of must be at least 1") }
    }

    func run() throws {
        do {
            let summary = try EmbeddingResize.run(checkpoint: checkpoint, baseTokenizer: baseTokenizer, tokenizer: tokenizer,
                                                  output: output, padToMultipleOf: padToMultipleOf, initialization: initialization)
            print(summary.text)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
