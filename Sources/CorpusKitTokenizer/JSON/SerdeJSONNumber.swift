/// JSON numbers read exactly as HF tokenizers reads them: with serde_json 1.x built without its
/// `float_roundtrip` feature (the tokenizers crate does not enable it).
///
/// Why this is not `strtod`: serde_json's default number parser is fast but not correctly
/// rounded. It collects the digits into a `u64` significand (ignoring fraction digits that would
/// overflow it, counting integer digits that would as extra powers of ten), converts that to
/// `f64` (one rounding once it exceeds 2^53) and multiplies or divides by `10^|e|` taken from a
/// table of `f64` powers of ten (a second rounding). tokenizer.json files hold Unigram scores as
/// float32 values printed in 16–17 digits, so about a quarter of llm-jp's scores come out one ulp
/// away from the correctly rounded value. The Viterbi pass adds these scores in float64, and on
/// near-ties (runs of one character, where `あ ああ ああ ああ` and `ああ ああ ああ あ` have the
/// same score up to rounding) that last bit decides which segmentation HF tokenizers returns.
/// Reproducing the parser, not just the algorithm, is what makes the ids equal.
///
/// The grammar and error cases are serde_json's too: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
/// a value whose magnitude overflows `f64` is an error ("number out of range"), an exponent too
/// small gives ±0. Checked against values that tokenizers itself parsed and wrote back (tests).
enum SerdeJSONNumber {
    /// A parsed number in the form serde_json hands to a visitor.
    enum Value: Equatable {
        /// A non-negative integer that fits `u64`.
        case unsigned(UInt64)
        /// A negative integer that fits `i64`.
        case signed(Int64)
        /// Anything with a fraction or an exponent, and integers outside both ranges.
        case double(Double)

        /// The value as an `f64` field receives it (`u64 as f64`, `i64 as f64`).
        var doubleValue: Double {
            switch self {
            case .unsigned(let value): return Double(value)
            case .signed(let value): return Double(value)
            case .double(let value): return value
            }
        }
    }

    /// Why a number was refused.
    enum Failure: Error, Equatable {
        /// Not a JSON number, or text after it.
        case invalid
        /// Finite in JSON but beyond `f64` (serde_json's "number out of range").
        case outOfRange
    }

    /// serde_json's `POW10`: `1e0 … 1e308`, each the correctly rounded double.
    private static let powersOfTen: [Double] = (0...308).map { exponent in
        "1e\(exponent)".withCString { strtod($0, nil) }
    }

    /// Parses the whole of `bytes` as one JSON number.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Value, Failure> {
        var scanner = Scanner(bytes: bytes)
        let result = scanner.parseNumber()
        if case .success = result, scanner.position != bytes.count { return .failure(.invalid) }
        return result
    }

    /// The byte-level state machine of serde_json's `Deserializer::parse_integer` and friends.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        private static func digit(_ byte: UInt8?) -> UInt64? {
            guard let byte, byte &- 0x30 < 10 else { return nil }
            return UInt64(byte &- 0x30)
        }

        /// serde_json's `overflow!(value * 10 + digit, u64::MAX)`.
        private static func overflows(_ value: UInt64, _ digit: UInt64) -> Bool {
            value >= UInt64.max / 10 && (value > UInt64.max / 10 || digit > UInt64.max % 10)
        }

        mutating func parseNumber() -> Result<Value, Failure> {
            var positive = true
            if peek == UInt8(ascii: "-") { positive = false; position += 1 }
            guard let first = Self.digit(peek) else { return .failure(.invalid) }
            position += 1
            if first == 0 {
                if Self.digit(peek) != nil { return .failure(.invalid) }   // one leading zero only
                return parseAfterInteger(positive: positive, significand: 0)
            }
            var significand = first
            while let digit = Self.digit(peek) {
                if Self.overflows(significand, digit) {
                    return parseLongInteger(positive: positive, significand: significand)
                }
                position += 1
                significand = significand * 10 + digit
            }
            return parseAfterInteger(positive: positive, significand: significand)
        }

        /// `parse_number`: an integer stays an integer unless a fraction or exponent follows.
        private mutating func parseAfterInteger(positive: Bool, significand: UInt64) -> Result<Value, Failure> {
            switch peek {
            case UInt8(ascii: "."): return parseDecimal(positive: positive, significand: significand, exponent: 0).map(Value.double)
            case UInt8(ascii: "e"), UInt8(ascii: "E"): return parseExponent(positive: positive, significand: significand, startingExponent: 0).map(Value.double)
            default:
                if positive { return .success(.unsigned(significand)) }
                let negated = Int64(bitPattern: significand) &* -1
                // -0 and magnitudes beyond i64 become floats, as in serde_json.
                if negated >= 0 { return .success(.double(-Double(significand))) }
                return .success(.signed(negated))
            }
        }

        /// `parse_long_integer`: further integer digits only scale the value.
        private mutating func parseLongInteger(positive: Bool, significand: UInt64) -> Result<Value, Failure> {
            var exponent: Int32 = 0
            while Self.digit(peek) != nil { position += 1; exponent &+= 1 }
            switch peek {
            case UInt8(ascii: "."): return parseDecimal(positive: positive, significand: significand, exponent: exponent).map(Value.double)
            case UInt8(ascii: "e"), UInt8(ascii: "E"): return parseExponent(positive: positive, significand: significand, startingExponent: exponent).map(Value.double)
            default: return Self.double(positive: positive, significand: significand, exponent: exponent).map(Value.double)
            }
        }

        /// `parse_decimal` (with `parse_decimal_overflow`: digits past the `u64` are dropped).
        private mutating func parseDecimal(positive: Bool, significand start: UInt64, exponent before: Int32) -> Result<Double, Failure> {
            position += 1   // .
            var significand = start
            var after: Int32 = 0
            while let digit = Self.digit(peek) {
                if Self.overflows(significand, digit) {
                    while Self.digit(peek) != nil { position += 1 }
                    return finishDecimal(positive: positive, significand: significand, exponent: before &+ after)
                }
                position += 1
                significand = significand * 10 + digit
                after -= 1
            }
            if after == 0 { return .failure(.invalid) }   // a digit must follow the point
            return finishDecimal(positive: positive, significand: significand, exponent: before &+ after)
        }

        private mutating func finishDecimal(positive: Bool, significand: UInt64, exponent: Int32) -> Result<Double, Failure> {
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                return parseExponent(positive: positive, significand: significand, startingExponent: exponent)
            }
            return Self.double(positive: positive, significand: significand, exponent: exponent)
        }

        /// `parse_exponent` (with `parse_exponent_overflow`).
        private mutating func parseExponent(positive: Bool, significand: UInt64, startingExponent: Int32) -> Result<Double, Failure> {
            position += 1   // e or E
            var positiveExponent = true
            if peek == UInt8(ascii: "+") { position += 1 } else if peek == UInt8(ascii: "-") { positiveExponent = false; position += 1 }
            guard let first = Self.digit(peek) else { return .failure(.invalid) }
            position += 1
            var exponent = Int32(first)
            while let digit = Self.digit(peek) {
                position += 1
                let (times10, o1) = exponent.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int32(digit))
                if o1 || o2 {
                    if significand != 0 && positiveExponent { return .failure(.outOfRange) }
                    while Self.digit(peek) != nil { position += 1 }
                    return .success(positive ? 0.0 : -0.0)
                }
                exponent = next
            }
            let (final, overflow) = positiveExponent
                ? startingExponent.addingReportingOverflow(exponent)
                : startingExponent.subtractingReportingOverflow(exponent)
            let saturated = overflow ? (positiveExponent ? Int32.max : Int32.min) : final
            return Self.double(positive: positive, significand: significand, exponent: saturated)
        }

        /// `f64_from_parts`: `significand as f64`, then one multiplication or division by a
        /// power of ten from the table (repeated divisions by 1e308 below 10^-308).
        private static func double(positive: Bool, significand: UInt64, exponent start: Int32) -> Result<Double, Failure> {
            var value = Double(significand)
            var exponent = Int64(start)
            while true {
                let magnitude = exponent.magnitude
                if magnitude < UInt64(powersOfTen.count) {
                    let power = powersOfTen[Int(magnitude)]
                    if exponent >= 0 {
                        value *= power
                        if value.isInfinite { return .failure(.outOfRange) }
                    } else {
                        value /= power
                    }
                    break
                }
                if value == 0 { break }
                if exponent >= 0 { return .failure(.outOfRange) }
                value /= 1e308
                exponent += 308
            }
            return .success(positive ? value : -value)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
