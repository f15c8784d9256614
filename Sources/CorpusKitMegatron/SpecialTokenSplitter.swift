#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The NeMo-style special-token splitting of Megatron's `SentencePieceTokenizer.tokenize`:
/// repeatedly find the earliest occurrence of any special token in the rest of the text (ties go to
/// the token registered first), encode the text before it normally, and emit the token's id.
///
/// Works on UTF-8 bytes: a valid UTF-8 needle can only match a valid UTF-8 haystack at a character
/// boundary, so byte positions order matches exactly as Python's code-point `str.index` does.
struct SpecialTokenSplitter: Sendable {
    /// The tokens in registration order (Python dict insertion order), each with its id.
    let tokens: [[UInt8]]
    let ids: [Int32]

    init(tokens: [(String, Int32)]) {
        self.tokens = tokens.map { Array($0.0.utf8) }
        self.ids = tokens.map { $0.1 }
    }

    /// Calls `text(range)` for each run of ordinary text (possibly empty, as Python encodes
    /// `text[idx:next_idx]` even when empty) and `special(id)` for each special token, in order.
    /// `positions` is scratch storage reused between calls.
    func split<E: Error>(
        _ bytes: UnsafeBufferPointer<UInt8>, positions: inout [Int],
        text: (Range<Int>) throws(E) -> Void, special: (Int32) -> Void
    ) throws(E) {
        let count = tokens.count
        let notSearched = Int.min
        if positions.count != count { positions = [Int](repeating: notSearched, count: count) }
        for t in 0..<count { positions[t] = notSearched }
        var index = 0
        while true {
            var best = -1
            var bestToken = -1
            for t in 0..<count {
                // A cached position before `index` is stale; -1 (absent) stays absent further on.
                if positions[t] != -1 && positions[t] < index {
                    positions[t] = Self.find(tokens[t], in: bytes, from: index)
                }
                let position = positions[t]
                if position >= 0 && (best < 0 || position < best) {
                    best = position
                    bestToken = t
                }
            }
            guard best >= 0 else { break }
            try text(index..<best)
            special(ids[bestToken])
            index = best + tokens[bestToken].count
        }
        try text(index..<bytes.count)
    }

    /// The first position at or after `start` where `needle` occurs, or -1.
    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = haystack.baseAddress, let first = needle.first else { return -1 }
        let last = haystack.count - needle.count  // the last possible start
        var position = start
        return needle.withUnsafeBytes { needleBytes -> Int in
            while position <= last {
                guard let hit = memchr(base + position, Int32(first), last - position + 1) else { return -1 }
                let index = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                if memcmp(base + index, needleBytes.baseAddress!, needle.count) == 0 { return index }
                position = index + 1
            }
            return -1
        }
    }
}
