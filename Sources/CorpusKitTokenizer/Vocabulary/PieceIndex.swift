#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Piece bytes → id, as an open-addressing hash table over a `PieceTable`'s blob.
///
/// Hand-written rather than `[[UInt8]: Int32]`: a dictionary would allocate an array per piece
/// (196,608 for llm-jp v4.0) and made model loading several times slower. Keys are compared as
/// bytes, never as `String` (whose equality merges canonically equivalent pieces).
struct PieceIndex: Sendable {
    private let slots: [Int32]
    private let mask: Int
    private let table: PieceTable

    /// Indexes the pieces for which `include(id)` holds; for a repeated piece, `keepFirst`
    /// decides whether the first or the last id wins. `duplicate` reports each repeat.
    init(table: PieceTable, include: (Int) -> Bool = { _ in true }, keepFirst: Bool = false,
         duplicate: (Int) -> Void = { _ in }) {
        self.init(table: table, ids: (0..<table.count).filter(include), keepFirst: keepFirst, duplicate: duplicate)
    }

    /// Indexes the pieces `ids` (ascending), as ``init(table:include:keepFirst:duplicate:)``; for
    /// callers that already know them (sentencepiece's reserved pieces, found by the piece checks:
    /// two more passes over 100k pieces with a closure per piece were ~5 M instructions of llm-jp
    /// v3.0's load, callgrind).
    init(table: PieceTable, ids: [Int], keepFirst: Bool = false, duplicate: (Int) -> Void = { _ in }) {
        // Sized by the pieces included (sentencepiece's reserved map holds a few hundred of 196k).
        var capacity = 16
        while capacity < ids.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        for id in ids {
            var slot = Self.hash(table.bytes(id)) & mask
            while true {
                let occupant = slots[slot]
                if occupant < 0 { slots[slot] = Int32(id); break }
                if table.bytes(Int(occupant)).elementsEqual(table.bytes(id)) {
                    duplicate(id)
                    if !keepFirst { slots[slot] = Int32(id) }
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        self.slots = slots
        self.mask = mask
        self.table = table
    }

    /// The id of `key`, or nil.
    func id<C: Collection>(_ key: C) -> Int32? where C.Element == UInt8 {
        var slot = Self.hash(key) & mask
        while true {
            let occupant = slots[slot]
            if occupant < 0 { return nil }
            if table.bytes(Int(occupant)).elementsEqual(key) { return occupant }
            slot = (slot + 1) & mask
        }
    }

    /// ``id(_:)`` on raw bytes, for the BPE merge loops (no slices; `memcmp`).
    @inline(__always)
    func id(_ key: UnsafePointer<UInt8>, count: Int) -> Int32? {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<count { h = (h ^ UInt64(key[i])) &* 0x100_0000_01b3 }
        var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        return slots.withUnsafeBufferPointer { slots -> Int32? in
            table.blob.withUnsafeBufferPointer { blob -> Int32? in
                table.offsets.withUnsafeBufferPointer { offsets -> Int32? in
                    while true {
                        let occupant = slots[slot]
                        if occupant < 0 { return nil }
                        let start = Int(offsets[Int(occupant)])
                        if Int(offsets[Int(occupant) + 1]) - start == count
                            && Self.equal(blob.baseAddress! + start, key, count) {
                            return occupant
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// Pieces are a few bytes long: a loop beats calling `memcmp` (measured on loading merges).
    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if count > 16 { return memcmp(a, b, count) == 0 }
        for i in 0..<count where a[i] != b[i] { return false }
        return true
    }

    /// FNV-1a.
    private static func hash<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }
}
