import CorpusKitShards

/// Counts Megatron indexed datasets from their `.idx` alone (and reads their provenance records,
/// so that the tables can say which tokenizer made each).
///
/// Opening a dataset validates the whole `.idx` and checks that the `.bin` has exactly
/// `tokens × itemsize` bytes (its size only: the `.bin` is mapped but none of it is read), so a
/// count takes time proportional to the number of documents and memory independent of the
/// tokens. Per document the length is the difference of its sequences' pointers, as Megatron
/// reads it.
public enum ShardCounter {
    /// The statistics of `{prefix}.idx`, named relative to `root`.
    /// - Throws: ``ReportError/shard(_:)`` with the file and byte offset of the first inconsistency.
    public static func count(prefix: String, root: String? = nil) throws(ReportError) -> DatasetCount {
        let reader: MegatronIndexReader
        do {
            reader = try MegatronIndexReader(prefix: prefix)
        } catch {
            throw .shard("\(error)")
        }
        var result = DatasetCount(source: prefix, name: DatasetNaming.name(of: prefix, root: root))
        do {
            result.provenance = try DatasetProvenance.read(prefix: prefix)
        } catch {
            throw .shard("\(error)")
        }
        for d in 0..<reader.documentCount {
            let first = reader.documentIndexEntry(d)
            let last = reader.documentIndexEntry(d + 1)
            var length = 0
            for s in first..<last { length += reader.sequenceLength(s) }
            result.addDocument(tokens: length)
        }
        precondition(result.tokens == reader.tokenCount, "validated index: document tokens sum to the sizes")
        return result
    }

    /// Counts every prefix, in the given order; `progress` is called after each with (done, total).
    public static func count(
        prefixes: [String], root: String? = nil, progress: ((Int, Int) -> Void)? = nil
    ) throws(ReportError) -> [DatasetCount] {
        var result: [DatasetCount] = []
        result.reserveCapacity(prefixes.count)
        for (i, prefix) in prefixes.enumerated() {
            result.append(try count(prefix: prefix, root: root))
            progress?(i + 1, prefixes.count)
        }
        return result
    }
}
