#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to standard error (messages, progress lines), unbuffered and whole.
public enum StandardError {
    /// Writes `text` to standard error; failures (a closed stderr) are ignored, since there is
    /// nowhere left to report them.
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            try? POSIXFile.writeAll(STDERR_FILENO, UnsafeRawBufferPointer(bytes), path: "<stderr>")
        }
    }

    /// Whether standard error is a terminal (progress bars are drawn only then).
    public static var isTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
