#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Concatenates Megatron indexed datasets the way Megatron does (`MMapIndexedDatasetBuilder.merge_file_`,
/// `IndexedDatasetBuilder.add_index`, `tools/merge_datasets.py`, and `preprocess_data.py --partitions`).
///
/// The output takes the first input's dtype and every input must have the same one. For each input in
/// order: its sizes are appended, its document index without the leading 0 is appended with the number of
/// sequences already present added to every entry, and its `.bin` bytes are copied. Pointers are then
/// recomputed from all sizes when the `.idx` is written, exactly as Megatron's `finalize` does.
public enum MegatronMerge {
    /// Merges the datasets at `prefixes`, in that order, into `{outputPrefix}.bin/.idx`.
    @discardableResult
    public static func merge(prefixes: [String], into outputPrefix: String) throws -> ShardSummary {
        guard let first = prefixes.first else { throw ShardError.noInputs("merge needs at least one input dataset") }
        let firstReader = try MegatronIndexReader(prefix: first)
        let writer = try MegatronIndexWriter(prefix: outputPrefix, dtype: firstReader.dtype)
        do {
            try writer.appendDataset(firstReader)
            for prefix in prefixes.dropFirst() {
                let reader = try MegatronIndexReader(prefix: prefix)
                try writer.appendDataset(reader)
            }
            return try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Merges every dataset in `directory`, in the order `tools/merge_datasets.py` uses
    /// (see ``datasetPrefixes(inDirectory:)``).
    @discardableResult
    public static func mergeDirectory(_ directory: String, into outputPrefix: String) throws -> ShardSummary {
        try merge(prefixes: datasetPrefixes(inDirectory: directory), into: outputPrefix)
    }

    /// The dataset prefixes in `directory` as `tools/merge_datasets.py` finds them: every regular file's
    /// name without its extension (Python `os.path.splitext`), which must have both `.idx` and `.bin`,
    /// sorted by Unicode code points (Python `sorted`).
    public static func datasetPrefixes(inDirectory directory: String) throws -> [String] {
        var names: Set<String> = []
        var prefixes: [String] = []
        for name in try listDirectory(directory) {
            let path = directory + "/" + name
            guard isRegularFile(path) else { continue }
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
        guard let handle = opendir(directory) else {
            throw ShardError.io(path: directory, operation: "opendir", errno: errno)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG
    }
}
