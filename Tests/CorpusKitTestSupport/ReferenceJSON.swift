import Foundation

/// A strict reader for the flat JSON lines the reference scripts (Python's `json.dumps`) and the CLI
/// write: an object whose values are strings, integers, arrays of integers, other numbers, booleans
/// or null; or a bare array of integers. Anything else is refused, so a reference of another shape
/// fails a test instead of being misread.
///
/// Why not `JSONSerialization`: the shared references are ~1.2 GB of JSON lines, read once by the
/// in-process conformance tests and once by the CLI's; `JSONSerialization` reads them at ~17 MB/s
/// and `JSONDecoder` at ~27 MB/s (measured on `llama2.tokenizer.json.jsonl`, 112 MB: 6.6 and 4.1 s),
/// which was most of those tests' time in CI. This reader is independent of the library's own JSON
/// code on purpose: a test must not read its expectations with the code it checks.
public enum ReferenceJSON {
    /// Why a line was refused, with the byte offset inside the line.
    public struct Failure: Error, CustomStringConvertible {
        public let reason: String
        public let offset: Int
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// The object on `line`: strings as `String`, integers as `Int64`, arrays of integers as
    /// `[Int64]`, other numbers as `Double`, booleans as `Bool`, null as `NSNull`.
    public static func object(_ line: Data) throws(Failure) -> [String: Any] {
        let bytes = [UInt8](line)
        var scanner = Scanner(bytes)
        return try scanner.wholeObject()
    }

    /// The bare integer array on `line` (`[1,2,3]`, spaces allowed), or nil for any other shape.
    public static func integers(_ line: Data) -> [Int64]? {
        var scanner = Scanner([UInt8](line))
        scanner.skipSpaces()
        guard let values = try? scanner.integerArray() else { return nil }
        scanner.skipSpaces()
        return scanner.atEnd ? values : nil
    }

    /// The UTF-8 bytes of the JSON string body `body` (between the quotes), escapes decoded and
    /// every other byte copied as it is (no UTF-8 validation or normalization: a CLI's output is
    /// compared byte for byte); nil when it holds an unescaped quote or control character, a bad
    /// escape or an unpaired surrogate.
    public static func unescape<C: Collection>(_ body: C) -> [UInt8]? where C.Element == UInt8 {
        var scanner = Scanner(Array(body) + [0x22])
        guard let bytes = try? scanner.stringBody(), scanner.atEnd else { return nil }
        return bytes
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        func fail(_ reason: String) -> Failure { Failure(reason: reason, offset: index) }

        mutating func skipSpaces() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Failure) {
            skipSpaces()
            guard index < bytes.count, bytes[index] == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
            index += 1
        }

        mutating func wholeObject() throws(Failure) -> [String: Any] {
            try expect(0x7B)
            var object: [String: Any] = [:]
            skipSpaces()
            if index < bytes.count, bytes[index] == 0x7D {
                index += 1
            } else {
                while true {
                    try expect(0x22)
                    let keyBytes = try stringBody()
                    guard let key = String(validating: keyBytes, as: UTF8.self) else { throw fail("a key that is not UTF-8") }
                    try expect(0x3A)
                    guard object.updateValue(try value(), forKey: key) == nil else { throw fail("a repeated key \"\(key)\"") }
                    skipSpaces()
                    guard index < bytes.count else { throw fail("an unterminated object") }
                    if bytes[index] == 0x2C { index += 1; continue }
                    guard bytes[index] == 0x7D else { throw fail("expected ',' or '}'") }
                    index += 1
                    break
                }
            }
            skipSpaces()
            guard atEnd else { throw fail("text after the object") }
            return object
        }

        mutating func value() throws(Failure) -> Any {
            skipSpaces()
            guard index < bytes.count else { throw fail("a missing value") }
            switch bytes[index] {
            case 0x22:
                index += 1
                let body = try stringBody()
                guard let text = String(validating: body, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
                return text
            case 0x5B:
                return try integerArray()
            case 0x74: try literal("true"); return true
            case 0x66: try literal("false"); return false
            case 0x6E: try literal("null"); return NSNull()
            default:
                return try number()
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            let expected = Array(word.utf8)
            guard bytes.count - index >= expected.count, Array(bytes[index..<(index + expected.count)]) == expected else {
                throw fail("an unsupported value")
            }
            index += expected.count
        }

        /// `-?digits` as Int64, or any other JSON number as Double.
        mutating func number() throws(Failure) -> Any {
            let start = index
            if index < bytes.count, bytes[index] == 0x2D { index += 1 }
            let digitsStart = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { throw fail("an unsupported value") }
            guard bytes[digitsStart] != 0x30 || index == digitsStart + 1 else { throw fail("a number with a leading zero") }
            var integral = true
            while index < bytes.count, [0x2E, 0x65, 0x45, 0x2B, 0x2D].contains(bytes[index]) || (0x30...0x39).contains(bytes[index]) {
                integral = false
                index += 1
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if integral, let value = Int64(text) { return value }
            guard let value = Double(text), value.isFinite else { throw Failure(reason: "a malformed number \(text)", offset: start) }
            return value
        }

        /// `[` integers separated by `,` `]`, the opening bracket at `index`.
        mutating func integerArray() throws(Failure) -> [Int64] {
            try expect(0x5B)
            var values: [Int64] = []
            skipSpaces()
            if index < bytes.count, bytes[index] == 0x5D { index += 1; return values }
            while true {
                skipSpaces()
                let negative = index < bytes.count && bytes[index] == 0x2D
                if negative { index += 1 }
                var magnitude: UInt64 = 0
                let digitsStart = index
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                    let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] - 0x30))
                    guard !overflow1, !overflow2 else { throw fail("an integer beyond 64 bits") }
                    magnitude = sum
                    index += 1
                }
                guard index > digitsStart else { throw fail("an array element that is not an integer") }
                guard bytes[digitsStart] != 0x30 || index == digitsStart + 1 else { throw fail("a number with a leading zero") }
                guard let value = negative ? (magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil)
                                           : Int64(exactly: magnitude) else { throw fail("an integer beyond 64 bits") }
                values.append(value)
                skipSpaces()
                guard index < bytes.count else { throw fail("an unterminated array") }
                if bytes[index] == 0x2C { index += 1; continue }
                guard bytes[index] == 0x5D else { throw fail("expected ',' or ']'") }
                index += 1
                return values
            }
        }

        /// The bytes of a string whose opening quote is just before `index`, up to and past its closing quote.
        mutating func stringBody() throws(Failure) -> [UInt8] {
            var output: [UInt8] = []
            while true {
                // Copy the plain run up to the next quote, backslash or control character in one go.
                let runStart = index
                while index < bytes.count, bytes[index] != 0x22, bytes[index] != 0x5C, bytes[index] >= 0x20 { index += 1 }
                output.append(contentsOf: bytes[runStart..<index])
                guard index < bytes.count else { throw fail("an unterminated string") }
                let byte = bytes[index]
                if byte == 0x22 { index += 1; return output }
                guard byte == 0x5C else { throw fail("an unescaped control character in a string") }
                guard index + 1 < bytes.count else { throw fail("an unterminated escape") }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case 0x22, 0x5C, 0x2F: output.append(escape)
                case 0x62: output.append(0x08)
                case 0x66: output.append(0x0C)
                case 0x6E: output.append(0x0A)
                case 0x72: output.append(0x0D)
                case 0x74: output.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 2 <= bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else { throw fail("an unpaired surrogate") }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("an unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("an unpaired surrogate") }
                    output.append(contentsOf: UTF8.encode(unicode)!)
                default:
                    throw fail("an unknown escape")
                }
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("a short \\u escape") }
            var value: UInt32 = 0
            for byte in bytes[index..<(index + 4)] {
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: throw fail("a bad \\u escape")
                }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }
    }
}
