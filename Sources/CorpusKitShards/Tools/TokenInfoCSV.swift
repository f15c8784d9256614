#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// The `--output-result-total-token-info` file of llm-jp's `preprocess_data.py`: one line appended per run,
/// `{input},{output_prefix}_{key}_document,{tokens}` and a newline — no header, no quoting
/// (as in the files the fork commits under `scripts/mdx/tokenize/`).
public enum TokenInfoCSV {
    /// One line, newline included.
    public static func line(input: String, datasetPrefix: String, tokens: Int) -> String {
        "\(input),\(datasetPrefix),\(tokens)\n"
    }

    /// Appends `line` to `path` (created if missing), like Python's `open(path, 'a').write(line)`.
    public static func append(_ line: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw ShardError.io(path: path, operation: "open for append", errno: errno) }
        var failure: Error?
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            do {
                if let base = buffer.baseAddress { try ShardError.system { try POSIXFile.writeAll(fd, base, buffer.count, path: path) } }
            } catch { failure = error }
        }
        try ShardError.system { try POSIXFile.close(fd, path: path) }
        if let failure { throw failure }
    }
}
