/// Computes the arrays of a cache layout, streaming each into an `ArrayOutput`.
///
/// A dataset split's document index is built whole (it is shuffled, and the sample index walks
/// it), then its sample index, then its shuffle index, each written at once: memory is bounded by
/// one dataset's indices. A blend's two arrays are streamed as the greedy blending produces them.
enum IndexCacheArrays {
    /// Writes dataset split `d`'s document, sample and shuffle indices (headers included).
    static func write(
        _ d: IndexCacheLayout.DatasetSplit, lengths: [Int32], seed: UInt32,
        document: ArrayOutput, sample: ArrayOutput, shuffle: ArrayOutput
    ) throws {
        let plan = d.epochPlan
        var rng = LegacyRandomState(seed: seed)
        let ids = d.sequences.map { Int32($0) }
        var documentIndex = [Int32]()
        documentIndex.reserveCapacity(plan.epochs * ids.count)
        let sharedEpochs = plan.separateFinalEpoch ? plan.epochs - 1 : plan.epochs
        for _ in 0..<sharedEpochs { documentIndex.append(contentsOf: ids) }
        rng.shuffle(&documentIndex)
        if plan.separateFinalEpoch {
            var last = ids
            rng.shuffle(&last)
            documentIndex.append(contentsOf: last)
        }
        try document.append(bytes: NpyHeader.bytes(type: .int32, shape: [documentIndex.count]))
        try document.append(array: documentIndex)

        // build_sample_idx with drop_last_partial_sequence and the extra token.
        let sampleCount = plan.sampleCount
        try sample.append(bytes: NpyHeader.bytes(type: d.sampleIndexType, shape: [sampleCount + 1, 2]))
        if d.sampleIndexType == .int32 {
            try sample.append(array: sampleIndex(documentIndex, lengths: lengths, plan: plan, as: Int32.self))
        } else {
            try sample.append(array: sampleIndex(documentIndex, lengths: lengths, plan: plan, as: Int64.self))
        }

        try shuffle.append(bytes: NpyHeader.bytes(type: d.shuffleIndexType, shape: [sampleCount]))
        documentIndex = []
        let first = plan.separateFinalEpoch ? plan.samplesSansFinalEpoch : sampleCount
        for range in [0 ..< first, first ..< sampleCount] { // an empty or one-element shuffle draws nothing
            if d.shuffleIndexType == .uint32 {
                var part = (UInt32(range.lowerBound) ..< UInt32(range.upperBound)).map { $0 }
                rng.shuffle(&part)
                try shuffle.append(array: part)
            } else {
                var part = (Int64(range.lowerBound) ..< Int64(range.upperBound)).map { $0 }
                rng.shuffle(&part)
                try shuffle.append(array: part)
            }
        }
    }

    /// `helpers.cpp`'s `build_sample_idx` (dropping the last partial sequence, with the extra
    /// token): for each of the plan's samples and one more, the document-index position and offset
    /// where it starts, flattened.
    static func sampleIndex<T: FixedWidthInteger>(_ documentIndex: [Int32], lengths: [Int32], plan: GPTEpochPlan, as: T.Type) -> [T] {
        let sampleCount = plan.sampleCount
        var out = [T](repeating: 0, count: 2 * (sampleCount + 1))
        out.withUnsafeMutableBufferPointer { out in
            documentIndex.withUnsafeBufferPointer { doc in
                lengths.withUnsafeBufferPointer { sizes in
                    var position = 0
                    var offset = 0
                    let last = doc.count - 1
                    var k = 0
                    while k < sampleCount {
                        k += 1
                        var remaining = plan.sequenceLength + 1
                        while remaining != 0 {
                            let length = Int(sizes[Int(doc[position])]) - offset
                            remaining -= length
                            if remaining <= 0 {
                                offset += remaining + length - 1
                                remaining = 0
                            } else {
                                if position == last {
                                    offset = Int(sizes[Int(doc[position])]) - 1
                                    break
                                }
                                position += 1
                                offset = 0
                            }
                        }
                        out[2 * k] = T(truncatingIfNeeded: position)
                        out[2 * k + 1] = T(truncatingIfNeeded: offset)
                    }
                }
            }
        }
        return out
    }

    /// Streams blend `b`'s dataset index and dataset sample index, and returns how many samples
    /// each member gives among the first `prefix` and among all; throws if the blend asks a dataset
    /// for more samples than it holds (Megatron's IndexError).
    static func write(
        _ b: IndexCacheLayout.Blend, layout: IndexCacheLayout, datasetIndex: ArrayOutput, datasetSampleIndex: ArrayOutput,
        prefix: Int
    ) throws -> BlendCounts {
        try datasetIndex.append(bytes: NpyHeader.bytes(type: .int16, shape: [b.size]))
        try datasetSampleIndex.append(bytes: NpyHeader.bytes(type: .int64, shape: [b.size]))
        let blend = BlendingIndex(weights: b.weights)
        let counts: BlendCounts
        if BlendWalker.handles(weights: b.weights, size: b.size) {
            let walker = BlendWalker(weights: b.weights, size: b.size)
            let chunk = 1 << 16
            var wide = [Int32](repeating: 0, count: chunk)
            var narrow = [Int16](repeating: 0, count: chunk)
            var samples = [Int64](repeating: 0, count: chunk)
            var atPrefix: [Int]?
            var g = 0
            if prefix <= 0 { atPrefix = walker.counts }
            while g < b.size {
                var n = min(chunk, b.size - g)
                if g < prefix && g + n > prefix { n = prefix - g }
                try wide.withUnsafeMutableBufferPointer { wide in
                    try narrow.withUnsafeMutableBufferPointer { narrow in
                        try samples.withUnsafeMutableBufferPointer { samples in
                            walker.advance(n, datasets: wide.baseAddress, samples: samples.baseAddress)
                            for k in 0..<n { narrow[k] = Int16(truncatingIfNeeded: wide[k]) }
                            try datasetIndex.append(raw: UnsafeRawBufferPointer(start: narrow.baseAddress, count: 2 * n))
                            try datasetSampleIndex.append(raw: UnsafeRawBufferPointer(start: samples.baseAddress, count: 8 * n))
                        }
                    }
                }
                g += n
                if g == prefix { atPrefix = walker.counts }
            }
            let all = walker.counts
            counts = BlendCounts(weights: b.weights, size: b.size, prefixLength: prefix, atPrefix: atPrefix ?? all, all: all)
        } else { // outside the walker's bounds: the scan, one step at a time
            var failure: Error?
            blend.walk(size: b.size) { _, i, s in
                do {
                    try datasetIndex.append(Int64(i), width: 2)
                    try datasetSampleIndex.append(Int64(s), width: 8)
                } catch {
                    failure = error
                    return false
                }
                return true
            }
            if let failure { throw failure }
            let (atPrefix, all) = blend.counts(size: b.size, prefix: prefix)
            counts = BlendCounts(weights: b.weights, size: b.size, prefixLength: prefix, atPrefix: atPrefix, all: all)
        }
        for (k, m) in b.members.enumerated() {
            let d = layout.datasetSplits[m]
            if counts.all[k] > d.epochPlan.sampleCount {
                throw PlanError.oversampled(prefix: d.prefix, requested: counts.all[k], available: d.epochPlan.sampleCount)
            }
        }
        return counts
    }
}
