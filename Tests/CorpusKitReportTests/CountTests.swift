import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitPipeline
import CorpusKitReport
import CorpusKitShards
import CorpusKitMegatron

/// `count` on shards and on raw corpora against what `tokenize` writes (its token-info CSV and
/// its shards), and 2,000 tiny shards at once.
final class CountTests: XCTestCase {
    /// Corpora/sample.jsonl cut into three files (one with no documents).
    private func splitSample(into scratch: ScratchDirectory) throws -> [String] {
        let lines = try readText(TestPaths.repo("Corpora/sample.jsonl")).split(separator: "\n").map(String.init)
        let files = [scratch.file("a.jsonl"), scratch.file("b.jsonl"), scratch.file("c.jsonl")]
        try (lines[0..<80].joined(separator: "\n") + "\n").write(toFile: files[0], atomically: true, encoding: .utf8)
        try (lines[80...].joined(separator: "\n") + "\n").write(toFile: files[1], atomically: true, encoding: .utf8)
        try "".write(toFile: files[2], atomically: true, encoding: .utf8)
        return files
    }

    private func encoder() throws -> DocumentEncoder {
        try DocumentEncoder.load(type: .llama2, modelPath: TestPaths.fixtureLLMJP, appendEOD: true)
    }

    func testCountEqualsTokenizeTokenInfoOnShardsAndRaw() throws {
        let scratch = try ScratchDirectory("report-tests")
        let files = try splitSample(into: scratch)
        let csv = scratch.file("token_info.csv")
        let encoder = try encoder()
        try FileManager.default.createDirectory(atPath: scratch.file("out"), withIntermediateDirectories: true)
        for (file, name) in zip(files, ["a", "b", "c"]) {
            let configuration = TokenizeConfiguration(
                inputs: [file], outputPrefix: scratch.file("out/\(name)"), workers: 2, tokenInfoCSV: csv)
            _ = try TokenizePipeline(configuration: configuration, encoder: encoder).run()
        }
        // The token-info CSV lines: input,prefix,tokens.
        var expected: [String: Int] = [:]
        for line in try readText(csv).split(separator: "\n") {
            let fields = line.split(separator: ",")
            expected[String(fields[0])] = Int(fields[2])!
        }
        XCTAssertEqual(expected.count, 3)

        // Shards: the directory, counted from the .idx files.
        let shardCounts = try ShardCounter.count(prefixes: ShardDiscovery.prefixes([scratch.file("out")]), root: scratch.path)
        XCTAssertEqual(shardCounts.map(\.name), ["out/a", "out/b", "out/c"])
        for (count, file) in zip(shardCounts, files) {
            XCTAssertEqual(count.tokens, expected[file], file)
            let reader = try MegatronIndexReader(prefix: count.source)
            var lengths: [Int] = []
            for d in 0..<reader.documentCount { lengths.append(try reader.documentTokens(d).count) }
            XCTAssertEqual(count.documents, lengths.count)
            XCTAssertEqual(count.emptyDocuments, lengths.filter { $0 == 0 }.count)
            let sorted = lengths.sorted()
            for q in [0.5, 0.9, 0.99] where !sorted.isEmpty {
                let rank = Int((q * Double(sorted.count)).rounded(.up))
                XCTAssertEqual(count.lengths.percentile(q), sorted[rank - 1], "p\(q) of \(file)")
            }
            XCTAssertEqual(count.lengths.maximum, sorted.last ?? 0)
        }
        // Also as a prefix, an .idx, a .bin and a glob.
        let a = scratch.file("out/a_text_document")
        XCTAssertEqual(try ShardDiscovery.prefixes([a, a + ".idx", b(scratch), scratch.file("out/*.idx")]),
                       [a, scratch.file("out/b_text_document"), scratch.file("out/c_text_document")])

        // Raw corpora: the pipeline without shards, one row per file.
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted()
        let raw = try CorpusCounter.count(
            configuration: TokenizeConfiguration(inputs: files, outputPrefix: "", workers: 2), encoder: encoder)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted(), before, "count writes nothing")
        XCTAssertEqual(raw.counts.map(\.source), files)
        for (count, shard) in zip(raw.counts, shardCounts) {
            XCTAssertEqual(count.tokens, expected[count.source], count.source)
            XCTAssertEqual(count.documents, shard.documents)
            XCTAssertEqual(count.lengths, shard.lengths)
        }
        // Text bytes and characters, from an independent JSON parse of the same lines.
        for (count, file) in zip(raw.counts, files) {
            var bytes = 0, characters = 0
            for line in try readText(file).split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                let text = object["text"] as! String
                bytes += text.utf8.count
                characters += text.unicodeScalars.count
            }
            XCTAssertEqual(count.textBytes, bytes, file)
            XCTAssertEqual(count.textCharacters, characters, file)
        }
        XCTAssertGreaterThan(raw.counts[0].bytesPerToken ?? 0, 1)
    }

    private func b(_ scratch: ScratchDirectory) -> String { scratch.file("out/b_text_document.bin") }

    func testRawCountBadLinePolicy() throws {
        let scratch = try ScratchDirectory("report-tests")
        let file = scratch.file("bad.jsonl")
        try "{\"text\": \"good one\"}\nnot json\n{\"text\": \"another\"}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let encoder = try encoder()
        XCTAssertThrowsError(try CorpusCounter.count(
            configuration: TokenizeConfiguration(inputs: [file], outputPrefix: ""), encoder: encoder)) { error in
            XCTAssertTrue("\(error)".contains("bad.jsonl:2"), "\(error)")
        }
        let skipped = try CorpusCounter.count(
            configuration: TokenizeConfiguration(inputs: [file], outputPrefix: "", errorPolicy: .skip), encoder: encoder)
        XCTAssertEqual(skipped.counts.first?.documents, 2)
        XCTAssertEqual(skipped.summary.problems.total, 1)
    }

    func testBinSizeMismatchNamesTheFile() throws {
        let scratch = try ScratchDirectory("report-tests")
        let prefix = scratch.file("x_text_document")
        let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
        try writer.addDocument([1, 2, 3])
        _ = try writer.finish()
        let handle = FileHandle(forWritingAtPath: prefix + ".bin")!
        handle.seekToEndOfFile()
        handle.write(Data([0, 0]))
        handle.closeFile()
        XCTAssertThrowsError(try ShardCounter.count(prefix: prefix)) { error in
            XCTAssertTrue("\(error)".contains("x_text_document.bin"), "\(error)")
        }
        XCTAssertThrowsError(try ShardDiscovery.prefixes([scratch.file("missing")])) { error in
            XCTAssertTrue("\(error)".contains("missing"), "\(error)")
        }
    }

    /// 2,000 prefixes, each counted from its own index: documents, empty documents and tokens as
    /// `makeTinyShards` wrote them, in name order. The bound (under 2 s) is a speed and lives in
    /// `Tools/benchmarks/bench_count.sh`, not in a timed test.
    func testTwoThousandShardsCountedInNameOrder() throws {
        let scratch = try ScratchDirectory("report-tests")
        let prefixes = try Self.makeTinyShards(count: 2000, in: scratch.path)
        let counts = try ShardCounter.count(prefixes: ShardDiscovery.prefixes([scratch.path]), root: scratch.path)
        XCTAssertEqual(counts.map(\.source), prefixes)
        for (i, count) in counts.enumerated() {
            let lengths = (0..<(1 + i % 5)).map { $0 + i % 7 }
            XCTAssertEqual(count.name, String(format: "ja/ja_tiny_%04d", i))
            XCTAssertEqual(count.documents, lengths.count, count.name)
            XCTAssertEqual(count.emptyDocuments, lengths.filter { $0 == 0 }.count, count.name)
            XCTAssertEqual(count.tokens, lengths.reduce(0, +), count.name)
        }
        let tsv = CountTable.render(counts, format: .tsv)
        XCTAssertEqual(tsv.split(separator: "\n").count, 2001)
        XCTAssertTrue(tsv.hasPrefix("filename\ttokens\nja/ja_tiny_0000\t"))
    }

    /// `count` tiny datasets `{dir}/ja/ja_tiny_NNNN_text_document` of 1–5 documents each.
    static func makeTinyShards(count: Int, in directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory + "/ja", withIntermediateDirectories: true)
        var prefixes: [String] = []
        for i in 0..<count {
            let prefix = directory + "/ja/" + String(format: "ja_tiny_%04d_text_document", i)
            let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16, bufferCapacity: 4096)
            for d in 0..<(1 + i % 5) { try writer.addDocument((0..<Int32(d + i % 7)).map { $0 }) }
            _ = try writer.finish()
            prefixes.append(prefix)
        }
        return prefixes
    }
}
