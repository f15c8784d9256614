/// The largest token id of a `.bin`, found with a vectorised scan of the mapped file.
///
/// Why vectorised: checking that every id of a multi-gigabyte shard is below the vocabulary size
/// must run near disk speed. The scan is a branch-free max-reduction that the compiler vectorises
/// (vector unsigned-max over the mapped UInt16 / UInt32 buffer); `int32` ids are
/// compared as their unsigned bit pattern, so a negative id counts as huge (out of range). Only
/// when the maximum is out of range does a second, scalar pass find the first offending position.
public struct TokenIDScan: Sendable {
    /// The largest id as an unsigned value (a negative int32 id shows as ≥ 2³¹).
    public let maximum: UInt32
    /// Number of ids scanned.
    public let count: Int

    /// Scans every id of `reader`'s `.bin`.
    public init(_ reader: MegatronIndexReader) {
        let bytes = reader.dataBytes
        count = reader.tokenCount
        switch reader.dtype {
        case .uint16: maximum = UInt32(Self.maximumUInt16(bytes))
        case .int32: maximum = Self.maximumUInt32(bytes)
        }
    }

    /// The position of the first id `>= limit` (unsigned comparison), or nil.
    public static func firstPosition(in reader: MegatronIndexReader, atOrAbove limit: UInt32) -> Int? {
        let bytes = reader.dataBytes
        switch reader.dtype {
        case .uint16:
            for i in 0..<reader.tokenCount where UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) >= limit { return i }
        case .int32:
            for i in 0..<reader.tokenCount where UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) >= limit { return i }
        }
        return nil
    }

    /// The document holding token position `position` (binary search over the document index).
    public static func document(in reader: MegatronIndexReader, containing position: Int) -> Int? {
        var low = 0, high = reader.documentCount
        while low < high {
            let mid = (low + high) / 2
            guard let end = try? documentEnd(reader, mid) else { return nil }
            if end <= position { low = mid + 1 } else { high = mid }
        }
        return low < reader.documentCount ? low : nil
    }

    private static func documentEnd(_ reader: MegatronIndexReader, _ d: Int) throws -> Int {
        let next = reader.documentIndexEntry(d + 1)
        return next < reader.sequenceCount ? reader.sequencePointer(next) / reader.dtype.itemSize : reader.tokenCount
    }

    /// A plain max-reduction over the mapped ids: LLVM turns it into vector `umax` instructions
    /// (measured: Swift's generic `SIMD` `pointwiseMax` was not specialised into vector code and ran
    /// at under 0.1 GB/s). The mapping is page-aligned, so binding to the element type is valid.
    static func maximumUInt16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        #if _endian(big)
        return maximumScalar16(bytes)
        #else
        guard let base = bytes.baseAddress, bytes.count >= 2 else { return 0 }
        return reduceMaximum(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt16.self), count: bytes.count / 2))
        #endif
    }

    static func maximumUInt32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        #if _endian(big)
        return maximumScalar32(bytes)
        #else
        guard let base = bytes.baseAddress, bytes.count >= 4 else { return 0 }
        return reduceMaximum(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt32.self), count: bytes.count / 4))
        #endif
    }

    @inline(__always)
    private static func reduceMaximum<T: FixedWidthInteger & UnsignedInteger>(_ ids: UnsafeBufferPointer<T>) -> T {
        var m: T = 0
        for id in ids { m = Swift.max(m, id) }
        return m
    }

    #if _endian(big)
    private static func maximumScalar16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var m: UInt16 = 0
        for i in 0..<bytes.count / 2 { m = max(m, UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        return m
    }
    private static func maximumScalar32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var m: UInt32 = 0
        for i in 0..<bytes.count / 4 { m = max(m, UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        return m
    }
    #endif
}

extension TokenIDScan {
    /// Up to `width` tokens at each end of document `d` (fewer for a shorter document; they
    /// overlap when it holds fewer than 2 × `width`), or nil for a document without tokens: what
    /// a wrapper put before and after the text (BOS, a post-processor's specials, EOD).
    public static func edges(in reader: MegatronIndexReader, document d: Int, width: Int) -> (head: [Int32], tail: [Int32])? {
        let first = reader.documentIndexEntry(d)
        let next = reader.documentIndexEntry(d + 1)
        guard first < next else { return nil }
        let start = reader.sequencePointer(first) / reader.dtype.itemSize
        let end = next < reader.sequenceCount ? reader.sequencePointer(next) / reader.dtype.itemSize : reader.tokenCount
        guard end > start else { return nil }
        let n = min(width, end - start)
        return ((start..<start + n).map { token(reader, $0) }, (end - n..<end).map { token(reader, $0) })
    }

    private static func token(_ reader: MegatronIndexReader, _ i: Int) -> Int32 {
        switch reader.dtype {
        case .uint16: return Int32(UInt16(littleEndian: reader.dataBytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        case .int32: return Int32(littleEndian: reader.dataBytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
        }
    }
}
