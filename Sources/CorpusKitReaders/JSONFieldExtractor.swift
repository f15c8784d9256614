#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Validates one line as JSON with the semantics of Python's `json.loads` (strict mode) and
/// extracts the string values of some top-level keys.
///
/// What is checked, as CPython's `json` module does it:
/// - the whole line must be valid UTF-8 (Python would fail decoding the file otherwise) and must
///   not start with a UTF-8 BOM;
/// - whitespace is space, tab, `"\n"` and `"\r"` only;
/// - numbers follow Python's grammar (no `01`, `+1`, `.5` or `1.`); `NaN`, `Infinity` and
///   `-Infinity` are accepted; integers longer than Python's digit limit are rejected;
/// - strings may not contain raw control characters (< 0x20); escapes are `\" \\ \/ \b \f \n \r
///   \t \uXXXX`, surrogate pairs are combined;
/// - objects and arrays nest to any depth (an explicit stack, no recursion);
/// - nothing but whitespace may follow the value; the value must be an object.
///
/// Then, for each requested key in order: the key must exist at the top level (for duplicate
/// keys the last occurrence wins), its value must be a string, and that string must not contain
/// a lone surrogate (Python accepts those, but they cannot be encoded for tokenization).
///
/// Error columns are 1-based byte columns (Python counts characters). Strings without escapes
/// are copied with one `memcpy` after validation.
public struct JSONFieldExtractor {
    /// The keys whose string values are extracted, in output order.
    public let keys: [String]
    /// Validation options.
    public let options: JSONExtractionOptions

    /// A top-level member seen for one distinct key.
    private struct FoundValue {
        var kind: JSONValueKind
        /// String content bounds (after the opening quote, at the closing quote).
        var start: Int
        var end: Int
        var hasEscapes: Bool
    }

    /// Distinct keys as UTF-8; `slotOfKey[i]` is the distinct index of `keys[i]`.
    private let distinctKeys: [[UInt8]]
    private let slotOfKey: [Int]
    /// Per distinct key: the last top-level member with that key in the current line.
    private var found: [FoundValue?]
    /// Open containers, innermost last: `true` for an object, `false` for an array.
    private var containers: [Bool] = []
    /// Scratch space for decoding escaped keys.
    private var keyScratch: [UInt8] = []

    /// Creates an extractor for `keys` (Megatron's `--json-keys`, usually `["text"]`).
    public init(keys: [String], options: JSONExtractionOptions = JSONExtractionOptions()) {
        self.keys = keys
        self.options = options
        var distinct: [[UInt8]] = []
        var slots: [Int] = []
        for key in keys {
            let bytes = Array(key.utf8)
            if let existing = distinct.firstIndex(of: bytes) {
                slots.append(existing)
            } else {
                slots.append(distinct.count)
                distinct.append(bytes)
            }
        }
        self.distinctKeys = distinct
        self.slotOfKey = slots
        self.found = Array(repeating: nil, count: distinct.count)
    }

    /// True if `line` is empty or only JSON whitespace (space, tab, `"\r"`, `"\n"`).
    /// `json.loads` rejects such a line ("Expecting value"); readers report it separately.
    public static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for byte in line where !(byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A) {
            return false
        }
        return true
    }

    /// Validates `line` and stores the string values of ``keys`` into `fields` (replacing its
    /// previous contents).
    /// - Throws: ``JSONLineError``; `fields` is then unspecified.
    public mutating func extract(from line: UnsafeRawBufferPointer, into fields: ExtractedFields) throws(JSONLineError) {
        let rootKind = try validate(line)
        guard rootKind == .object else { throw .notAnObject(rootKind) }
        try emitValues(line.baseAddress!.assumingMemoryBound(to: UInt8.self), into: fields)
    }

    /// Validates `line` as a JSON document without extracting anything.
    /// - Returns: the kind of the top-level value.
    public mutating func validate(_ line: UnsafeRawBufferPointer) throws(JSONLineError) -> JSONValueKind {
        guard let base = line.baseAddress, !line.isEmpty else {
            throw .malformedJSON(column: 1, problem: .expectedValue)
        }
        do {
            return try validate(base.assumingMemoryBound(to: UInt8.self), line.count)
        } catch {
            // Python decodes the file before parsing, so invalid UTF-8 anywhere wins.
            if let offset = UTF8Validation.firstInvalidByte(in: line) { throw .invalidUTF8(byteOffset: offset) }
            throw error
        }
    }

    // MARK: - Validation

    /// Scans the whole line, recording the top-level members of interest in `found`.
    /// - Returns: the kind of the top-level value.
    private mutating func validate(_ p: UnsafePointer<UInt8>, _ n: Int) throws(JSONLineError) -> JSONValueKind {
        for slot in found.indices { found[slot] = nil }
        containers.removeAll(keepingCapacity: true)
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { throw .unexpectedBOM }

        let rejectsCR = options.rejectsCarriageReturnOutsideStrings
        let maximumDepth = options.maximumNestingDepth ?? Int.max
        let maximumDigits = options.maximumIntegerDigits ?? Int.max
        var rootKind: JSONValueKind?
        /// The distinct-key slot whose value starts at the current value position, or -1.
        var pendingSlot = -1
        var i = try Self.skipWhitespace(p, n, 0, rejectsCR)

        valueLoop: while true {
            // `i` is where a value must start.
            guard i < n else { throw Self.malformed(i, .expectedValue) }
            let slot = pendingSlot
            pendingSlot = -1
            let kind: JSONValueKind
            switch p[i] {
            case 0x22:  // "
                let (after, hasEscapes) = try Self.scanString(p, n, i &+ 1)
                if slot >= 0 {
                    found[slot] = FoundValue(kind: .string, start: i &+ 1, end: after &- 1, hasEscapes: hasEscapes)
                }
                if rootKind == nil { rootKind = .string }
                i = after
                kind = .string
            case 0x7B, 0x5B:  // { [
                let isObject = p[i] == 0x7B
                guard containers.count < maximumDepth else {
                    throw .nestingTooDeep(column: i &+ 1, limit: maximumDepth)
                }
                if slot >= 0 { found[slot] = FoundValue(kind: isObject ? .object : .array, start: 0, end: 0, hasEscapes: false) }
                if rootKind == nil { rootKind = isObject ? .object : .array }
                containers.append(isObject)
                i = try Self.skipWhitespace(p, n, i &+ 1, rejectsCR)
                if i < n && p[i] == (isObject ? 0x7D : 0x5D) {
                    containers.removeLast()
                    i &+= 1
                } else if isObject {
                    i = try scanMemberName(p, n, i, rejectsCR, &pendingSlot)
                    continue valueLoop
                } else {
                    continue valueLoop
                }
                kind = isObject ? .object : .array
            case 0x2D, 0x30...0x39:  // - 0-9
                i = try Self.scanNumber(p, n, i, maximumDigits)
                kind = .number
            case 0x74:  // t
                guard Self.matches(p, n, i, "true") else { throw Self.malformed(i, .expectedValue) }
                i &+= 4
                kind = .boolean
            case 0x66:  // f
                guard Self.matches(p, n, i, "false") else { throw Self.malformed(i, .expectedValue) }
                i &+= 5
                kind = .boolean
            case 0x6E:  // n
                guard Self.matches(p, n, i, "null") else { throw Self.malformed(i, .expectedValue) }
                i &+= 4
                kind = .null
            case 0x4E:  // N
                guard Self.matches(p, n, i, "NaN") else { throw Self.malformed(i, .expectedValue) }
                i &+= 3
                kind = .number
            case 0x49:  // I
                guard Self.matches(p, n, i, "Infinity") else { throw Self.malformed(i, .expectedValue) }
                i &+= 8
                kind = .number
            default:
                throw Self.malformed(i, .expectedValue)
            }
            if kind != .string && kind != .object && kind != .array {
                if slot >= 0 { found[slot] = FoundValue(kind: kind, start: 0, end: 0, hasEscapes: false) }
                if rootKind == nil { rootKind = kind }
            }

            // After a value: close containers or move to the next element.
            while let isObject = containers.last {
                i = try Self.skipWhitespace(p, n, i, rejectsCR)
                guard i < n else { throw Self.malformed(i, .expectedComma) }
                let byte = p[i]
                if byte == (isObject ? 0x7D : 0x5D) {  // } or ]
                    containers.removeLast()
                    i &+= 1
                    continue
                }
                guard byte == 0x2C else { throw Self.malformed(i, .expectedComma) }  // ,
                i = try Self.skipWhitespace(p, n, i &+ 1, rejectsCR)
                if isObject {
                    i = try scanMemberName(p, n, i, rejectsCR, &pendingSlot)
                }
                continue valueLoop
            }
            break valueLoop
        }

        i = try Self.skipWhitespace(p, n, i, rejectsCR)
        guard i == n else { throw Self.malformed(i, .extraData) }
        return rootKind ?? .null
    }

    /// Scans `"name" :` starting at `i` and returns where the member's value starts. For members
    /// of the top-level object, sets `pendingSlot` to the requested key it names (or -1).
    private mutating func scanMemberName(
        _ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ rejectsCR: Bool, _ pendingSlot: inout Int
    ) throws(JSONLineError) -> Int {
        guard i < n && p[i] == 0x22 else { throw Self.malformed(i, .expectedPropertyName) }
        let (after, hasEscapes) = try Self.scanString(p, n, i &+ 1)
        if containers.count == 1 {
            pendingSlot = slot(forKeyAt: p, i &+ 1, after &- 1, hasEscapes: hasEscapes)
        }
        let colon = try Self.skipWhitespace(p, n, after, rejectsCR)
        guard colon < n && p[colon] == 0x3A else { throw Self.malformed(colon, .expectedColon) }
        return try Self.skipWhitespace(p, n, colon &+ 1, rejectsCR)
    }

    /// The distinct-key slot of the key whose raw string content is `p[start..<end]`, or -1.
    private mutating func slot(forKeyAt p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, hasEscapes: Bool) -> Int {
        if hasEscapes {
            // Rare: decode the key (e.g. "te\u0078t" names "text") before comparing. A lone
            // surrogate in a key cannot equal a requested key, so it simply matches nothing.
            keyScratch.removeAll(keepingCapacity: true)
            keyScratch.reserveCapacity(end - start)
            guard JSONStringDecoding.decodeToArray(p, start, end, into: &keyScratch) else { return -1 }
            return keyScratch.withUnsafeBufferPointer { decoded in
                slot(matching: decoded.baseAddress, decoded.count)
            }
        }
        return slot(matching: p + start, end - start)
    }

    private func slot(matching bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int {
        for (slot, key) in distinctKeys.enumerated() where key.count == count {
            let equal = key.withUnsafeBufferPointer { key in
                count == 0 || memcmp(key.baseAddress!, bytes!, count) == 0
            }
            if equal { return slot }
        }
        return -1
    }

    // MARK: - Output

    /// Checks the recorded members and copies their decoded string values into `fields`.
    private func emitValues(_ p: UnsafePointer<UInt8>, into fields: ExtractedFields) throws(JSONLineError) {
        var total = 0
        for value in found {
            if let value, value.kind == .string { total += value.end - value.start }
        }
        // Decoding never lengthens a string, and a value may be emitted once per requested key.
        fields.reset(reserving: total * (keys.count > distinctKeys.count ? keys.count : 1))
        for (index, key) in keys.enumerated() {
            guard let value = found[slotOfKey[index]] else { throw .missingKey(key) }
            guard value.kind == .string else { throw .notAString(key: key, kind: value.kind) }
            if !value.hasEscapes {
                fields.appendValue(p + value.start, byteCount: value.end - value.start)
                continue
            }
            let written = JSONStringDecoding.decode(p, value.start, value.end, into: fields.writePointer)
            switch written {
            case let .success(count):
                fields.commitValue(byteCount: count)
            case let .failure(lone):
                throw .loneSurrogate(key: key, codeUnit: lone.codeUnit, column: lone.offset + 1)
            }
        }
    }
}
