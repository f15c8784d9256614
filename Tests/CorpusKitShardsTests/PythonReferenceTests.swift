import Foundation
import Testing
import CorpusKitTestSupport
@testable import CorpusKitShards

/// Runs Tools/references/megatron_reference.py (``MegatronReference``: $CORPUSKIT_PYTHON, else
/// <repo>/.venv/bin/python, made by Tools/setup/setup_venv.sh) and compares its output with
/// CorpusKit's on generated data; without a Python with numpy these tests are skipped.
enum PythonReference {
    static func reference(_ arguments: [String]) throws {
        try MegatronReference.run(arguments)
    }
}

@Suite(.enabled(if: MegatronReference.available, "needs .venv (Tools/setup/setup_venv.sh) or CORPUSKIT_PYTHON with numpy"))
struct PythonReferenceTests {
    static func randomDocuments(seed: UInt64, count: Int, maxLength: Int, maxToken: Int) -> [[Int32]] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let length = random.next(below: 5) == 0 ? 0 : random.next(below: maxLength + 1)
            return (0..<length).map { _ in Int32(random.next(below: maxToken + 1)) }
        }
    }

    static func writeIDs(_ documents: [[Int32]], to path: String) throws {
        let json = try JSONSerialization.data(withJSONObject: documents.map { $0.map { Int($0) } })
        try json.write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: [TokenDType.uint16, .int32])
    func writerMatchesReferenceBuilderOnRandomDocuments(dtype: TokenDType) throws {
        let scratch = try ScratchDirectory()
        let maxToken = dtype == .uint16 ? 65535 : 2_000_000
        let documents = Self.randomDocuments(seed: 7 + UInt64(dtype.megatronCode), count: 500, maxLength: 700, maxToken: maxToken)
        try Self.writeIDs(documents, to: scratch.file("ids.json"))
        try PythonReference.reference(["build-ids", "--ids", scratch.file("ids.json"),
                                       "--output-prefix", scratch.file("python"), "--dtype", dtype.description])
        let writer = try MegatronIndexWriter(prefix: scratch.file("swift"), dtype: dtype, bufferCapacity: 4096)
        for document in documents { try writer.addDocument(document) }
        try writer.finish()
        for ext in [".bin", ".idx"] {
            #expect(try Fixtures.bytes(scratch.file("swift") + ext) == Fixtures.bytes(scratch.file("python") + ext), "\(ext)")
        }
    }

    @Test func mergeMatchesReferenceMerge() throws {
        let scratch = try ScratchDirectory()
        var inputs: [String] = []
        for part in 0..<4 {
            let documents = Self.randomDocuments(seed: 100 + UInt64(part), count: 40 * part, maxLength: 90, maxToken: 65535)
            let prefix = scratch.file("part\(part)")
            let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
            for document in documents { try writer.addDocument(document) }
            try writer.finish()
            inputs.append(prefix)
        }
        try PythonReference.reference(["merge", "--output-prefix", scratch.file("python")] + inputs)
        try MegatronMerge.merge(prefixes: inputs, into: scratch.file("swift"))
        for ext in [".bin", ".idx"] {
            #expect(try Fixtures.bytes(scratch.file("swift") + ext) == Fixtures.bytes(scratch.file("python") + ext), "\(ext)")
        }
    }

    /// The full preprocess_data.py flow (Pool, json.loads, --append-eod, list values, the token-info CSV)
    /// with NullTokenizer, whose ids are the numbers in the text, against the writer fed the same ids.
    @Test func preprocessPipelineMatchesWriter() throws {
        let scratch = try ScratchDirectory()
        let texts: [Any] = ["5 6 7", "1", ["2 3", "4"], "65534 0", ["8"]]
        var lines = ""
        for text in texts {
            let data = try JSONSerialization.data(withJSONObject: ["text": text, "id": 1])
            lines += String(decoding: data, as: UTF8.self) + "\n"
        }
        try Fixtures.write(Array(lines.utf8), to: scratch.file("in.jsonl"))
        try PythonReference.reference([
            "--input", scratch.file("in.jsonl"), "--output-prefix", scratch.file("py"), "--tokenizer-type", "NullTokenizer",
            "--vocab-size", "65535", "--workers", "2", "--append-eod",
            "--output-result-total-token-info", scratch.file("info.csv"),
        ])
        // NullTokenizer: vocab_size 65536 -> int32 (not < 65500); eod = 65535.
        let writer = try MegatronIndexWriter(prefix: scratch.file("swift"), dtype: .optimal(vocabularySize: 65536))
        for text in texts {
            let sentences = (text as? [String]) ?? [text as! String]
            var ids = sentences.map { $0.split(separator: " ").map { Int32($0)! } }
            ids[ids.count - 1].append(65535)
            try writer.addDocument(ids.flatMap { $0 }, sequenceLengths: ids.map(\.count))
        }
        let summary = try writer.finish()
        for ext in [".bin", ".idx"] {
            #expect(try Fixtures.bytes(scratch.file("swift") + ext) == Fixtures.bytes(scratch.file("py_text_document") + ext))
        }
        // The same run with the pre-0609f27f EOD accounting is recognized by the reader.
        try PythonReference.reference([
            "--input", scratch.file("in.jsonl"), "--output-prefix", scratch.file("old"), "--tokenizer-type", "NullTokenizer",
            "--vocab-size", "65535", "--workers", "1", "--append-eod", "--eod-not-in-sizes",
        ])
        let old = shardError { _ = try MegatronIndexReader(prefix: scratch.file("old_text_document")) }
        #expect(old?.description.contains("EOD without counting it") == true)

        let csv = String(decoding: try Fixtures.bytes(scratch.file("info.csv")), as: UTF8.self)
        #expect(csv == TokenInfoCSV.line(input: scratch.file("in.jsonl"), datasetPrefix: scratch.file("py_text_document"),
                                         tokens: summary.tokens))
    }
}
