import CorpusKitReaders

/// The lines of `--input` (any compression CorpusKitReaders reads) or of standard input, with
/// errors that name the input.
struct InputLines {
    /// The file name for messages (`<stdin>` for standard input).
    let displayName: String
    private let reader: LineReader

    init(path: String?) throws {
        displayName = path ?? "<stdin>"
        do { reader = try LineReader(path: path ?? "/dev/stdin") } catch { throw CLIError("\(displayName): \(error)") }
    }

    /// The next line, valid until the following call; nil at the end.
    func next() throws -> LineReader.Line? {
        do { return try reader.next() } catch { throw CLIError("\(displayName): \(error)") }
    }
}
