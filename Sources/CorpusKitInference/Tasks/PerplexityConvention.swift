import Foundation

/// How perplexity windows are laid out, so numbers can be set beside published ones.
///
/// | | `hf-stride` (default) | `lm-eval-rolling` |
/// |---|---|---|
/// | source | the Hugging Face guide "Perplexity of fixed-length models" | lm-eval-harness `loglikelihood_rolling` (`get_rolling_token_windows(context_len=1)` + `make_disjoint_window`) |
/// | first token | bos prepended (`addBOS`), never scored | scored, conditioned on a prefix token: the tokenizer's bos, else its eos (lm-eval's `HFLM.prefix_token_id`, which reads the tokenizer, never config.json; the checkpoint's ids only where the tokenizer declares neither) |
/// | windows | `context` long, every `stride` tokens (``SlidingWindow``) | disjoint chunks of `context` scored tokens; a chunk sees only the token before it, the last (short) one the `context` tokens before its end |
/// | per word / byte | bits per byte | also `word_perplexity` = exp(NLL / words), `byte_perplexity` = exp(NLL / bytes), `bits_per_byte` = NLL / bytes / ln 2, words = pieces of Python's `re.split(r"\s+", text)` (lm-eval's wikitext) |
public enum PerplexityConvention: String, Sendable, CaseIterable {
    /// The Hugging Face guide's sliding windows (the default).
    case hfStride = "hf-stride"
    /// lm-eval-harness's `loglikelihood_rolling` windows.
    case lmEvalRolling = "lm-eval-rolling"

    /// `len(re.split(r"\s+", text))`: runs of whitespace split, empty pieces at the ends counted.
    /// Python's `\s` on str is `str.isspace()`: Unicode White_Space plus U+001C…U+001F.
    public static func wordCount(_ text: String) -> Int {
        var pieces = 1
        var inRun = false
        for scalar in text.unicodeScalars {
            let space = scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
            if space && !inRun { pieces += 1 }
            inRun = space
        }
        return pieces
    }

    /// lm-eval's windows over `count` tokens (prefix excluded) of `length` inputs each: for each, the
    /// range of token indices fed (`-1` standing for the prefix token) and the first scored index.
    /// Input row `j` of a window starting at `start` predicts token `start + j + 1`.
    public static func rollingWindows(count: Int, length: Int) -> [(start: Int, end: Int, firstScored: Int)] {
        guard count > 0 else { return [] }
        let first = min(length, count)
        var windows = [(start: -1, end: first - 1, firstScored: 0)]
        var predicted = first
        while predicted < count {
            let scored = min(count - predicted, length)
            let end = predicted + scored
            windows.append((start: end - length - 1, end: end - 1, firstScored: end - scored))
            predicted += scored
        }
        return windows
    }
}

extension PerplexityEvaluator {
    /// Total NLL and tokens of `tokens` (no bos) under lm-eval's `loglikelihood_rolling`.
    func rollingScore(_ tokens: [Int]) throws(InferenceError) -> (nll: Double, tokens: Int) {
        // lm-eval's `prefix_token_id`: `tokenizer.bos_token_id`, else `tokenizer.eos_token_id` (the
        // tokenizer's, not config.json's; they differ in some conversions).
        let fromTokenizer = (tokenizer.bosID ?? tokenizer.eosID).map(Int.init)
        guard let prefix = fromTokenizer ?? model.spec.bosTokenIDs.first ?? model.spec.eosTokenIDs.first else {
            throw .noPrefixToken
        }
        var total = 0.0, scored = 0
        let cache = model.makeCache(capacity: min(options.context, max(tokens.count, 1)))
        let vocab = model.spec.vocabularySize
        for w in PerplexityConvention.rollingWindows(count: tokens.count, length: options.context) {
            // Inputs: tokens[start ..< end] (index -1 = the prefix); row j predicts tokens[start + j + 1].
            let window = (w.start..<w.end).map { $0 < 0 ? prefix : tokens[$0] }
            cache.reset()
            let hidden = try model.finalHiddenStates(window, cache: cache, lastOnly: false)
            var row = w.firstScored - w.start - 1
            while row < window.count {
                let count = min(Self.logitRows, window.count - row)
                let logits = model.logits(hidden, rows: count, first: row)
                for i in 0..<count {
                    total += Self.negativeLogLikelihood(logits, row: i, width: vocab, target: tokens[w.start + row + i + 1])
                    scored += 1
                }
                row += count
            }
        }
        return (total, scored)
    }
}
