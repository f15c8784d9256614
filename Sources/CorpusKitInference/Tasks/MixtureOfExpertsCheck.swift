import Foundation
import CorpusKitChecks
import CorpusKitTokenizer

/// How often each expert of each MoE layer was chosen (one count per token and chosen expert).
public final class RoutingCounts: @unchecked Sendable {
    /// `counts[layer][expert]`; layers without experts stay empty.
    public private(set) var counts: [[Int]]
    /// Tokens routed per layer.
    public private(set) var tokens: [Int]

    /// Zero counts for `layers` layers of `experts` experts.
    public init(layers: Int, experts: Int) {
        counts = [[Int]](repeating: [Int](repeating: 0, count: experts), count: layers)
        tokens = [Int](repeating: 0, count: layers)
    }

    func add(layer: Int, experts: [Int]) {
        tokens[layer] += 1
        for e in experts { counts[layer][e] += 1 }
    }
}

/// Per-expert checks of a MoE checkpoint (`model check` on Mixtral / Qwen3-MoE).
///
/// - copies: an expert whose three matrices equal another expert's of the same layer (relative L2
///   distance below 1e-6, so a copy re-saved in another dtype counts) — a conversion that
///   duplicated one expert into several (error);
/// - zeroed: an expert whose matrices or router row are all zero: never useful (error);
/// - with a corpus: the routing histogram (share of routed tokens per expert and layer) and dead
///   experts, chosen for no token while the corpus routed at least `minimumTokens` tokens per
///   expert on average (warning: a dead expert may be a mis-converted router row).
public struct MixtureOfExpertsCheck {
    /// The checkpoint (a MoE architecture).
    public let model: CausalLM
    /// Average routed tokens per expert the corpus must reach before an unchosen expert is called dead.
    public var minimumTokens = 20

    /// The checks of `model`.
    public init(model: CausalLM) { self.model = model }

    /// The weight checks: copies and zeroed experts.
    public func weightChecks() -> [CompatCheck] {
        guard let routing = model.spec.routing else { return [] }
        var copies: [String] = [], zeroed: [String] = []
        for n in model.spec.sparseLayers.sorted() {
            let layer = model.layers[n]
            guard let moe = layer.moe else { continue }
            let matrices = moe.experts.map { [$0.gate?.weight, $0.up.weight, $0.down.weight].compactMap { $0 } }
            for e in 0..<routing.experts {
                if matrices[e].allSatisfy({ Self.isZero($0) }) || Self.isZero(moe.router.weight, row: e) {
                    zeroed.append("layer \(n) expert \(e)")
                }
                for f in 0..<e where zip(matrices[e], matrices[f]).allSatisfy({ Self.relativeDistance($0, $1) < 1e-6 }) {
                    copies.append("layer \(n) expert \(e) = expert \(f)")
                    break
                }
            }
        }
        var checks: [CompatCheck] = []
        checks.append(copies.isEmpty ? CompatCheck("expert copies", .ok, "no expert equals another of its layer")
                                     : CompatCheck("expert copies", .error, "experts with another's weights: " + ModelHealthCheck.list(copies)))
        if !zeroed.isEmpty { checks.append(CompatCheck("zeroed experts", .error, ModelHealthCheck.list(zeroed))) }
        return checks
    }

    /// Routes the texts (bos prepended, disjoint windows of `context` tokens) and counts the choices.
    public func route(texts: [String], tokenizer: Tokenizer, context: Int) throws(InferenceError) -> RoutingCounts {
        let counts = RoutingCounts(layers: model.spec.layerCount, experts: model.spec.routing?.experts ?? 0)
        model.routingCounts = counts
        defer { model.routingCounts = nil }
        let cache = model.makeCache(capacity: context)
        for text in texts {
            let ids: [Int]
            do { ids = try TextPrompt.ids(text, model: model, tokenizer: tokenizer, addBOS: true) } catch { throw .encoding(what: "a document", error) }
            var begin = 0
            while begin < ids.count {
                cache.reset()
                _ = try model.finalHiddenStates(Array(ids[begin..<min(begin + context, ids.count)]), cache: cache, lastOnly: true)
                begin += context
            }
        }
        return counts
    }

    /// Routes the texts and reports the histogram and dead experts.
    public func routingCheck(texts: [String], tokenizer: Tokenizer, context: Int) throws(InferenceError) -> CompatCheck? {
        guard let routing = model.spec.routing else { return nil }
        let counts = try route(texts: texts, tokenizer: tokenizer, context: context)
        var dead: [String] = [], rows: [String] = []
        for n in model.spec.sparseLayers.sorted() where counts.tokens[n] > 0 {
            let routed = counts.tokens[n] * routing.topK
            rows.append("layer \(n): " + counts.counts[n].map { String(format: "%.1f%%", 100 * Double($0) / Double(routed)) }.joined(separator: " "))
            if routed >= minimumTokens * routing.experts {
                for (e, c) in counts.counts[n].enumerated() where c == 0 { dead.append("layer \(n) expert \(e)") }
            }
        }
        let tokens = counts.tokens.max() ?? 0
        let histogram = "routing over \(tokens) tokens (share of routed tokens per expert): " + rows.joined(separator: "; ")
        return dead.isEmpty ? CompatCheck("routing", .ok, histogram)
                            : CompatCheck("routing", .warning, "dead experts (never chosen): " + ModelHealthCheck.list(dead) + "; " + histogram)
    }

    static func isZero(_ t: WeightTensor, row: Int? = nil) -> Bool {
        let width = row == nil ? t.elementCount : t.columns
        var buffer = [Float](repeating: 0, count: width)
        buffer.withUnsafeMutableBufferPointer { t.convert(from: (row ?? 0) * t.columns, count: width, into: $0.baseAddress!) }
        return buffer.allSatisfy { $0 == 0 }
    }

    static func relativeDistance(_ a: WeightTensor, _ b: WeightTensor) -> Double {
        guard a.shape == b.shape else { return .infinity }
        let v = CheckpointDiff.compare(a, b, range: 0..<a.elementCount)
        return v.relativeL2
    }
}
