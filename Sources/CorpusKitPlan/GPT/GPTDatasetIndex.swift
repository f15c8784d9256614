/// One dataset's document, sample and shuffle indices as megatron-core's `GPTDataset` builds them.
///
/// * document index: the split's sequence ids repeated `E` times and shuffled with
///   `RandomState(seed)`; with a separate final epoch, the first `E − 1` epochs and the last one are
///   shuffled apart (in that order, the same generator continuing);
/// * sample index: for sample `k`, the position of token `k·L` in the document index laid end to end
///   (`(document-index position, offset)`), `helpers.cpp`'s `build_sample_idx`; here either built whole
///   (`sampleIndex()`) or looked up by binary search over the running token counts (`sampleStart`),
///   which gives the same entries without materialising the array;
/// * shuffle index: `0 ..< S` shuffled (with a separate final epoch, `0 ..< S′` and `S′ ..< S` apart),
///   continuing the same generator after the document index.
///
/// Sample `s` of the dataset is `sample[shuffle[s]]`.
public struct GPTDatasetIndex: Sendable {
    public let plan: GPTEpochPlan
    /// The shuffled document index (sequence ids).
    public let documentIndex: [Int32]
    /// The shuffle index.
    public let shuffleIndex: [Int64]
    /// Running token count before each document-index position (`documentIndex.count + 1` entries).
    private let cumulative: [Int64]
    private let lengths: [Int32]

    /// Builds the indices for the split `sequences` of a dataset whose sequence lengths are `lengths`.
    public init(lengths: [Int32], sequences: Range<Int>, plan: GPTEpochPlan, seed: UInt32) {
        self.plan = plan
        self.lengths = lengths
        var rng = LegacyRandomState(seed: seed)
        let ids = sequences.map { Int32($0) }
        func epochs(_ e: Int) -> [Int32] {
            var a = [Int32](); a.reserveCapacity(e * ids.count)
            for _ in 0..<e { a.append(contentsOf: ids) }
            return a
        }
        var doc: [Int32]
        if !plan.separateFinalEpoch || plan.epochs == 1 {
            doc = epochs(plan.epochs)
            rng.shuffle(&doc)
        } else {
            doc = epochs(plan.epochs - 1)
            rng.shuffle(&doc)
            var last = ids
            rng.shuffle(&last)
            doc.append(contentsOf: last)
        }
        documentIndex = doc
        var cum = [Int64](repeating: 0, count: doc.count + 1)
        doc.withUnsafeBufferPointer { d in
            lengths.withUnsafeBufferPointer { l in
                var running: Int64 = 0
                for j in 0..<d.count {
                    cum[j] = running
                    running += Int64(l[Int(d[j])])
                }
                cum[d.count] = running
            }
        }
        cumulative = cum
        let total = plan.sampleCount
        if plan.separateFinalEpoch {
            var first = (0..<Int64(plan.samplesSansFinalEpoch)).map { $0 }
            rng.shuffle(&first)
            var rest = (Int64(plan.samplesSansFinalEpoch)..<Int64(total)).map { $0 }
            rng.shuffle(&rest)
            shuffleIndex = first + rest
        } else {
            var all = (0..<Int64(total)).map { $0 }
            rng.shuffle(&all)
            shuffleIndex = all
        }
    }

    /// Entry `k` (`0 ... sampleCount`) of the sample index: document-index position and token offset.
    public func sampleStart(_ k: Int) -> (position: Int, offset: Int) {
        if k == 0 { return (0, 0) }
        let p = Int64(k) * Int64(plan.sequenceLength)
        // Last position j with cumulative[j] <= p (ties from empty sequences: the last one before the growth).
        var lo = 0, hi = documentIndex.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if cumulative[mid] <= p { lo = mid } else { hi = mid - 1 }
        }
        return (lo, Int(p - cumulative[lo]))
    }

    /// The whole sample index, `sampleCount + 1` entries, as `helpers.cpp` lays it out.
    public func sampleIndex() -> [(position: Int, offset: Int)] {
        (0...plan.sampleCount).map { sampleStart($0) }
    }

    /// The spans (sequence id, token offset, length) making up dataset sample `s` (`s` before shuffling
    /// is applied: this is the dataset's `s`-th sample, `sample[shuffle[s]]`).
    public func spans(ofSample s: Int) -> [SampleSpan] {
        let k = Int(shuffleIndex[s])
        let (b, bo) = sampleStart(k)
        let (e, eo) = sampleStart(k + 1)
        if b == e {
            return [SampleSpan(sequence: Int(documentIndex[b]), offset: bo, length: eo - bo + 1)]
        }
        var spans: [SampleSpan] = []
        for j in b...e {
            let id = Int(documentIndex[j])
            let offset = j == b ? bo : 0
            let length = j < e ? Int(lengths[id]) - offset : eo + 1
            spans.append(SampleSpan(sequence: id, offset: offset, length: length))
        }
        return spans
    }
}

/// A piece of a sample: `length` tokens of sequence `sequence` (a `.idx` sequence, which for shards
/// written one sequence per document is the document id) from token `offset`.
public struct SampleSpan: Sendable, Equatable, Codable {
    public let sequence: Int
    public let offset: Int
    public let length: Int
}
