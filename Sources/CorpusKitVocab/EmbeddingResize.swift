import Foundation
import CorpusKitCheckpoint
import CorpusKitSystem
import CorpusKitTokenizer

/// Grows a safetensors checkpoint's vocabulary rows to an extended tokenizer, streaming tensor by
/// tensor (inputs are memory-mapped and copied through; nothing holds a whole tensor).
///
/// Rules, in one place:
/// - The resized tensors are the input embedding (`model.embed_tokens.weight`,
///   `transformer.wte.weight`) and `lm_head.weight` when present (tied checkpoints have none),
///   `[rows, hidden]` with `rows` = config `vocab_size` ≥ the base tokenizer's size `B`.
/// - Rows `0 ..< B` are copied byte for byte; every other tensor too.
/// - `--init mean` (Swallow's): the row of new piece `id` (`B ≤ id < T`) is the mean of the base
///   rows of the ids the base model gives the piece's text with its dummy prefix turned off (byte
///   fallback included), summed in float64, divided, rounded to float32 and then to the tensor's
///   dtype (round to nearest even), as `torch.tensor(float64).to(float32).to(dtype)`.
/// - The new row count is `T` rounded up to a multiple of `padToMultipleOf`; rows `T ..<` (no
///   piece maps to them) are the mean of all base rows, computed the same way. Rows the input had
///   beyond `B` (its own padding) are not kept.
/// - `config.json`'s `vocab_size` becomes the new row count; the index's `total_size` is updated;
///   the extended tokenizer's files replace the input's; other files are copied.
public struct EmbeddingResize: Sendable {
    public enum Initialization: String, Sendable, CaseIterable {
        case mean
    }

    public struct Summary: Sendable {
        public var baseSize: Int
        public var extendedSize: Int
        public var oldRows: Int
        public var newRows: Int
        public var resized: [String]
        public var files: [String]

        public var text: String {
            "resized \(resized.joined(separator: ", ")): \(oldRows) → \(newRows) rows (base tokenizer \(baseSize), extended \(extendedSize); "
                + "\(extendedSize - baseSize) rows initialised as means, \(newRows - extendedSize) padding rows)\n"
                + files.map { "wrote \($0)" }.joined(separator: "\n")
        }
    }

    static let resizable = ["model.embed_tokens.weight", "transformer.wte.weight", "lm_head.weight"]
    static let tokenizerFiles = ["tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    public static func run(checkpoint: String, baseTokenizer: String, tokenizer: String, output: String,
                           padToMultipleOf: Int = 1, initialization: Initialization = .mean) throws(VocabError) -> Summary {
        let directory: CheckpointDirectory
        do { directory = try CheckpointDirectory(path: checkpoint) } catch { throw .checkpoint(error) }
        let base: SentencePieceModelFile
        let extended: SentencePieceModelFile
        do { base = try SentencePieceModelFile(contentsOf: baseTokenizer) } catch { throw .model(path: baseTokenizer, error) }
        do { extended = try SentencePieceModelFile(contentsOf: tokenizer) } catch { throw .model(path: tokenizer, error) }
        let (b, t) = (base.pieceCount, extended.pieceCount)
        guard t > b else { throw .notAnExtension(base: baseTokenizer, extended: tokenizer, reason: "it has \(t) pieces, the base \(b)") }
        for id in 0..<b where base.piece(id) != extended.piece(id) || base.types[id] != extended.types[id] {
            throw .notAnExtension(base: baseTokenizer, extended: tokenizer, reason: "piece \(id) differs")
        }
        guard padToMultipleOf >= 1 else { throw .checkpointMismatch(path: checkpoint, reason: "the row multiple must be at least 1") }
        let newRows = (t + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf

        let targets = resizable.compactMap { directory.tensors.byName[$0] }
        guard !targets.isEmpty else {
            throw .checkpointMismatch(path: checkpoint, reason: "no embedding tensor (\(resizable.joined(separator: ", ")))")
        }
        let oldRows = targets[0].shape.first ?? 0
        for tensor in targets {
            guard tensor.shape.count == 2, tensor.shape[0] == oldRows else {
                throw .checkpointMismatch(path: checkpoint, reason: "\(tensor.name) has shape \(tensor.shape); the vocabulary tensors must be [rows, hidden] with equal rows")
            }
            guard [.bf16, .f16, .f32].contains(tensor.dtype) else {
                throw .checkpointMismatch(path: checkpoint, reason: "\(tensor.name) is \(tensor.dtype); only BF16, F16 and F32 rows can be averaged")
            }
        }
        guard oldRows >= b else {
            throw .checkpointMismatch(path: checkpoint, reason: "\(targets[0].name) has \(oldRows) rows, fewer than the base tokenizer's \(b) pieces (wrong base tokenizer?)")
        }

        // Ids of each new piece's text under the base model without its dummy prefix.
        var noPrefix = base
        noPrefix.normalizerSpec.addDummyPrefix = false
        let sources: [[Int32]] = try VocabError.mapping {
            let encoder = try Tokenizer.sentencePiece(file: noPrefix, path: baseTokenizer)
            return try (b..<t).map { id in
                let ids = try encoder.encode(String(decoding: extended.piece(id), as: UTF8.self))
                guard !ids.isEmpty else { throw VocabError.notAnExtension(base: baseTokenizer, extended: tokenizer, reason: "piece \(id) encodes to nothing") }
                return ids
            }
        }

        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw .system(SystemError(path: output, operation: "mkdir", code: EIO))
        }
        var written: [String] = []
        let targetNames = Set(targets.map(\.name))
        for file in directory.tensors.files {
            let name = (file.path as NSString).lastPathComponent
            let destination = (output as NSString).appendingPathComponent(name)
            try rewrite(file, to: destination, targets: targetNames, baseRows: b, sources: sources, newRows: newRows)
            written.append(destination)
        }
        try copyOtherFiles(from: checkpoint, tokenizer: tokenizer, to: output, newRows: newRows,
                           tensorFiles: Set(directory.tensors.files.map { ($0.path as NSString).lastPathComponent }), written: &written)
        return Summary(baseSize: b, extendedSize: t, oldRows: oldRows, newRows: newRows, resized: targets.map(\.name), files: written)
    }

    private static func rewrite(_ file: SafetensorsFile, to destination: String, targets: Set<String>, baseRows: Int,
                                sources: [[Int32]], newRows: Int) throws(VocabError) {
        let mapped: MappedFile
        do { mapped = try MappedFile(path: file.path) } catch { throw .system(error) }
        let entries = file.tensors.map { tensor in
            SafetensorsWriter.Entry(name: tensor.name, dtype: tensor.dtype,
                                    shape: targets.contains(tensor.name) ? [newRows, tensor.shape[1]] : tensor.shape)
        }
        var writer: SafetensorsWriter
        do { writer = try SafetensorsWriter(path: destination, entries: entries, metadata: file.metadata) } catch { throw .checkpoint(error) }
        do {
            for tensor in file.tensors {
                let data = UnsafeRawBufferPointer(rebasing: mapped.bytes[tensor.byteRange])
                guard targets.contains(tensor.name) else {
                    try copy(data, to: &writer)
                    continue
                }
                let hidden = tensor.shape[1]
                let rowBytes = hidden * tensor.dtype.itemSize
                try copy(UnsafeRawBufferPointer(rebasing: data[0..<(baseRows * rowBytes)]), to: &writer)
                var sum = [Double](repeating: 0, count: hidden)
                var row = [UInt8](repeating: 0, count: rowBytes)
                for ids in sources {
                    for index in 0..<hidden { sum[index] = 0 }
                    for id in ids {
                        let start = Int(id) * rowBytes
                        for index in 0..<hidden { sum[index] += Double(element(data, start, index, tensor.dtype)) }
                    }
                    for index in 0..<hidden { store(Float(sum[index] / Double(ids.count)), into: &row, index, tensor.dtype) }
                    try writer.write(row)
                }
                if baseRows + sources.count < newRows {
                    // Padding rows: the mean of all base rows (as HF's resize does on average;
                    // zero rows would read as dead rows to `compat model`).
                    for index in 0..<hidden { sum[index] = 0 }
                    for id in 0..<baseRows {
                        for index in 0..<hidden { sum[index] += Double(element(data, id * rowBytes, index, tensor.dtype)) }
                    }
                    for index in 0..<hidden { store(Float(sum[index] / Double(baseRows)), into: &row, index, tensor.dtype) }
                    for _ in (baseRows + sources.count)..<newRows { try writer.write(row) }
                }
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw .checkpoint(error)
        }
    }

    private static func copy(_ data: UnsafeRawBufferPointer, to writer: inout SafetensorsWriter) throws(CheckpointError) {
        // 64 MiB at a time: the mapping's pages are read in as the write goes.
        var offset = 0
        while offset < data.count {
            let end = min(offset + (64 << 20), data.count)
            try writer.write(UnsafeRawBufferPointer(rebasing: data[offset..<end]))
            offset = end
        }
    }

    static func element(_ data: UnsafeRawBufferPointer, _ rowStart: Int, _ index: Int, _ dtype: SafetensorsDType) -> Float {
        switch dtype {
        case .bf16:
            let bits = UInt16(littleEndian: data.loadUnaligned(fromByteOffset: rowStart + 2 * index, as: UInt16.self))
            return Float(bitPattern: UInt32(bits) << 16)
        case .f16:
            return Float(Float16(bitPattern: UInt16(littleEndian: data.loadUnaligned(fromByteOffset: rowStart + 2 * index, as: UInt16.self))))
        default:
            return Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: rowStart + 4 * index, as: UInt32.self)))
        }
    }

    static func store(_ value: Float, into row: inout [UInt8], _ index: Int, _ dtype: SafetensorsDType) {
        switch dtype {
        case .bf16:
            let bits = value.bitPattern
            // Round to nearest even, as torch's float → bfloat16 (NaN kept quiet).
            let rounded: UInt16 = value.isNaN ? 0x7FC0 : UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
            row[2 * index] = UInt8(rounded & 0xFF)
            row[2 * index + 1] = UInt8(rounded >> 8)
        case .f16:
            let bits = Float16(value).bitPattern
            row[2 * index] = UInt8(bits & 0xFF)
            row[2 * index + 1] = UInt8(bits >> 8)
        default:
            let bits = value.bitPattern
            for k in 0..<4 { row[4 * index + k] = UInt8((bits >> (8 * k)) & 0xFF) }
        }
    }

    private static func copyOtherFiles(from checkpoint: String, tokenizer: String, to output: String, newRows: Int,
                                       tensorFiles: Set<String>, written: inout [String]) throws(VocabError) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: checkpoint)) ?? []).sorted()
        func path(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        try VocabError.mapping {
            for name in names where !tensorFiles.contains(name) && !tokenizerFiles.contains(name) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path(checkpoint, name), isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                guard let data = FileManager.default.contents(atPath: path(checkpoint, name)) else {
                    throw VocabError.checkpoint(.unreadable(path: path(checkpoint, name), reason: "cannot read"))
                }
                var bytes = [UInt8](data)
                if name == "config.json" {
                    bytes = try replacingVocabSize(in: bytes, with: newRows, path: path(checkpoint, name))
                } else if name == "model.safetensors.index.json" {
                    bytes = try updatingTotalSize(bytes, output: output, path: path(checkpoint, name))
                }
                try AtomicFile.write(bytes, to: path(output, name))
                written.append(path(output, name))
            }
            let tokenizerDirectory = (tokenizer as NSString).deletingLastPathComponent
            for name in tokenizerFiles {
                let source = name == "tokenizer.model" ? tokenizer : path(tokenizerDirectory, name)
                guard let data = FileManager.default.contents(atPath: source) else { continue }
                try AtomicFile.write([UInt8](data), to: path(output, name))
                written.append(path(output, name))
            }
        }
    }

    /// config.json with its one `"vocab_size": N` changed in place (the rest byte for byte).
    static func replacingVocabSize(in bytes: [UInt8], with rows: Int, path: String) throws(VocabError) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        let pattern = try! NSRegularExpression(pattern: #""vocab_size"\s*:\s*[0-9]+"#)
        let matches = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
        guard matches.count == 1, let range = Range(matches[0].range, in: text) else {
            throw .checkpointMismatch(path: path, reason: "expected one \"vocab_size\" entry, found \(matches.count)")
        }
        return Array(text.replacingCharacters(in: range, with: "\"vocab_size\": \(rows)").utf8)
    }

    /// model.safetensors.index.json with `metadata.total_size` set to the written shards' tensor bytes.
    static func updatingTotalSize(_ bytes: [UInt8], output: String, path: String) throws(VocabError) -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let weightMap = object["weight_map"] as? [String: String] else {
            throw .checkpointMismatch(path: path, reason: "not an index with a weight_map")
        }
        var total = 0
        for shard in Set(weightMap.values) {
            do {
                let file = try SafetensorsFile(path: (output as NSString).appendingPathComponent(shard))
                total += file.tensors.reduce(0) { $0 + $1.byteRange.count }
            } catch {
                throw .checkpoint(error)
            }
        }
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        metadata["total_size"] = total
        object["metadata"] = metadata
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else {
            throw .checkpointMismatch(path: path, reason: "cannot write the index")
        }
        return [UInt8](data)
    }
}
