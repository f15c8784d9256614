/// Exact document-length percentiles in memory bounded by the longest document, not the number
/// of documents: lengths below 65,536 tokens are counted in an array, longer ones in a dictionary.
///
/// Percentiles are nearest-rank: `p(q)` is the smallest length `L` such that at least
/// `ceil(q × n)` of the `n` documents have at most `L` tokens (numpy's `percentile(...,
/// method="inverted_cdf")`); `p(1)` is the maximum.
public struct LengthHistogram: Sendable, Equatable {
    private static let denseLimit = 1 << 16
    private var dense: [Int] = []
    private var sparse: [Int: Int] = [:]
    /// Documents counted.
    public private(set) var count = 0
    /// The longest document (0 when none).
    public private(set) var maximum = 0

    /// An empty histogram.
    public init() {}

    /// Counts one document of `length` tokens.
    public mutating func add(_ length: Int, times: Int = 1) {
        count += times
        if length > maximum { maximum = length }
        if length < Self.denseLimit {
            if length >= dense.count { dense.append(contentsOf: repeatElement(0, count: Swift.max(length + 1, 2 * dense.count) - dense.count)) }
            dense[length] += times
        } else {
            sparse[length, default: 0] += times
        }
    }

    /// Adds every document of `other`.
    public mutating func merge(_ other: LengthHistogram) {
        for (length, times) in other.dense.enumerated() where times > 0 { add(length, times: times) }
        for (length, times) in other.sparse { add(length, times: times) }
    }

    /// The nearest-rank percentile `q` (0 < q ≤ 1); 0 for an empty histogram.
    public func percentile(_ q: Double) -> Int {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (length, times) in dense.enumerated() where times > 0 {
            seen += times
            if seen >= rank { return length }
        }
        for length in sparse.keys.sorted() {
            seen += sparse[length]!
            if seen >= rank { return length }
        }
        return maximum
    }
}
