@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// Numbers must come out with exactly the bits HF tokenizers gives them (serde_json's default,
/// not correctly rounded, parser). The expected bits are HF's own: `Tools/fixtures/make_number_fixture.py`
/// loads each number into tokenizers and reads back what it held; the llm-jp scores come from
/// `Tools/references/make_references.py` (`NAME.scores.f64`).
final class SerdeJSONNumberTests: XCTestCase {
    private func parse(_ text: String) -> Result<SerdeJSONNumber.Value, SerdeJSONNumber.Failure> {
        Array(text.utf8).withUnsafeBufferPointer { SerdeJSONNumber.parse($0) }
    }

    /// 4,000 numbers of every shape (float32 scores printed shortest and with 17 digits, random
    /// doubles, long significands past u64, huge and tiny exponents, integers), as HF parsed them.
    func testNumbersMatchHFTokenizers() throws {
        let url = ReferenceFiles.fixtureReferences.appendingPathComponent("serde-numbers.jsonl")
        var lines = try JSONLines(url)
        _ = lines.next()   // header
        var checked = 0, refused = 0, notCorrectlyRounded = 0
        var mismatches: [String] = []
        while let row = lines.next() {
            let text = row["text"] as! String
            let result = parse(text)
            if let message = row["error"] as? String {
                refused += 1
                let expected: SerdeJSONNumber.Failure = message.contains("out of range") ? .outOfRange : .invalid
                if case .failure(let failure) = result, failure == expected { continue }
                mismatches.append("\(text): HF refuses it (\(message)), we gave \(result)")
                continue
            }
            let expected = Double(bitPattern: UInt64(row["bits"] as! String, radix: 16)!)
            checked += 1
            if strtod(text, nil).bitPattern != expected.bitPattern { notCorrectlyRounded += 1 }
            switch result {
            case .success(let value) where value.doubleValue.bitPattern == expected.bitPattern: continue
            default: mismatches.append("\(text): HF \(expected) (0x\(String(expected.bitPattern, radix: 16))), we \(result)")
            }
        }
        XCTAssertEqual(mismatches.count, 0, "first mismatches: \(mismatches.prefix(5))")
        XCTAssertGreaterThan(checked, 3_900)
        XCTAssertGreaterThan(refused, 5)
        // The fixture must exercise the point of this parser: values strtod rounds differently.
        XCTAssertGreaterThan(notCorrectlyRounded, 300)
    }

    func testIntegersKeepTheirKind() {
        XCTAssertEqual(try parse("0").get(), .unsigned(0))
        XCTAssertEqual(try parse("18446744073709551615").get(), .unsigned(.max))
        XCTAssertEqual(try parse("-5").get(), .signed(-5))
        XCTAssertEqual(try parse("-9223372036854775808").get(), .signed(.min))
        XCTAssertEqual(try parse("-0").get().doubleValue.sign, .minus)
        XCTAssertEqual(parse("1 "), .failure(.invalid))
        XCTAssertEqual(parse(""), .failure(.invalid))
    }

    /// Every Unigram score of the fixture tokenizer.json files, bit for bit as HF holds it.
    func testFixtureScoresMatchHFTokenizers() throws {
        for name in ["fixture-llmjp", "fixture-nfkc"] {
            try checkScores(tokenizer: ReferenceFiles.fixtureTokenizers.appendingPathComponent("\(name)/tokenizer.json"),
                            against: ReferenceFiles.fixtureReferences.appendingPathComponent("\(name).tokenizer.json.scores.f64"))
        }
    }

    /// Every Unigram score of the llm-jp tokenizer.json files, bit for bit as HF holds it.
    func testLLMJPScoresMatchHFTokenizers() throws {
        let references = try ReferenceFiles.requireSharedReferences("llm-jp-v2.1.tokenizer.json")
        for version in ["v2.1", "v3.0", "v3.1", "v4.0"] {
            let name = "llm-jp-\(version).tokenizer.json"
            try checkScores(tokenizer: ReferenceFiles.sharedTokenizer(name),
                            against: references.appendingPathComponent("\(name).scores.f64"))
        }
    }

    private func checkScores(tokenizer url: URL, against scoresFile: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try Data(contentsOf: scoresFile)
        let expected = data.withUnsafeBytes { raw in
            (0..<data.count / 8).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        }
        let tokenizer = try Tokenizer.load(path: url.path, trieCache: TrieCache(directory: nil))
        XCTAssertEqual(tokenizer.format, .huggingFace, url.path, file: file, line: line)
        let scores = (0..<Int32(tokenizer.vocabulary.modelPieceCount)).map { tokenizer.vocabulary.score($0)! }
        XCTAssertEqual(scores.count, expected.count, url.path, file: file, line: line)
        XCTAssertGreaterThan(expected.count, 1000, url.path, file: file, line: line)
        let differing = zip(scores, expected).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differing, 0, "\(url.path): \(differing) scores differ from HF's", file: file, line: line)
    }
}
