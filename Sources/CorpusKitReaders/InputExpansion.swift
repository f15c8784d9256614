#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// Why command-line inputs could not be expanded into files.
public enum InputExpansionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path does not exist (and is not a glob pattern).
    case notFound(String)
    /// The glob pattern matched nothing.
    case noMatches(pattern: String)
    /// The directory (walked recursively) holds no file with a corpus suffix.
    case noCorpusFiles(directory: String)
    /// A file or directory could not be examined; `errno` says why.
    case unreadable(path: String, errno: Int32)
    /// A directory entry's name is not valid UTF-8, so it cannot be passed on as a `String`.
    case invalidFileName(directory: String)

    public var description: String {
        switch self {
        case let .notFound(path):
            return "input not found: \(path)"
        case let .noMatches(pattern):
            return "glob pattern matched no files: \(pattern)"
        case let .noCorpusFiles(directory):
            return "directory contains no corpus files (\(InputExpansion.corpusFileSuffixes.joined(separator: ", "))): \(directory)"
        case let .unreadable(path, code):
            return "cannot read \(path): \(String(cString: strerror(code)))"
        case let .invalidFileName(directory):
            return "directory \(directory) contains a file name that is not valid UTF-8"
        }
    }
}

/// Expands command-line inputs (files, directories, glob patterns) into the list of files to read.
public enum InputExpansion {
    /// File-name endings taken when walking a directory.
    public static let corpusFileSuffixes = [
        ".jsonl", ".json", ".jsonl.gz", ".json.gz", ".jsonl.zst", ".json.zst", ".jsonl.zstd", ".json.zstd",
    ]

    /// Endings of CorpusKit's own files that end like corpora but never are one: the provenance
    /// record beside a dataset (`PREFIX.corpuskit.json`, `CorpusKitShards.DatasetProvenance`, which
    /// this module cannot import; a test checks the two agree). Passed over when walking a directory.
    public static let nonCorpusSuffixes = [".corpuskit.json"]

    /// True if `name` ends with one of ``corpusFileSuffixes`` and none of ``nonCorpusSuffixes``.
    public static func isCorpusFileName(_ name: String) -> Bool {
        corpusFileSuffixes.contains { name.hasSuffix($0) } && !nonCorpusSuffixes.contains { name.hasSuffix($0) }
    }

    /// Expands each input in turn and concatenates the results in input order.
    ///
    /// - An existing file is taken as is, whatever its name.
    /// - An existing directory is walked recursively (following symbolic links, visiting each
    ///   directory once), taking files whose names end in a ``corpusFileSuffixes`` entry.
    /// - Anything else containing `*`, `?` or `[` is a glob(3) pattern; matched directories are
    ///   walked as above, matched files are taken as is.
    ///
    /// The files of one input are sorted by byte order and de-duplicated; duplicates across
    /// different inputs are kept.
    /// - Throws: ``InputExpansionError`` naming the first input that is missing, matches nothing
    ///   or is a directory without corpus files.
    public static func expand(_ inputs: [String]) throws(InputExpansionError) -> [String] {
        var result: [String] = []
        for input in inputs {
            result += try expand(input)
        }
        return result
    }

    /// The sorted, de-duplicated files of one input.
    public static func expand(_ input: String) throws(InputExpansionError) -> [String] {
        var files: [String] = []
        var visited = Set<DirectoryIdentity>()
        var status: POSIXFile.Status?
        var code: Int32 = 0
        do { status = try POSIXFile.examine(input) } catch { code = error.code }
        if let status {
            if status.isDirectory {
                try walk(input, into: &files, visited: &visited)
                if files.isEmpty { throw .noCorpusFiles(directory: input) }
            } else {
                files.append(input)
            }
        } else if isGlobPattern(input) {
            for match in try globMatches(input) {
                if POSIXFile.status(path: match)?.isDirectory == true {
                    try walk(match, into: &files, visited: &visited)
                } else {
                    files.append(match)
                }
            }
            if files.isEmpty { throw .noMatches(pattern: input) }
        } else {
            throw code == ENOENT || code == ENOTDIR ? .notFound(input) : .unreadable(path: input, errno: code)
        }
        return sortedUnique(files)
    }

    // MARK: - Helpers

    private struct DirectoryIdentity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private static func isGlobPattern(_ input: String) -> Bool {
        input.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    /// Byte-order sort (not `String`'s Unicode ordering), then drop adjacent duplicates.
    private static func sortedUnique(_ files: [String]) -> [String] {
        let sorted = files.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var unique: [String] = []
        unique.reserveCapacity(sorted.count)
        for file in sorted where unique.last != file {
            unique.append(file)
        }
        return unique
    }

    private static func globMatches(_ pattern: String) throws(InputExpansionError) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        let status = glob(pattern, 0, nil, &matches)
        if status == GLOB_NOMATCH { return [] }
        guard status == 0 else { throw .unreadable(path: pattern, errno: status == GLOB_NOSPACE ? ENOMEM : EIO) }
        var paths: [String] = []
        for index in 0..<Int(matches.gl_pathc) {
            if let path = matches.gl_pathv[index] {
                paths.append(String(cString: path))
            }
        }
        return paths
    }

    /// Appends the corpus files under `directory`, recursively.
    private static func walk(
        _ directory: String, into files: inout [String], visited: inout Set<DirectoryIdentity>
    ) throws(InputExpansionError) {
        let status: POSIXFile.Status
        do { status = try POSIXFile.examine(directory) } catch { throw .unreadable(path: directory, errno: error.code) }
        let identity = DirectoryIdentity(device: status.device, inode: status.inode)
        guard visited.insert(identity).inserted else { return }  // symbolic-link cycle

        let listing: (names: [String], invalidNames: Bool)
        do { listing = try POSIXFile.directoryNames(directory) } catch { throw .unreadable(path: directory, errno: error.code) }
        if listing.invalidNames { throw .invalidFileName(directory: directory) }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in listing.names {
            let path = prefix + name
            let entry: POSIXFile.Status
            do { entry = try POSIXFile.examine(path) } catch {
                if error.code == ENOENT { continue }  // dangling symbolic link or removed meanwhile
                throw .unreadable(path: path, errno: error.code)
            }
            if entry.isDirectory {
                try walk(path, into: &files, visited: &visited)
            } else if isCorpusFileName(name) {
                files.append(path)
            }
        }
    }
}
