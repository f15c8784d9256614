#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the manifest remembers of an input file to notice that it changed: its size and the
/// SHA-256 of its first and last MiB (the whole file when it is at most 2 MiB).
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

    /// Reads the fingerprint of `path`.
    /// - Throws: ``LaunchError/input(_:)`` naming the file when it cannot be read.
    public static func of(path: String) throws(LaunchError) -> FileFingerprint {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .input("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .input("cannot stat \(path): \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size)
        let span = min(size, spanBytes)
        let first = try read(fd: fd, offset: 0, count: span, path: path)
        let last = size <= spanBytes ? first : try read(fd: fd, offset: size - span, count: span, path: path)
        return FileFingerprint(size: size, firstMiBSHA256: SHA256.hex(first), lastMiBSHA256: SHA256.hex(last))
    }

    /// What differs from `other`, in words, or `nil` when they are equal.
    public func difference(from other: FileFingerprint) -> String? {
        if size != other.size { return "its size changed from \(other.size) to \(size) bytes" }
        if firstMiBSHA256 != other.firstMiBSHA256 { return "its first MiB changed (SHA-256 \(other.firstMiBSHA256.prefix(12))… → \(firstMiBSHA256.prefix(12))…)" }
        if lastMiBSHA256 != other.lastMiBSHA256 { return "its last MiB changed (SHA-256 \(other.lastMiBSHA256.prefix(12))… → \(lastMiBSHA256.prefix(12))…)" }
        return nil
    }

    private static func read(fd: Int32, offset: Int, count: Int, path: String) throws(LaunchError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw .input("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if got == 0 { throw .input("\(path) shrank while being read") }
            done += got
        }
        return bytes
    }
}

/// SHA-256 of a whole file (the tokenizer model).
public enum FileDigest {
    /// The hex SHA-256 of the file at `path`.
    public static func sha256(path: String) throws(LaunchError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .input("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var digest = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .input("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            digest.update(buffer[0..<got])
        }
        return digest.finalizeHex()
    }
}
