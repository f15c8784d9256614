/// sentencepiece's `precompiled_charsmap`: a Darts-clone double array mapping byte strings to
/// offsets of NUL-terminated replacements in a string blob (the nmt_nfkc family of normalizers).
///
/// Layout: a little-endian `UInt32` byte size of the trie, the trie's 32-bit units, then the blob.
public struct PrecompiledCharsmap: Sendable {
    private let units: [UInt32]
    private let normalized: [UInt8]

    /// Parses a charsmap blob.
    public init(_ bytes: [UInt8]) throws(TokenizerError) {
        guard bytes.count >= 4 else { throw .malformedModel("precompiled_charsmap is shorter than its header") }
        let trieSize = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        guard trieSize % 4 == 0, trieSize <= bytes.count - 4 else {
            throw .malformedModel("precompiled_charsmap trie size \(trieSize) does not fit the \(bytes.count)-byte blob")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for i in 0..<units.count {
            let o = 4 + i * 4
            units[i] = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        guard !units.isEmpty else { throw .malformedModel("precompiled_charsmap has an empty trie") }
        self.units = units
        self.normalized = Array(bytes[(4 + trieSize)...])
    }

    /// The longest rule matching a prefix of `bytes[start..<end]`: its length and replacement.
    /// Mirrors sentencepiece's `NormalizePrefix` (longest of the common-prefix matches, with a
    /// valid offset into the blob).
    public func longestMatch(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> (length: Int, replacement: ArraySlice<UInt8>)? {
        var best: (length: Int, value: Int)?
        forEachMatch(bytes, from: start, to: end) { length, value in
            if best == nil || length > best!.length { best = (length, value) }
        }
        guard let found = best, found.value < normalized.count else { return nil }
        return (found.length, replacement(at: found.value))
    }

    /// The shortest rule matching a prefix (what HF's `Precompiled` normalizer uses: the first
    /// result of the common-prefix search).
    public func firstMatch(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int) -> ArraySlice<UInt8>? {
        var first: Int?
        forEachMatch(bytes, from: start, to: end, stopAtNUL: true) { _, value in
            if first == nil { first = value }
        }
        guard let value = first, value < normalized.count else { return nil }
        return replacement(at: value)
    }

    private func replacement(at offset: Int) -> ArraySlice<UInt8> {
        var stop = offset
        while stop < normalized.count && normalized[stop] != 0 { stop += 1 }
        return normalized[offset..<stop]
    }

    /// Darts-clone `commonPrefixSearch`, with bounds checks for untrusted files. HF's port
    /// (`spm_precompiled`) stops at a NUL byte; sentencepiece searches the given length.
    private func forEachMatch(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int, stopAtNUL: Bool = false,
                              _ body: (Int, Int) -> Void) {
        var nodePosition = 0
        var unit = units[0]
        nodePosition ^= Self.offset(unit)
        var i = start
        while i < end {
            let label = UInt32(bytes[i])
            if stopAtNUL && label == 0 { return }
            nodePosition ^= Int(label)
            guard nodePosition >= 0 && nodePosition < units.count else { return }
            unit = units[nodePosition]
            guard unit & ((1 << 31) | 0xFF) == label else { return }
            nodePosition ^= Self.offset(unit)
            guard nodePosition >= 0 && nodePosition < units.count else { return }
            if (unit >> 8) & 1 == 1 {
                body(i - start + 1, Int(units[nodePosition] & ((1 << 31) - 1)))
            }
            i += 1
        }
    }

    private static func offset(_ unit: UInt32) -> Int {
        Int((unit >> 10) << ((unit & (1 << 9)) >> 6))
    }
}
