#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed on a file, with its `errno`.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the call was about.
    public var path: String
    /// What was attempted (`open`, `write`, `mmap`, `rename from …`).
    public var operation: String
    /// The `errno` value.
    public var code: Int32

    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// `strerror` text of `code`.
    public var message: String { systemErrorMessage(code) }

    public var description: String { "\(path): \(operation) failed: \(message) (errno \(code))" }
}

/// `strerror` text for an errno value.
public func systemErrorMessage(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "error \(code)" }
    return String(cString: message)
}

/// Whether this machine stores integers little-endian (the file formats CorpusKit reads are).
public let hostIsLittleEndian: Bool = 1.littleEndian == 1
