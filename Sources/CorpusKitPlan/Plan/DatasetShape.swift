import CorpusKitShards
import Foundation

/// What the plan needs of one dataset: its sequence lengths (the `.idx` sizes section).
///
/// megatron-core's `GPTDataset` counts and splits *sequences* (entries of the sizes section), not the
/// `.idx` documents; for shards written one sequence per document (`corpuskit tokenize`,
/// `preprocess_data.py` without sentence splitting) the two are the same.
public struct DatasetShape: Sendable {
    public let prefix: String
    public let lengths: [Int32]

    public init(prefix: String, lengths: [Int32]) {
        self.prefix = prefix
        self.lengths = lengths
    }

    /// Reads `{prefix}.idx` (and checks `{prefix}.bin` against it).
    public static func load(prefix: String) throws -> (DatasetShape, MegatronIndexReader) {
        let idx = MegatronFormat.indexPath(prefix: prefix)
        let bin = MegatronFormat.dataPath(prefix: prefix)
        for path in [idx, bin] where !FileManager.default.fileExists(atPath: path) {
            throw PlanError.missingPrefix(prefix: prefix, missing: path)
        }
        let reader = try MegatronIndexReader(indexPath: idx, dataPath: bin)
        return (DatasetShape(prefix: prefix, lengths: reader.sequenceLengths()), reader)
    }

    /// Tokens in sequences `range`.
    public func tokens(in range: Range<Int>) -> Int {
        lengths.withUnsafeBufferPointer { l in
            var t = 0
            for i in range { t += Int(l[i]) }
            return t
        }
    }
}
