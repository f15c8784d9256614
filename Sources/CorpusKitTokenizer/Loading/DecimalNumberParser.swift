/// Exact decimal-to-`Double` conversion for the short numbers tokenizer.json files hold (Unigram
/// scores such as `-9.962430953979492`), falling back to the caller's `strtod` otherwise.
///
/// Hand-written because glibc's `strtod` takes its arbitrary-precision path for most 16–17 digit
/// numbers: parsing v4.0's 196,608 scores cost ~13 ms of a ~70 ms load (perf). Here the digits
/// (at most 19) become an exact `UInt64`, and one x87 80-bit multiplication or division by an
/// exact power of ten (10^0 … 10^27 all fit the 64-bit significand) gives the correctly rounded
/// 80-bit result. Rounding that to `Double` is correct unless the 80-bit result lies exactly
/// halfway between two doubles (every such midpoint is representable in 80 bits, and correct
/// rounding never moves a value across one), so that case is left to `strtod`. The result is
/// therefore always bit-identical to `strtod`'s (checked against it in the tests).
///
/// Only the strict JSON grammar `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` is handled; any
/// other text returns `nil`, so the caller's existing validation decides. Without 80-bit floats
/// (anything but x86) every call returns `nil`.
enum DecimalNumberParser {
    /// The value of the number in `bytes`, or `nil` when the caller should use `strtod`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        #if arch(x86_64) && !os(Windows) && !os(Android)
        return parseWithExtendedPrecision(bytes)
        #else
        return nil
        #endif
    }

    #if arch(x86_64) && !os(Windows) && !os(Android)
    /// 10^0 … 10^27, each exact in `Float80`.
    private static let powersOfTen: [Float80] = {
        var powers: [Float80] = [1]
        for _ in 1...27 { powers.append(powers.last! * 10) }
        return powers
    }()

    private static func parseWithExtendedPrecision(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let count = bytes.count
        var i = 0
        var negative = false
        if i < count && bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var significand: UInt64 = 0
        var significantDigits = 0
        var exponent = 0

        func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
        /// Adds one digit; false when more than 19 significant digits would be needed.
        func accumulate(_ c: UInt8) -> Bool {
            let digit = UInt64(c &- 0x30)
            if significand == 0 && digit == 0 { return true }   // leading zeros are not significant
            significantDigits += 1
            if significantDigits > 19 { return false }
            significand = significand &* 10 &+ digit
            return true
        }

        let integerStart = i
        while i < count && isDigit(bytes[i]) {
            guard accumulate(bytes[i]) else { return nil }
            i += 1
        }
        let integerDigits = i - integerStart
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return nil }
        if i < count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < count && isDigit(bytes[i]) {
                guard accumulate(bytes[i]) else { return nil }
                exponent -= 1
                i += 1
            }
            guard i > fractionStart else { return nil }
        }
        if i < count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var written = 0
            while i < count && isDigit(bytes[i]) {
                written = written * 10 + Int(bytes[i] &- 0x30)
                guard written <= 10_000 else { return nil }
                i += 1
            }
            guard i > exponentStart else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard i == count else { return nil }
        if significand == 0 { return negative ? -0.0 : 0.0 }
        guard exponent >= -27 && exponent <= 27 else { return nil }

        let power = powersOfTen[abs(exponent)]
        let exact = Float80(significand)   // exact: at most 64 significant bits
        let rounded = exponent < 0 ? exact / power : exact * power
        // The 11 bits below a double's 52-bit fraction: 0x400 is exactly halfway.
        if rounded.significandBitPattern & 0x7FF == 0x400 { return nil }
        let value = Double(rounded)
        return negative ? -value : value
    }
    #endif
}
