import Foundation
import XCTest
import CorpusKitCheckpoint
import CorpusKitTestSupport
import CorpusKitTokenizer
@testable import CorpusKitVocab

/// `model resize-embeddings` on the committed inference fixtures (untied and tied Llama, bf16),
/// extended by a committed piece list: the written checkpoint is checked by
/// Tools/references/check_resized_embeddings.py, an independent numpy computation of the rule, in the
/// reference venv (.venv, no torch). Loading with transformers is that script's --transformers
/// mode in the inference venv, outside CI (see TESTING.md).
final class EmbeddingResizeTests: XCTestCase {
    static let base = TestPaths.fixtureLLMJP
    static let pieces = TestPaths.repo("Tests/Fixtures/vocab/ja-pieces.vocab")


    private func extend(into scratch: ScratchDirectory) throws -> String {
        let directory = scratch.file("tokenizer")
        try VocabularyExtension(base: Self.base, add: Self.pieces).write(to: directory)
        return (directory as NSString).appendingPathComponent("tokenizer.model")
    }

    private func checkResize(_ fixture: String, multiple: Int, expectedRows: Int) throws {
        // The reference venv's interpreter, as the shards oracle finds it.
        guard MegatronReference.available else { throw XCTSkip("needs .venv (Tools/setup/setup_venv.sh) or CORPUSKIT_PYTHON with numpy and sentencepiece") }
        let scratch = try ScratchDirectory()
        let extended = try extend(into: scratch)
        let checkpoint = TestPaths.repo("Tests/Fixtures/inference/\(fixture)")
        let output = scratch.file("resized")
        let summary = try EmbeddingResize.run(checkpoint: checkpoint, baseTokenizer: Self.base, tokenizer: extended, output: output,
                                              padToMultipleOf: multiple)
        XCTAssertEqual(summary.newRows, expectedRows)
        XCTAssertEqual(try ModelConfig(path: scratch.file("resized/config.json")).vocabularySize, expectedRows)
        let result = try Command.run(MegatronReference.python, [TestPaths.repo("Tools/references/check_resized_embeddings.py"), checkpoint, output, Self.base, extended])
        XCTAssertEqual(result.status, 0, result.output + result.stderr)
        XCTAssertFalse(result.output.contains("MISMATCH"), result.output)
        XCTAssertTrue(result.output.contains("are the means of their pieces' base rows"), result.output)
        // The extended tokenizer travels with the weights.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: scratch.file("resized/tokenizer.model"))),
                       try Data(contentsOf: URL(fileURLWithPath: extended)))
    }

    func testUntiedPaddedTo64() throws { try checkResize("llama-gqa-llama3rope", multiple: 64, expectedRows: 1536) }
    func testTiedUnpadded() throws { try checkResize("llama-tied-linear", multiple: 1, expectedRows: 1510) }

    func testMeanRuleOnByteFallback() throws {
        // "𠮷" is not in the fixture vocabulary: its row averages the rows of its four byte pieces.
        let file = try SentencePieceModelFile(contentsOf: Self.base)
        var noPrefix = file
        noPrefix.normalizerSpec.addDummyPrefix = false
        let tokenizer = try Tokenizer.sentencePiece(file: noPrefix, path: Self.base)
        let ids = try tokenizer.encode("𠮷野家")
        XCTAssertTrue(ids.prefix(4).allSatisfy { file.types[Int($0)] == .byte }, "\(ids)")
    }

    func testWrongBaseTokenizerIsRefused() throws {
        let scratch = try ScratchDirectory()
        let extended = try extend(into: scratch)
        XCTAssertThrowsError(try EmbeddingResize.run(checkpoint: TestPaths.repo("Tests/Fixtures/inference/llama-gqa-llama3rope"),
                                                     baseTokenizer: TestPaths.fixtureNFKC, tokenizer: extended, output: scratch.file("out"))) { error in
            XCTAssertTrue("\(error)".contains("does not extend"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out/model.safetensors")))
    }

    func testBadPieceListNamesTheLine() throws {
        let scratch = try ScratchDirectory()
        let list = scratch.file("bad.vocab")
        try "ます\t-1\nて い\n".write(toFile: list, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try VocabularyExtension(base: Self.base, add: list)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(list):2: "), "\(error)")
        }
        try "ます\tabc\n".write(toFile: list, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try VocabularyExtension(base: Self.base, add: list)) { error in
            XCTAssertTrue("\(error)".contains("\(list):1: score"), "\(error)")
        }
        try "の\n".write(toFile: list, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try VocabularyExtension(base: Self.base, add: list)) { error in
            XCTAssertTrue("\(error)".contains("nothing to add"), "\(error)")
        }
    }

    func testExtensionOfThePieceList() throws {
        let extension_ = try VocabularyExtension(base: Self.base, add: Self.pieces)
        // "の" is already in the base; the others follow in file order, scores descending below the base's lowest.
        XCTAssertEqual(extension_.alreadyPresent, 1)
        XCTAssertEqual(extension_.added.map(\.text), ["ます", "ています", "の上に", "男性が", "テーブル", "▁ス", "立っています", "𠮷野家", "☃️", "があります"])
        let base = try SentencePieceModelFile(contentsOf: Self.base)
        let lowest = base.scores.filter { $0 > -1e6 }.min()!
        XCTAssertEqual(extension_.added.map(\.score), (0..<10).map { Float(Double(lowest) - 1 - Double($0)) })
    }
}
