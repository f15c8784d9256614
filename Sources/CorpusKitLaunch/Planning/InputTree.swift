import Foundation
import CorpusKitReaders

/// Expands `--input` values into files and names each file's place in the output tree, mirroring
/// the input tree as llm-jp lays out its datasets: `IN/ja/ja_wiki_0000.jsonl.gz` becomes
/// `ja/ja_wiki_0000` (then `OUT/ja/ja_wiki_0000_text_document.bin/.idx`).
///
/// Names are relative to a root per input: a directory input is its own root, a file's root is its
/// directory, and a glob pattern's root is its longest leading directory without a wildcard
/// (`IN/*/x.jsonl` → `IN`). `--input-root` replaces all of them with one directory. The corpus
/// suffix (`.jsonl`, `.jsonl.gz`, …) is dropped from the name.
public enum InputTree {
    /// One expanded file.
    public struct Entry: Sendable, Equatable {
        /// The file, absolute.
        public var path: String
        /// Its name in the output tree (see ``InputTree``).
        public var name: String
    }

    /// The files of `inputs` with their names, in expansion order.
    /// - Throws: ``LaunchError/input(_:)`` for an input that expands to nothing, a file outside
    ///   `root`, or two files that would get the same name (they would write the same dataset).
    public static func entries(inputs: [String], root: String? = nil) throws(LaunchError) -> [Entry] {
        let fixedRoot = root.map(LaunchPaths.absolute)
        var result: [Entry] = []
        var owner: [String: String] = [:]
        for input in inputs {
            let files: [String]
            do {
                files = try InputExpansion.expand(input)
            } catch {
                throw .input(error.description)
            }
            let inputRoot = fixedRoot ?? defaultRoot(of: input)
            for file in files {
                let path = LaunchPaths.absolute(file)
                let prefix = inputRoot.hasSuffix("/") ? inputRoot : inputRoot + "/"
                guard path.hasPrefix(prefix), path.count > prefix.count else {
                    throw .input("\(path) is not under the input root \(inputRoot)")
                }
                let name = stem(String(path.dropFirst(prefix.count)))
                if let other = owner[name] {
                    throw .input("\(other) and \(path) would both become the dataset \(name)_*_document (two tasks must never write the same file); rename one or give them different input roots")
                }
                owner[name] = path
                result.append(Entry(path: path, name: name))
            }
        }
        if result.isEmpty { throw .input("no input files") }
        return result
    }

    /// `relative` without its corpus suffix (the longest of ``InputExpansion/corpusFileSuffixes``
    /// it ends with); unchanged when it has none.
    public static func stem(_ relative: String) -> String {
        let suffix = InputExpansion.corpusFileSuffixes.filter { relative.hasSuffix($0) }.max { $0.count < $1.count }
        guard let suffix, relative.count > suffix.count else { return relative }
        return String(relative.dropLast(suffix.count))
    }

    /// The default root of one `--input` value.
    static func defaultRoot(of input: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) {
            let absolute = LaunchPaths.absolute(input)
            return isDirectory.boolValue ? absolute : (absolute as NSString).deletingLastPathComponent
        }
        // A glob pattern: the directories before the first component with a wildcard.
        let absolute = LaunchPaths.absolute(input)
        var kept: [Substring] = []
        for component in absolute.split(separator: "/", omittingEmptySubsequences: false).dropLast() {
            if component.contains(where: { "*?[".contains($0) }) { break }
            kept.append(component)
        }
        let joined = kept.joined(separator: "/")
        return joined.isEmpty ? "/" : joined
    }
}
