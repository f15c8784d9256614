import Foundation
import XCTest
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitTestSupport

/// `--resume`: complete outputs (checked by reading them) are kept, anything else is redone.
final class ResumeTests: XCTestCase {
    private func inode(_ path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }

    func testCompleteOutputIsSkippedAndDamagedOneRedone() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(try TestCorpus.standard(), to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        let prefix = scratch.file("out")
        let dataset = prefix + "_text_document"
        let csv = scratch.file("tokens.csv")
        let first = try Run.tokenize([input], prefix: prefix, encoder: encoder, workers: 2, csv: csv)
        XCTAssertFalse(first.nothingToDo)
        let original = (try Check.bytes(dataset + ".bin"), try Check.bytes(dataset + ".idx"))
        let binInode = try inode(dataset + ".bin")

        // Complete: nothing is read or written, no CSV line is added.
        let second = try Run.tokenize([input], prefix: prefix, encoder: encoder, resume: true, csv: csv)
        XCTAssertTrue(second.nothingToDo)
        XCTAssertEqual(second.outputs.first?.documents, first.outputs.first?.documents)
        XCTAssertEqual(try inode(dataset + ".bin"), binInode)
        XCTAssertEqual(try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").count, 1)

        // Without --resume the run is redone.
        let third = try Run.tokenize([input], prefix: prefix, encoder: encoder)
        XCTAssertFalse(third.nothingToDo)

        // Damaged in different ways: each is detected from the contents and redone.
        let damages: [(String, (String) throws -> Void)] = [
            ("truncated .bin", { path in
                let data = try Check.bytes(path + ".bin")
                try data.prefix(data.count - 2).write(to: URL(fileURLWithPath: path + ".bin"))
            }),
            ("truncated .idx", { path in
                let data = try Check.bytes(path + ".idx")
                try data.prefix(data.count - 8).write(to: URL(fileURLWithPath: path + ".idx"))
            }),
            ("corrupt pointer", { path in
                var data = try Check.bytes(path + ".idx")
                let sequences = Int(data[18]) | Int(data[19]) << 8
                data[34 + 4 * sequences + 8] ^= 1  // second pointer
                try data.write(to: URL(fileURLWithPath: path + ".idx"))
            }),
            ("missing .idx", { path in try FileManager.default.removeItem(atPath: path + ".idx") }),
            ("same-size .bin of the wrong length", { path in
                try Data(count: 6).write(to: URL(fileURLWithPath: path + ".bin"))
            }),
        ]
        for (name, damage) in damages {
            try damage(dataset)
            guard case .incomplete = OutputStatus.check(prefix: dataset, dtype: .uint16) else {
                XCTFail("\(name): not detected")
                continue
            }
            let redone = try Run.tokenize([input], prefix: prefix, encoder: encoder, workers: 2, resume: true)
            XCTAssertFalse(redone.nothingToDo, name)
            XCTAssertEqual(try Check.bytes(dataset + ".bin"), original.0, name)
            XCTAssertEqual(try Check.bytes(dataset + ".idx"), original.1, name)
        }
        // A complete dataset of another dtype does not count as complete.
        guard case .incomplete(let reason) = OutputStatus.check(prefix: dataset, dtype: .int32) else {
            return XCTFail("dtype mismatch not detected")
        }
        XCTAssertTrue(reason.contains("dtype"), reason)
        XCTAssertEqual(OutputStatus.check(prefix: scratch.file("nothing"), dtype: .uint16), .missing)
    }

    func testAllKeysAreRedoneWhenOneIsIncomplete() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        let lines = (0..<300).map { #"{"text": "document \#($0)", "title": "title \#($0)"}"# }
        try TestCorpus.write(lines.joined(separator: "\n") + "\n", to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        let prefix = scratch.file("out")
        try Run.tokenize([input], prefix: prefix, encoder: encoder, keys: ["text", "title"])
        let textInode = try inode(prefix + "_text_document.bin")
        try FileManager.default.removeItem(atPath: prefix + "_title_document.idx")
        let summary = try Run.tokenize([input], prefix: prefix, encoder: encoder, keys: ["text", "title"], resume: true)
        XCTAssertEqual(summary.outputs.map(\.alreadyComplete), [false, false])
        XCTAssertNotEqual(try inode(prefix + "_text_document.bin"), textInode)
        XCTAssertEqual(try ShardTools.info(prefix: prefix + "_title_document").documents, 300)
    }
}
