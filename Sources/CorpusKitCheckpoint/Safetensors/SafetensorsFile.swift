import Foundation

/// The header of one `.safetensors` file, parsed and validated without reading any tensor data.
///
/// Layout: an 8-byte little-endian header length `N`, `N` bytes of JSON (an object mapping tensor
/// names to `{"dtype", "shape", "data_offsets": [begin, end]}`, plus an optional `__metadata__`
/// string map), then the data section. Validation follows the reference implementation
/// (huggingface/safetensors): `N` at most 100,000,000; every dtype known; `end - begin` equal to the
/// shape's element count × item size; and, in offset order, the tensors tile the data section
/// exactly — a tensor that starts before the previous one ends overlaps it, a gap or trailing bytes
/// are reported as well, and an end beyond the file means a truncated file.
public struct SafetensorsFile: Sendable {
    /// The reference implementation's limit on the header length.
    public static let maximumHeaderLength = 100_000_000

    /// The file.
    public let path: String
    /// `N`, the JSON header's length in bytes.
    public let headerLength: Int
    /// Offset of the data section in the file (`8 + N`).
    public var dataStart: Int { 8 + headerLength }
    /// Size of the whole file.
    public let fileSize: Int
    /// The tensors, in data-offset order.
    public let tensors: [TensorInfo]
    /// The `__metadata__` map (e.g. `{"format": "pt"}`).
    public let metadata: [String: String]

    /// Reads and validates the header of `path`.
    public init(path: String) throws(CheckpointError) {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        defer { try? handle.close() }
        let size: Int
        do {
            size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        fileSize = size
        func fail(_ offset: Int, _ reason: String) -> CheckpointError { .malformedSafetensors(path: path, offset: offset, reason: reason) }
        guard size >= 8 else { throw fail(0, "truncated: \(size) bytes, fewer than the 8-byte header length") }
        let lengthBytes: Data
        do { lengthBytes = try handle.read(upToCount: 8) ?? Data() } catch { throw .unreadable(path: path, reason: error.localizedDescription) }
        guard lengthBytes.count == 8 else { throw fail(0, "truncated while reading the header length") }
        let length = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length > 0, length <= UInt64(Self.maximumHeaderLength) else {
            throw fail(0, "header length \(length) is not in 1...\(Self.maximumHeaderLength) (not a safetensors file?)")
        }
        let n = Int(length)
        guard n <= size - 8 else {
            throw fail(8, "truncated: the header length says \(n) bytes but only \(size - 8) follow")
        }
        headerLength = n
        let headerData: Data
        do { headerData = try handle.read(upToCount: n) ?? Data() } catch { throw .unreadable(path: path, reason: error.localizedDescription) }
        guard headerData.count == n else { throw fail(8, "truncated while reading the \(n)-byte header") }
        guard headerData.first == UInt8(ascii: "{") else { throw fail(8, "the header does not start with '{'") }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
                throw fail(8, "the header is not a JSON object")
            }
            object = parsed
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw fail(8, "the header is not valid JSON (\(error.localizedDescription))")
        }

        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        let dataSize = size - 8 - n
        for name in object.keys.sorted() {
            let value = object[name]!
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail(8, "__metadata__ is not an object") }
                for (key, item) in map {
                    guard let text = item as? String else { throw fail(8, "__metadata__[\(key)] is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let entry = value as? [String: Any] else { throw fail(8, "tensor \(name): not an object") }
            guard let dtypeName = entry["dtype"] as? String else { throw fail(8, "tensor \(name): no dtype") }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw fail(8, "tensor \(name): unknown dtype \(dtypeName)") }
            guard let shapeValues = entry["shape"] as? [Any] else { throw fail(8, "tensor \(name): no shape") }
            var shape: [Int] = []
            for dimension in shapeValues {
                guard let d = Self.integer(dimension), d >= 0 else { throw fail(8, "tensor \(name): shape \(shapeValues) is not a list of non-negative integers") }
                shape.append(d)
            }
            guard let offsets = entry["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = Self.integer(offsets[0]), let end = Self.integer(offsets[1]), begin >= 0, begin <= end else {
                throw fail(8, "tensor \(name): data_offsets must be [begin, end] with 0 <= begin <= end")
            }
            var bytes = dtype.itemSize
            for d in shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail(8, "tensor \(name): shape \(shape) overflows") }
                bytes = product
            }
            guard end - begin == bytes else {
                throw fail(8, "tensor \(name): data_offsets [\(begin), \(end)] hold \(end - begin) bytes, but \(dtype) \(shape) needs \(bytes)")
            }
            guard end <= dataSize else {
                throw fail(8 + n + begin, "tensor \(name): data_offsets [\(begin), \(end)] run past the end of the \(dataSize)-byte data section (truncated file?)")
            }
            tensors.append(TensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end, file: path,
                                      byteRange: (8 + n + begin)..<(8 + n + end)))
        }
        tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name) }
        var position = 0
        var previous: TensorInfo?
        for tensor in tensors {
            if tensor.dataOffsets.lowerBound < position, let previous {
                throw fail(8 + n + tensor.dataOffsets.lowerBound,
                           "tensor \(tensor.name) [\(tensor.dataOffsets.lowerBound), \(tensor.dataOffsets.upperBound)] overlaps \(previous.name) [\(previous.dataOffsets.lowerBound), \(previous.dataOffsets.upperBound)]")
            }
            if tensor.dataOffsets.lowerBound > position {
                throw fail(8 + n + position, "bytes [\(position), \(tensor.dataOffsets.lowerBound)) of the data section belong to no tensor")
            }
            position = tensor.dataOffsets.upperBound
            previous = tensor
        }
        guard position == dataSize else {
            throw fail(8 + n + position, "\(dataSize - position) bytes after the last tensor belong to no tensor")
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// A JSON integer (JSONSerialization gives NSNumber; a float such as 1.5 is refused).
    static func integer(_ value: Any) -> Int? {
        if let int = value as? Int { return int }
        if let double = value as? Double, double == double.rounded(), abs(double) < 9e15 { return Int(double) }
        return nil
    }
}
