import Foundation
import CorpusKitReaders
import CorpusKitTokenizer

/// Sliding-window perplexity as the Hugging Face guide "Perplexity of fixed-length models" defines it.
///
/// The windows are ``SlidingWindow``'s. Token
/// NLLs are `-log_softmax(logits)[target]` in float32 (max-subtracted, as torch's), summed in
/// float64. Bits per byte = total NLL / ln 2 / UTF-8 bytes of the texts, which compares models with
/// different vocabularies.
public struct PerplexityEvaluator {
    /// The windows, corpus key and convention of an evaluation.
    public struct Options: Sendable {
        /// Window length in tokens.
        public var context: Int
        /// Tokens the window moves by (`hf-stride` only).
        public var stride: Int
        /// Whether each document starts with the bos id (`hf-stride` only).
        public var addBOS: Bool
        /// The JSON key of each corpus line's text.
        public var textKey: String
        /// Which windows score the tokens (``PerplexityConvention``).
        public var convention: PerplexityConvention
        /// Options with `model perplexity`'s defaults for what is not given.
        public init(context: Int = 2048, stride: Int = 512, addBOS: Bool = true, textKey: String = "text", convention: PerplexityConvention = .hfStride) {
            self.context = context
            self.stride = stride
            self.addBOS = addBOS
            self.textKey = textKey
            self.convention = convention
        }
    }

    /// One document's score.
    public struct Document: Sendable {
        /// The document's 1-based line in the corpus.
        public var line: Int
        /// Tokens scored.
        public var tokens: Int
        /// Σ NLL of the scored tokens, nats.
        public var nll: Double
        /// UTF-8 bytes of the document's text.
        public var bytes: Int
        /// lm-eval's word count: the pieces of `re.split(r"\s+", text)`.
        public var words: Int = 0
        /// exp(mean NLL per scored token); NaN when none was scored.
        public var perplexity: Double { tokens > 0 ? exp(nll / Double(tokens)) : .nan }
    }

    /// Totals over documents.
    public struct Summary: Sendable {
        /// Every document, in corpus order.
        public var documents: [Document] = []
        /// Tokens scored, over all documents.
        public var tokens: Int { documents.reduce(0) { $0 + $1.tokens } }
        /// Σ NLL over all documents, nats.
        public var nll: Double { documents.reduce(0) { $0 + $1.nll } }
        /// UTF-8 bytes of all texts.
        public var bytes: Int { documents.reduce(0) { $0 + $1.bytes } }
        /// Mean NLL per scored token, nats.
        public var meanNLL: Double { tokens > 0 ? nll / Double(tokens) : .nan }
        /// exp(``meanNLL``).
        public var perplexity: Double { exp(meanNLL) }
        /// Total NLL in bits per UTF-8 byte: comparable across vocabularies.
        public var bitsPerByte: Double { bytes > 0 ? nll / log(2) / Double(bytes) : .nan }
        /// lm-eval's words over all documents.
        public var words: Int { documents.reduce(0) { $0 + $1.words } }
        /// exp(total NLL / words): lm-eval's `word_perplexity`.
        public var wordPerplexity: Double { words > 0 ? exp(nll / Double(words)) : .nan }
        /// exp(total NLL / bytes): lm-eval's `byte_perplexity`.
        public var bytePerplexity: Double { bytes > 0 ? exp(nll / Double(bytes)) : .nan }
        /// The convention the documents were scored with.
        public var convention: PerplexityConvention = .hfStride
        /// An empty summary.
        public init() {}
    }

    /// The checkpoint scored.
    public let model: CausalLM
    /// The tokenizer the checkpoint was trained with.
    public let tokenizer: Tokenizer
    /// The evaluation's options.
    public let options: Options

    /// An evaluator of `model`.
    /// - Throws: ``InferenceError/contextTooShort(_:)``, ``InferenceError/strideOutOfRange(stride:context:)`` or ``InferenceError/contextBeyondPositions(context:limit:)`` for windows the model cannot score.
    public init(model: CausalLM, tokenizer: Tokenizer, options: Options) throws(InferenceError) {
        guard options.context >= 2 else { throw .contextTooShort(options.context) }
        guard options.convention == .lmEvalRolling || (options.stride >= 1 && options.stride <= options.context) else {
            throw .strideOutOfRange(stride: options.stride, context: options.context)
        }
        if let limit = model.spec.maximumPositions, options.context > limit {
            throw .contextBeyondPositions(context: options.context, limit: limit)
        }
        self.model = model
        self.tokenizer = tokenizer
        self.options = options
    }

    /// The ids scored for `text`: bos (when asked; the checkpoint's, else the tokenizer's) then the encoding.
    public func ids(for text: String) throws(InferenceError) -> [Int] {
        var ids: [Int] = []
        if options.addBOS && options.convention == .hfStride {
            guard let bos = TextPrompt.bosID(model: model, tokenizer: tokenizer) else {
                throw .noBOS
            }
            ids.append(bos)
        }
        do { ids += try tokenizer.encode(text).map(Int.init) } catch { throw .encoding(what: "the text", error) }
        return ids
    }

    /// Total NLL and tokens scored for `ids`.
    public func score(_ ids: [Int]) throws(InferenceError) -> (nll: Double, tokens: Int) {
        if options.convention == .lmEvalRolling { return try rollingScore(ids) }
        var total = 0.0, scored = 0
        let cache = model.makeCache(capacity: min(options.context, max(ids.count, 1)))
        let vocab = model.spec.vocabularySize
        for w in SlidingWindow.windows(count: ids.count, context: options.context, stride: options.stride) {
            let window = Array(ids[w.begin..<w.end])
            cache.reset()
            let first = w.firstScored
            if first < window.count {
                // Logits in blocks of rows: a whole window's would be context × vocab floats
                // (2048 × 99,584 × 4 bytes = 815 MB for llm-jp-3).
                let hidden = try model.finalHiddenStates(window, cache: cache, lastOnly: false)
                var row = first - 1
                while row < window.count - 1 {
                    let count = min(Self.logitRows, window.count - 1 - row)
                    let logits = model.logits(hidden, rows: count, first: row)
                    for i in 0..<count {
                        total += Self.negativeLogLikelihood(logits, row: i, width: vocab, target: window[row + i + 1])
                        scored += 1
                    }
                    row += count
                }
            }
        }
        return (total, scored)
    }

    /// Rows of logits computed at once.
    static let logitRows = 64

    /// `-log_softmax(row)[target]` in float32.
    static func negativeLogLikelihood(_ logits: [Float], row: Int, width: Int, target: Int) -> Double {
        logits.withUnsafeBufferPointer { p in
            let x = p.baseAddress! + row * width
            var m = -Float.infinity
            for i in 0..<width where x[i] > m { m = x[i] }
            var sum: Float = 0
            for i in 0..<width { sum += expf(x[i] - m) }
            return -Double((x[target] - m) - logf(sum))
        }
    }

    /// Scores every document of a JSONL corpus (field ``Options/textKey``); `progress(documents, bytesRead)`
    /// after each document.
    public func evaluate(corpus path: String, progress: (Int, Int) -> Void = { _, _ in }) throws(InferenceError) -> Summary {
        var summary = Summary()
        summary.convention = options.convention
        try CorpusTexts.forEach(path: path, key: options.textKey, failure: { path, reason in InferenceError.corpus(path: path, reason: reason) }) { (d) throws(InferenceError) in
            let ids = try ids(for: d.text)
            let (nll, tokens) = try score(ids)
            summary.documents.append(Document(line: d.line, tokens: tokens, nll: nll, bytes: d.bytes, words: PerplexityConvention.wordCount(d.text)))
            progress(summary.documents.count, d.endOffset)
        }
        return summary
    }
}
