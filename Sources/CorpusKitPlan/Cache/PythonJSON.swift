/// A value as Python's `json.dumps(value, indent=4)` writes it, the form of Megatron's cache
/// descriptions (whose MD5 names the cache files, so every byte counts).
///
/// Python's rules reproduced: dictionaries keep insertion order (`OrderedDict`), `": "` between key
/// and value, items on their own lines indented by 4 per level, `","` ending all but the last, empty
/// lists `[]`; strings with `ensure_ascii` (non-ASCII as `\uXXXX`, astral characters as surrogate
/// pairs); floats as `repr` (`1.0`, `0.969`, `1e-05`, `1e+16`); `None` as `null`.
public indirect enum PythonJSON: Equatable, Sendable {
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case null
    case list([PythonJSON])
    case dict([(String, PythonJSON)])

    public static func == (a: PythonJSON, b: PythonJSON) -> Bool { a.dumps() == b.dumps() }

    /// `json.dumps(self, indent=4)`.
    public func dumps() -> String {
        var out = ""
        write(into: &out, level: 0)
        return out
    }

    private func write(into out: inout String, level: Int) {
        switch self {
        case let .string(s): out += Self.quoted(s)
        case let .int(i): out += String(i)
        case let .float(x): out += Self.floatRepr(x)
        case let .bool(b): out += b ? "true" : "false"
        case .null: out += "null"
        case let .list(items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (k, item) in items.enumerated() {
                out += (k == 0 ? "\n" : ",\n") + String(repeating: " ", count: 4 * (level + 1))
                item.write(into: &out, level: level + 1)
            }
            out += "\n" + String(repeating: " ", count: 4 * level) + "]"
        case let .dict(items):
            if items.isEmpty { out += "{}"; return }
            out += "{"
            for (k, (key, value)) in items.enumerated() {
                out += (k == 0 ? "\n" : ",\n") + String(repeating: " ", count: 4 * (level + 1))
                out += Self.quoted(key) + ": "
                value.write(into: &out, level: level + 1)
            }
            out += "\n" + String(repeating: " ", count: 4 * level) + "}"
        }
    }

    /// A JSON string literal with Python's `ensure_ascii=True` escaping.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5c: out += "\\\\"
            case 0x0a: out += "\\n"
            case 0x0d: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0c: out += "\\f"
            case 0x20..<0x7f: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// Python's `repr(float)`: the shortest digits that round-trip, positional for exponents −4 ..< 16,
    /// otherwise `d.ddde±XX`; `NaN`, `Infinity`, `-Infinity` as `json.dumps` writes them.
    public static func floatRepr(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also prints the shortest round-trip digits; take them apart.
        var text = "\(Swift.abs(x))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        var digits: [Character] = []
        var pointAt = text.count
        for (k, ch) in text.enumerated() {
            if ch == "." { pointAt = k } else { digits.append(ch) }
        }
        // value = 0.d1d2… × 10^(pointAt + exponent) once leading zeros are dropped
        var decimalExponent = pointAt + exponent
        while let first = digits.first, first == "0", digits.count > 1 { digits.removeFirst(); decimalExponent -= 1 }
        while let last = digits.last, last == "0", digits.count > 1 { digits.removeLast() }
        let sign = x < 0 ? "-" : ""
        let e10 = decimalExponent - 1 // scientific exponent
        if e10 >= -4 && e10 < 16 {
            if decimalExponent <= 0 {
                return sign + "0." + String(repeating: "0", count: -decimalExponent) + String(digits)
            }
            if decimalExponent >= digits.count {
                return sign + String(digits) + String(repeating: "0", count: decimalExponent - digits.count) + ".0"
            }
            return sign + String(digits[..<decimalExponent]) + "." + String(digits[decimalExponent...])
        }
        let mantissa = digits.count == 1 ? String(digits) : String(digits[0]) + "." + String(digits[1...])
        let magnitude = Swift.abs(e10)
        return sign + mantissa + "e" + (e10 < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
    }
}
