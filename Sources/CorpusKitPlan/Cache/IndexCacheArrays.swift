/// Computes the arrays of a cache layout, streaming each into an `ArrayOutput`.
///
/// A dataset split's document index is built whole (it is shuffled, and the sample index walks
/// it), its sample index is streamed as `helpers.cpp`'s `build_sample_idx` walks it, and its
/// shuffle index is built whole (shuffled): memory is bounded by one dataset's document and
/// shuffle indices. A blend's two arrays are streamed as the greedy blending produces them.
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
        let width = d.sampleIndexType.byteWidth
        try sample.append(bytes: NpyHeader.bytes(type: d.sampleIndexType, shape: [sampleCount + 1, 2]))
        try documentIndex.withUnsafeBufferPointer { doc in
            try lengths.withUnsafeBufferPointer { sizes in
                var position = 0
                var offset = 0
                try sample.append(0, width: width)
                try sample.append(0, width: width)
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
                    try sample.append(Int64(position), width: width)
                    try sample.append(Int64(offset), width: width)
                }
            }
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

    /// Streams blend `b`'s dataset index and dataset sample index; throws if the blend asks a
    /// dataset for more samples than it holds (Megatron's IndexError).
    static func write(
        _ b: IndexCacheLayout.Blend, layout: IndexCacheLayout, datasetIndex: ArrayOutput, datasetSampleIndex: ArrayOutput,
        progress: ((Int) -> Void)? = nil
    ) throws {
        try datasetIndex.append(bytes: NpyHeader.bytes(type: .int16, shape: [b.size]))
        try datasetSampleIndex.append(bytes: NpyHeader.bytes(type: .int64, shape: [b.size]))
        let available = b.members.map { layout.datasetSplits[$0].epochPlan.sampleCount }
        var failure: Error?
        var over: Int?
        let step = max(1, b.size / 100)
        BlendingIndex(weights: b.weights).walk(size: b.size) { g, i, s in
            do {
                try datasetIndex.append(Int64(i), width: 2)
                try datasetSampleIndex.append(Int64(s), width: 8)
            } catch {
                failure = error
                return false
            }
            if s >= available[i] { over = i }
            if g % step == 0 { progress?(g) }
            return true
        }
        if let failure { throw failure }
        if let i = over {
            var counts = [Int](repeating: 0, count: b.members.count)
            BlendingIndex(weights: b.weights).walk(size: b.size) { _, k, _ in counts[k] += 1; return true }
            let d = layout.datasetSplits[b.members[i]]
            throw PlanError.oversampled(prefix: d.prefix, requested: counts[i], available: available[i])
        }
    }
}
