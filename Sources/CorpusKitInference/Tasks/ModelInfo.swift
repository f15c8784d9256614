import Foundation
import CorpusKitCheckpoint

/// `corpuskit model info`: what a checkpoint is and what running it costs, from headers and config only.
public struct ModelInfo {
    /// The checkpoint directory.
    public let directory: String
    /// The architecture read from its configs.
    public let spec: ModelSpec
    /// Its files (configs and safetensors headers).
    public let checkpoint: CheckpointDirectory
    /// The context length the KV cache estimate is for.
    public let context: Int

    /// Reads the configs and safetensors headers of `directory` (no weights).
    /// - Throws: ``InferenceError`` when they cannot be read or describe no supported architecture.
    public init(directory: String, context: Int = 2048) throws(InferenceError) {
        do { checkpoint = try CheckpointDirectory(path: directory) } catch { throw .checkpoint(error) }
        spec = try ModelSpec(config: checkpoint.config, generation: checkpoint.generationConfig)
        self.directory = directory
        self.context = context
    }

    /// Bytes of the safetensors files.
    public var fileBytes: Int { checkpoint.tensors.files.reduce(0) { $0 + $1.fileSize } }
    /// Element count by stored dtype.
    public var dtypes: [String: Int] {
        checkpoint.tensors.byName.values.reduce(into: [:]) { $0[$1.dtype.rawValue, default: 0] += $1.elementCount }
    }
    /// Float32 keys and values of `context` positions.
    public var kvCacheBytes: Int { 2 * spec.layerCount * context * spec.keyValueHeadCount * spec.headDimension * 4 }
    /// Working memory of one `context`-token forward pass (activations, attention scores per thread, all-position logits).
    public var workingBytes: Int {
        let h = spec.hiddenSize
        let widest = max(spec.intermediateSize, spec.routing?.intermediateSize ?? 0, 3 * h, spec.headCount * spec.headDimension)
        return 4 * context * (6 * h + 2 * widest + spec.vocabularySize) + 4 * 2 * context * context
    }
    /// The memory-mapped files (resident as they are read) plus the cache and working memory.
    public var memoryBytes: Int { fileBytes + kvCacheBytes + workingBytes }

    /// Shapes of the non-layer tensors, of layer 0's and of the first MoE layer's (expert 0 standing for all).
    public var shapes: [(String, [Int])] {
        var shown: Set<Int> = [0]
        if let sparse = spec.sparseLayers.min() { shown.insert(sparse) }
        let architecture = spec.expected.architecture
        let prefixes = shown.map { architecture.layer($0) }
        return spec.expected.shapes.filter { name, _ in
            let inLayer = name.hasPrefix(architecture.layerPrefix)
            guard !inLayer || prefixes.contains(where: { name.hasPrefix($0) }) else { return false }
            return !name.contains(".experts.") || name.contains(".experts.0.")
        }.sorted { $0.key < $1.key }.map { ($0.key, checkpoint.tensors.byName[$0.key]?.shape ?? $0.value) }
    }

    static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.2f %@", value, units[unit])
    }

    /// The `model info` report.
    public func text() -> String {
        let (total, active) = spec.parameterCounts
        var lines = [
            "architecture:  \(spec.architecture)",
            "layers:        \(spec.layerCount), hidden \(spec.hiddenSize), heads \(spec.headCount) (kv \(spec.keyValueHeadCount)), head_dim \(spec.headDimension)",
            "vocab_size:    \(spec.vocabularySize)\(spec.tiesWordEmbeddings ? " (tied lm_head)" : "")",
            "parameters:    \(total)" + (spec.routing != nil ? " total, \(active) active per token" : ""),
        ]
        if let r = spec.routing {
            lines.append("experts:       \(r.experts), top-\(r.topK)\(r.renormalize ? " renormalised" : ""), in \(spec.sparseLayers.count) of \(spec.layerCount) layers")
        }
        if let rope = spec.rope { lines.append("rope:          \(rope.type), theta \(rope.theta)") }
        lines.append("dtype:         " + dtypes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("files:         \(checkpoint.tensors.files.count), \(Self.size(fileBytes))")
        lines.append("memory:        \(Self.size(memoryBytes)) at context \(context) (weights mapped \(Self.size(fileBytes)), KV cache \(Self.size(kvCacheBytes)), working \(Self.size(workingBytes)))")
        lines.append("shapes:")
        for (name, shape) in shapes { lines.append("  \(name) \(shape)") }
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object (`--json`).
    public func json() -> String {
        let (total, active) = spec.parameterCounts
        let object: [String: Any] = [
            "architecture": spec.architecture, "layers": spec.layerCount, "hidden_size": spec.hiddenSize, "vocab_size": spec.vocabularySize,
            "parameters": total, "active_parameters": active, "dtypes": dtypes, "file_bytes": fileBytes,
            "kv_cache_bytes": kvCacheBytes, "memory_bytes": memoryBytes, "context": context,
            "shapes": Dictionary(uniqueKeysWithValues: shapes.map { ($0.0, $0.1) }),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
