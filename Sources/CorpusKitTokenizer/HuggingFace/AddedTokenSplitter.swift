#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds HF added tokens in text the way `AddedVocabulary::find_matches` does: leftmost-longest
/// matches, honouring `single_word`, `lstrip` and `rstrip`.
struct AddedTokenSplitter: Sendable {
    /// An added token and the bytes it matches: its content, or for a `normalized` token the
    /// normalized content.
    struct Token: Sendable {
        var pattern: [UInt8]
        var added: Vocabulary.AddedToken
    }

    /// A piece of the input: either plain text or a matched token.
    enum Piece {
        case text(Range<Int>)
        case token(id: Int32, range: Range<Int>)
    }

    private let trie: DoubleArrayTrie
    private let tokens: [Token]
    /// Bytes that can start a token (quick rejection).
    private let firstBytes: [Bool]
    /// The one byte every token starts with, when there is one (Llama's `<s>`, `</s>`, `<unk>`):
    /// candidates are then found with `memchr` instead of a byte-by-byte scan (measured: the scan
    /// was 7 % of an encode run's instructions).
    private let onlyFirstByte: UInt8?

    init?(tokens: [Token]) {
        guard !tokens.isEmpty else { return nil }
        self.tokens = tokens
        trie = DoubleArrayTrie(keys: tokens.map(\.pattern), values: tokens.indices.map(Int32.init))
        var first = [Bool](repeating: false, count: 256)
        for token in tokens { if let byte = token.pattern.first { first[Int(byte)] = true } }
        firstBytes = first
        let starts = (0..<256).filter { first[$0] }
        onlyFirstByte = starts.count == 1 ? UInt8(starts[0]) : nil
    }

    /// The first position at or after `position` where a token may start, or `end`.
    @inline(__always)
    private func nextCandidate(_ base: UnsafePointer<UInt8>, from position: Int, to end: Int) -> Int {
        if let byte = onlyFirstByte {
            guard let found = memchr(base + position, Int32(byte), end - position) else { return end }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        var position = position
        while position < end && !firstBytes[Int(base[position])] { position += 1 }
        return position
    }

    /// Splits `text` into plain-text ranges and tokens, covering all of it.
    func split(_ text: UnsafeBufferPointer<UInt8>) -> [Piece] {
        guard let base = text.baseAddress, text.count > 0 else { return [.text(0..<0)] }
        var pieces: [Piece] = []
        var consumed = 0      // end of the last emitted piece
        var position = 0
        let end = text.count
        while position < end {
            position = nextCandidate(base, from: position, to: end)
            guard position < end else { break }
            var longest = 0
            var index: Int32 = -1
            trie.forEachPrefix(base, from: position, to: end) { length, value in
                longest = length
                index = value
            }
            guard longest > 0 else { position += 1; continue }
            let token = tokens[Int(index)].added
            var start = position
            var stop = position + longest
            position = stop
            if token.singleWord {
                let startIsBoundary = start == 0 || !Self.endsWithWordCharacter(base, upTo: start)
                let stopIsBoundary = stop == end || !Self.startsWithWordCharacter(base, from: stop, to: end)
                if !startIsBoundary || !stopIsBoundary { continue }
            }
            if token.leftStrip {
                start = max(Self.startOfTrailingWhitespace(base, upTo: start), consumed)
            }
            if token.rightStrip {
                stop = Self.endOfLeadingWhitespace(base, from: stop, to: end)
                position = stop
            }
            if consumed < start { pieces.append(.text(consumed..<start)) }
            pieces.append(.token(id: token.id, range: start..<stop))
            consumed = stop
        }
        if consumed < end { pieces.append(.text(consumed..<end)) }
        return pieces
    }

    private static func lastScalar(_ base: UnsafePointer<UInt8>, upTo end: Int) -> (UInt32, Int) {
        var lead = end - 1
        while lead > 0 && base[lead] & 0xC0 == 0x80 { lead -= 1 }
        return (UTF8Scalars.decode(base, at: lead).scalar, lead)
    }

    /// Rust's `char::is_alphanumeric` or `_`, approximated through Swift's Unicode properties.
    private static func isWordCharacter(_ scalar: UInt32) -> Bool {
        guard let value = Unicode.Scalar(scalar) else { return false }
        return value == "_" || value.properties.isAlphabetic || value.properties.numericType != nil
    }

    private static func endsWithWordCharacter(_ base: UnsafePointer<UInt8>, upTo end: Int) -> Bool {
        isWordCharacter(lastScalar(base, upTo: end).0)
    }

    private static func startsWithWordCharacter(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Bool {
        isWordCharacter(UTF8Scalars.decode(base, at: start).scalar)
    }

    private static func startOfTrailingWhitespace(_ base: UnsafePointer<UInt8>, upTo end: Int) -> Int {
        var start = end
        while start > 0 {
            let (scalar, lead) = lastScalar(base, upTo: start)
            guard UnicodeWhitespace.contains(scalar) else { break }
            start = lead
        }
        return start
    }

    private static func endOfLeadingWhitespace(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var stop = start
        while stop < end {
            let (scalar, length) = UTF8Scalars.decode(base, at: stop)
            guard UnicodeWhitespace.contains(scalar) else { break }
            stop += length
        }
        return stop
    }
}
