import Foundation
import CorpusKitSystem

/// A strict JSON parser producing plain Swift values (`String`, `Int`, `Double`, `Bool`,
/// `NSNull`, `[Any]`, `[String: Any]`, ``StringNumberPairs``, ``StringPairs`` and
/// ``StringIntegerMembers``). It knows no schema: the
/// tokenizer.json meaning of the values is read by the `…+JSON.swift` files of each component.
///
/// Hand-written rather than using `JSONSerialization`: Foundation's parser drops a U+FEFF that
/// starts a string (llm-jp vocabularies contain the piece "\u{FEFF}"), which would silently
/// change ids. Numbers are read as HF tokenizers reads them (``SerdeJSONNumber``: serde_json's
/// default parser, which is not correctly rounded), so every score has the bits HF's has.
///
/// One shape gets a compact form: an array whose elements are all `[string, number]` pairs (a
/// Unigram `vocab`) becomes one ``StringNumberPairs`` — contiguous bytes and numbers instead of
/// 196,608 `[Any]` pairs, which took most of tokenizer.json's load time; an array of
/// `[string, string]` pairs (BPE `merges`) likewise becomes one ``StringPairs``. A non-empty nested
/// object (never the document itself, e.g. a `tokenizer_config.json` of integers) whose
/// member values are all integers (a BPE `vocab`) becomes one ``StringIntegerMembers``, for the
/// same reason and because a `[String: Any]` would merge keys that are canonically equivalent
/// but different bytes (Llama 2's vocabulary has such pieces, which would lose ids).
struct JSONDocumentParser {
    /// `[[string, string], ...]` (non-empty) as contiguous bytes: string `i` of pair `p` is
    /// `blob[offsets[2p + i] ..< offsets[2p + i + 1]]`.
    struct StringPairs {
        var blob: [UInt8] = []
        var offsets: [Int32] = [0]

        var count: Int { (offsets.count - 1) / 2 }

        /// The two strings of pair `index`, as bytes.
        func pair(_ index: Int) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
            let a = Int(offsets[2 * index]), b = Int(offsets[2 * index + 1]), c = Int(offsets[2 * index + 2])
            return (blob[a..<b], blob[b..<c])
        }
    }

    /// `{string: integer, ...}` (non-empty) as contiguous arrays, members in file order, keys as bytes.
    struct StringIntegerMembers {
        /// All keys, concatenated as UTF-8.
        var blob: [UInt8] = []
        /// `offsets[i] ..< offsets[i + 1]` is key `i` in `blob`.
        var offsets: [Int32] = [0]
        /// The values.
        var integers: [Int] = []

        var count: Int { integers.count }

        /// Key `i`, as bytes.
        func key(_ i: Int) -> ArraySlice<UInt8> { blob[Int(offsets[i])..<Int(offsets[i + 1])] }

        /// Why the values are not `0 ..< count` each once: member `member`'s value is outside, or
        /// members `first` and `second` have the same `value`.
        enum OrderProblem: Error {
            case outOfRange(member: Int)
            case shared(value: Int, first: Int, second: Int)
        }

        /// The member holding each value `0 ..< count` (a `{piece: id}` vocabulary in id order).
        func membersByValue() -> Result<[Int32], OrderProblem> {
            var member = [Int32](repeating: -1, count: count)
            for i in 0..<count {
                let value = integers[i]
                guard value >= 0 && value < count else { return .failure(.outOfRange(member: i)) }
                guard member[value] < 0 else { return .failure(.shared(value: value, first: Int(member[value]), second: i)) }
                member[value] = Int32(i)
            }
            return .success(member)
        }
    }

    /// `[[string, number], ...]` as contiguous arrays.
    struct StringNumberPairs {
        /// All strings, concatenated as UTF-8.
        var blob: [UInt8] = []
        /// `offsets[i] ..< offsets[i + 1]` is string `i` in `blob`.
        var offsets: [Int32] = [0]
        /// The numbers, read as serde_json reads an `f64`.
        var numbers: [Double] = []

        var count: Int { numbers.count }
    }

    /// A compact form (``StringNumberPairs``, ``StringPairs`` or ``StringIntegerMembers``) and
    /// the bytes of the document it was parsed from (``JSONValueCache`` stores and restores them).
    struct CompactValue {
        let range: Range<Int>
        let value: Any
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0
    /// Compact forms known for this document, by start (sorted, not overlapping): taken as they
    /// are instead of being parsed again.
    private var known: [CompactValue] = []
    private var nextKnown = 0
    /// Every compact form parsed, when recording.
    private var recorded: [CompactValue]?

    /// Parses a whole document.
    static func parse(_ data: Data) throws(TokenizerError) -> Any {
        var recorded: [CompactValue]?
        return try parse(data, known: [], recording: &recorded)
    }

    /// Parses a whole document, taking the compact forms of `known` (which must have been parsed
    /// from these same bytes, at those ranges) instead of parsing them again; their bytes are not
    /// read at all. When `recording` is non-nil, every compact form parsed is appended to it.
    static func parse(_ data: Data, known: [CompactValue], recording: inout [CompactValue]?) throws(TokenizerError) -> Any {
        let result: Result<(Any, [CompactValue]?), TokenizerError> = data.withUnsafeBytes { raw in
            var parser = JSONDocumentParser(bytes: raw.bindMemory(to: UInt8.self))
            parser.known = known
            parser.recorded = recording
            do throws(TokenizerError) {
                // The whole document once, so strings are copied without a check each (a third of
                // their cost on a BPE vocabulary's ~100,000 short strings). Known ranges start at
                // `[`/`{` and end after `]`/`}`, so the bytes between them are checked on their own.
                var gapStart = 0
                for value in known + [CompactValue(range: parser.bytes.count..<parser.bytes.count, value: 0)] {
                    let gap = UnsafeBufferPointer(rebasing: parser.bytes[gapStart..<value.range.lowerBound])
                    if let offset = UTF8Scalars.firstInvalidOffset(gap) {
                        parser.position = gapStart + offset
                        throw parser.error("invalid UTF-8")
                    }
                    gapStart = value.range.upperBound
                }
                let value = try parser.parseValue()
                parser.skipWhitespace()
                guard parser.position == parser.bytes.count else { throw parser.error("extra data after the JSON value") }
                return .success((value, parser.recorded))
            } catch {
                return .failure(error)
            }
        }
        let (value, recorded) = try result.get()
        recording = recorded
        return value
    }

    /// Takes the known compact form starting here, if any.
    private mutating func takeKnown() -> Any? {
        guard nextKnown < known.count, known[nextKnown].range.lowerBound == position else { return nil }
        let value = known[nextKnown]
        nextKnown += 1
        position = value.range.upperBound
        return value.value
    }

    /// Notes a compact form just parsed from `start ..< position`.
    private mutating func record(_ value: Any, from start: Int) {
        recorded?.append(CompactValue(range: start..<position, value: value))
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// `[[string, number], ...]` into ``StringNumberPairs``.
    private mutating func parsePairs() throws(TokenizerError) -> StringNumberPairs {
        var vocabulary = StringNumberPairs()
        var blob = ByteBuffer(capacity: bytes.count - position)
        defer { blob.deallocate() }
        position += 1   // [
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return vocabulary }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else { throw error("pair is not [piece, score]") }
            position += 1
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("pair: the first item is not a string") }
            try appendString(to: &blob)
            vocabulary.offsets.append(Int32(blob.count))
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ",") else { throw error("expected ',' in a pair") }
            position += 1
            skipWhitespace()
            let start = position
            while position < bytes.count, Self.isNumberByte(bytes[position]) { position += 1 }
            let score: Double
            switch SerdeJSONNumber.parse(UnsafeBufferPointer(rebasing: bytes[start..<position])) {
            case .success(let value): score = value.doubleValue
            case .failure(.outOfRange): position = start; throw error("pair: number out of range")
            case .failure(.invalid): position = start; throw error("pair: the second item is not a number")
            }
            vocabulary.numbers.append(score)
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "]") else { throw error("pair has more than two items") }
            position += 1
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                vocabulary.blob = blob.array()
                return vocabulary
            }
            throw error("expected ',' or ']'")
        }
    }

    private static func isNumberByte(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
            || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
    }

    private func error(_ message: String) -> TokenizerError {
        .malformedModel("JSON: \(message) at byte offset \(position)")
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(TokenizerError) -> Any {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return try parseString()
        case UInt8(ascii: "t"): try expectWord("true"); return true
        case UInt8(ascii: "f"): try expectWord("false"); return false
        case UInt8(ascii: "n"): try expectWord("null"); return NSNull()
        default: return try parseNumber()
        }
    }

    private mutating func expectWord(_ word: String) throws(TokenizerError) {
        for byte in word.utf8 {
            guard position < bytes.count, bytes[position] == byte else { throw error("invalid literal") }
            position += 1
        }
    }

    private mutating func enter() throws(TokenizerError) {
        depth += 1
        if depth > 512 { throw error("nesting deeper than 512 levels") }
    }

    private mutating func parseObject() throws(TokenizerError) -> Any {
        if let value = takeKnown() { return value }
        if depth > 0, let parsed = lookaheadIntegerMembers() {
            let start = position
            position = parsed.end
            record(parsed.members, from: start)
            return parsed.members
        }
        try enter()
        defer { depth -= 1 }
        position += 1
        var object = [String: Any](minimumCapacity: 8)   // tokenizer.json's objects have up to ~8 members: no regrowth
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return object }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return object }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws(TokenizerError) -> Any {
        if let value = takeKnown() { return value }
        if startsPairList {
            let start = position
            if let parsed = try? lookaheadPairs() {
                position = parsed.end
                record(parsed.pairs, from: start)
                return parsed.pairs
            }
            if let parsed = try? lookaheadStringPairs() {
                position = parsed.end
                record(parsed.pairs, from: start)
                return parsed.pairs
            }
        }
        try enter()
        defer { depth -= 1 }
        position += 1
        var array: [Any] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return array }
        while true {
            array.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return array }
            throw error("expected ',' or ']'")
        }
    }

    /// Tries the array at `position` as ``StringPairs`` without consuming input.
    private func lookaheadStringPairs() throws(TokenizerError) -> (pairs: StringPairs, end: Int) {
        var copy = self
        var pairs = StringPairs()
        var blob = ByteBuffer(capacity: bytes.count - position)
        defer { blob.deallocate() }
        copy.position += 1   // [
        while true {
            copy.skipWhitespace()
            guard copy.position < bytes.count, bytes[copy.position] == UInt8(ascii: "[") else { throw copy.error("not a pair") }
            copy.position += 1
            for item in 0..<2 {
                copy.skipWhitespace()
                guard copy.position < bytes.count, bytes[copy.position] == UInt8(ascii: "\"") else { throw copy.error("pair item is not a string") }
                try copy.appendString(to: &blob)
                pairs.offsets.append(Int32(blob.count))
                copy.skipWhitespace()
                guard copy.position < bytes.count, bytes[copy.position] == UInt8(ascii: item == 0 ? "," : "]") else { throw copy.error("not a pair") }
                copy.position += 1
            }
            copy.skipWhitespace()
            guard copy.position < bytes.count else { throw copy.error("unterminated array") }
            if bytes[copy.position] == UInt8(ascii: ",") { copy.position += 1; continue }
            if bytes[copy.position] == UInt8(ascii: "]") {
                copy.position += 1
                pairs.blob = blob.array()
                return (pairs, copy.position)
            }
            throw copy.error("expected ',' or ']'")
        }
    }

    /// Tries the object at `position` as ``StringIntegerMembers`` without consuming input: nil (and
    /// the object is parsed generically, which reports any error) at the first value that is not an
    /// integer. Most objects that get here are not such maps (tokenizer.json's added tokens), so the
    /// miss builds no error message, and the key buffer starts small and doubles.
    private func lookaheadIntegerMembers() -> (members: StringIntegerMembers, end: Int)? {
        var copy = self
        var members = StringIntegerMembers()
        var blob = ByteBuffer(capacity: min(bytes.count - position, 4096))
        defer { blob.deallocate() }
        copy.position += 1   // {
        while true {
            copy.skipWhitespace()
            guard copy.position < bytes.count, bytes[copy.position] == UInt8(ascii: "\""),
                  (try? copy.appendString(to: &blob)) != nil else { return nil }
            members.offsets.append(Int32(blob.count))
            copy.skipWhitespace()
            guard copy.position < bytes.count, bytes[copy.position] == UInt8(ascii: ":") else { return nil }
            copy.position += 1
            copy.skipWhitespace()
            let start = copy.position
            while copy.position < bytes.count, (0x30...0x39).contains(bytes[copy.position]) || bytes[copy.position] == UInt8(ascii: "-") {
                copy.position += 1
            }
            guard copy.position > start, copy.position < bytes.count, !Self.isNumberByte(bytes[copy.position]),
                  case .success(let number) = SerdeJSONNumber.parse(UnsafeBufferPointer(rebasing: bytes[start..<copy.position])) else {
                return nil
            }
            switch number {
            case .unsigned(let value): guard let int = Int(exactly: value) else { return nil }; members.integers.append(int)
            case .signed(let value): members.integers.append(Int(value))
            case .double: return nil
            }
            copy.skipWhitespace()
            guard copy.position < bytes.count else { return nil }
            if bytes[copy.position] == UInt8(ascii: ",") { copy.position += 1; continue }
            guard bytes[copy.position] == UInt8(ascii: "}") else { return nil }
            copy.position += 1
            members.blob = blob.array()
            return (members, copy.position)
        }
    }

    /// Whether the array at `position` starts like `[["`: a candidate for ``StringNumberPairs``.
    private var startsPairList: Bool {
        var i = position + 1
        func skip() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }
        skip()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { return false }
        i += 1
        skip()
        return i < bytes.count && bytes[i] == UInt8(ascii: "\"")
    }

    /// Tries the compact form from here without consuming input on failure (an array of another
    /// shape is then parsed generically, and any error is reported from there).
    private func lookaheadPairs() throws(TokenizerError) -> (pairs: StringNumberPairs, end: Int) {
        var copy = self
        let parsed = try copy.parsePairs()
        return (parsed, copy.position)
    }

    private mutating func parseString() throws(TokenizerError) -> String {
        var output = ByteBuffer(capacity: 64)
        defer { output.deallocate() }
        try appendString(to: &output)
        return String(decoding: UnsafeBufferPointer(start: output.base, count: output.count), as: UTF8.self)
    }

    /// Appends the UTF-8 of the string literal at `position` to `output` (valid: the document was
    /// checked as a whole, and escapes are checked here). The scan keeps its index in a local.
    private mutating func appendString(to output: inout ByteBuffer) throws(TokenizerError) {
        guard let base = bytes.baseAddress else { throw error("unterminated string") }
        let end = bytes.count
        var i = position + 1
        var runStart = i
        while true {
            while i < end {
                let byte = base[i]
                if byte == 0x22 || byte == 0x5C || byte < 0x20 { break }
                i &+= 1
            }
            guard i < end else { position = i; throw error("unterminated string") }
            let byte = base[i]
            if byte == 0x22 {
                output.append(base + runStart, i - runStart)
                position = i + 1
                return
            }
            if byte < 0x20 { position = i; throw error("control character in a string") }
            output.append(base + runStart, i - runStart)
            position = i + 1
            guard position < end else { throw error("unterminated escape") }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard position + 1 < end, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        throw error("lone surrogate escape")
                    }
                    position += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("lone surrogate escape")
                }
                output.append(scalar: scalar)
            default:
                throw error("invalid escape")
            }
            i = position
            runStart = i
        }
    }

    private mutating func parseHex4() throws(TokenizerError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(TokenizerError) -> Any {
        let start = position
        while position < bytes.count, Self.isNumberByte(bytes[position]) { position += 1 }
        guard position > start else { throw error("unexpected character") }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<position])
        switch SerdeJSONNumber.parse(text) {
        case .success(.unsigned(let value)): return Int(exactly: value) ?? Double(value)
        case .success(.signed(let value)): return Int(value)
        case .success(.double(let value)): return value
        case .failure(let failure):
            let written = String(decoding: text, as: UTF8.self)
            position = start
            throw error(failure == .outOfRange ? "number out of range: \(written)" : "invalid number \(written)")
        }
    }
}

/// The decoded strings go to a ``ByteBuffer``: a vocabulary has ~100,000 short strings, and
/// `[UInt8].append(contentsOf:)` cost ~100 instructions a call (cachegrind). A string's decoded
/// bytes are never more than its JSON text, so a capacity of the rest of the document never
/// grows (its pages are touched only as written; measured: the hundreds of failed tries on
/// added-token objects cost nothing, malloc reuses the block).
extension ByteBuffer {
    /// Appends the UTF-8 encoding of a scalar.
    fileprivate mutating func append(scalar: UInt32) {
        var utf8: [UInt8] = []
        UTF8Scalars.append(scalar, to: &utf8)
        for byte in utf8 { append(byte) }
    }
}
