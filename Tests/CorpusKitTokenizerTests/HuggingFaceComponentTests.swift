@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// Each HF normalizer, pre-tokenizer and decoder on its own, against what HF tokenizers does with
/// the same tokenizer.json object (`Tools/fixtures/make_component_fixtures.py` runs the real library:
/// normalize_str, pre_tokenize_str, decode). The conformance suites test the components only in
/// the combinations the llm-jp files use; these cover each option.
final class HuggingFaceComponentTests: XCTestCase {
    private struct Case {
        let json: [String: Any]
        let input: Any
        let output: Any?
        var label: String { "\(json) on \(input)" }
    }

    private func loadCases() throws -> [String: [Case]] {
        let url = ReferenceFiles.fixtureReferences.appendingPathComponent("hf-components.json")
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var byKind: [String: [Case]] = [:]
        for item in root["cases"] as! [[String: Any]] {
            byKind[item["kind"] as! String, default: []].append(
                Case(json: item["json"] as! [String: Any], input: item["input"]!, output: item["output"]))
        }
        return byKind
    }

    private func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testNormalizers() throws {
        let cases = try XCTUnwrap(try loadCases()["normalizer"])
        XCTAssertGreaterThan(cases.count, 100)
        for item in cases {
            let normalizer = try HuggingFaceNormalizer(json: item.json)
            let got = normalizer.apply(utf8(item.input as! String))
            XCTAssertEqual(got, utf8(item.output as! String), item.label)
        }
    }

    func testPreTokenizers() throws {
        let cases = try XCTUnwrap(try loadCases()["pre_tokenizer"])
        XCTAssertGreaterThan(cases.count, 50)
        for item in cases {
            let preTokenizer = try HuggingFacePreTokenizer(json: item.json)
            let got = preTokenizer.apply([.init(bytes: utf8(item.input as! String), startsText: true)]).map(\.bytes)
            XCTAssertEqual(got, (item.output as! [String]).map(utf8), item.label)
        }
    }

    func testDecoders() throws {
        let cases = try XCTUnwrap(try loadCases()["decoder"])
        XCTAssertGreaterThan(cases.count, 50)
        var compared = 0
        for item in cases {
            let decoder = try HuggingFaceDecoder(json: item.json)
            let got = decoder.decodeChain((item.input as! [String]).map(utf8)).flatMap { $0 }
            // HF panics on a few inputs (Strip on a token made only of its content); ours gives a value.
            guard let expected = item.output as? String else { continue }
            XCTAssertEqual(got, utf8(expected), item.label)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 50)
    }

    /// Anything the components do not implement is refused naming it, never approximated.
    func testUnknownComponentTypesAreRefused() {
        XCTAssertThrowsError(try HuggingFaceNormalizer(json: ["type": "BertNormalizer"])) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported("tokenizer.json normalizer type BertNormalizer"))
        }
        XCTAssertThrowsError(try HuggingFacePreTokenizer(json: ["type": "ByteLevel"])) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported("tokenizer.json pre_tokenizer type ByteLevel"))
        }
        XCTAssertThrowsError(try HuggingFaceDecoder(json: ["type": "WordPiece"])) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported("tokenizer.json decoder type WordPiece"))
        }
        XCTAssertThrowsError(try HuggingFacePostProcessor(json: ["type": "RobertaProcessing"])) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported("tokenizer.json post_processor type RobertaProcessing"))
        }
    }
}
