import Foundation
import CorpusKitReaders
import CorpusKitTokenizer

/// Two checkpoints of the same tokenizer run on the same windows of a corpus (`model compare`),
/// compared position by position — the check llama.cpp's KL-divergence mode makes for a converted or
/// quantised model.
///
/// Windows are ``SlidingWindow``'s, as `model perplexity` uses. At every scored position, from the
/// float32 logits of each model: the log-softmax in float64 over the ids both vocabularies have
/// (the first `min(vocab_A, vocab_B)`, so padded or trimmed vocabularies of one tokenizer compare;
/// with equal sizes that is the whole vocabulary), KL(P_A‖P_B) = Σ p_A (log p_A − log p_B) summed in
/// float64, whether the arg-max ids agree, and each model's NLL of the next token. Summaries:
/// mean, median and 99th percentile (numpy's default linear interpolation) and max of KL; the share
/// of agreeing top-1 ids; both perplexities; ln(PPL_B / PPL_A) = mean(NLL_B − NLL_A) with its
/// standard error sd/√n (positions treated as independent, as llama.cpp does).
public struct ModelComparison {
    /// The windows, corpus key, thresholds and report size of a comparison.
    public struct Options: Sendable {
        /// Window length in tokens.
        public var context: Int
        /// Tokens the window moves by (``SlidingWindow``'s stride).
        public var stride: Int
        /// Whether each document starts with the bos id (the checkpoint's, else the tokenizer's).
        public var addBOS: Bool
        /// The JSON key of each corpus line's text.
        public var textKey: String
        /// What passes.
        public var thresholds: Thresholds
        /// How many worst documents and positions to keep.
        public var worst: Int
        /// Options with `model compare`'s defaults for what is not given.
        public init(context: Int = 2048, stride: Int = 512, addBOS: Bool = true, textKey: String = "text",
                    thresholds: Thresholds = Thresholds(), worst: Int = 5) {
            self.context = context
            self.stride = stride
            self.addBOS = addBOS
            self.textKey = textKey
            self.thresholds = thresholds
            self.worst = worst
        }
    }

    /// When B passes as "the same model" as A.
    ///
    /// Defaults are conversion-grade: a lossless conversion (another layout, dtype widening) gives
    /// KL ≈ 0 and identical top-1 ids up to float rounding ties; a bf16 round trip of fp32 weights
    /// stays far below 1e-3 nats; a wrong `rope_theta`, swapped heads or a wrong norm epsilon do not.
    /// llama.cpp's 8-bit quantisation (Q8_0) lands near these limits, so a quantised model is
    /// expected to fail them.
    public struct Thresholds: Sendable {
        /// Largest allowed mean KL(P_A‖P_B), nats.
        public var maxKLMean: Double
        /// Smallest allowed share of positions whose top-1 ids agree.
        public var minTop1Agreement: Double
        /// Thresholds; the defaults are conversion-grade (see above).
        public init(maxKLMean: Double = 1e-3, minTop1Agreement: Double = 0.99) {
            self.maxKLMean = maxKLMean
            self.minTop1Agreement = minTop1Agreement
        }
    }

    /// One scored position.
    public struct Position: Sendable {
        /// Index of the document (0-based, blank lines skipped) and its line in the corpus.
        public var document: Int
        /// The document's 1-based line in the corpus.
        public var line: Int
        /// Index of the predicted token in the document's ids (bos included).
        public var index: Int
        /// The id predicted (the next token).
        public var target: Int
        /// KL(P_A‖P_B) at this position, nats.
        public var kl: Double
        /// A's negative log-likelihood of the target, nats.
        public var nllA: Double
        /// B's negative log-likelihood of the target, nats.
        public var nllB: Double
        /// A's arg-max id.
        public var topA: Int
        /// B's arg-max id.
        public var topB: Int
    }

    /// One document's totals over its scored positions.
    public struct Document: Sendable {
        /// The document's 1-based line in the corpus.
        public var line: Int
        /// Positions scored.
        public var tokens: Int
        /// Σ KL(P_A‖P_B) over them, nats.
        public var klSum: Double
        /// Σ of A's NLL, nats.
        public var nllA: Double
        /// Σ of B's NLL, nats.
        public var nllB: Double
        /// Positions whose top-1 ids agree.
        public var agreeing: Int
        /// Mean KL per scored position (NaN when none was scored).
        public var klMean: Double { tokens > 0 ? klSum / Double(tokens) : .nan }
    }

    /// Everything a comparison measured, and the summaries the report prints.
    public struct Summary: Sendable {
        /// Every document, in corpus order.
        public var documents: [Document] = []
        /// Every scored position, in corpus order.
        public var positions: [Position] = []
        /// The thresholds ``passes`` applies.
        public var thresholds = Thresholds()
        /// How many worst documents and positions the report lists.
        public var worst = 5
        /// Ids compared at each position (those both vocabularies have).
        public var vocabularyCompared = 0
        /// An empty summary.
        public init() {}

        /// Positions scored.
        public var count: Int { positions.count }
        /// Mean KL(P_A‖P_B) over all positions (NaN when none).
        public var klMean: Double { count > 0 ? positions.reduce(0) { $0 + $1.kl } / Double(count) : .nan }
        /// Largest KL at one position.
        public var klMax: Double { positions.map(\.kl).max() ?? .nan }
        /// Median KL (numpy's linear interpolation).
        public var klMedian: Double { Self.percentile(positions.map(\.kl), 0.5) }
        /// 99th percentile of KL (numpy's linear interpolation).
        public var klP99: Double { Self.percentile(positions.map(\.kl), 0.99) }
        /// Share of positions whose arg-max ids agree.
        public var top1Agreement: Double { count > 0 ? Double(positions.filter { $0.topA == $0.topB }.count) / Double(count) : .nan }
        /// A's mean NLL per position, nats.
        public var meanNLLA: Double { count > 0 ? positions.reduce(0) { $0 + $1.nllA } / Double(count) : .nan }
        /// B's mean NLL per position, nats.
        public var meanNLLB: Double { count > 0 ? positions.reduce(0) { $0 + $1.nllB } / Double(count) : .nan }
        /// A's perplexity: exp(``meanNLLA``).
        public var perplexityA: Double { exp(meanNLLA) }
        /// B's perplexity: exp(``meanNLLB``).
        public var perplexityB: Double { exp(meanNLLB) }
        /// ln(PPL_B / PPL_A) and its standard error.
        public var logPerplexityRatio: (value: Double, standardError: Double) {
            guard count > 0 else { return (.nan, .nan) }
            let d = positions.map { $0.nllB - $0.nllA }
            let mean = d.reduce(0, +) / Double(count)
            guard count > 1 else { return (mean, .nan) }
            let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
            return (mean, (variance / Double(count)).squareRoot())
        }
        /// The ``worst`` positions of highest KL.
        public var worstPositions: [Position] { Array(positions.sorted { $0.kl > $1.kl }.prefix(worst)) }
        /// The ``worst`` documents of highest mean KL.
        public var worstDocuments: [Document] { Array(documents.filter { $0.tokens > 0 }.sorted { $0.klMean > $1.klMean }.prefix(worst)) }
        /// Both thresholds met.
        public var passes: Bool { count > 0 && klMean <= thresholds.maxKLMean && top1Agreement >= thresholds.minTop1Agreement }

        /// numpy's `percentile(x, 100 q)` (linear interpolation between closest ranks).
        static func percentile(_ values: [Double], _ q: Double) -> Double {
            guard !values.isEmpty else { return .nan }
            let sorted = values.sorted()
            let rank = q * Double(sorted.count - 1)
            let low = Int(rank.rounded(.down)), high = min(low + 1, sorted.count - 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
        }
    }

    /// Checkpoint A (the reference).
    public let a: CausalLM
    /// Checkpoint B.
    public let b: CausalLM
    /// The tokenizer both were trained with.
    public let tokenizer: Tokenizer
    /// The comparison's options.
    public let options: Options
    /// Ids compared: those both vocabularies have.
    public let vocabulary: Int

    /// A comparison of `a` and `b`.
    /// - Throws: ``ParityError/invalidOption(_:)`` for a context, stride or worst count out of
    ///   range or a context beyond a model's positions; ``ParityError/incompatible(_:)`` when the
    ///   tokenizer has more ids than the smaller vocabulary.
    public init(a: CausalLM, b: CausalLM, tokenizer: Tokenizer, options: Options) throws(ParityError) {
        guard options.context >= 2 else { throw .invalidOption("the context must be at least 2 tokens (got \(options.context))") }
        guard options.stride >= 1, options.stride <= options.context else {
            throw .invalidOption("the stride must be in 1...\(options.context) (the context), got \(options.stride)")
        }
        guard options.worst >= 0 else { throw .invalidOption("the number of worst items must be ≥ 0") }
        for (model, label) in [(a, "A"), (b, "B")] {
            if let limit = model.spec.maximumPositions, options.context > limit {
                throw .invalidOption("the context \(options.context) exceeds model \(label)'s n_positions \(limit)")
            }
        }
        vocabulary = min(a.spec.vocabularySize, b.spec.vocabularySize)
        guard tokenizer.vocabularySize <= vocabulary else {
            throw .incompatible("the checkpoints cannot be compared with this tokenizer: it has \(tokenizer.vocabularySize) ids but \(a.spec.vocabularySize < b.spec.vocabularySize ? "A" : "B")'s vocab_size is \(vocabulary)")
        }
        self.a = a
        self.b = b
        self.tokenizer = tokenizer
        self.options = options
    }

    /// The ids compared for `text`: bos (when asked; A's, else B's, else the tokenizer's) then the encoding.
    public func ids(for text: String) throws(ParityError) -> [Int] {
        var ids: [Int] = []
        if options.addBOS {
            guard let bos = a.spec.bosTokenIDs.first ?? b.spec.bosTokenIDs.first ?? tokenizer.bosID.map(Int.init) else {
                throw .invalidOption("a bos id is to be prepended, but neither checkpoint nor the tokenizer declares one")
            }
            ids.append(bos)
        }
        do { ids += try tokenizer.encode(text).map(Int.init) } catch { throw .model("cannot encode: \(error)") }
        return ids
    }

    /// Rows of logits computed at once per model.
    static let logitRows = 64

    /// Compares the models on `ids` (document `document` at `line`), appending to `summary`.
    public func compare(_ ids: [Int], document: Int, line: Int, into summary: inout Summary) throws(ParityError) {
        var doc = Document(line: line, tokens: 0, klSum: 0, nllA: 0, nllB: 0, agreeing: 0)
        let cacheA = a.makeCache(capacity: min(options.context, max(ids.count, 1)))
        let cacheB = b.makeCache(capacity: min(options.context, max(ids.count, 1)))
        for w in SlidingWindow.windows(count: ids.count, context: options.context, stride: options.stride) where w.firstScored < w.end - w.begin {
            let window = Array(ids[w.begin..<w.end])
            cacheA.reset()
            cacheB.reset()
            let hiddenA: [Float], hiddenB: [Float]
            do {
                hiddenA = try a.finalHiddenStates(window, cache: cacheA, lastOnly: false)
                hiddenB = try b.finalHiddenStates(window, cache: cacheB, lastOnly: false)
            } catch { throw .model(error.description) }
            var row = w.firstScored - 1
            while row < window.count - 1 {
                let count = min(Self.logitRows, window.count - 1 - row)
                let logitsA = a.logits(hiddenA, rows: count, first: row)
                let logitsB = b.logits(hiddenB, rows: count, first: row)
                for i in 0..<count {
                    let target = window[row + i + 1]
                    let p = Self.position(logitsA, rowA: i * a.spec.vocabularySize, logitsB, rowB: i * b.spec.vocabularySize,
                                          width: vocabulary, target: target)
                    summary.positions.append(Position(document: document, line: line, index: w.begin + row + i + 1, target: target,
                                                      kl: p.kl, nllA: p.nllA, nllB: p.nllB, topA: p.topA, topB: p.topB))
                    doc.tokens += 1
                    doc.klSum += p.kl
                    doc.nllA += p.nllA
                    doc.nllB += p.nllB
                    if p.topA == p.topB { doc.agreeing += 1 }
                }
                row += count
            }
        }
        summary.documents.append(doc)
    }

    /// KL, NLLs and arg-maxes of one position, from two float32 logit rows, in float64.
    static func position(_ x: [Float], rowA: Int, _ y: [Float], rowB: Int, width: Int, target: Int)
        -> (kl: Double, nllA: Double, nllB: Double, topA: Int, topB: Int) {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                let u = xp.baseAddress! + rowA, v = yp.baseAddress! + rowB
                var topA = 0, topB = 0
                for i in 1..<width {
                    if u[i] > u[topA] { topA = i }
                    if v[i] > v[topB] { topB = i }
                }
                let ma = Double(u[topA]), mb = Double(v[topB])
                var sumA = 0.0, sumB = 0.0
                for i in 0..<width {
                    sumA += Foundation.exp(Double(u[i]) - ma)
                    sumB += Foundation.exp(Double(v[i]) - mb)
                }
                let lseA = ma + Foundation.log(sumA), lseB = mb + Foundation.log(sumB)
                var kl = 0.0
                for i in 0..<width {
                    let la = Double(u[i]) - lseA
                    kl += Foundation.exp(la) * (la - (Double(v[i]) - lseB))
                }
                return (max(kl, 0), lseA - Double(u[target]), lseB - Double(v[target]), topA, topB)
            }
        }
    }

    /// Compares the models on every document of a JSONL corpus (field ``Options/textKey``);
    /// `progress(documents, bytesRead)` after each document.
    public func evaluate(corpus path: String, progress: (Int, Int) -> Void = { _, _ in }) throws(ParityError) -> Summary {
        var summary = Summary()
        summary.thresholds = options.thresholds
        summary.worst = options.worst
        summary.vocabularyCompared = vocabulary
        try CorpusTexts.forEach(path: path, key: options.textKey, failure: { ParityError.badInput(location: $0, reason: $1) }) { (d) throws(ParityError) in
            try compare(try ids(for: d.text), document: summary.documents.count, line: d.line, into: &summary)
            progress(summary.documents.count, d.endOffset)
        }
        return summary
    }
}

extension ModelComparison {
    /// Loads checkpoints `a` and `b` for `threads` worker threads each and prepares the comparison.
    public static func load(a: String, b: String, tokenizer: Tokenizer, threads: Int, options: Options) throws(ParityError) -> ModelComparison {
        func model(_ path: String) throws(ParityError) -> CausalLM {
            do { return try CausalLM(directory: path, threads: threads) } catch { throw .badCheckpoint(path: path, reason: error.description) }
        }
        return try ModelComparison(a: model(a), b: model(b), tokenizer: tokenizer, options: options)
    }
}
