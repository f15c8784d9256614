import Foundation
import CorpusKitChecks
import CorpusKitTokenizer

/// NLL by position within the context (`model check --long-context`): the symptom of a wrong
/// `rope_theta` or rope scaling is a loss that is fine for short inputs and rises with position.
///
/// Each document (bos prepended when the checkpoint or tokenizer declares one) is cut into disjoint
/// windows of `context` tokens, each run from a fresh cache, and the NLL of the token at window
/// position `p` (predicted from positions `0..<p`) is added to the bucket holding `p`. Buckets end at
/// the edges: 512, 1024, 2048, 4096, … up to the context by default. In a healthy model the mean
/// NLL does not rise with position (more context can only help); the check warns when a bucket with
/// at least `minimumTokens` tokens has a mean NLL above that of an earlier such bucket by more than
/// `tolerance` nats. Long documents are needed to fill the late buckets.
public struct LongContextCheck {
    /// The tokens scored at window positions in ``positions``.
    public struct Bucket: Sendable {
        /// The window positions of this bucket.
        public var positions: Range<Int>
        /// Tokens scored.
        public var tokens = 0
        /// Σ NLL, nats.
        public var nll = 0.0
        /// Mean NLL per token (NaN when none).
        public var meanNLL: Double { tokens > 0 ? nll / Double(tokens) : .nan }
        /// A bucket with these totals.
        public init(positions: Range<Int>, tokens: Int = 0, nll: Double = 0) {
            self.positions = positions
            self.tokens = tokens
            self.nll = nll
        }
    }

    /// The checkpoint.
    public let model: CausalLM
    /// Its tokenizer.
    public let tokenizer: Tokenizer
    /// Window length in tokens.
    public let context: Int
    /// The bucket edges (increasing, each below ``context``).
    public let edges: [Int]
    /// Tokens a bucket needs to be compared.
    public var minimumTokens = 100
    /// How far, in nats, a later bucket's mean NLL may rise above an earlier one's before the check warns.
    public var tolerance = 0.05

    /// `context` defaults to the config's `max_position_embeddings` (else 2048); `edges` (increasing,
    /// each below the context) to 512, 1024, 2048, … below the context.
    public init(model: CausalLM, tokenizer: Tokenizer, context: Int? = nil, edges: [Int]? = nil) throws(InferenceError) {
        let length = context ?? model.spec.maximumPositions ?? model.checkpoint.config.positionCount ?? 2048
        guard length >= 2 else { throw .longContextTooShort(length) }
        var defaultEdges: [Int] = []
        var edge = 512
        while edge < length { defaultEdges.append(edge); edge *= 2 }
        let chosen = (edges ?? defaultEdges).filter { $0 > 0 && $0 < length }
        guard chosen == chosen.sorted(), Set(chosen).count == chosen.count else { throw .bucketEdgesNotIncreasing(chosen) }
        self.model = model
        self.tokenizer = tokenizer
        self.context = length
        self.edges = chosen
    }

    /// The buckets over the documents' texts.
    public func buckets(texts: [String]) throws(InferenceError) -> [Bucket] {
        let bounds = [0] + edges + [context]
        var buckets = (0..<(bounds.count - 1)).map { Bucket(positions: bounds[$0]..<bounds[$0 + 1]) }
        let cache = model.makeCache(capacity: context)
        let vocab = model.spec.vocabularySize
        for text in texts {
            let ids: [Int]
            do { ids = try TextPrompt.ids(text, model: model, tokenizer: tokenizer, addBOS: true) } catch { throw .encoding(what: "a document", error) }
            var begin = 0
            while begin + 1 < ids.count {
                let window = Array(ids[begin..<min(begin + context, ids.count)])
                cache.reset()
                let hidden = try model.finalHiddenStates(window, cache: cache, lastOnly: false)
                var row = 0
                var bucket = 0
                while row < window.count - 1 {
                    let count = min(PerplexityEvaluator.logitRows, window.count - 1 - row)
                    let logits = model.logits(hidden, rows: count, first: row)
                    for i in 0..<count {
                        let position = row + i + 1
                        while !buckets[bucket].positions.contains(position) { bucket += 1 }
                        buckets[bucket].nll += PerplexityEvaluator.negativeLogLikelihood(logits, row: i, width: vocab, target: window[position])
                        buckets[bucket].tokens += 1
                    }
                    row += count
                }
                begin += context
            }
        }
        return buckets
    }

    /// The first bucket whose mean NLL rises above an earlier one's by more than the tolerance.
    public func rise(_ buckets: [Bucket]) -> (earlier: Bucket, later: Bucket)? {
        var best: Bucket?
        for b in buckets where b.tokens >= minimumTokens {
            if let lowest = best, b.meanNLL > lowest.meanNLL + tolerance { return (lowest, b) }
            if best == nil || b.meanNLL < best!.meanNLL { best = b }
        }
        return nil
    }

    /// The check as `model check` reports it.
    public func check(texts: [String]) throws(InferenceError) -> CompatCheck {
        let buckets = try buckets(texts: texts)
        let table = buckets.map { b in
            "\(b.positions.lowerBound)–\(b.positions.upperBound): " + (b.tokens > 0 ? String(format: "%.4f", b.meanNLL) : "-") + " (\(b.tokens))"
        }.joined(separator: ", ")
        if let (earlier, later) = rise(buckets) {
            return CompatCheck("long context", .warning, String(format: "mean NLL rises with position: %.4f at %d–%d vs %.4f at %d–%d (a wrong rope_theta or rope scaling?); ",
                                                                later.meanNLL, later.positions.lowerBound, later.positions.upperBound,
                                                                earlier.meanNLL, earlier.positions.lowerBound, earlier.positions.upperBound) + "NLL by position (tokens): " + table)
        }
        return CompatCheck("long context", .ok, "NLL by position (tokens): " + table)
    }
}
