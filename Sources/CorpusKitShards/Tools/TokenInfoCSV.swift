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
        try ShardError.system {
            let fd = try POSIXFile.openForAppending(path)
            var failure: Error?
            do { try Array(line.utf8).withUnsafeBytes { try POSIXFile.writeAll(fd, $0, path: path) } } catch { failure = error }
            try POSIXFile.close(fd, path: path)
            if let failure { throw failure }
        }
    }
}
