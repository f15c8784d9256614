/// The files a Megatron run writes into its `--data-cache-path` for a given configuration: every
/// dataset split it builds (`GPTDataset`) and every blend (`BlendedDataset`), each with the
/// description whose MD5 names its files.
///
/// Splits and sizes as Megatron's `BlendedMegatronDatasetBuilder` makes them, for each split the
/// split matrix keeps (train, valid, test with `sizes` samples):
/// * one prefix without a weight: that dataset's split, asked for `sizes[s]` samples, no blend;
/// * weighted prefixes: each dataset asked for the flavour's `blendSizes`, blended to the
///   flavour's blend length with the weights normalised once more;
/// * several prefixes without weights: one epoch of each, blended by their sample counts
///   (normalised) to `min(sizes[s], Σ counts)` samples.
public struct IndexCacheLayout: Sendable {
    public static let splitNames = ["train", "valid", "test"]

    /// One `GPTDataset` split.
    public struct DatasetSplit: Sendable {
        public let prefix: String
        /// Index of the dataset's shape (data-path order).
        public let dataset: Int
        public let split: Int
        public let sequences: Range<Int>
        public let numSamples: Int?
        public let epochPlan: GPTEpochPlan
        /// Megatron's `unique_identifiers` of the split, and their `json.dumps(…, indent=4)`.
        public let identifiers: PythonJSON
        public let description: String
        public let hash: String
        public let sampleIndexType: NpyType
        public let shuffleIndexType: NpyType
    }

    /// One `BlendedDataset`.
    public struct Blend: Sendable {
        public let split: Int
        public let members: [Int] // indices into `datasetSplits`
        public let weights: [Double]
        public let size: Int
        public let description: String
        public let hash: String
    }

    public let configuration: PlanConfiguration
    public let sizes: [Int]
    public let datasetSplits: [DatasetSplit]
    public let blends: [Blend]

    /// Computes the layout from the datasets' sequence lengths (`shapes`, in data-path order).
    public init(configuration c: PlanConfiguration, shapes: [DatasetShape], sizes: [Int], tokenizer: CacheTokenizer) throws {
        try c.validate()
        precondition(shapes.count == c.blend.prefixes.count && sizes.count == 3)
        configuration = c
        self.sizes = sizes
        let semantics = c.flavor.semantics
        let tokenizerJSON = tokenizer.identifiers
        let splitMatrix: PythonJSON = .list((0..<3).map { s in
            guard let (b, e) = c.split.bookends[s] else { return .null }
            // Megatron's book-ends start from the int 0 (`functools.reduce` over `[[0], *vector]`).
            return .list([s == 0 ? .int(0) : .float(b), .float(e)])
        })

        var splits: [DatasetSplit] = []
        var blends: [Blend] = []
        var byHash: [String: Int] = [:]
        let weights = c.blend.weights
        let normalized = weights.map { NumpyFloat.normalize($0) }
        if weights == nil && shapes.count > 1 && !semantics.unweightedBlends {
            throw PlanError.badArgument("Megatron \(c.flavor) needs a weight before every dataset of a blend")
        }
        let single = weights == nil && shapes.count == 1

        func datasetSplit(_ i: Int, _ s: Int, _ numSamples: Int?) throws -> Int {
            let shape = shapes[i]
            guard let range = c.split.range(split: s, count: shape.lengths.count), !range.isEmpty else {
                throw PlanError.emptySplit(prefix: shape.prefix, split: Self.splitNames[s], sequences: shape.lengths.count, splitText: c.split.text)
            }
            let tokens = shape.tokens(in: range)
            if tokens == 0 { throw PlanError.noTokens(prefix: shape.prefix, split: Self.splitNames[s]) }
            let plan = GPTEpochPlan(sequenceLength: c.sequenceLength, tokensPerEpoch: tokens, requestedSamples: numSamples)
            let identifiers = PythonJSON.dict([
                ("class", .string("GPTDataset")),
                ("dataset_path", .string(shape.prefix)),
                ("num_samples", numSamples.map { .int($0) } ?? .null),
                ("index_split", .string(Self.splitNames[s])),
                ("random_seed", .int(Int(c.seed))),
                ("sequence_length", .int(c.sequenceLength)),
                ("split", .string(c.split.text)),
                ("split_matrix", splitMatrix),
                ("tokenizer", tokenizerJSON),
            ])
            let description = identifiers.dumps()
            let hash = MD5.hex(Array(description.utf8))
            if let known = byHash[hash] { return known }
            let documents = plan.epochs * range.count
            let sampleType: NpyType
            switch semantics.sampleIndexType {
            case .int32UnlessLarge:
                let largest = max(documents, Int(shape.lengths.max() ?? 0))
                sampleType = largest <= Int(Int32.max) ? .int32 : .int64
            case let .always(type): sampleType = type
            }
            let shuffleType: NpyType = plan.sampleCount >= Int(UInt32.max) - 1 ? .int64 : .uint32
            splits.append(DatasetSplit(
                prefix: shape.prefix, dataset: i, split: s, sequences: range, numSamples: numSamples, epochPlan: plan,
                identifiers: identifiers, description: description, hash: hash, sampleIndexType: sampleType, shuffleIndexType: shuffleType))
            byHash[hash] = splits.count - 1
            return splits.count - 1
        }

        for s in 0..<3 where c.split.bookends[s] != nil {
            let n = sizes[s]
            if single {
                _ = try datasetSplit(0, s, n)
                continue
            }
            var members: [Int] = []
            var blendWeights: [Double]
            var size: Int
            if let normalized {
                let (asked, blendSize) = c.flavor.blendSizes(normalizedWeights: normalized, total: n, surplus: c.surplus)
                for i in shapes.indices { members.append(try datasetSplit(i, s, asked[i])) }
                blendWeights = NumpyFloat.normalize(normalized)
                size = blendSize
            } else {
                for i in shapes.indices { members.append(try datasetSplit(i, s, nil)) }
                let counts = members.map { splits[$0].epochPlan.sampleCount }
                size = min(n, counts.reduce(0, +))
                blendWeights = NumpyFloat.normalize(counts.map(Double.init))
            }
            var items: [(String, PythonJSON)] = [
                ("class", .string("BlendedDataset")),
                ("datasets", .list(members.map { splits[$0].identifiers })),
            ]
            if semantics.splitInBlendDescription { items.append(("split", .string(Self.splitNames[s]))) }
            items.append(("weights", .list(blendWeights.map { .float($0) })))
            items.append(("size", .int(size)))
            if semantics.renormalizeKeyInBlendDescription { items.append(("renormalize_blend_weights", .bool(false))) }
            let description = PythonJSON.dict(items).dumps()
            blends.append(Blend(split: s, members: members, weights: blendWeights, size: size, description: description, hash: MD5.hex(Array(description.utf8))))
        }
        datasetSplits = splits
        self.blends = blends
    }

    /// The file name of a dataset split's file `affix` (`description.txt`, `document_index.npy`, …).
    public func fileName(_ d: DatasetSplit, _ affix: String) -> String {
        configuration.flavor.semantics.splitInFileNames
            ? "\(d.hash)-GPTDataset-\(Self.splitNames[d.split])-\(affix)"
            : "\(d.hash)-GPTDataset-\(affix)"
    }

    /// The file name of a blend's file `affix`.
    public func fileName(_ b: Blend, _ affix: String) -> String {
        configuration.flavor.semantics.splitInFileNames
            ? "\(b.hash)-BlendedDataset-\(Self.splitNames[b.split])-\(affix)"
            : "\(b.hash)-BlendedDataset-\(affix)"
    }

    /// Every file name of the cache, sorted.
    public var fileNames: [String] {
        var names: [String] = []
        for d in datasetSplits {
            for affix in ["description.txt", "document_index.npy", "sample_index.npy", "shuffle_index.npy"] { names.append(fileName(d, affix)) }
        }
        for b in blends {
            for affix in ["description.txt", "dataset_index.npy", "dataset_sample_index.npy"] { names.append(fileName(b, affix)) }
        }
        return names.sorted()
    }
}
