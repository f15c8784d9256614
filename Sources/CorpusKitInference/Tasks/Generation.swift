/// Greedy decoding with the KV cache: the prompt in one forward pass, then one token at a time.
///
/// The next id is the argmax of the last position's logits (the lowest id among equal maxima, as
/// `torch.argmax`). Decoding stops after `maxNewTokens`, or after emitting one of the checkpoint's
/// eos ids (generation_config.json, else config.json) unless `ignoreEOS`; the eos is included, as
/// transformers' `generate` includes it.
public struct GreedyGenerator {
    /// The checkpoint.
    public let model: CausalLM

    /// A generator for `model`.
    public init(model: CausalLM) { self.model = model }

    /// The outcome of one greedy run, with wall-clock times of its two phases.
    public struct Run: Sendable {
        /// The new ids (the prompt not included).
        public var ids: [Int]
        /// Seconds of the prompt's forward pass (which yields the first new id).
        public var promptSeconds: Double
        /// Seconds of the one-token steps after it (`ids.count - 1` of them).
        public var decodeSeconds: Double
    }

    /// The new ids after `prompt`.
    public func generate(prompt: [Int], maxNewTokens: Int, ignoreEOS: Bool = false) throws(InferenceError) -> [Int] {
        try run(prompt: prompt, maxNewTokens: maxNewTokens, ignoreEOS: ignoreEOS).ids
    }

    /// The new ids after `prompt`, timed.
    public func run(prompt: [Int], maxNewTokens: Int, ignoreEOS: Bool = false) throws(InferenceError) -> Run {
        guard !prompt.isEmpty else { throw .emptyPrompt }
        let cache = model.makeCache(capacity: prompt.count + maxNewTokens)
        var produced: [Int] = []
        var input = prompt
        let eos = Set(model.spec.eosTokenIDs)
        let clock = ContinuousClock()
        let begin = clock.now
        var promptEnd = begin
        while produced.count < maxNewTokens {
            let logits = try model.forward(input, cache: cache)
            if produced.isEmpty { promptEnd = clock.now }
            let next = Self.argmax(logits)
            produced.append(next)
            if !ignoreEOS && eos.contains(next) { break }
            input = [next]
        }
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        return Run(ids: produced, promptSeconds: seconds(promptEnd - begin), decodeSeconds: seconds(clock.now - promptEnd))
    }

    /// Index of the largest value, the first among equals.
    public static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in 1..<values.count where values[i] > values[best] { best = i }
        return best
    }
}
