import Foundation
import CorpusKitSystem

/// Small helpers the writers share: JSON strings, CSV fields, fixed decimals.
enum TextFormatting {
    /// A JSON string literal (RFC 8259 escapes; non-ASCII kept as UTF-8).
    static func json(_ string: String) -> String { TextFormat.jsonString(string) }

    /// A JSON number for a double: the shortest representation that reads back to the same value
    /// (Python's `repr`), `null` when not finite.
    static func json(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return "\(value)"
    }

    /// A CSV field, quoted only when needed (RFC 4180).
    static func csv(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A Markdown table cell (pipes escaped).
    static func markdown(_ cell: String) -> String {
        cell.replacingOccurrences(of: "|", with: "\\|")
    }

    /// `value` with `digits` decimals, or `-` when absent.
    static func fixed(_ value: Double?, _ digits: Int) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.\(digits)f", value)
    }

    /// An integer with thousands separators: `1,234,567`.
    static func grouped(_ value: Int) -> String { TextFormat.grouped(value) }
}
