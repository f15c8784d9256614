/// Reads the decompressed bytes of one input file, streaming with constant memory.
///
/// The format is detected from the file's magic number, falling back to its name (see
/// ``CompressionFormat``). Errors name the file and the compressed byte offset where reading
/// failed. Not thread-safe: use one reader from one task at a time.
public final class DecompressingReader: ByteChunkSource {
    /// Default size of the compressed-input buffer: 1 MiB.
    public static let defaultBufferSize = 1 << 20

    /// The file being read.
    public let path: String
    /// The detected format.
    public let format: CompressionFormat
    /// The number of decompressed bytes returned so far.
    public private(set) var decompressedBytesRead = 0

    private enum Decoder {
        case plain
        case gzip(GzipDecoder)
        case zstd(ZstdDecoder)
    }

    private let input: CompressedInput
    private let decoder: Decoder

    /// Opens `path` and detects its format.
    /// - Parameters:
    ///   - format: forces a format instead of detecting it.
    ///   - bufferSize: size of the compressed-input buffer.
    public init(
        path: String, format: CompressionFormat? = nil, bufferSize: Int = DecompressingReader.defaultBufferSize
    ) throws(InputStreamError) {
        let input = CompressedInput(file: try RawFileReader(path: path), bufferSize: bufferSize)
        try input.fill(atLeast: CompressionFormat.magicLength)
        let format = format ?? CompressionFormat.resolve(leadingBytes: input.available, path: path)
        switch format {
        case .plain: decoder = .plain
        case .gzip: decoder = .gzip(try GzipDecoder(input: input))
        case .zstd: decoder = .zstd(try ZstdDecoder(input: input))
        }
        self.path = path
        self.format = format
        self.input = input
    }

    /// The number of bytes read from the file so far (compressed bytes), for progress reports.
    public var compressedBytesRead: Int { input.file.bytesRead }

    /// Fills `buffer` with the next decompressed bytes.
    /// - Returns: the number of bytes written; 0 only at the end of the data.
    /// - Throws: ``InputStreamError`` for I/O failures, corrupt or truncated data.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputStreamError) -> Int {
        let count: Int
        switch decoder {
        case .plain:
            // Bytes buffered for format detection come first, then the file is read directly
            // into the caller's buffer without an intermediate copy.
            let drained = input.drain(into: buffer)
            count = drained > 0 ? drained : try input.file.read(into: buffer)
        case let .gzip(decoder):
            count = try decoder.read(into: buffer)
        case let .zstd(decoder):
            count = try decoder.read(into: buffer)
        }
        decompressedBytesRead += count
        return count
    }
}
