/// A sequential source of bytes read into a caller's buffer: ``RawFileReader`` (the file's raw
/// bytes) and ``DecompressingReader`` (its decompressed bytes).
public protocol ByteChunkSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`.
    /// - Returns: the number of bytes written; 0 only at the end of the data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputStreamError) -> Int
}

extension ByteChunkSource {
    /// Calls `body` with successive chunks of the rest of the data, each valid only during the call.
    /// - Parameter bufferSize: the chunk buffer size (1 MiB by default).
    public func forEachChunk(
        bufferSize: Int = DecompressingReader.defaultBufferSize, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 1), alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try read(into: buffer)
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
