/// The type of a JSON value, for error messages.
public enum JSONValueKind: String, Sendable, Equatable {
    case object, array, string, number, boolean, null
}

/// A JSON syntax error, named after the message CPython's `json` module gives for it.
public enum JSONSyntaxProblem: String, Sendable, Equatable, CaseIterable {
    /// Python: "Expecting value".
    case expectedValue = "expected a value"
    /// Python: "Expecting property name enclosed in double quotes".
    case expectedPropertyName = "expected a property name in double quotes"
    /// Python: "Expecting ':' delimiter".
    case expectedColon = "expected ':'"
    /// Python: "Expecting ',' delimiter".
    case expectedComma = "expected ',' or a closing bracket"
    /// Python: "Unterminated string starting at".
    case unterminatedString = "unterminated string"
    /// Python: "Invalid control character at" (a raw byte below 0x20 inside a string).
    case controlCharacterInString = "control character inside a string"
    /// Python: "Invalid \\escape".
    case invalidEscape = "invalid backslash escape"
    /// Python: "Invalid \\uXXXX escape".
    case invalidUnicodeEscape = "invalid \\uXXXX escape"
    /// Python: "Extra data".
    case extraData = "extra data after the JSON value"
    /// Not a `json.loads` error: a lone `"\r"` between tokens, where Python's universal newlines
    /// would have split the line (see ``JSONExtractionOptions/rejectsCarriageReturnOutsideStrings``).
    case carriageReturnOutsideString = "carriage return outside a string (Python would split the line here)"
}

/// Why one line could not be turned into the requested text fields.
public enum JSONLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line is not valid UTF-8; `byteOffset` (0-based, within the line) is where the first
    /// invalid sequence starts. Python fails decoding the file in this case.
    case invalidUTF8(byteOffset: Int)
    /// The line starts with a UTF-8 byte order mark (Python: "Unexpected UTF-8 BOM").
    case unexpectedBOM
    /// The line is not valid JSON. `column` is the 1-based byte column.
    case malformedJSON(column: Int, problem: JSONSyntaxProblem)
    /// An integer literal has more digits than Python converts by default (4300, see
    /// `sys.get_int_max_str_digits()`); Python raises `ValueError`.
    case integerTooLong(column: Int, digits: Int)
    /// Containers are nested deeper than ``JSONExtractionOptions/maximumNestingDepth``.
    case nestingTooDeep(column: Int, limit: Int)
    /// The line is valid JSON but not an object.
    case notAnObject(JSONValueKind)
    /// The object has no top-level member with this key.
    case missingKey(String)
    /// The key's value is not a string.
    case notAString(key: String, kind: JSONValueKind)
    /// The key's string value contains a `\uXXXX` escape of an unpaired surrogate, which Python
    /// accepts but which cannot be encoded as UTF-8 for tokenization. `column` is the escape's
    /// 1-based byte column.
    case loneSurrogate(key: String, codeUnit: UInt16, column: Int)

    /// A one-line human-readable message, e.g. `malformed JSON at column 17: expected ':'`.
    public var description: String {
        switch self {
        case let .invalidUTF8(offset):
            return "invalid UTF-8 at byte \(offset)"
        case .unexpectedBOM:
            return "unexpected UTF-8 BOM at the start of the line"
        case let .malformedJSON(column, problem):
            return "malformed JSON at column \(column): \(problem.rawValue)"
        case let .integerTooLong(column, digits):
            return "integer at column \(column) has \(digits) digits, more than Python's limit"
        case let .nestingTooDeep(column, limit):
            return "JSON nested deeper than \(limit) levels at column \(column)"
        case let .notAnObject(kind):
            return "top-level JSON value is \(kind.article), not an object"
        case let .missingKey(key):
            return "missing key \"\(key)\""
        case let .notAString(key, kind):
            return "value of \"\(key)\" is \(kind.article), not a string"
        case let .loneSurrogate(key, codeUnit, column):
            let hex = String(codeUnit, radix: 16)
            return "lone surrogate \\u\(String(repeating: "0", count: 4 - hex.count))\(hex) at column \(column) in \"\(key)\""
        }
    }
}

extension JSONValueKind {
    /// "an object", "a number", … for messages.
    var article: String {
        switch self {
        case .object, .array: return "an \(rawValue)"
        case .boolean: return "a boolean"
        case .null: return "null"
        default: return "a \(rawValue)"
        }
    }
}
