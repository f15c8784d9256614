import Foundation
import XCTest
import CorpusKitTokenizer
import CorpusKitMegatron
import CorpusKitTestSupport

/// The wrapper semantics of each tokenizer type, on the fixture models.
final class DocumentEncoderTests: XCTestCase {
    func testLlama2AddsBOSAndEODEvenToEmptyText() throws {
        let plain = try DocumentEncoder.load(type: .llama2, modelPath: TestPaths.fixtureLLMJP, appendEOD: false)
        let withEOD = try DocumentEncoder.load(type: .llama2, modelPath: TestPaths.fixtureLLMJP, appendEOD: true)
        let bos = try XCTUnwrap(plain.tokenizer.bosID), eos = try XCTUnwrap(plain.tokenizer.eosID)
        XCTAssertEqual(try plain.encode(""), [bos])
        XCTAssertEqual(try withEOD.encode(""), [bos, eos])
        let body = try plain.tokenizer.encode("こんにちは world")
        XCTAssertEqual(try withEOD.encode("こんにちは world"), [bos] + body + [eos])
        XCTAssertEqual(withEOD.eodID, eos)
        XCTAssertEqual(withEOD.dtype, .uint16)
    }

    func testEmptyDocumentsGetNoEODForOtherTypes() throws {
        for type in [MegatronTokenizerType.sentencePiece, .gptSentencePiece, .japaneseSentencePiece] {
            let encoder = try DocumentEncoder.load(type: type, modelPath: TestPaths.fixtureLLMJP, appendEOD: true)
            XCTAssertEqual(try encoder.encode(""), [], "\(type)")
            XCTAssertEqual(try encoder.encode("a").last, encoder.eodID, "\(type)")
        }
    }

    func testSentencePieceTokenizerCutsSpecialsOutEarliestFirst() throws {
        let encoder = try DocumentEncoder.load(type: .sentencePiece, modelPath: TestPaths.fixtureLLMJP, appendEOD: false)
        let tokenizer = encoder.tokenizer
        let eod = try XCTUnwrap(tokenizer.id(for: "<EOD>")), cls = try XCTUnwrap(tokenizer.id(for: "<CLS>"))
        let sep = try XCTUnwrap(tokenizer.id(for: "<SEP>"))
        // <CLS> <SEP> <EOD> are fixture pieces; <MASK> is not, so it is appended first (id = the
        // vocabulary size), then "<PAD>" (the model has no pad piece: id_to_piece(-1) fails).
        let mask = Int32(tokenizer.vocabularySize)
        XCTAssertNil(tokenizer.padID)
        XCTAssertEqual(encoder.vocabularySize, tokenizer.vocabularySize + 2)
        func ids(_ text: String) throws -> [Int32] { try tokenizer.encode(text) }
        XCTAssertEqual(try encoder.encode("a<SEP>b<CLS>"), try ids("a") + [sep] + ids("b") + [cls])
        XCTAssertEqual(try encoder.encode("<EOD><MASK>x"), [eod, mask] + (try ids("x")))
        // "<<EOD>>": the earliest match starts at index 1.
        XCTAssertEqual(try encoder.encode("<<EOD>>"), try ids("<") + [eod] + ids(">"))
        XCTAssertEqual(encoder.eodID, eod)
    }

    func testJapaneseSentencePieceReplacesCRLFLeftToRight() throws {
        let encoder = try DocumentEncoder.load(type: .japaneseSentencePiece, modelPath: TestPaths.fixtureLLMJP, appendEOD: false)
        XCTAssertEqual(try encoder.encode("a\r\nb"), try encoder.tokenizer.encode("a\nb"))
        XCTAssertEqual(try encoder.encode("a\r\r\nb\r"), try encoder.tokenizer.encode("a\r\nb\r"))
        XCTAssertEqual(encoder.eodID, encoder.tokenizer.id(for: "</s>"))
    }

    func testHuggingFaceTokenizerAddsPostProcessorTokens() throws {
        let encoder = try DocumentEncoder.load(type: .huggingFace, modelPath: TestPaths.fixtureLLMJPJSON, appendEOD: false)
        XCTAssertEqual(try encoder.encode("abc"), try encoder.tokenizer.encode("abc", addSpecialTokens: true))
        XCTAssertEqual(encoder.eodID, nil)  // no tokenizer_config.json next to the fixture
    }

    func testMisfitTokenizerFilesAreRefused() throws {
        XCTAssertThrowsError(try DocumentEncoder.load(type: .llama2, modelPath: TestPaths.fixtureLLMJPJSON, appendEOD: false)) {
            XCTAssertTrue("\($0)".contains("needs a sentencepiece .model"), "\($0)")
        }
        XCTAssertThrowsError(try DocumentEncoder.load(type: .huggingFace, modelPath: TestPaths.fixtureLLMJP, appendEOD: false)) {
            XCTAssertTrue("\($0)".contains("needs a tokenizer.json"), "\($0)")
        }
        // --append-eod with a tokenizer.json that declares no eos_token.
        XCTAssertThrowsError(try DocumentEncoder.load(type: .huggingFace, modelPath: TestPaths.fixtureLLMJPJSON, appendEOD: true)) {
            XCTAssertTrue("\($0)".contains("eos_token"), "\($0)")
        }
        XCTAssertThrowsError(try DocumentEncoder.load(type: .llama2, modelPath: "/nonexistent.model", appendEOD: false))
    }

    /// Shards written with SentencePieceTokenizer hold ids appended after the model's vocabulary:
    /// they decode to their token text (and vanish with skipSpecialTokens); the rest decodes as the
    /// tokenizer does.
    func testShardTextDecoderWritesAppendedSpecials() throws {
        let encoder = try DocumentEncoder.load(type: .sentencePiece, modelPath: TestPaths.fixtureLLMJP, appendEOD: true)
        let decoder = ShardTextDecoder(tokenizer: encoder.tokenizer)
        let appended = encoder.specialTokens.filter { Int($0.id) >= encoder.tokenizer.vocabularySize }
        XCTAssertFalse(appended.isEmpty, "the fixture model lacks some of Megatron's specials")
        XCTAssertEqual(decoder.appendedSpecials.count, appended.count)
        let body = try encoder.tokenizer.encode("こんにちは world")
        let eod = try XCTUnwrap(encoder.eodID)
        let ids = body + [eod] + body
        let text = String(decoding: try decoder.decode(ids, skipSpecialTokens: false), as: UTF8.self)
        let plain = try encoder.tokenizer.decode(body)
        let eodText = encoder.specialTokens.first { $0.id == eod }!.text
        if Int(eod) >= encoder.tokenizer.vocabularySize {
            XCTAssertEqual(text, plain + eodText + plain)
            XCTAssertEqual(String(decoding: try decoder.decode(ids, skipSpecialTokens: true), as: UTF8.self), plain + plain)
        } else {
            XCTAssertEqual(text, try encoder.tokenizer.decode(ids))
        }
        // A tokenizer.json has no appended ids.
        let hf = try DocumentEncoder.load(type: .huggingFace, modelPath: TestPaths.fixtureLLMJPJSON, appendEOD: false)
        XCTAssertTrue(ShardTextDecoder(tokenizer: hf.tokenizer).appendedSpecials.isEmpty)
    }
}
