/// A description of one Megatron indexed dataset, after full validation of its `.idx`/`.bin` pair.
public struct ShardInfo: Sendable, Equatable, CustomStringConvertible {
    /// The dataset prefix.
    public let prefix: String
    /// Path of the `.idx` file.
    public let indexPath: String
    /// Path of the `.bin` file.
    public let dataPath: String
    /// Element type of the `.bin` file.
    public let dtype: TokenDType
    /// Documents in the document index.
    public let documents: Int
    /// Sequences (entries of the sizes section).
    public let sequences: Int
    /// Tokens in the `.bin` file.
    public let tokens: Int
    /// Documents with no tokens.
    public let emptyDocuments: Int
    /// Tokens of the longest document.
    public let longestDocument: Int
    /// Size of the `.idx` file in bytes.
    public let indexBytes: Int
    /// Size of the `.bin` file in bytes.
    public let dataBytes: Int
    /// The consistency checks that passed.
    public let checks: [String]

    public var description: String {
        let average = documents > 0 ? Double(tokens) / Double(documents) : 0
        var lines = [
            "prefix:     \(prefix)",
            "dtype:      \(dtype) (Megatron code \(dtype.megatronCode), \(dtype.itemSize) bytes per token)",
            "documents:  \(documents) (\(emptyDocuments) empty)",
            "sequences:  \(sequences)",
            "tokens:     \(tokens) (longest document \(longestDocument), mean \(formatted(average)) per document)",
            "files:      \(indexPath) \(indexBytes) bytes, \(dataPath) \(dataBytes) bytes",
            "checks:",
        ]
        lines += checks.map { "  ok  \($0)" }
        return lines.joined(separator: "\n")
    }

    private func formatted(_ value: Double) -> String {
        let scaled = (value * 10).rounded() / 10
        return String(scaled)
    }
}

/// Functions behind the shard commands of the command-line tool.
public enum ShardTools {
    /// Validates `{prefix}.idx`/`{prefix}.bin` and describes the dataset. Throws the first inconsistency found.
    public static func info(prefix: String) throws -> ShardInfo {
        let reader = try MegatronIndexReader(prefix: prefix)
        var empty = 0
        var longest = 0
        for d in 0..<reader.documentCount {
            let count = try reader.tokenCount(ofDocument: d)
            if count == 0 { empty += 1 }
            longest = max(longest, count)
        }
        return ShardInfo(
            prefix: MegatronFormat.prefix(fromPath: prefix), indexPath: reader.indexPath, dataPath: reader.dataPath,
            dtype: reader.dtype, documents: reader.documentCount, sequences: reader.sequenceCount,
            tokens: reader.tokenCount, emptyDocuments: empty, longestDocument: longest,
            indexBytes: reader.index.count, dataBytes: reader.data.count,
            checks: [
                "magic MMIDIDX, version 1, dtype code \(reader.dtype.megatronCode)",
                ".idx size = 34 + 12 × \(reader.sequenceCount) sequences + 8 × \(reader.documentCount + 1) index entries",
                "sizes non-negative; pointers are the running byte offsets",
                "document index starts at 0, never decreases, ends at \(reader.sequenceCount)",
                ".bin size = \(reader.tokenCount) tokens × \(reader.dtype.itemSize) bytes",
            ])
    }

    /// The token ids of documents `documents` (inclusive) of `{prefix}`, one array per document.
    public static func documentTokens(prefix: String, documents: ClosedRange<Int>) throws -> [[Int32]] {
        let reader = try MegatronIndexReader(prefix: prefix)
        return try reader.documents(documents.lowerBound ..< documents.upperBound + 1)
    }
}
