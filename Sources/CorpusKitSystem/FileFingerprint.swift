#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto

/// What CorpusKit remembers of an input file to notice that it changed: its size and the SHA-256 of
/// its first and last MiB (the whole file when it is at most 2 MiB). `launch`'s manifest and every
/// dataset's provenance record (`CorpusKitShards.DatasetProvenance`) use this one fingerprint.
///
/// Reading two MiB per file keeps planning a 10–20 TB corpus cheap, while any append, truncation,
/// recompression or rewrite of a file's head or tail changes the fingerprint.
public struct FileFingerprint: Codable, Sendable, Equatable {
    /// The file's size in bytes.
    public var size: Int
    /// SHA-256 of the first `min(size, 1 MiB)` bytes.
    public var firstMiBSHA256: String
    /// SHA-256 of the last `min(size, 1 MiB)` bytes.
    public var lastMiBSHA256: String

    /// The span hashed at each end.
    public static let spanBytes = 1 << 20

    /// A fingerprint from its parts.
    public init(size: Int, firstMiBSHA256: String, lastMiBSHA256: String) {
        self.size = size
        self.firstMiBSHA256 = firstMiBSHA256
        self.lastMiBSHA256 = lastMiBSHA256
    }

    /// Reads the fingerprint of `path`.
    /// - Throws: ``SystemError`` naming the file when it cannot be read.
    public static func of(path: String) throws(SystemError) -> FileFingerprint {
        let fd = try POSIXFile.openForReading(path)
        defer { close(fd) }
        let size = try POSIXFile.size(of: fd, path: path)
        let span = min(size, spanBytes)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileDigest.pieceBytes, alignment: 16)
        defer { buffer.deallocate() }
        let first = try FileDigest.sha256(fd, offset: 0, count: span, path: path, buffer: buffer)
        let last = size <= spanBytes ? first : try FileDigest.sha256(fd, offset: size - span, count: span, path: path, buffer: buffer)
        return FileFingerprint(size: size, firstMiBSHA256: first, lastMiBSHA256: last)
    }

    /// What differs from `other` (the earlier fingerprint), in words, or `nil` when they are equal.
    public func difference(from other: FileFingerprint) -> String? {
        if size != other.size { return "its size changed from \(other.size) to \(size) bytes" }
        if firstMiBSHA256 != other.firstMiBSHA256 { return "its first MiB changed (SHA-256 \(other.firstMiBSHA256.prefix(12))… → \(firstMiBSHA256.prefix(12))…)" }
        if lastMiBSHA256 != other.lastMiBSHA256 { return "its last MiB changed (SHA-256 \(other.lastMiBSHA256.prefix(12))… → \(lastMiBSHA256.prefix(12))…)" }
        return nil
    }
}

/// SHA-256 digests (swift-crypto: Foundation on Linux has no digest API), as 64 lowercase hex digits.
public enum FileDigest {
    /// Files are hashed in pieces of this size through one buffer: `corpuskit tokenize`
    /// fingerprints its inputs and hashes its tokenizer before it starts, on the path every run
    /// waits for, and the three zeroed 1 MiB arrays this used to take were 770 page faults and
    /// a memset (perf) for no gain in hashing speed.
    static let pieceBytes = 64 << 10

    /// The hex SHA-256 of the whole file at `path` (a tokenizer model).
    public static func sha256(path: String) throws(SystemError) -> String {
        let fd = try POSIXFile.openForReading(path)
        defer { close(fd) }
        var digest = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceBytes, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let got = read(fd, buffer.baseAddress!, buffer.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemError(path: path, operation: "read", code: errno)
            }
            if got == 0 { break }
            digest.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<got]))
        }
        return hex(digest.finalize())
    }

    /// The hex SHA-256 of the `count` bytes at `offset` of the open file `fd`, read through `buffer`.
    static func sha256(
        _ fd: Int32, offset: Int, count: Int, path: String, buffer: UnsafeMutableRawBufferPointer
    ) throws(SystemError) -> String {
        var digest = SHA256()
        var done = 0
        while done < count {
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, count - done)])
            try POSIXFile.read(fd, offset: offset + done, into: piece, path: path)
            digest.update(bufferPointer: UnsafeRawBufferPointer(piece))
            done += piece.count
        }
        return hex(digest.finalize())
    }

    /// The hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = SHA256()
        bytes.withUnsafeBytes { digest.update(bufferPointer: $0) }
        return hex(digest.finalize())
    }

    /// The hex SHA-256 of `text`'s UTF-8 bytes.
    public static func sha256Hex(_ text: String) -> String {
        sha256Hex(Array(text.utf8))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
