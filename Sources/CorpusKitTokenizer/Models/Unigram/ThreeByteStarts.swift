/// The trie states after the first two bytes of a three-byte UTF-8 character (Japanese kana and
/// kanji, and most other scripts of the Basic Multilingual Plane), so the Viterbi pass starts a
/// walk at such a character with one table load instead of two byte steps (each a dependent
/// load of the state's base, of the byte and of the target's check: ~12 instructions).
///
/// `states[(lead & 0x0F) << 8 | second]` is the state the trie reaches from the root on the
/// bytes `lead`, `second` (lead 0xE0 ... 0xEF, any second byte), or -1 when the walk ends before.
/// A walk from such a start reports nothing before its third byte — no piece ends inside the
/// character's first two bytes: ``init(trie:)`` checks it, else the table is not used — so it
/// goes on from `states[...]` at the third byte exactly as it would have. 16 KB, built from the
/// trie at load (4,096 two-byte walks, well under a millisecond); only the rows of the scripts a
/// text uses are touched.
struct ThreeByteStarts: Sendable {
    /// Empty when the table is not used.
    let states: [Int32]
    /// Whether the Viterbi pass may use the table.
    var isUsable: Bool { !states.isEmpty }

    init(trie: DoubleArrayTrie) {
        var states = [Int32](repeating: -1, count: 16 * 256)
        for low in 0..<16 {
            let first = trie.next(0, UInt8(0xE0 | low))
            if first < 0 { continue }
            if trie.value(at: first) >= 0 { self.states = []; return }   // a piece of a lone lead byte
            for second in 0..<256 {
                let state = trie.next(first, UInt8(second))
                if state < 0 { continue }
                if trie.value(at: state) >= 0 { self.states = []; return }   // a piece ending inside a character
                states[low << 8 | second] = state
            }
        }
        self.states = states
    }

    /// The index of the character that starts with `lead` (0xE0 ... 0xEF) and `second`.
    @inline(__always)
    static func index(lead: UInt8, second: UInt8) -> Int { Int(lead & 0x0F) &<< 8 | Int(second) }
}
