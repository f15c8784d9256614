import CorpusKitSystem

/// Writes one `.safetensors` file tensor by tensor, so a checkpoint can be rewritten without ever
/// holding more than the caller's buffers: the header (``SafetensorsFile``'s layout, padded with
/// spaces to a multiple of 8 bytes as the reference writer does) is written first from the planned
/// tensors, then their data in that order. The file appears under its name only when
/// ``finish()`` finds every planned byte written.
public struct SafetensorsWriter {
    /// A tensor to be written: its data follows the previous one's.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name.
        public var name: String
        /// Its dtype.
        public var dtype: SafetensorsDType
        /// Its shape.
        public var shape: [Int]
        /// An entry.
        public init(name: String, dtype: SafetensorsDType, shape: [Int]) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
        }
        /// Bytes of its data.
        public var byteCount: Int { shape.reduce(dtype.itemSize, *) }
    }

    /// The file's final name.
    public let path: String
    private let fd: Int32
    private let temporary: String
    private let expectedDataBytes: Int
    private var writtenDataBytes = 0

    /// Creates the temporary file and writes the header for `entries` (in data order).
    public init(path: String, entries: [Entry], metadata: [String: String]) throws(CheckpointError) {
        self.path = path
        let header = Self.header(entries: entries, metadata: metadata)
        do {
            (fd, temporary) = try AtomicFile.createTemporary(for: path)
        } catch {
            throw .unreadable(path: path, reason: "cannot create: \(error)")
        }
        expectedDataBytes = entries.reduce(0) { $0 + $1.byteCount }
        var prefix = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
        prefix += header
        try write(prefix, countsAsData: false)
    }

    /// The header JSON: `__metadata__` first, then each tensor with consecutive `data_offsets`.
    static func header(entries: [Entry], metadata: [String: String]) -> [UInt8] {
        func quoted(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        var members: [String] = []
        if !metadata.isEmpty {
            members.append("\"__metadata__\":{" + metadata.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in entries {
            let end = offset + entry.byteCount
            members.append("\(quoted(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(entry.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var bytes = Array(("{" + members.joined(separator: ",") + "}").utf8)
        while bytes.count % 8 != 0 { bytes.append(0x20) }
        return bytes
    }

    /// Appends tensor data.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws(CheckpointError) {
        do {
            try POSIXFile.writeAll(fd, bytes, path: temporary)
        } catch {
            abandon()
            throw .unreadable(path: path, reason: "write failed: \(error)")
        }
        writtenDataBytes += bytes.count
    }

    private mutating func write(_ bytes: [UInt8], countsAsData: Bool) throws(CheckpointError) {
        let before = writtenDataBytes
        let result: Result<Void, CheckpointError> = bytes.withUnsafeBytes { raw in
            do throws(CheckpointError) { try write(raw); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
        if !countsAsData { writtenDataBytes = before }
    }

    /// Appends tensor data from an array.
    public mutating func write(_ bytes: [UInt8]) throws(CheckpointError) {
        try write(bytes, countsAsData: true)
    }

    /// Closes the file and gives it its name; fails (removing it) if the data written does not
    /// match the planned tensors.
    public func finish() throws(CheckpointError) {
        guard writtenDataBytes == expectedDataBytes else {
            abandon()
            throw .malformedSafetensors(path: path, offset: writtenDataBytes, reason: "wrote \(writtenDataBytes) data bytes, the header plans \(expectedDataBytes)")
        }
        do {
            try POSIXFile.close(fd, path: temporary)
            try AtomicFile.publish(temporary, as: path)
        } catch {
            POSIXFile.removeQuietly(temporary)
            throw .unreadable(path: path, reason: "cannot finish: \(error)")
        }
    }

    /// Closes and removes the temporary file.
    public func abandon() {
        try? POSIXFile.close(fd, path: temporary)
        POSIXFile.removeQuietly(temporary)
    }
}
