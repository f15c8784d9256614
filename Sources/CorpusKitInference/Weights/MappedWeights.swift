import Foundation
import CorpusKitCheckpoint
import CorpusKitSystem

/// One tensor of a checkpoint, viewed in place in a read-only memory mapping of its file.
///
/// Weights are never copied whole: kernels convert the rows they need to float32 (tile by tile),
/// so a checkpoint runs in little more memory than its file size.
public struct WeightTensor: @unchecked Sendable {
    /// The tensor's name as transformers knows it (GPT-2 names saved without `transformer.` get it).
    public let name: String
    /// The element type stored in the file.
    public let dtype: SafetensorsDType
    /// Dimensions, outermost first (`[rows, columns]` for a matrix).
    public let shape: [Int]
    /// The first byte of the tensor's data inside the mapping.
    public let base: UnsafeRawPointer

    /// Elements (the product of the dimensions).
    public var elementCount: Int { shape.reduce(1, *) }
    /// Bytes of the data in the file.
    public var byteCount: Int { elementCount * dtype.itemSize }
    /// Rows of a 2-D tensor (the first dimension; 1 for a vector).
    public var rows: Int { shape.count >= 2 ? shape[0] : 1 }
    /// Columns of a 2-D tensor (the last dimension).
    public var columns: Int { shape.last ?? 1 }

    /// Converts elements `start ..< start + count` (in storage order) to float32 at `output`.
    @inline(__always)
    public func convert(from start: Int, count: Int, into output: UnsafeMutablePointer<Float>) {
        Float32Conversion.convert(base + start * dtype.itemSize, dtype: dtype, count: count, into: output)
    }

    /// The whole tensor as float32 (for small tensors: norms, biases).
    public func floats() -> [Float] {
        [Float](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
            convert(from: 0, count: elementCount, into: buffer.baseAddress!)
            initialized = elementCount
        }
    }

    /// The stored data as float32 in place, when it is float32 and aligned (no conversion needed).
    public var alignedFloat32: UnsafePointer<Float>? {
        guard dtype == .f32, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 else { return nil }
        return base.assumingMemoryBound(to: Float.self)
    }
}

/// bf16 / f16 / f32 → float32, vectorised.
public enum Float32Conversion {
    /// Converts `count` elements of `dtype` at `source` (unaligned) to float32 at `output`;
    /// bf16, f16 and f32 only (other dtypes are refused before they reach here).
    @inline(__always)
    public static func convert(_ source: UnsafeRawPointer, dtype: SafetensorsDType, count: Int, into output: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(output)
        switch dtype {
        case .bf16:
            // bfloat16 is the top half of a float32: widen and shift.
            var i = 0
            while i + 8 <= count {
                let v = source.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self)
                let w = SIMD8<UInt32>(truncatingIfNeeded: v) &<< 16
                raw.storeBytes(of: w, toByteOffset: 4 * i, as: SIMD8<UInt32>.self)
                i += 8
            }
            while i < count {
                let v = source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                output[i] = Float(bitPattern: UInt32(v) << 16)
                i += 1
            }
        case .f16:
            for i in 0..<count {
                output[i] = Float(Float16(bitPattern: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .f32:
            memcpy(raw, source, 4 * count)
        default:
            preconditionFailure("unsupported dtype \(dtype) reached conversion")
        }
    }
}

/// The tensors of a checkpoint directory, memory-mapped read-only.
///
/// Headers come from ``CheckpointTensors`` (the reader `corpuskit compat` uses); this adds the data.
/// GPT-2 names without the `transformer.` prefix are normalised as transformers does.
public final class MappedWeights: @unchecked Sendable {
    /// The checkpoint directory.
    public let directory: String
    /// Every tensor of the checkpoint by (normalised) name.
    public let tensors: [String: WeightTensor]
    /// Total bytes of the mapped files.
    public let mappedBytes: Int
    /// The mapped files (kept alive as long as the tensors point into them).
    private let mappings: [MappedFile]

    /// Maps every safetensors file of `checkpoint`. Tensors of a dtype other than F32/F16/BF16 are
    /// refused when used (``tensor(_:)``), not here: a checkpoint may carry unused integer buffers.
    /// `hugePages`: for a model that streams its weights once per generated token (see
    /// ``MappedFile/init(path:hugePages:)``); not for one pass over them (`model diff`, `model check`),
    /// where the 2 MiB folios only cost: a cold `model diff` of the llm-jp-3-1.8b shape took 2.20-2.35 s
    /// with them against 1.67-1.75 without, on the 2-vCPU guest (BENCHMARKS.md, "Decoding, fourth pass").
    public init(checkpoint: CheckpointDirectory, hugePages: Bool = false) throws(InferenceError) {
        directory = checkpoint.path
        var tensors: [String: WeightTensor] = [:]
        var mapped = 0
        var bases: [String: UnsafeRawPointer] = [:]
        var mappings: [MappedFile] = []
        for file in checkpoint.tensors.files {
            let mapping: MappedFile
            do {
                mapping = try MappedFile(path: file.path, hugePages: hugePages)
            } catch {
                throw .unmappable(path: file.path, error)
            }
            guard mapping.count == file.fileSize, let pointer = mapping.bytes.baseAddress else {
                throw .malformed(path: file.path, reason: "changed size while being read (\(file.fileSize) → \(mapping.count) bytes)")
            }
            mappings.append(mapping)
            mapped += file.fileSize
            bases[file.path] = pointer
        }
        self.mappings = mappings
        let architecture = checkpoint.config.architecture
        for (name, info) in checkpoint.tensors.byName {
            guard let base = bases[info.file] else { continue }
            let key = ExpectedTensors.normalizedName(name, architecture: architecture)
            tensors[key] = WeightTensor(name: key, dtype: info.dtype, shape: info.shape, base: base + info.byteRange.lowerBound)
        }
        self.tensors = tensors
        self.mappedBytes = mapped
    }

    /// The tensor `name`, which must exist, be F32/F16/BF16 and (when given) have `shape`.
    public func tensor(_ name: String, shape: [Int]? = nil) throws(InferenceError) -> WeightTensor {
        guard let tensor = tensors[name] else { throw .tensor(directory: directory, name: name, problem: "is missing") }
        guard [.f32, .f16, .bf16].contains(tensor.dtype) else {
            throw .tensor(directory: directory, name: name, problem: "has dtype \(tensor.dtype); only F32, F16 and BF16 weights are supported")
        }
        if let shape, tensor.shape != shape {
            throw .tensor(directory: directory, name: name, problem: "has shape \(tensor.shape), expected \(shape)")
        }
        return tensor
    }
}
