import Foundation
import XCTest
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitTestSupport

/// Byte-identical outputs against `Tools/references/megatron_reference.py` with the small fixture tokenizers
/// (always run; they need only the repository and `.venv`).
final class FixtureReferenceTests: XCTestCase {
    func testLlama2WithoutEODFromPlainGzipAndZstd() throws {
        let summaries = try ReferenceComparison(
            type: .llama2, model: TestPaths.fixtureLLMJP, appendEOD: false, formats: InputFormat.allCases
        ).run(corpus: try TestCorpus.standard())
        // Llama2Tokenizer never produces an empty document: [bos] at least.
        XCTAssertEqual(summaries[0].outputs[0].sequences, summaries[0].outputs[0].documents)
        XCTAssertEqual(summaries[0].outputs[0].dtype, .uint16)
    }

    func testLlama2WithEOD() throws {
        try ReferenceComparison(type: .llama2, model: TestPaths.fixtureLLMJP, appendEOD: true, formats: [.jsonl, .zstd])
            .run(corpus: try TestCorpus.standard())
    }

    func testLlama2WithNFKCModel() throws {
        try ReferenceComparison(type: .llama2, model: TestPaths.fixtureNFKC, appendEOD: true, workers: [2])
            .run(corpus: try TestCorpus.standard())
    }

    func testSentencePieceTokenizerSplitsSpecialTokens() throws {
        let summaries = try ReferenceComparison(
            type: .sentencePiece, model: TestPaths.fixtureLLMJP, appendEOD: true, formats: [.jsonl, .gzip]
        ).run(corpus: try TestCorpus.standard())
        // Empty texts contribute no sequence.
        XCTAssertLessThan(summaries[0].outputs[0].sequences, summaries[0].outputs[0].documents)
    }

    func testSentencePieceTokenizerAppendsMissingSpecials() throws {
        // fixture-nfkc has none of <CLS> <SEP> <EOD> <MASK> <pad>: they get ids after the vocabulary.
        let encoder = try Run.encoder(.sentencePiece, TestPaths.fixtureNFKC, appendEOD: true)
        XCTAssertGreaterThan(encoder.vocabularySize, encoder.tokenizer.vocabularySize)
        XCTAssertEqual(encoder.eodID.map(Int.init), encoder.tokenizer.vocabularySize + 2)
        try ReferenceComparison(type: .sentencePiece, model: TestPaths.fixtureNFKC, appendEOD: true, workers: [2])
            .run(corpus: try TestCorpus.standard())
    }

    func testJapaneseSentencePieceNormalizesCRLF() throws {
        try ReferenceComparison(type: .japaneseSentencePiece, model: TestPaths.fixtureLLMJP, appendEOD: true, workers: [1, 2])
            .run(corpus: try TestCorpus.standard())
    }

    func testGPTSentencePiece() throws {
        try ReferenceComparison(type: .gptSentencePiece, model: TestPaths.fixtureNFKC, appendEOD: true, workers: [2])
            .run(corpus: try TestCorpus.standard())
    }

    func testHuggingFaceTokenizerWithEOSFromConfig() throws {
        let scratch = try ScratchDirectory()
        let directory = scratch.file("hf")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestPaths.fixtureLLMJPJSON, toPath: directory + "/tokenizer.json")
        try TestCorpus.write(#"{"eos_token": {"content": "<EOD|LLM-jp>", "special": true}}"#, to: directory + "/special_tokens_map.json")
        try TestCorpus.write(#"{"model_max_length": 4096}"#, to: directory + "/tokenizer_config.json")
        let encoder = try Run.encoder(.huggingFace, directory, appendEOD: true)
        XCTAssertEqual(encoder.eodID, 3)
        try ReferenceComparison(type: .huggingFace, model: directory + "/tokenizer.json", appendEOD: true, formats: [.jsonl, .gzip])
            .run(corpus: try TestCorpus.standard())
    }

    func testHuggingFaceTokenizerWithoutEOD() throws {
        try ReferenceComparison(type: .huggingFace, model: TestPaths.fixtureNFKCJSON, appendEOD: false, workers: [2])
            .run(corpus: try TestCorpus.standard())
    }

    func testSeveralJSONKeysWriteOneDatasetEach() throws {
        let lines = try TestCorpus.fixtureLines().enumerated().map { index, line -> String in
            let text = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["text"] as! String
            let object: [String: Any] = ["title": "title \(index) <EOD>", "text": text, "n": index]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        try ReferenceComparison(type: .sentencePiece, model: TestPaths.fixtureLLMJP, appendEOD: true,
                                keys: ["text", "title"], workers: [1, 2])
            .run(corpus: lines.joined(separator: "\n") + "\n")
    }

    /// A directory input is all its corpus files, sorted, read as one concatenated corpus.
    func testDirectoryInputEqualsReferenceOnConcatenation() throws {
        let scratch = try ScratchDirectory()
        let lines = try TestCorpus.fixtureLines() + TestCorpus.craftedLines
        let parts = [Array(lines[0..<300]), Array(lines[300..<700]), Array(lines[700...])]
        let directory = scratch.file("corpus")
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        try TestCorpus.write(parts[0].joined(separator: "\n") + "\n", to: directory + "/a.jsonl")
        try TestCorpus.write(parts[1].joined(separator: "\n") + "\n", to: scratch.file("b.jsonl"))
        try TestCorpus.gzip(scratch.file("b.jsonl"), to: directory + "/b.jsonl.gz")
        try TestCorpus.write(parts[2].joined(separator: "\n"), to: scratch.file("c.jsonl"))  // no final newline
        try TestCorpus.zstd(scratch.file("c.jsonl"), to: directory + "/sub/c.jsonl.zst")
        try TestCorpus.write("not a corpus file", to: directory + "/README.txt")

        let concatenated = scratch.file("all.jsonl")
        try TestCorpus.write(lines.joined(separator: "\n") + "\n", to: concatenated)
        try MegatronReference.preprocess([
            "--input", concatenated, "--output-prefix", scratch.file("reference"), "--tokenizer-type", "Llama2Tokenizer",
            "--tokenizer-model", TestPaths.fixtureLLMJP, "--append-eod",
        ])
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        let summary = try Run.tokenize([directory], prefix: scratch.file("ours"), encoder: encoder, workers: 2, batchBytes: 16 << 10)
        XCTAssertEqual(summary.inputFiles, [directory + "/a.jsonl", directory + "/b.jsonl.gz", directory + "/sub/c.jsonl.zst"])
        try Check.identical(scratch.file("ours_text_document"), scratch.file("reference_text_document"))

        // Several --input values (a glob among them) are read in the order given.
        let reordered = try Run.tokenize([directory + "/sub/*.zst", directory + "/a.jsonl", directory + "/b.jsonl.gz"],
                                         prefix: scratch.file("reordered"), encoder: encoder, workers: 2)
        XCTAssertEqual(reordered.inputFiles.first, directory + "/sub/c.jsonl.zst")
        XCTAssertEqual(reordered.documents, summary.documents)
    }
}
