import CorpusKitReaders
import CorpusKitTokenizer

/// Why an input line (or the rest of an input file) produced no document.
public enum ProblemKind: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case blankLine = "blank line"
    case invalidUTF8 = "invalid UTF-8"
    case unexpectedBOM = "UTF-8 byte order mark"
    case malformedJSON = "malformed JSON"
    case integerTooLong = "integer too long"
    case nestingTooDeep = "JSON nested too deeply"
    case notAnObject = "not a JSON object"
    case missingKey = "missing key"
    case notAString = "value not a string"
    case loneSurrogate = "lone surrogate escape"
    case tokenizerError = "tokenizer error"
    /// A truncated or corrupt compressed file, or a read error: the rest of that file is unusable.
    case unreadableInput = "unreadable input (rest of file skipped)"

    public var description: String { rawValue }

    public static func < (lhs: ProblemKind, rhs: ProblemKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The kind of a JSON line error.
    public init(_ error: JSONLineError) {
        switch error {
        case .invalidUTF8: self = .invalidUTF8
        case .unexpectedBOM: self = .unexpectedBOM
        case .malformedJSON: self = .malformedJSON
        case .integerTooLong: self = .integerTooLong
        case .nestingTooDeep: self = .nestingTooDeep
        case .notAnObject: self = .notAnObject
        case .missingKey: self = .missingKey
        case .notAString: self = .notAString
        case .loneSurrogate: self = .loneSurrogate
        }
    }
}

/// One input line that could not become a document, or an input file that could not be read to
/// its end, with where it happened.
public struct LineProblem: Sendable, Equatable, CustomStringConvertible {
    /// The input file.
    public let path: String
    /// The 1-based line number; for ``ProblemKind/unreadableInput`` the number of the last
    /// complete line read before the failure (0 when none).
    public let lineNumber: Int
    /// Offset of the line in the decompressed stream; for ``ProblemKind/unreadableInput`` the
    /// offset in the (compressed) file where reading failed.
    public let byteOffset: Int
    /// The category, used for counting.
    public let kind: ProblemKind
    /// The specific message, without the location.
    public let detail: String
    // Made only by the pipeline (the memberwise initialiser, internal, and the one below).

    /// The same problem with `count` more lines before it in its file: problems found inside a
    /// batch are numbered from the batch's start, and the in-order writer, which knows how many
    /// lines of the file came before, makes the numbers absolute.
    func addingLines(_ count: Int) -> LineProblem {
        LineProblem(path: path, lineNumber: lineNumber + count, byteOffset: byteOffset, kind: kind, detail: detail)
    }

    /// `file:line` (or the file and compressed offset for unreadable input).
    public var location: String {
        kind == .unreadableInput ? "\(path) (compressed byte offset \(byteOffset))" : "\(path):\(lineNumber)"
    }

    /// For example `data.jsonl:12 (byte offset 3456): missing key "text"`, or
    /// `data.jsonl.zst: truncated zstd data at compressed byte offset 1048576 (after line 812)`.
    public var description: String {
        if kind == .unreadableInput {
            return "\(detail) (after line \(lineNumber))"
        }
        return "\(path):\(lineNumber) (byte offset \(byteOffset)): \(detail)"
    }
}

extension LineProblem {
    /// A file that could not be read (on), numbered as if no line had been read before it
    /// (see ``addingLines(_:)``).
    init(_ error: InputStreamError) {
        self.init(path: error.path, lineNumber: 0, byteOffset: error.compressedOffset,
                  kind: .unreadableInput, detail: error.description)
    }
}
