#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CorpusKitSystem

/// Concatenates Megatron indexed datasets the way Megatron does (`MMapIndexedDatasetBuilder.merge_file_`,
/// `IndexedDatasetBuilder.add_index`, `tools/merge_datasets.py`, and `preprocess_data.py --partitions`).
///
/// The output takes the first input's dtype and every input must have the same one. For each input in
/// order: its sizes are appended, its document index without the leading 0 is appended with the number of
/// sequences already present added to every entry, and its `.bin` bytes are copied. Pointers are then
/// recomputed from all sizes when the `.idx` is written, exactly as Megatron's `finalize` does.
public enum MegatronMerge {
    /// Merges the datasets at `prefixes`, in that order, into `{outputPrefix}.bin/.idx`.
    ///
    /// Provenance: the inputs' records (``DatasetProvenance``) are compared first; datasets whose
    /// ids mean different things (another tokenizer file, wrapper type, EOD appending or dtype) are
    /// refused with ``ShardError/differentProducers(_:)`` naming them and the differences, unless
    /// `allowingDifferentProducers` (then each difference is passed to `warn`). An input without a
    /// record cannot be checked: `warn` says so. When any input has a record, the output gets one
    /// (the first record's tokenizer and options, every input file, the merged counts and
    /// ``DatasetProvenance/mergedFrom``), published with the dataset. Temporary files of
    /// `outputPrefix` left by dead processes are removed first.
    @discardableResult
    public static func merge(
        prefixes: [String], into outputPrefix: String, allowingDifferentProducers: Bool = false,
        warn: (String) -> Void = { _ in }
    ) throws -> ShardSummary {
        guard let first = prefixes.first else { throw ShardError.noInputs("merge needs at least one input dataset") }
        var records: [DatasetProvenance?] = []
        for prefix in prefixes { records.append(try DatasetProvenance.read(prefix: prefix)) }
        try checkProducers(prefixes: prefixes, records: records, allowingDifferent: allowingDifferentProducers, warn: warn)
        AtomicFile.removeStaleTemporaries(of: [MegatronFormat.dataPath(prefix: outputPrefix), MegatronFormat.indexPath(prefix: outputPrefix),
                                                DatasetProvenance.path(prefix: outputPrefix)])
        let started = DatasetProvenance.timestamp()
        let firstReader = try MegatronIndexReader(prefix: first)
        let writer = try MegatronIndexWriter(prefix: outputPrefix, dtype: firstReader.dtype)
        var wroteRecord = false
        do {
            try writer.appendDataset(firstReader)
            for prefix in prefixes.dropFirst() {
                let reader = try MegatronIndexReader(prefix: prefix)
                try writer.appendDataset(reader)
            }
            POSIXFile.removeQuietly(MegatronFormat.indexPath(prefix: outputPrefix))
            POSIXFile.removeQuietly(DatasetProvenance.path(prefix: outputPrefix))
            if let record = mergedRecord(prefixes: prefixes, records: records, writer: writer, started: started) {
                try record.write(prefix: outputPrefix)
                wroteRecord = true
            }
            return try writer.finish()
        } catch {
            writer.abort()
            if wroteRecord { POSIXFile.removeQuietly(DatasetProvenance.path(prefix: outputPrefix)) }
            throw error
        }
    }

    /// Merges every dataset in `directory`, in the order `tools/merge_datasets.py` uses
    /// (see ``datasetPrefixes(inDirectory:)``); provenance as ``merge(prefixes:into:allowingDifferentProducers:warn:)``.
    @discardableResult
    public static func mergeDirectory(
        _ directory: String, into outputPrefix: String, allowingDifferentProducers: Bool = false,
        warn: (String) -> Void = { _ in }
    ) throws -> ShardSummary {
        try merge(prefixes: datasetPrefixes(inDirectory: directory), into: outputPrefix,
                  allowingDifferentProducers: allowingDifferentProducers, warn: warn)
    }

    /// Merges `inputs` as `shard merge` takes them: one directory (every dataset in it, as
    /// ``mergeDirectory(_:into:allowingDifferentProducers:warn:)``) or dataset prefixes in order.
    @discardableResult
    public static func merge(
        inputs: [String], into outputPrefix: String, allowingDifferentProducers: Bool = false,
        warn: (String) -> Void = { _ in }
    ) throws -> ShardSummary {
        if inputs.count == 1, POSIXFile.status(path: inputs[0])?.isDirectory == true {
            return try mergeDirectory(inputs[0], into: outputPrefix, allowingDifferentProducers: allowingDifferentProducers, warn: warn)
        }
        return try merge(prefixes: inputs, into: outputPrefix, allowingDifferentProducers: allowingDifferentProducers, warn: warn)
    }

    /// Refuses (or, when allowed, reports) inputs whose ids mean different things; reports inputs
    /// that have no record while others have one.
    private static func checkProducers(
        prefixes: [String], records: [DatasetProvenance?], allowingDifferent: Bool, warn: (String) -> Void
    ) throws {
        guard let reference = records.firstIndex(where: { $0 != nil }), let base = records[reference] else { return }
        var conflicts: [String] = []
        for (index, record) in records.enumerated() {
            guard let record else {
                warn("\(prefixes[index]) has no provenance record: its tokenizer cannot be verified against \(prefixes[reference])'s")
                continue
            }
            let differences = record.meaningDifferences(from: base, labels: ("in \(prefixes[reference])", "in \(prefixes[index])"))
            if differences.isEmpty { continue }
            let sentence = "\(prefixes[index]) differs from \(prefixes[reference]): " + differences.joined(separator: "; ")
            conflicts.append(sentence)
        }
        guard !conflicts.isEmpty else { return }
        if allowingDifferent {
            conflicts.forEach(warn)
            return
        }
        throw ShardError.differentProducers(
            "the datasets were made with different tokenizers or options, so their ids do not mean the same:\n"
                + conflicts.map { "  \($0)" }.joined(separator: "\n"))
    }

    /// The merged dataset's record, or `nil` when no input has one.
    private static func mergedRecord(
        prefixes: [String], records: [DatasetProvenance?], writer: MegatronIndexWriter, started: String
    ) -> DatasetProvenance? {
        guard let base = records.compactMap({ $0 }).first else { return nil }
        var skipped: [String: Int] = [:]
        for record in records.compactMap({ $0 }) {
            for (reason, count) in record.linesSkipped { skipped[reason, default: 0] += count }
        }
        return DatasetProvenance(
            tokenizer: base.tokenizer, options: base.options, inputs: records.flatMap { $0?.inputs ?? [] },
            documents: writer.documentCount, sequences: writer.sequenceCount, tokens: writer.tokenCount,
            linesRead: records.reduce(0) { $0 + ($1?.linesRead ?? 0) }, linesSkipped: skipped,
            started: started, finished: DatasetProvenance.timestamp(),
            mergedFrom: zip(prefixes, records).map { DatasetProvenance.MergedDataset(prefix: $0, provenance: $1) })
    }

    /// The dataset prefixes in `directory` as `tools/merge_datasets.py` finds them: every regular file's
    /// name without its extension (Python `os.path.splitext`), which must have both `.idx` and `.bin`,
    /// sorted by Unicode code points (Python `sorted`). Unlike the fork's script, provenance records
    /// (`*.corpuskit.json`) are passed over.
    public static func datasetPrefixes(inDirectory directory: String) throws -> [String] {
        var names: Set<String> = []
        var prefixes: [String] = []
        for name in try listDirectory(directory) {
            let path = directory + "/" + name
            // Provenance records lie beside datasets; the fork's merge_datasets.py would stop at them.
            guard isRegularFile(path), !DatasetProvenance.isRecordPath(name) else { continue }
            let (stem, ext) = splitExtension(name)
            if names.contains(stem) { continue }
            let pairExtension = ext == ".idx" ? ".bin" : ".idx"
            guard isRegularFile(directory + "/" + stem + pairExtension) else {
                throw ShardError.noInputs("\(directory)/\(stem): \(pairExtension) file not provided (merge_datasets.py requires pairs)")
            }
            names.insert(stem)
            prefixes.append(stem)
        }
        guard !prefixes.isEmpty else { throw ShardError.noInputs("\(directory): no .idx/.bin pairs to merge") }
        return prefixes
            .sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
            .map { directory + "/" + $0 }
    }

    /// Python's `os.path.splitext` on a file name: the extension starts at the last dot that is not
    /// part of the name's leading dots.
    static func splitExtension(_ name: String) -> (String, String) {
        let scalars = Array(name.unicodeScalars)
        guard let dot = scalars.lastIndex(of: ".") else { return (name, "") }
        let leading = scalars.prefix(dot)
        if leading.allSatisfy({ $0 == "." }) { return (name, "") }
        return (String(String.UnicodeScalarView(scalars[..<dot])), String(String.UnicodeScalarView(scalars[dot...])))
    }

    private static func listDirectory(_ directory: String) throws -> [String] {
        let listing = try ShardError.system { try POSIXFile.directoryNames(directory) }
        if listing.invalidNames {
            throw ShardError.io(path: directory, operation: "list (a file name there is not valid UTF-8)", errno: EILSEQ)
        }
        return listing.names
    }

    private static func isRegularFile(_ path: String) -> Bool { POSIXFile.status(path: path)?.isRegularFile == true }
}
