import Foundation
import XCTest
import CorpusKitTestSupport

/// The Swallow workflow through the shipped binary on the committed fixtures: extend, check with
/// compat and encode, resize, check the checkpoint; and the failures a user meets first.
final class VocabCommandTests: XCTestCase {
    static let base = TestPaths.fixtureLLMJP
    static let pieces = TestPaths.repo("Tests/Fixtures/vocab/ja-pieces.vocab")

    func testWorkflowIsAcceptedDownstream() throws {
        let scratch = try ScratchDirectory()
        let directory = scratch.file("ja")
        let extended = try CorpusKitCLI.succeed(["vocab", "extend", Self.base, "--add", Self.pieces, "--output", directory])
        XCTAssertTrue(extended.output.contains("added: 10 pieces, ids 1500–1509"), extended.output)
        XCTAssertTrue(try CorpusKitCLI.succeed(["compat", "vocab", Self.base, directory]).output.hasPrefix("verdict: extension"))

        // Either file gives the same ids; "ています" is one new piece.
        let input = scratch.file("docs.jsonl")
        try #"{"text": "男性がテーブルの上に立っています。"}"#.write(toFile: input, atomically: true, encoding: .utf8)
        let fromModel = try CorpusKitCLI.succeed(["encode", "--tokenizer", directory + "/tokenizer.model", "--input", input]).output
        let fromJSON = try CorpusKitCLI.succeed(["encode", "--tokenizer", directory + "/tokenizer.json", "--input", input]).output
        XCTAssertEqual(fromModel, fromJSON)
        XCTAssertTrue(fromModel.contains("1503") && fromModel.contains("1504") && fromModel.contains("1506"), fromModel)

        let resized = scratch.file("resized")
        try CorpusKitCLI.succeed(["model", "resize-embeddings", TestPaths.repo("Tests/Fixtures/inference/llama-gqa-llama3rope"),
                                  "--base-tokenizer", Self.base, "--tokenizer", directory + "/tokenizer.model", "--output", resized,
                                  "--pad-to-multiple-of", "64"])
        XCTAssertTrue(try CorpusKitCLI.succeed(["compat", "model", directory, resized]).output.hasPrefix("verdict: compatible"))
        XCTAssertTrue(try CorpusKitCLI.succeed(["model", "check", resized]).output.hasPrefix("verdict: sane"))
    }

    func testDryRunWritesNothing() throws {
        let scratch = try ScratchDirectory()
        let result = try CorpusKitCLI.succeed(["vocab", "extend", Self.base, "--add", Self.pieces, "--output", scratch.file("out"), "--dry-run"])
        XCTAssertTrue(result.output.contains("added: 10 pieces"), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out")))
    }

    func testBadInput() throws {
        let usage = try CorpusKitCLI.run(["vocab", "extend", Self.base, "--add", Self.pieces])
        XCTAssertEqual(usage.status, 64, usage.summary)
        try CorpusKitCLI.fail(["vocab", "extend", Self.pieces, "--add", Self.pieces, "--dry-run"], mentioning: [Self.pieces, "sentencepiece .model"])
        try CorpusKitCLI.fail(["vocab", "extend", TestPaths.fixtureLLMJPJSON, "--add", Self.pieces, "--dry-run"], mentioning: ["tokenizer.json cannot be extended"])
        try CorpusKitCLI.fail(["model", "resize-embeddings", TestPaths.repo("Tests/Fixtures/inference/llama-gqa-llama3rope"),
                               "--base-tokenizer", Self.base, "--tokenizer", Self.base, "--output", try ScratchDirectory().file("x")],
                              mentioning: ["does not extend"])
    }
}
