#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure while opening, reading or decompressing an input file.
///
/// These errors end the stream: nothing after the failure point can be trusted, so unlike
/// ``CorpusReadError`` (one bad line) they are thrown rather than reported per line.
public struct InputStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// A system call (`operation`, e.g. `"open"` or `"read"`) failed with `errno`.
        case io(operation: String, errno: Int32)
        /// The file ended in the middle of a gzip member or a zstd frame.
        case truncated(CompressionFormat)
        /// The compressed data is corrupt, or followed by bytes that are not another member or frame.
        /// `detail` is the decompression library's own message.
        case corrupt(CompressionFormat, detail: String)
        /// The decompressor could not be created (usually out of memory).
        case decoderSetup(CompressionFormat, detail: String)
    }

    /// The file being read.
    public let path: String
    /// The offset in the file (in compressed bytes, i.e. bytes of the file itself) where the
    /// failure was detected.
    public let compressedOffset: Int
    /// What went wrong.
    public let kind: Kind
    // Thrown only by this module's readers: the memberwise initialiser (internal) makes it.

    /// For example `data.jsonl.zst: truncated zstd data at compressed byte offset 1048576`.
    public var description: String {
        switch kind {
        case let .io(operation, code):
            let reason = String(cString: strerror(code))
            return "\(path): \(operation) failed at byte offset \(compressedOffset): \(reason) (errno \(code))"
        case let .truncated(format):
            return "\(path): truncated \(format.rawValue) data at compressed byte offset \(compressedOffset)"
        case let .corrupt(format, detail):
            return "\(path): corrupt \(format.rawValue) data at compressed byte offset \(compressedOffset): \(detail)"
        case let .decoderSetup(format, detail):
            return "\(path): cannot set up the \(format.rawValue) decoder: \(detail)"
        }
    }
}
