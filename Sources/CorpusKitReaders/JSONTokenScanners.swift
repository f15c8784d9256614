import CTextKernels

/// Scanners for single JSON tokens, mirroring CPython's `_json` scanner (`scanstring_unicode`,
/// `_match_number_unicode`) so that the first error found is the one Python reports.
/// They work on raw pointers into a line; `n` is the line length and `i` an index into it.
extension JSONFieldExtractor {
    @inline(__always)
    static func malformed(_ i: Int, _ problem: JSONSyntaxProblem) -> JSONLineError {
        .malformedJSON(column: i &+ 1, problem: problem)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10
    }

    /// Skips JSON whitespace from `i`; a `"\r"` is an error when `rejectsCR` is set.
    @inline(__always)
    static func skipWhitespace(
        _ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ rejectsCR: Bool
    ) throws(JSONLineError) -> Int {
        var i = i
        while i < n {
            let byte = p[i]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A {
                i &+= 1
            } else if byte == 0x0D {
                if rejectsCR { throw malformed(i, .carriageReturnOutsideString) }
                i &+= 1
            } else {
                break
            }
        }
        return i
    }

    /// True if the ASCII `literal` occurs at `p[i]`.
    @inline(__always)
    static func matches(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard n - i >= length else { return false }
        let text = literal.utf8Start
        for k in 0..<length where p[i &+ k] != text[k] { return false }
        return true
    }

    /// Scans a string whose opening quote is at `start - 1`, validating escapes, control
    /// characters and UTF-8.
    /// - Returns: the index after the closing quote, and whether the string has escapes.
    @inline(__always)
    static func scanString(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int) throws(JSONLineError) -> (Int, Bool) {
        var i = start
        var hasEscapes = false
        while true {
            // Fast paths: plain ASCII, two-byte escapes and three-byte characters 32 bytes at a
            // time (AVX2), then eight plain ASCII bytes at a time.
            var skippedEscapes: Int32 = 0
            i = ck_json_plain_run(p, n, i, &skippedEscapes)
            if skippedEscapes != 0 { hasEscapes = true }
            while i &+ 8 <= n {
                let mask = SWAR.stringSpecialMask(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                if mask != 0 {
                    i &+= mask.trailingZeroBitCount &>> 3
                    break
                }
                i &+= 8
            }
            guard i < n else { throw malformed(start &- 1, .unterminatedString) }
            let byte = p[i]
            if byte == 0x22 { return (i &+ 1, hasEscapes) }
            if byte == 0x5C {
                hasEscapes = true
                // Escapes in a row (every non-ASCII character of JSON written with Python's
                // default `ensure_ascii`) without going back through the word test.
                repeat {
                    i = try scanEscape(p, n, i, stringStart: start)
                } while i < n && p[i] == 0x5C
            } else if byte >= 0x80 {
                // Validate a run of multi-byte characters (common in CJK text) in one go.
                i = UTF8Validation.endOfMultiByteRun(p, at: i, count: n)
                if i < n && p[i] >= 0x80 { throw .invalidUTF8(byteOffset: i) }
            } else if byte < 0x20 {
                throw malformed(i, .controlCharacterInString)
            } else {
                i &+= 1  // plain ASCII in the last few bytes
            }
        }
    }

    /// Validates the escape whose backslash is at `i`, returning the index after it.
    @inline(__always)
    static func scanEscape(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, stringStart: Int) throws(JSONLineError) -> Int {
        guard i &+ 1 < n else { throw malformed(stringStart &- 1, .unterminatedString) }
        switch p[i &+ 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:  // " \ / b f n r t
            return i &+ 2
        case 0x75:  // u
            // Like CPython: the four hex digits must be followed by at least one more character.
            guard i &+ 6 < n, JSONStringDecoding.hexValue(p, i &+ 2) != nil else {
                throw malformed(i, .invalidUnicodeEscape)
            }
            return i &+ 6
        default:
            throw malformed(i, .invalidEscape)
        }
    }

    /// Scans a number (or `-Infinity`) starting at `start`, returning the index after it.
    ///
    /// Mirrors CPython's `_match_number_unicode`: the number ends where the grammar stops (so
    /// `01` is `0` followed by garbage, `1.` is `1` followed by garbage), and a failed fraction or
    /// exponent is backtracked over.
    static func scanNumber(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ maximumDigits: Int) throws(JSONLineError) -> Int {
        var i = start
        if p[i] == 0x2D {  // -
            i &+= 1
            guard i < n else { throw malformed(start, .expectedValue) }
            if p[i] == 0x49 {  // -Infinity
                guard matches(p, n, i, "Infinity") else { throw malformed(start, .expectedValue) }
                return i &+ 8
            }
        }
        let integerStart = i
        let first = p[i]
        if first >= 0x31 && first <= 0x39 {
            i &+= 1
            while i < n && isDigit(p[i]) { i &+= 1 }
        } else if first == 0x30 {
            i &+= 1
        } else {
            throw malformed(start, .expectedValue)
        }
        let integerDigits = i &- integerStart
        var isFloat = false
        if i &+ 1 < n && p[i] == 0x2E && isDigit(p[i &+ 1]) {  // .
            isFloat = true
            i &+= 2
            while i < n && isDigit(p[i]) { i &+= 1 }
        }
        if i &+ 1 < n && (p[i] | 0x20) == 0x65 {  // e E
            var j = i &+ 1
            if p[j] == 0x2B || p[j] == 0x2D { j &+= 1 }  // + -
            let exponentStart = j
            while j < n && isDigit(p[j]) { j &+= 1 }
            if j > exponentStart {
                isFloat = true
                i = j
            }
        }
        if !isFloat && integerDigits > maximumDigits {
            throw .integerTooLong(column: start &+ 1, digits: integerDigits)
        }
        return i
    }
}
