import Foundation

/// Turns shard arguments into Megatron dataset prefixes: the one resolver behind `count`,
/// `mixture --shards` and `compat shards`, so every command takes the same arguments.
///
/// An argument may be a prefix (`X_text_document`, for `X_text_document.idx`/`.bin`), an `.idx`
/// or `.bin` path, a directory (walked recursively for `.idx` files) or a glob pattern whose
/// matches are any of these. Each prefix is taken once, in byte order within an argument.
public enum ShardDiscovery {
    /// The prefixes named by `arguments`, in argument order, each once.
    /// - Throws: ``ShardError/noInputs(_:)`` for an argument that names no dataset.
    public static func prefixes(_ arguments: [String]) throws(ShardError) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for argument in arguments {
            for prefix in try prefixes(argument) where seen.insert(prefix).inserted {
                result.append(prefix)
            }
        }
        return result
    }

    private static func prefixes(_ argument: String) throws(ShardError) -> [String] {
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        if manager.fileExists(atPath: argument, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return try walk(argument) }
            if argument.hasSuffix(".idx") || argument.hasSuffix(".bin") { return [String(argument.dropLast(4))] }
            if manager.fileExists(atPath: argument + ".idx") { return [argument] }
            throw .noInputs("\(argument): not a Megatron dataset (expected a prefix, an .idx or .bin file, or a directory)")
        }
        if manager.fileExists(atPath: argument + ".idx") || manager.fileExists(atPath: argument + ".bin") {
            return [argument]
        }
        if argument.contains(where: { "*?[".contains($0) }) {
            let matches = glob(argument)
            if matches.isEmpty { throw .noInputs("glob pattern matched nothing: \(argument)") }
            var result: [String] = []
            for match in matches {
                if manager.fileExists(atPath: match, isDirectory: &isDirectory), isDirectory.boolValue {
                    result += try walk(match)
                } else if match.hasSuffix(".idx") || match.hasSuffix(".bin") {
                    result.append(String(match.dropLast(4)))
                }
            }
            if result.isEmpty { throw .noInputs("glob pattern matched no .idx/.bin file or directory: \(argument)") }
            return sortedUnique(result)
        }
        throw .noInputs("\(argument): no such dataset (neither \(argument), \(argument).idx nor \(argument).bin exists)")
    }

    /// The prefixes of the `.idx` files under `directory`, recursively.
    private static func walk(_ directory: String) throws(ShardError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw .noInputs("cannot read directory \(directory)")
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        var result: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".idx") { result.append(base + relative.dropLast(4)) }
        }
        if result.isEmpty { throw .noInputs("directory holds no .idx file: \(directory)") }
        return sortedUnique(result)
    }

    private static func sortedUnique(_ paths: [String]) -> [String] {
        Array(Set(paths)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }  // byte order, as count sorts names
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Foundation.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { i in result.gl_pathv[i].map { String(cString: $0) } }
    }
}
