@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// Compares CorpusKit with reference outputs of sentencepiece / HF tokenizers, document by
/// document, and fails with the first differences.
struct ConformanceChecker {
    let tokenizer: Tokenizer
    let name: String
    private(set) var compared = 0
    private(set) var mismatches: [String] = []
    private(set) var mismatchCount = 0

    init(tokenizer: Tokenizer, name: String) {
        self.tokenizer = tokenizer
        self.name = name
    }

    init(tokenizerAt url: URL, name: String) throws {
        self.init(tokenizer: try Tokenizer.load(path: url.path), name: name)
    }

    private mutating func record(_ what: String, document: Int, text: String, expected: Any, actual: Any) {
        mismatchCount += 1
        if mismatches.count < 8 {
            mismatches.append("\(name) document \(document) \(what): text \(text.debugDescription.prefix(300))\n    expected \(String(describing: expected).prefix(400))\n    actual   \(String(describing: actual).prefix(400))")
        }
    }

    /// Ids as Int32. Some random decode sequences hold 4294967295 (a u32 id), so values are read as
    /// Int64: a value beyond Int32 is dropped for tokenizer.json (HF tokenizers drops ids it cannot
    /// map) and makes the line fail otherwise.
    private func ints(_ value: Any?) -> [Int32]? {
        var result: [Int32] = []
        for wide in value as? [Int64] ?? [] {
            if let id = Int32(exactly: wide) { result.append(id) } else if tokenizer.format == .sentencePiece || wide < 0 || wide > Int64(UInt32.max) { return nil }
        }
        return result
    }

    /// Encode (with and without special tokens) and decode every `stride`-th document, and every
    /// document of at least `alwaysFromBytes` bytes (the long ones, where sentencepiece re-bases).
    mutating func checkDocuments(documents: URL, expectations: URL, stride: Int = 1, alwaysFromBytes: Int = 16_384) throws {
        var texts = try JSONLines(documents)
        var expected = try JSONLines(expectations)
        var index = 0
        while let length = texts.nextLineByteCount {
            guard index % stride == 0 || length >= alwaysFromBytes else {
                texts.skip()
                guard expected.nextLineByteCount != nil else { XCTFail("\(expectations.path) has fewer lines than the documents"); return }
                expected.skip()
                index += 1
                continue
            }
            let document = texts.next()!
            guard let reference = expected.next() else { XCTFail("\(expectations.path) has fewer lines than the documents"); return }
            let text = document["text"] as! String
            guard let ids = ints(reference["ids"]), let idsSpecial = ints(reference["ids_special"]) else {
                record("reference ids", document: index, text: text, expected: "ids within Int32", actual: reference["ids"] ?? "")
                index += 1
                continue
            }
            do {
                let actual = try tokenizer.encode(text)
                if actual != ids { record("ids", document: index, text: text, expected: ids, actual: actual) }
                let actualSpecial = try tokenizer.encode(text, addSpecialTokens: true)
                if actualSpecial != idsSpecial { record("ids_special", document: index, text: text, expected: idsSpecial, actual: actualSpecial) }
                let decodeInput = tokenizer.format == .sentencePiece ? ids : idsSpecial
                // Compare bytes: String equality would accept canonically equivalent text.
                if let decoded = reference["decoded"] as? String {
                    let actualDecoded = try tokenizer.decode(decodeInput)
                    if !actualDecoded.utf8.elementsEqual(decoded.utf8) { record("decoded", document: index, text: text, expected: decoded.debugDescription, actual: actualDecoded.debugDescription) }
                }
                if let decodedSkip = reference["decoded_skip"] as? String {
                    let actualDecoded = try tokenizer.decode(decodeInput, skipSpecialTokens: true)
                    if !actualDecoded.utf8.elementsEqual(decodedSkip.utf8) { record("decoded_skip", document: index, text: text, expected: decodedSkip.debugDescription, actual: actualDecoded.debugDescription) }
                }
            } catch {
                record("error", document: index, text: text, expected: ids, actual: error)
            }
            index += 1
            compared += 1
        }
        if expected.next() != nil { XCTFail("\(expectations.path) has more lines than the documents") }
    }

    /// Decode random id sequences.
    mutating func checkDecoding(_ url: URL) throws {
        var lines = try JSONLines(url)
        var index = 0
        while let line = lines.next() {
            guard let ids = ints(line["ids"]) else {
                record("decode input", document: index, text: "\(line["ids"] ?? "")", expected: "ids a reference accepts", actual: "an id outside Int32")
                index += 1
                continue
            }
            do {
                if let text = line["text"] as? String {
                    let actual = try tokenizer.decode(ids)
                    if !actual.utf8.elementsEqual(text.utf8) { record("decode", document: index, text: "\(ids)", expected: text.debugDescription, actual: actual.debugDescription) }
                }
                if let text = line["text_skip"] as? String {
                    let actual = try tokenizer.decode(ids, skipSpecialTokens: true)
                    if !actual.utf8.elementsEqual(text.utf8) { record("decode skip", document: index, text: "\(ids)", expected: text.debugDescription, actual: actual.debugDescription) }
                }
            } catch {
                record("decode error", document: index, text: "\(ids)", expected: line["text"] ?? "", actual: error)
            }
            index += 1
            compared += 1
        }
    }

    func assertNoMismatches(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(compared, 0, "\(name): nothing was compared", file: file, line: line)
        XCTAssertEqual(mismatchCount, 0, "\(name): \(mismatchCount) of \(compared) comparisons differ from the reference:\n" + mismatches.joined(separator: "\n"), file: file, line: line)
        print("conformance \(name): \(compared) comparisons, \(mismatchCount) mismatches")
    }
}
