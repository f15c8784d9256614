/// Greedy decoding with the KV cache: the prompt in one forward pass, then one token at a time.
///
/// The next id is the argmax of the last position's logits (the lowest id among equal maxima, as
/// `torch.argmax`). Decoding stops after `maxNewTokens`, or after emitting one of the checkpoint's
/// eos ids (generation_config.json, else config.json) unless `ignoreEOS`; the eos is included, as
/// transformers' `generate` includes it.
public struct GreedyGenerator {
    public let model: CausalLM

    public init(model: CausalLM) { self.model = model }

    /// The new ids after `prompt`.
    public func generate(prompt: [Int], maxNewTokens: Int, ignoreEOS: Bool = false) throws(InferenceError) -> [Int] {
        guard !prompt.isEmpty else { throw InferenceError("an empty prompt: greedy decoding needs at least one id") }
        let cache = model.makeCache(capacity: prompt.count + maxNewTokens)
        var produced: [Int] = []
        var input = prompt
        let eos = Set(model.spec.eosTokenIDs)
        while produced.count < maxNewTokens {
            let logits = try model.forward(input, cache: cache)
            let next = Self.argmax(logits)
            produced.append(next)
            if !ignoreEOS && eos.contains(next) { break }
            input = [next]
        }
        return produced
    }

    /// Index of the largest value, the first among equals.
    public static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in 1..<values.count where values[i] > values[best] { best = i }
        return best
    }
}
