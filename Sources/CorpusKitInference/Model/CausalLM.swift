import Foundation
import CorpusKitCheckpoint

/// A decoder-only language model of one of the supported architectures, run in float32 on the CPU.
///
/// The forward pass follows transformers' modules step by step (eager attention, float32):
///
/// - Llama / Mixtral / Qwen3-MoE: `h = embed[ids]`; per layer `h += o(attn(rope(q), rope(k), v))` on
///   `rmsnorm(h)` (Qwen3: per-head RMSNorm of q and k before the rotation), then
///   `h += mlp(rmsnorm(h))` with a SwiGLU MLP `down(silu(gate x) * up x)` or, in MoE layers, the router's
///   softmax, top-k (renormalised per ``ModelSpec/Routing``), and the weighted sum of the chosen
///   experts' SwiGLU outputs; finally `rmsnorm` and `lm_head` (the embedding when tied).
/// - GPT-2: `h = wte[ids] + wpe[positions]`; per layer `h += c_proj(attn(c_attn(ln_1 h)))`,
///   `h += c_proj(gelu_new(c_fc(ln_2 h)))` with Conv1D (`[in, out]`) weights; `ln_f`, tied `lm_head`.
///
/// Attention is causal over the ``KVCache`` (grouped-query: head `h` reads key/value head
/// `h / (heads / kv_heads)`), scores scaled by `1/sqrt(head_dim)`, softmax in float32.
public final class CausalLM: @unchecked Sendable {
    /// The validated `config.json` (and `generation_config.json`) the forward pass follows.
    public let spec: ModelSpec
    /// The checkpoint directory the model was loaded from.
    public let checkpoint: CheckpointDirectory
    /// The checkpoint's tensors, memory-mapped (converted to float32 tile by tile when used).
    public let weights: MappedWeights
    /// The worker threads (and their scratch memory) every forward pass runs on.
    public let pool: ComputePool
    /// When set, every MoE layer counts the experts it routes each token to (``RoutingCounts``).
    public var routingCounts: RoutingCounts?

    struct Attention {
        var q: Linear
        var k: Linear
        var v: Linear
        var o: Linear
        var qNorm: [Float]?
        var kNorm: [Float]?
        /// GPT-2: one fused `c_attn` instead of q/k/v.
        var fused: Linear?
    }
    struct DenseMLP {
        var gate: Linear?
        var up: Linear
        var down: Linear
    }
    struct MoE { var router: Linear; var experts: [DenseMLP] }
    struct Layer {
        var norm1: [Float]
        var norm1Bias: [Float]?
        var norm2: [Float]
        var norm2Bias: [Float]?
        var attention: Attention
        var mlp: DenseMLP?
        var moe: MoE?
    }

    let embedding: WeightTensor
    let positions: WeightTensor?
    let layers: [Layer]
    let finalNorm: [Float], finalNormBias: [Float]?
    let head: Linear

    /// Loads `directory` (config.json, safetensors) for `threads` worker threads.
    public init(directory: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(InferenceError) {
        do { checkpoint = try CheckpointDirectory(path: directory) } catch { throw .checkpoint(error) }
        if let problem = checkpoint.tensors.indexProblems.first { throw .malformed(path: directory, reason: "model.safetensors.index.json: \(problem)") }
        spec = try ModelSpec(config: checkpoint.config, generation: checkpoint.generationConfig)
        weights = try MappedWeights(checkpoint: checkpoint, hugePages: true)
        pool = try ComputePool(threads: threads)
        let s = spec
        let w = weights
        let shapes = s.expected.shapes
        func t(_ name: String) throws(InferenceError) -> WeightTensor { try w.tensor(name, shape: shapes[name]) }
        func vector(_ name: String) throws(InferenceError) -> [Float] { try t(name).floats() }
        func optionalVector(_ name: String) throws(InferenceError) -> [Float]? { shapes[name] == nil ? nil : try vector(name) }
        func linear(_ name: String, bias: Bool = true) throws(InferenceError) -> Linear {
            Linear(try t(name + ".weight"), bias: bias ? try optionalVector(name + ".bias") : nil)
        }
        let architecture = s.expected.architecture
        embedding = try t(architecture.embeddingName)
        var layers: [Layer] = []
        let norms = architecture.layerNorms, dense = architecture.denseMLP
        if s.family == .gpt2 {
            positions = try t(architecture.positionEmbeddingName!)
            let attention = architecture.gpt2Attention
            for n in 0..<s.layerCount {
                let p = architecture.layer(n)
                func conv(_ name: String) throws(InferenceError) -> Linear {
                    Linear(try t(p + name + ".weight"), bias: try vector(p + name + ".bias"), inputMajor: true)
                }
                let fused = try conv(attention.fused)
                let proj = try conv(attention.output)
                layers.append(Layer(norm1: try vector(p + norms.attention + ".weight"), norm1Bias: try vector(p + norms.attention + ".bias"),
                                    norm2: try vector(p + norms.mlp + ".weight"), norm2Bias: try vector(p + norms.mlp + ".bias"),
                                    attention: Attention(q: fused, k: fused, v: fused, o: proj, qNorm: nil, kNorm: nil, fused: fused),
                                    mlp: DenseMLP(gate: nil, up: try conv(dense.up), down: try conv(dense.down)), moe: nil))
            }
            finalNorm = try vector(architecture.finalNorm + ".weight")
            finalNormBias = try vector(architecture.finalNorm + ".bias")
        } else {
            positions = nil
            let names = architecture.attention
            for n in 0..<s.layerCount {
                let p = architecture.layer(n)
                let qkNorms = architecture.queryKeyNorms
                let attention = Attention(q: try linear(p + names.q), k: try linear(p + names.k), v: try linear(p + names.v),
                                          o: try linear(p + names.o),
                                          qNorm: try qkNorms.map { (norm) throws(InferenceError) in try vector(p + norm.q + ".weight") },
                                          kNorm: try qkNorms.map { (norm) throws(InferenceError) in try vector(p + norm.k + ".weight") }, fused: nil)
                var mlp: DenseMLP?
                var moe: MoE?
                if s.sparseLayers.contains(n), let routing = s.routing, let router = architecture.router {
                    var experts: [DenseMLP] = []
                    for e in 0..<routing.experts {
                        let expert = architecture.expert(e)
                        experts.append(DenseMLP(gate: try linear(p + expert.gate), up: try linear(p + expert.up), down: try linear(p + expert.down)))
                    }
                    moe = MoE(router: try linear(p + router, bias: false), experts: experts)
                } else {
                    mlp = DenseMLP(gate: try linear(p + dense.gate!), up: try linear(p + dense.up), down: try linear(p + dense.down))
                }
                layers.append(Layer(norm1: try vector(p + norms.attention + ".weight"), norm1Bias: nil,
                                    norm2: try vector(p + norms.mlp + ".weight"), norm2Bias: nil,
                                    attention: attention, mlp: mlp, moe: moe))
            }
            finalNorm = try vector(architecture.finalNorm + ".weight")
            finalNormBias = nil
        }
        self.layers = layers
        head = Linear(s.tiesWordEmbeddings ? embedding : try t(CheckpointArchitecture.outputName))
    }

    /// Query rows per attention block (``attention``): 128 rows of scores against 2,048 keys are 1 MiB.
    static let attentionBlock = 128

    /// A fresh cache for this model.
    public func makeCache(capacity: Int = 64) -> KVCache {
        KVCache(layers: spec.layerCount, width: spec.keyValueHeadCount * spec.headDimension, capacity: capacity)
    }

    /// Runs `ids` at the positions following those in `cache` (appending their keys and values) and
    /// returns float32 logits: of every new position (`[ids.count, vocab]`) when `allPositions`,
    /// else of the last one only (`[vocab]`).
    public func forward(_ ids: [Int], cache: KVCache, allPositions: Bool = false) throws(InferenceError) -> [Float] {
        let final = try finalHiddenStates(ids, cache: cache, lastOnly: !allPositions)
        return logits(final, rows: allPositions ? ids.count : 1)
    }

    /// The final-norm hidden states (`[ids.count, hidden]`, or `[hidden]` of the last position when
    /// `lastOnly`), ready for ``logits(_:rows:)``; the cache advances as in ``forward(_:cache:allPositions:)``.
    public func finalHiddenStates(_ ids: [Int], cache: KVCache, lastOnly: Bool) throws(InferenceError) -> [Float] {
        let s = spec
        let t = ids.count
        guard t > 0 else { throw .noInput }
        for id in ids where id < 0 || id >= embedding.rows {
            throw .tokenOutOfRange(id: id, rows: embedding.rows)
        }
        let start = cache.count
        if let limit = s.maximumPositions, start + t > limit {
            throw .tooManyPositions(start + t, limit: limit)
        }
        cache.reserve(t)
        let hSize = s.hiddenSize
        var hidden = [Float](repeating: 0, count: t * hSize)
        hidden.withUnsafeMutableBufferPointer { h in
            for (i, id) in ids.enumerated() {
                embedding.convert(from: id * hSize, count: hSize, into: h.baseAddress! + i * hSize)
            }
            if let positions {
                var row = [Float](repeating: 0, count: hSize)
                for i in 0..<t {
                    positions.convert(from: (start + i) * hSize, count: hSize, into: &row)
                    for j in 0..<hSize { h[i * hSize + j] += row[j] }
                }
            }
        }
        var normed = [Float](repeating: 0, count: t * hSize)
        for (n, layer) in layers.enumerated() {
            norm(hidden, rows: t, weight: layer.norm1, bias: layer.norm1Bias, into: &normed)
            let attended = attention(layer.attention, normed, rows: t, layer: n, cache: cache, start: start)
            for i in 0..<hidden.count { hidden[i] += attended[i] }
            norm(hidden, rows: t, weight: layer.norm2, bias: layer.norm2Bias, into: &normed)
            let mlpOut: [Float]
            if let moe = layer.moe { mlpOut = mixture(moe, normed, rows: t, layer: n) } else { mlpOut = dense(layer.mlp!, normed, rows: t) }
            for i in 0..<hidden.count { hidden[i] += mlpOut[i] }
        }
        cache.advance(t)
        let outRows = lastOnly ? 1 : t
        if lastOnly { hidden = Array(hidden[((t - 1) * hSize)...]) }
        var final = [Float](repeating: 0, count: outRows * hSize)
        norm(hidden, rows: outRows, weight: finalNorm, bias: finalNormBias, into: &final)
        return final
    }

    /// `lm_head` over `rows` final hidden states starting at row `first` of `hidden`: `[rows, vocab]` float32.
    public func logits(_ hidden: [Float], rows: Int, first: Int = 0) -> [Float] {
        var logits = [Float](repeating: 0, count: rows * spec.vocabularySize)
        hidden.withUnsafeBufferPointer { x in
            logits.withUnsafeMutableBufferPointer { y in
                head.apply(x.baseAddress! + first * spec.hiddenSize, rows: rows, into: y.baseAddress!, pool: pool)
            }
        }
        return logits
    }

    private func norm(_ x: [Float], rows: Int, weight: [Float], bias: [Float]?, into y: inout [Float]) {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                if let bias {
                    Ops.layerNorm(xp.baseAddress!, rows: rows, width: spec.hiddenSize, weight: weight, bias: bias, epsilon: spec.normEpsilon, into: yp.baseAddress!)
                } else {
                    Ops.rmsNorm(xp.baseAddress!, rows: rows, width: spec.hiddenSize, weight: weight, epsilon: spec.normEpsilon, into: yp.baseAddress!)
                }
            }
        }
    }

    private func apply(_ linear: Linear, _ x: [Float], rows: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * linear.outFeatures)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in linear.apply(xp.baseAddress!, rows: rows, into: yp.baseAddress!, pool: pool) }
        }
        return y
    }

    /// Decoding (one row): the products of `x` with several bias-free layers in one hand-off to the
    /// workers (``Linear/applyMatrixVector(_:_:pool:)``); nil when they cannot all go to the pool's kernel.
    private func matrixVector(_ linears: [Linear], _ x: [Float], rows: Int) -> [[Float]]? {
        let kernel = pool.matrixVectorKernel
        guard rows == 1, linears.allSatisfy({ $0.bias == nil && $0.runsMatrixVector(kernel) }) else { return nil }
        let sizes = linears.map(\.outFeatures)
        let offsets = sizes.indices.map { sizes[..<$0].reduce(0, +) }
        var stacked = [Float](repeating: 0, count: sizes.reduce(0, +))
        x.withUnsafeBufferPointer { xp in
            stacked.withUnsafeMutableBufferPointer { yp in
                let outputs = offsets.map { yp.baseAddress! + $0 }
                Linear.applyMatrixVector(Array(zip(linears, outputs)), xp.baseAddress!, pool: pool)
            }
        }
        return sizes.indices.map { Array(stacked[offsets[$0]..<(offsets[$0] + sizes[$0])]) }
    }

    private func attention(_ a: Attention, _ x: [Float], rows t: Int, layer: Int, cache: KVCache, start: Int) -> [Float] {
        let s = spec
        let d = s.headDimension, heads = s.headCount, kvHeads = s.keyValueHeadCount
        let qWidth = heads * d, kvWidth = kvHeads * d
        var q: [Float], k: [Float], v: [Float]
        if let fused = a.fused {
            let qkv = apply(fused, x, rows: t)
            q = [Float](repeating: 0, count: t * qWidth)
            k = [Float](repeating: 0, count: t * kvWidth)
            v = [Float](repeating: 0, count: t * kvWidth)
            for r in 0..<t {
                for j in 0..<qWidth {
                    q[r * qWidth + j] = qkv[r * 3 * qWidth + j]
                    k[r * kvWidth + j] = qkv[r * 3 * qWidth + qWidth + j]
                    v[r * kvWidth + j] = qkv[r * 3 * qWidth + 2 * qWidth + j]
                }
            }
        } else if let products = matrixVector([a.q, a.k, a.v], x, rows: t) {
            (q, k, v) = (products[0], products[1], products[2])
        } else {
            q = apply(a.q, x, rows: t)
            k = apply(a.k, x, rows: t)
            v = apply(a.v, x, rows: t)
        }
        if let qNorm = a.qNorm, let kNorm = a.kNorm {
            let qIn = q, kIn = k
            qIn.withUnsafeBufferPointer { src in
                q.withUnsafeMutableBufferPointer { dst in
                    Ops.rmsNorm(src.baseAddress!, rows: t * heads, width: d, weight: qNorm, epsilon: s.normEpsilon, into: dst.baseAddress!)
                }
            }
            kIn.withUnsafeBufferPointer { src in
                k.withUnsafeMutableBufferPointer { dst in
                    Ops.rmsNorm(src.baseAddress!, rows: t * kvHeads, width: d, weight: kNorm, epsilon: s.normEpsilon, into: dst.baseAddress!)
                }
            }
        }
        if let rope = s.rope {
            var cos = [Float](repeating: 0, count: d), sin = [Float](repeating: 0, count: d)
            for r in 0..<t {
                q.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress! + r * qWidth, heads: heads, position: start + r, cos: &cos, sin: &sin) }
                k.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress! + r * kvWidth, heads: kvHeads, position: start + r, cos: &cos, sin: &sin) }
            }
        }
        let keys = cache.keys[layer], values = cache.values[layer]
        k.withUnsafeBufferPointer { (keys + start * kvWidth).update(from: $0.baseAddress!, count: t * kvWidth) }
        v.withUnsafeBufferPointer { (values + start * kvWidth).update(from: $0.baseAddress!, count: t * kvWidth) }
        let total = start + t
        let scale: Float = s.scaleAttention ? 1 / Float(d).squareRoot() : 1
        var output = [Float](repeating: 0, count: t * qWidth)
        let group = heads / kvHeads
        let window = s.slidingWindow
        output.withUnsafeMutableBufferPointer { outBuffer in
            q.withUnsafeBufferPointer { qBuffer in
                let out = SharedPointer(outBuffer.baseAddress!)
                let qp = SharedPointer(UnsafeMutablePointer(mutating: qBuffer.baseAddress!))
                let kp = SharedPointer(keys), vp = SharedPointer(values)
                // Query rows in blocks: a block's scores stop at the keys its last row sees, so the
                // causal upper triangle is (mostly) not computed, and the scores of one block stay small.
                let block = min(t, CausalLM.attentionBlock)
                pool.parallel(heads) { _, headRange in
                    let scores = UnsafeMutablePointer<Float>.allocate(capacity: block * total)
                    defer { scores.deallocate() }
                    for h in headRange {
                        let kvh = h / group
                        var r0 = 0
                        while r0 < t {
                            let rows = min(block, t - r0)
                            let seen = start + r0 + rows
                            OpenBLAS.sgemm(transposeB: true, rows, seen, d, scale,
                                           qp.pointer + r0 * qWidth + h * d, qWidth, kp.pointer + kvh * d, kvWidth, 0, scores, seen)
                            for r in 0..<rows {
                                let row = scores + r * seen
                                let visible = start + r0 + r + 1
                                let first = window.map { max(0, visible - $0) } ?? 0
                                for j in 0..<first { row[j] = 0 }
                                Ops.softmax(row + first, count: visible - first)
                                for j in visible..<seen { row[j] = 0 }
                            }
                            OpenBLAS.sgemm(transposeB: false, rows, d, seen, 1,
                                           scores, seen, vp.pointer + kvh * d, kvWidth, 0, out.pointer + r0 * qWidth + h * d, qWidth)
                            r0 += rows
                        }
                    }
                }
            }
        }
        return apply(a.o, output, rows: t)
    }

    private func dense(_ m: DenseMLP, _ x: [Float], rows: Int) -> [Float] {
        if let gateLinear = m.gate, var products = matrixVector([gateLinear, m.up], x, rows: rows) {
            products[1].withUnsafeBufferPointer { u in
                products[0].withUnsafeMutableBufferPointer { g in Ops.swiGLU(g.baseAddress!, u.baseAddress!, count: g.count) }
            }
            return apply(m.down, products[0], rows: rows)
        }
        var up = apply(m.up, x, rows: rows)
        if let gateLinear = m.gate {
            var gate = apply(gateLinear, x, rows: rows)
            gate.withUnsafeMutableBufferPointer { g in up.withUnsafeBufferPointer { u in Ops.swiGLU(g.baseAddress!, u.baseAddress!, count: g.count) } }
            return apply(m.down, gate, rows: rows)
        }
        up.withUnsafeMutableBufferPointer { Ops.geluNew($0.baseAddress!, count: $0.count) }
        return apply(m.down, up, rows: rows)
    }

    private func mixture(_ moe: MoE, _ x: [Float], rows t: Int, layer: Int) -> [Float] {
        let routing = spec.routing!
        let hSize = spec.hiddenSize
        var probabilities = apply(moe.router, x, rows: t)
        var chosen = [[(expert: Int, weight: Float)]](repeating: [], count: t)
        probabilities.withUnsafeMutableBufferPointer { p in
            for r in 0..<t {
                let row = p.baseAddress! + r * routing.experts
                Ops.softmax(row, count: routing.experts)
                let order = (0..<routing.experts).sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
                var top = order.prefix(routing.topK).map { (expert: $0, weight: row[$0]) }
                if routing.renormalize {
                    var sum: Float = 0
                    for item in top { sum += item.weight }
                    top = top.map { ($0.expert, $0.weight / sum) }
                }
                chosen[r] = top
                routingCounts?.add(layer: layer, experts: top.map(\.expert))
            }
        }
        var result = [Float](repeating: 0, count: t * hSize)
        for e in 0..<routing.experts {
            var tokens: [(row: Int, weight: Float)] = []
            for r in 0..<t { if let hit = chosen[r].first(where: { $0.expert == e }) { tokens.append((r, hit.weight)) } }
            if tokens.isEmpty { continue }
            var gathered = [Float](repeating: 0, count: tokens.count * hSize)
            for (i, token) in tokens.enumerated() {
                for j in 0..<hSize { gathered[i * hSize + j] = x[token.row * hSize + j] }
            }
            let out = dense(moe.experts[e], gathered, rows: tokens.count)
            for (i, token) in tokens.enumerated() {
                for j in 0..<hSize { result[token.row * hSize + j] += out[i * hSize + j] * token.weight }
            }
        }
        return result
    }
}
