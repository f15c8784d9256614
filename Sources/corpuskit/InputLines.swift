import CorpusKitReaders

/// The lines of `--input` (any compression CorpusKitReaders reads) or of standard input, with
/// errors that name the input.
struct InputLines {
    /// The file name for messages (`<stdin>` for standard input).
    let displayName: String
    private let reader: LineReader

    init(path: String?) throws {
        displayName = path ?? "<stdin>"
        do { reader = try LineReader(path: path ?? "/dev/stdin") } catch { throw Self.named(error, displayName) }
    }

    /// The next line, valid until the following call; nil at the end.
    func next() throws -> LineReader.Line? {
        do { return try reader.next() } catch { throw Self.named(error, displayName) }
    }

    /// The error as one message that names the input once: stream errors already start with the
    /// path they were opened with (`/dev/stdin` for standard input, shown as `<stdin>`).
    private static func named(_ error: Error, _ displayName: String) -> CLIError {
        let message = "\(error)"
        for prefix in [displayName + ": ", "/dev/stdin: "] where message.hasPrefix(prefix) {
            return CLIError(displayName + ": " + message.dropFirst(prefix.count))
        }
        return CLIError("\(displayName): \(message)")
    }
}
