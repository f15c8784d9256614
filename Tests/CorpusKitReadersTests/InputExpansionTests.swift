import Foundation
import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

final class InputExpansionTests: XCTestCase {
    private func expansionError(_ inputs: [String]) -> InputExpansionError? {
        do {
            _ = try InputExpansion.expand(inputs)
            XCTFail("expected an error for \(inputs)")
            return nil
        } catch {
            return error
        }
    }

    /// A directory holding a file whose name is not UTF-8 is an error naming the directory (the
    /// file could be a corpus file that a Swift path cannot name), not a silently shorter list.
    func testANonUTF8NameInADirectoryIsAnError() throws {
        let dir = try ScratchDirectory("readers-tests")
        try dir.write("corpus/a.jsonl", [])
        try dir.createFile(folder: "corpus", nameBytes: [0x62, 0xFF] + Array(".jsonl".utf8))   // "b\xFF.jsonl"
        let error = expansionError([dir.path + "/corpus"])
        XCTAssertEqual(error?.description, "directory \(dir.path)/corpus contains a file name that is not valid UTF-8")
    }

    func testDirectoriesFilesAndGlobs() throws {
        let dir = try ScratchDirectory("readers-tests")
        let root = dir.path
        for name in [
            "corpus/b.jsonl", "corpus/a.jsonl.gz", "corpus/sub/c.json", "corpus/sub/d.jsonl.zst",
            "corpus/sub/deeper/e.jsonl.zstd", "corpus/sub/f.json.gz", "corpus/sub/g.json.zst",
            "corpus/notes.txt", "corpus/data.jsonl.bz2", "corpus/Z.jsonl", "other/x.jsonl", "other/y.txt",
        ] {
            try dir.write(name, [])
        }
        // A symbolic-link cycle must not loop forever.
        try FileManager.default.createSymbolicLink(atPath: root + "/corpus/sub/loop", withDestinationPath: root + "/corpus")

        let corpus = try InputExpansion.expand([root + "/corpus"])
        XCTAssertEqual(corpus, [
            "corpus/Z.jsonl", "corpus/a.jsonl.gz", "corpus/b.jsonl", "corpus/sub/c.json", "corpus/sub/d.jsonl.zst",
            "corpus/sub/deeper/e.jsonl.zstd", "corpus/sub/f.json.gz", "corpus/sub/g.json.zst",
        ].map { root + "/" + $0 })

        // A file is taken whatever its name; glob results are sorted; input order is kept;
        // duplicates within one input are removed.
        let mixed = try InputExpansion.expand([
            root + "/other/y.txt", root + "/corpus/[ab]*", root + "/corpus/*.jsonl*", root + "/other/",
        ])
        XCTAssertEqual(mixed, [
            root + "/other/y.txt",
            root + "/corpus/a.jsonl.gz", root + "/corpus/b.jsonl",
            root + "/corpus/Z.jsonl", root + "/corpus/a.jsonl.gz", root + "/corpus/b.jsonl",
            root + "/corpus/data.jsonl.bz2",
            root + "/other/x.jsonl",
        ])

        // A glob matching a directory walks it.
        XCTAssertEqual(try InputExpansion.expand([root + "/oth?r"]), [root + "/other/x.jsonl"])
    }

    func testErrorsNameTheInput() throws {
        let dir = try ScratchDirectory("readers-tests")
        try dir.write("empty/readme.txt", [])
        XCTAssertEqual(expansionError([dir.path + "/missing.jsonl"]), .notFound(dir.path + "/missing.jsonl"))
        XCTAssertEqual(expansionError([dir.path + "/*.jsonl"]), .noMatches(pattern: dir.path + "/*.jsonl"))
        XCTAssertEqual(expansionError([dir.path + "/empty"]), .noCorpusFiles(directory: dir.path + "/empty"))
        XCTAssertEqual(
            InputExpansionError.notFound("x.jsonl").description, "input not found: x.jsonl")
        XCTAssertEqual(
            InputExpansionError.noMatches(pattern: "d/*.jsonl").description, "glob pattern matched no files: d/*.jsonl")
    }

    func testSortingIsByBytes() throws {
        let dir = try ScratchDirectory("readers-tests")
        // Unicode-aware String ordering would differ from byte order for these names.
        for name in ["é.jsonl", "f.jsonl", "e\u{301}.jsonl", "E.jsonl"] {
            try dir.write(name, [])
        }
        let files = try InputExpansion.expand([dir.path])
        let names = files.map { String($0.dropFirst(dir.path.count + 1)) }
        XCTAssertEqual(names.map { Array($0.utf8) }, names.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        XCTAssertEqual(names.count, 4)
    }
}
