/// The largest token id of a `.bin`, found with a vectorised scan of the mapped file.
///
/// Why vectorised: checking that every id of a multi-gigabyte shard is below the vocabulary size
/// must run near disk speed. The scan keeps four SIMD running maxima (32 × UInt16 or 16 × UInt32
/// lanes each) so the loop is one load and one `max` per 64 bytes with no branch; `int32` ids are
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

    @inline(__always)
    static func maximumUInt16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        typealias V = SIMD32<UInt16>
        let count = bytes.count / 2
        guard count > 0, let base = bytes.baseAddress else { return 0 }
        var m0 = V(repeating: 0), m1 = m0, m2 = m0, m3 = m0
        let stride = 4 * V.scalarCount
        var i = 0
        while i + stride <= count {
            let p = base + 2 * i
            m0 = pointwiseMax(m0, p.loadUnaligned(as: V.self))
            m1 = pointwiseMax(m1, p.loadUnaligned(fromByteOffset: 64, as: V.self))
            m2 = pointwiseMax(m2, p.loadUnaligned(fromByteOffset: 128, as: V.self))
            m3 = pointwiseMax(m3, p.loadUnaligned(fromByteOffset: 192, as: V.self))
            i += stride
        }
        var result = pointwiseMax(pointwiseMax(m0, m1), pointwiseMax(m2, m3)).max()
        while i < count {
            result = max(result, UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            i += 1
        }
        #if _endian(big)
        return maximumScalar16(bytes)
        #else
        return result
        #endif
    }

    @inline(__always)
    static func maximumUInt32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        typealias V = SIMD16<UInt32>
        let count = bytes.count / 4
        guard count > 0, let base = bytes.baseAddress else { return 0 }
        var m0 = V(repeating: 0), m1 = m0, m2 = m0, m3 = m0
        let stride = 4 * V.scalarCount
        var i = 0
        while i + stride <= count {
            let p = base + 4 * i
            m0 = pointwiseMax(m0, p.loadUnaligned(as: V.self))
            m1 = pointwiseMax(m1, p.loadUnaligned(fromByteOffset: 64, as: V.self))
            m2 = pointwiseMax(m2, p.loadUnaligned(fromByteOffset: 128, as: V.self))
            m3 = pointwiseMax(m3, p.loadUnaligned(fromByteOffset: 192, as: V.self))
            i += stride
        }
        var result = pointwiseMax(pointwiseMax(m0, m1), pointwiseMax(m2, m3)).max()
        while i < count {
            result = max(result, UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            i += 1
        }
        #if _endian(big)
        return maximumScalar32(bytes)
        #else
        return result
        #endif
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
    /// The first and last token of document `d`, or nil for a document without tokens.
    public static func edgeTokens(in reader: MegatronIndexReader, document d: Int) -> (first: Int32, last: Int32)? {
        let first = reader.documentIndexEntry(d)
        let next = reader.documentIndexEntry(d + 1)
        guard first < next else { return nil }
        let start = reader.sequencePointer(first) / reader.dtype.itemSize
        let end = next < reader.sequenceCount ? reader.sequencePointer(next) / reader.dtype.itemSize : reader.tokenCount
        guard end > start else { return nil }
        return (token(reader, start), token(reader, end - 1))
    }

    private static func token(_ reader: MegatronIndexReader, _ i: Int) -> Int32 {
        switch reader.dtype {
        case .uint16: return Int32(UInt16(littleEndian: reader.dataBytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        case .int32: return Int32(littleEndian: reader.dataBytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
        }
    }
}
