import ArgumentParser
import CorpusKitMegatron
import CorpusKitPipeline

/// preprocess_data.py's tokenizer flags and CorpusKit's bad-line policy: what tokenize, count
/// (raw corpora) and launch tokenize share, so that the three read a corpus the same way.
struct TokenizeOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Llama2Tokenizer, SentencePieceTokenizer, GPTSentencePieceTokenizer, JapaneseSentencePiece or HuggingFaceTokenizer.",
        valueName: "type"))
    var tokenizerType: String?

    @Option(help: "sentencepiece .model (HuggingFaceTokenizer: tokenizer.json or its directory).")
    var tokenizerModel: String?

    @Option(help: "JapaneseSentencePiece's model file (takes precedence over --tokenizer-model, as in the fork).")
    var vocabFile: String?

    @Flag(help: "Append the tokenizer's EOD id to every non-empty document.")
    var appendEod = false

    @Option(help: "fail: stop at the first bad line (file:line) and write nothing; skip: skip bad lines and report them per reason.")
    var onError: ErrorPolicy = .fail

    @Option(help: .hidden)
    var batchBytes = TokenizeConfiguration.defaultBatchBytes

    /// The tokenizer type and the model file it reads, or a usage error naming what is missing.
    func tokenizer() throws -> (type: MegatronTokenizerType, modelPath: String) {
        let supported = MegatronTokenizerType.allCases.map(\.rawValue).joined(separator: ", ")
        guard let tokenizerType else { throw ValidationError("missing --tokenizer-type (supported: \(supported))") }
        guard let type = MegatronTokenizerType(rawValue: tokenizerType) else {
            throw ValidationError("--tokenizer-type \(tokenizerType) is not supported (supported: \(supported))")
        }
        let model = type == .japaneseSentencePiece ? (vocabFile ?? tokenizerModel) : tokenizerModel
        guard let model else { throw ValidationError("--tokenizer-model is required for \(tokenizerType)") }
        return (type, model)
    }

    func validate() throws {
        if batchBytes < 1 { throw ValidationError("--batch-bytes must be positive") }
    }

    /// The document encoder of these flags.
    func loadEncoder() throws -> DocumentEncoder {
        let (type, modelPath) = try tokenizer()
        do {
            return try DocumentEncoder.load(type: type, modelPath: modelPath, appendEOD: appendEod)
        } catch {
            throw CLIError(error.description)
        }
    }
}

extension ErrorPolicy: ExpressibleByArgument {}
