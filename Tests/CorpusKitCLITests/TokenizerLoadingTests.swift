import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// Library-level checks of `Tokenizer.load(path:)` on directories, piece/id round trips and the
/// special ids, against `Tests/Fixtures/cli/expectations.json` (sentencepiece / tokenizers).
final class TokenizerLoadingTests: XCTestCase {
    private let fixtureDirectory = ReferenceFiles.fixtureTokenizers

    func testDirectoryPrefersTokenizerJSON() throws {
        let directory = fixtureDirectory.appendingPathComponent("fixture-llmjp").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("fixture-llmjp.model")))
        let tokenizer = try Tokenizer.load(path: directory)
        XCTAssertEqual(tokenizer.format, .huggingFace)
        XCTAssertEqual((tokenizer.path as NSString).lastPathComponent, "tokenizer.json")
    }

    func testDirectoryWithOneModel() throws {
        let scratch = try ScratchDirectory("cli-tests")
        try FileManager.default.copyItem(atPath: fixtureDirectory.appendingPathComponent("fixture-nfkc/fixture-nfkc.model").path,
                                         toPath: scratch.file("only.model"))
        try Data("not a tokenizer".utf8).write(to: URL(fileURLWithPath: scratch.file("README.txt")))
        let tokenizer = try Tokenizer.load(path: scratch.path)
        XCTAssertEqual(tokenizer.format, .sentencePiece)
        XCTAssertEqual((tokenizer.path as NSString).lastPathComponent, "only.model")
        XCTAssertEqual(tokenizer.vocabularySize, try CLIFixtures.load().entry("fixture-nfkc.model").vocabularySize)
    }

    func testDirectoryWithSeveralModelsIsAnError() throws {
        let scratch = try ScratchDirectory("cli-tests")
        try FileManager.default.copyItem(atPath: fixtureDirectory.appendingPathComponent("fixture-nfkc/fixture-nfkc.model").path,
                                         toPath: scratch.file("a.model"))
        try FileManager.default.copyItem(atPath: fixtureDirectory.appendingPathComponent("fixture-llmjp/fixture-llmjp.model").path,
                                         toPath: scratch.file("b.model"))
        XCTAssertThrowsError(try Tokenizer.load(path: scratch.path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("several .model"), message)
            XCTAssertTrue(message.contains("a.model") && message.contains("b.model"), message)
        }
        // naming one of them works
        XCTAssertEqual(try Tokenizer.load(path: scratch.file("b.model")).format, .sentencePiece)
        // and a tokenizer.json next to them wins
        try FileManager.default.copyItem(atPath: fixtureDirectory.appendingPathComponent("fixture-nfkc/tokenizer.json").path,
                                         toPath: scratch.file("tokenizer.json"))
        XCTAssertEqual(try Tokenizer.load(path: scratch.path).format, .huggingFace)
    }

    func testEmptyDirectoryAndMissingPath() throws {
        let scratch = try ScratchDirectory("cli-tests")
        XCTAssertThrowsError(try Tokenizer.load(path: scratch.path)) { error in
            guard case .unreadable(let path, _) = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, scratch.path)
        }
        XCTAssertThrowsError(try Tokenizer.load(path: scratch.file("missing.model"))) { error in
            guard case .unreadable = error as? TokenizerError else { return XCTFail("\(error)") }
        }
    }

    /// A tokenizer.json with a byte that is not UTF-8 (in a vocabulary key and in a plain string)
    /// is refused with the byte offset, whichever of the parser's string paths would read it.
    func testInvalidUTF8InTokenizerJSONNamesTheOffset() throws {
        let scratch = try ScratchDirectory("cli-tests")
        let original = try Data(contentsOf: fixtureDirectory.appendingPathComponent("fixture-bpe/tokenizer.json"))
        for needle in ["\"vocab\"", "\"type\""] {
            var bytes = [UInt8](original)
            let key = [UInt8](needle.utf8)
            let start = try XCTUnwrap((0...(bytes.count - key.count)).first { Array(bytes[$0..<$0 + key.count]) == key })
            bytes[start + 2] = 0xFF   // inside the key string
            let path = scratch.file("broken.json")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try Tokenizer.load(path: path)) { error in
                XCTAssertEqual("\(error)".contains("invalid UTF-8 at byte offset \(start + 2)"), true, "\(error)")
            }
        }
    }

    /// `piece(for:)` equals `id_to_piece` / `id_to_token` and `id(for:)` equals `piece_to_id` /
    /// `token_to_id` for every byte piece, every special piece and a few normal ones.
    func testPieceRoundTrips() throws {
        let fixtures = try CLIFixtures.load()
        for entry in fixtures.entries {
            let tokenizer = try Tokenizer.load(path: entry.absolutePath)
            XCTAssertEqual(tokenizer.vocabularySize, entry.vocabularySize, entry.name)
            let bytePieces = entry.pieces.filter { $0.piece.count == 6 && $0.piece.hasPrefix("<0x") }
            XCTAssertEqual(bytePieces.count, 256, "\(entry.name): the fixture should list all byte pieces")
            XCTAssertGreaterThan(entry.pieces.count, 256 + 3, entry.name)
            for (id, piece, pieceToID) in entry.pieces {
                XCTAssertEqual(tokenizer.piece(for: id), piece, "\(entry.name): piece(for: \(id))")
                XCTAssertEqual(tokenizer.id(for: piece), pieceToID, "\(entry.name): id(for: \(piece.debugDescription))")
                if let back = tokenizer.id(for: piece) { XCTAssertEqual(tokenizer.piece(for: back), piece, entry.name) }
            }
            XCTAssertNil(tokenizer.piece(for: Int32(entry.vocabularySize)), entry.name)
            XCTAssertNil(tokenizer.piece(for: -1), entry.name)
            XCTAssertNil(tokenizer.id(for: "this is surely not a piece \u{1F600}\u{1F600}"), entry.name)
        }
    }

    /// `bosID` / `eosID` / `padID` / `unknownID` equal sentencepiece's `bos_id()` … (-1 → nil);
    /// tokenizer.json files have no BOS/EOS notion (nil) and their `unknownID` is the model's unk_id.
    func testSpecialIDs() throws {
        let fixtures = try CLIFixtures.load()
        func optionalID(_ value: Any?) -> Int32? {
            guard let number = value as? NSNumber, number.int32Value >= 0 else { return nil }
            return number.int32Value
        }
        for entry in fixtures.entries {
            let tokenizer = try Tokenizer.load(path: entry.absolutePath)
            if entry.isSentencePiece {
                XCTAssertEqual(tokenizer.format, .sentencePiece)
                XCTAssertEqual(tokenizer.bosID, optionalID(entry.raw["bos_id"]), "\(entry.name) bos")
                XCTAssertEqual(tokenizer.eosID, optionalID(entry.raw["eos_id"]), "\(entry.name) eos")
                XCTAssertEqual(tokenizer.padID, optionalID(entry.raw["pad_id"]), "\(entry.name) pad")
                XCTAssertEqual(tokenizer.unknownID, optionalID(entry.raw["unk_id"]), "\(entry.name) unk")
                XCTAssertNotNil(tokenizer.bosID, entry.name)
                // --add-special-tokens wraps the plain ids in BOS … EOS, as sentencepiece does
                for line in entry.lines {
                    XCTAssertEqual(line.idsSpecial.first, tokenizer.bosID.map(Int64.init), entry.name)
                    XCTAssertEqual(line.idsSpecial.last, tokenizer.eosID.map(Int64.init), entry.name)
                }
            } else {
                XCTAssertEqual(tokenizer.format, .huggingFace)
                XCTAssertNil(tokenizer.bosID, entry.name)
                XCTAssertNil(tokenizer.eosID, entry.name)
                XCTAssertEqual(tokenizer.unknownID, optionalID(entry.raw["unk_id"]), "\(entry.name) unk")
                // the post-processor's ids are what tokenizers appends
                for line in entry.lines {
                    XCTAssertEqual(Array(line.idsSpecial.suffix(tokenizer.postProcessorSpecialIDs.count)),
                                   tokenizer.postProcessorSpecialIDs.map(Int64.init), entry.name)
                }
            }
        }
    }

    /// The library's own `encode`/`decode` on the CLI fixture lines (the CLI tests check the same
    /// through the executable).
    func testLibraryEncodesFixtureLines() throws {
        let fixtures = try CLIFixtures.load()
        let text = try String(contentsOfFile: fixtures.linesFile, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        XCTAssertEqual(lines.removeLast(), "")
        for entry in fixtures.entries {
            let tokenizer = try Tokenizer.load(path: entry.absolutePath)
            for (line, expected) in zip(lines, entry.lines) {
                XCTAssertEqual(try tokenizer.encode(line).map(Int64.init), expected.ids, "\(entry.name): \(line.debugDescription)")
                XCTAssertEqual(try tokenizer.encode(line, addSpecialTokens: true).map(Int64.init), expected.idsSpecial, "\(entry.name): \(line.debugDescription)")
                XCTAssertEqual(try tokenizer.encode(line).map { Array((tokenizer.piece(for: $0) ?? "?").utf8) }, expected.pieces,
                               "\(entry.name) pieces: \(line.debugDescription)")
            }
        }
    }
}
