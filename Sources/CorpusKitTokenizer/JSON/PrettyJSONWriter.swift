/// A JSON value to write, with object keys in the order given.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    /// A number written verbatim (e.g. Python's 10**30 in transformers' `model_max_length`).
    case literal(String)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.literal(let a), .literal(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: return false
        }
    }
}

/// Writes JSON as serde_json's `PrettyFormatter` does (HF tokenizers' `save(pretty=True)`), which is
/// also Python's `json.dumps(indent=2, ensure_ascii=False)` (transformers' tokenizer_config.json):
/// two-space indents, `"key": value`, empty containers as `[]`/`{}`, non-ASCII kept, only `"`, `\`
/// and control characters escaped, floats in their shortest round-trip form.
public enum PrettyJSONWriter {
    public static func write(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        append(value, indent: 0, to: &out)
        return out
    }

    private static func newline(_ indent: Int, _ out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * 2))
    }

    private static func append(_ value: JSONValue, indent: Int, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .literal(let text): out.append(contentsOf: text.utf8)
        case .double(let number): out.append(contentsOf: formatDouble(number).utf8)
        case .string(let text): appendString(text, to: &out)
        case .array(let items):
            guard !items.isEmpty else { out.append(contentsOf: "[]".utf8); return }
            out.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(0x2C) }
                newline(indent + 1, &out)
                append(item, indent: indent + 1, to: &out)
            }
            newline(indent, &out)
            out.append(0x5D)
        case .object(let members):
            guard !members.isEmpty else { out.append(contentsOf: "{}".utf8); return }
            out.append(0x7B)
            for (index, (key, item)) in members.enumerated() {
                if index > 0 { out.append(0x2C) }
                newline(indent + 1, &out)
                appendString(key, to: &out)
                out.append(contentsOf: ": ".utf8)
                append(item, indent: indent + 1, to: &out)
            }
            newline(indent, &out)
            out.append(0x7D)
        }
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0x08: out.append(contentsOf: [0x5C, 0x62])
            case 0x0C: out.append(contentsOf: [0x5C, 0x66])
            case 0..<0x20: out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }

    /// The shortest digits that round-trip (Swift's `description`, as ryu and Python's `repr`),
    /// with the exponent spelled as ryu/serde_json do (`1e-7`, `1e16`) rather than `1e-07`/`1e+16`.
    static func formatDouble(_ value: Double) -> String {
        let text = value.description
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
        var exponent = String(text[text.index(after: e)...])
        var sign = ""
        if exponent.hasPrefix("+") { exponent.removeFirst() } else if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() }
        while exponent.count > 1 && exponent.hasPrefix("0") { exponent.removeFirst() }
        return "\(mantissa)e\(sign)\(exponent)"
    }
}
