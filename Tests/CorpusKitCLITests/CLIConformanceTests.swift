import Foundation
import XCTest
import CorpusKitTestSupport

/// `corpuskit encode` / `decode`, run as the built executable, against the reference outputs
/// `Tools/references/make_references.py` wrote with sentencepiece and HF tokenizers: the same comparisons as
/// `CorpusKitTokenizerTests`' ConformanceChecker, but through the command line's readers and writers.
final class CLIConformanceTests: XCTestCase {
    /// One line of `NAME.jsonl`.
    private struct DocumentReference {
        let ids: [Int64]
        let idsSpecial: [Int64]
        let decoded: [UInt8]?
        let decodedSkip: [UInt8]?
    }

    /// One line of `NAME.decode.jsonl`.
    private struct DecodeReference {
        let ids: [Int64]
        let text: [UInt8]?
        let textSkip: [UInt8]?
    }

    /// Collects the first differences.
    private struct Mismatches {
        let name: String
        var count = 0
        var compared = 0
        var messages: [String] = []

        mutating func check<T: Equatable>(_ what: String, line: Int, expected: T, actual: T?, context: @autoclosure () -> String) {
            compared += 1
            guard actual != expected else { return }
            count += 1
            if messages.count < 8 {
                let actualText = actual.map { String(describing: $0) } ?? "(unparsable or missing output line)"
                messages.append("\(name) \(what) line \(line + 1): \(context().prefix(300))\n    expected \(String(describing: expected).prefix(400))\n    actual   \(actualText.prefix(400))")
            }
        }

        func assertNone(file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertGreaterThan(compared, 0, "\(name): nothing was compared", file: file, line: line)
            XCTAssertEqual(count, 0, "\(name): \(count) of \(compared) CLI comparisons differ from the reference:\n" + messages.joined(separator: "\n"),
                           file: file, line: line)
            print("cli conformance \(name): \(compared) comparisons, \(count) mismatches")
        }
    }

    private static func rawLines(_ url: URL) throws -> [Data] {
        splitLines(try Data(contentsOf: url, options: .mappedIfSafe))
    }

    private static func object(_ line: Data, _ url: URL, _ index: Int) throws -> [String: Any] {
        do {
            return try ReferenceJSON.object(line)
        } catch {
            throw TestFailure("\(url.path):\(index + 1): not a flat JSON object: \(error)")
        }
    }

    private static func ints(_ value: Any?) -> [Int64] { value as? [Int64] ?? [] }
    private static func bytes(_ value: Any?) -> [UInt8]? { (value as? String).map { Array($0.utf8) } }

    private func documentText(_ line: Data) -> String {
        ((try? ReferenceJSON.object(line))?["text"] as? String)?.debugDescription ?? "?"
    }

    /// Encodes `documents.jsonl` (every `stride`-th document) and decodes the references' ids with the
    /// CLI, then decodes `NAME.decode.jsonl`.
    private func check(_ name: String, tokenizer: URL, references: URL, stride: Int = 1) throws {
        let started = Date()
        let scratch = try ScratchDirectory("cli-tests")
        let isSentencePiece = tokenizer.pathExtension == "model"
        let documentsURL = references.appendingPathComponent("documents.jsonl")
        let expectationsURL = references.appendingPathComponent("\(name).jsonl")
        let allDocuments = try Self.rawLines(documentsURL)
        let allExpectations = try Self.rawLines(expectationsURL)
        XCTAssertEqual(allDocuments.count, allExpectations.count, "\(expectationsURL.path) does not have one line per document")
        let selected = Swift.stride(from: 0, to: min(allDocuments.count, allExpectations.count), by: stride).map { $0 }
        let documents = selected.map { allDocuments[$0] }
        let expected = try selected.map { index -> DocumentReference in
            let object = try Self.object(allExpectations[index], expectationsURL, index)
            return DocumentReference(ids: Self.ints(object["ids"]), idsSpecial: Self.ints(object["ids_special"]),
                                     decoded: Self.bytes(object["decoded"]), decodedSkip: Self.bytes(object["decoded_skip"]))
        }
        let input: String
        if stride == 1 {
            input = documentsURL.path
        } else {
            var data = Data()
            for document in documents { data.append(document); data.append(0x0A) }
            input = try scratch.write("documents.jsonl", data)
        }
        var mismatches = Mismatches(name: name)

        // encode, without and with special tokens
        for addSpecial in [false, true] {
            let result = try CorpusKitCLI.succeed(["encode", "--tokenizer", tokenizer.path, "--input", input] + (addSpecial ? ["--add-special-tokens"] : []))
            let lines = result.lines
            XCTAssertEqual(lines.count, documents.count, "\(name): encode wrote \(lines.count) lines for \(documents.count) documents")
            for (index, reference) in expected.enumerated() {
                let actual = index < lines.count ? CLIOutput.ids(lines[index]) : nil
                mismatches.check(addSpecial ? "encode --add-special-tokens" : "encode", line: selected[index],
                                 expected: addSpecial ? reference.idsSpecial : reference.ids, actual: actual,
                                 context: self.documentText(documents[index]))
            }
        }

        // decode the reference ids (sentencepiece: ids; tokenizers: ids_special, as the references did)
        let idsFile = try scratch.write("ids.jsonl", lines: expected.map { CLIOutput.idLine(isSentencePiece ? $0.ids : $0.idsSpecial) })
        for skip in isSentencePiece ? [false] : [false, true] {
            let result = try CorpusKitCLI.succeed(["decode", "--tokenizer", tokenizer.path, "--input", idsFile] + (skip ? ["--skip-special-tokens"] : []))
            let lines = result.lines
            XCTAssertEqual(lines.count, expected.count, "\(name): decode wrote \(lines.count) lines for \(expected.count) inputs")
            for (index, reference) in expected.enumerated() {
                guard let text = skip ? reference.decodedSkip : reference.decoded else { continue }
                let actual = index < lines.count ? CLIOutput.decodedText(lines[index]) : nil
                mismatches.check(skip ? "decode --skip-special-tokens" : "decode", line: selected[index], expected: text, actual: actual,
                                 context: "ids \(CLIOutput.idLine(isSentencePiece ? reference.ids : reference.idsSpecial).prefix(200)), expected text \(String(decoding: text, as: UTF8.self).debugDescription)")
            }
        }

        // decode the random id sequences
        let decodeURL = references.appendingPathComponent("\(name).decode.jsonl")
        let decodeReferences = try Self.rawLines(decodeURL).enumerated().map { index, line -> DecodeReference in
            let object = try Self.object(line, decodeURL, index)
            return DecodeReference(ids: Self.ints(object["ids"]), text: Self.bytes(object["text"]), textSkip: Self.bytes(object["text_skip"]))
        }
        let sequencesFile = try scratch.write("sequences.jsonl", lines: decodeReferences.map { CLIOutput.idLine($0.ids) })
        for skip in isSentencePiece ? [false] : [false, true] {
            let arguments = ["decode", "--tokenizer", tokenizer.path] + (skip ? ["--skip-special-tokens"] : [])
            var result = try CorpusKitCLI.run(arguments + ["--input", sequencesFile])
            var compared = Array(decodeReferences.indices)
            if !(result.reason == .exit && result.status == 0) {
                XCTFail("\(name): decoding \(decodeURL.lastPathComponent) failed: \(result.summary)")
                // Still compare the sequences whose ids all fit in Int32, so one failure does not hide others.
                compared = compared.filter { decodeReferences[$0].ids.allSatisfy { Int32(exactly: $0) != nil } }
                guard compared.count < decodeReferences.count else { continue }
                let subset = try scratch.write("sequences-int32.jsonl", lines: compared.map { CLIOutput.idLine(decodeReferences[$0].ids) })
                result = try CorpusKitCLI.run(arguments + ["--input", subset])
                print("\(name): retried \(compared.count) of \(decodeReferences.count) sequences (ids within Int32): \(result.summary)")
                guard result.reason == .exit, result.status == 0 else { continue }
            }
            let lines = result.lines
            XCTAssertEqual(lines.count, compared.count, "\(name): decode wrote \(lines.count) lines for \(compared.count) sequences")
            for (outputIndex, index) in compared.enumerated() {
                let reference = decodeReferences[index]
                guard let text = skip ? reference.textSkip : reference.text else { continue }
                let actual = outputIndex < lines.count ? CLIOutput.decodedText(lines[outputIndex]) : nil
                mismatches.check(skip ? "decode.jsonl --skip-special-tokens" : "decode.jsonl", line: index, expected: text, actual: actual,
                                 context: "ids \(CLIOutput.idLine(reference.ids).prefix(200)), expected text \(String(decoding: text, as: UTF8.self).debugDescription)")
            }
        }
        mismatches.assertNone()
        print("cli conformance \(name): \(documents.count) documents (every \(stride)), \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    // MARK: fixture tokenizers (always)

    private func checkFixture(_ name: String, _ path: String) throws {
        try check(name, tokenizer: ReferenceFiles.fixtureTokenizers.appendingPathComponent(path), references: ReferenceFiles.fixtureReferences)
    }

    func testFixtureLLMjpModel() throws { try checkFixture("fixture-llmjp.model", "fixture-llmjp/fixture-llmjp.model") }
    func testFixtureLLMjpTokenizerJSON() throws { try checkFixture("fixture-llmjp.tokenizer.json", "fixture-llmjp/tokenizer.json") }
    func testFixtureNFKCModel() throws { try checkFixture("fixture-nfkc.model", "fixture-nfkc/fixture-nfkc.model") }
    func testFixtureNFKCTokenizerJSON() throws { try checkFixture("fixture-nfkc.tokenizer.json", "fixture-nfkc/tokenizer.json") }
    func testFixtureBPEModel() throws { try checkFixture("fixture-bpe.model", "fixture-bpe/fixture-bpe.model") }
    func testFixtureBPETokenizerJSON() throws { try checkFixture("fixture-bpe.tokenizer.json", "fixture-bpe/tokenizer.json") }
    func testFixtureBPEBytesModel() throws { try checkFixture("fixture-bpe-bytes.model", "fixture-bpe-bytes/fixture-bpe-bytes.model") }

    // MARK: llm-jp and Llama 2 tokenizers (when ../shared is present)

    /// Every `stride`-th document of the shared references: all of them by default (measured: the
    /// twelve files take about 40 s in release on a 2-core machine).
    /// `CORPUSKIT_CLI_STRIDE=3` compares every 3rd document only.
    private static var sharedStride: Int {
        if let value = ProcessInfo.processInfo.environment["CORPUSKIT_CLI_STRIDE"], let stride = Int(value), stride > 0 { return stride }
        return 1
    }

    private func checkShared(_ name: String) throws {
        let references = try ReferenceFiles.requireSharedReferences(name)
        try check(name, tokenizer: ReferenceFiles.sharedTokenizer(name), references: references, stride: Self.sharedStride)
    }

    func testSharedV21Model() throws { try checkShared("llm-jp-v2.1.model") }
    func testSharedV30Model() throws { try checkShared("llm-jp-v3.0.model") }
    func testSharedV31Model() throws { try checkShared("llm-jp-v3.1.model") }
    func testSharedV40Model() throws { try checkShared("llm-jp-v4.0.model") }
    func testSharedV21TokenizerJSON() throws { try checkShared("llm-jp-v2.1.tokenizer.json") }
    func testSharedV30TokenizerJSON() throws { try checkShared("llm-jp-v3.0.tokenizer.json") }
    func testSharedV31TokenizerJSON() throws { try checkShared("llm-jp-v3.1.tokenizer.json") }
    func testSharedV40TokenizerJSON() throws { try checkShared("llm-jp-v4.0.tokenizer.json") }
    func testSharedLlama2Model() throws { try checkShared("llama2.model") }
    func testSharedLlama2TokenizerJSON() throws { try checkShared("llama2.tokenizer.json") }
    func testSharedLlama2ExtendedModel() throws { try checkShared("llama2-ja.model") }
    func testSharedLlama2ExtendedTokenizerJSON() throws { try checkShared("llama2-ja.tokenizer.json") }
}
