import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitTokenizer
import CorpusKitMegatron
import CorpusKitShards

/// The README's library example ("Using the library") runs here, verbatim: the test first checks that
/// the lines between the markers below are the README's `swift` block (its imports aside), then runs
/// them from the repository root, as the README says, and checks what they produced.
final class ReadmeLibraryExampleTests: XCTestCase {
    func testTheReadmeBlockIsThisTestsCode() throws {
        let readme = try String(contentsOfFile: TestPaths.repo("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "```swift\n"),
              let end = readme.range(of: "\n```", range: start.upperBound..<readme.endIndex) else {
            return XCTFail("README.md has no ```swift block")
        }
        let block = readme[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("import ") }.map(String.init)
        let source = try String(contentsOfFile: #filePath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = source.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// README example: begin" }),
              let last = source.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// README example: end" }) else {
            return XCTFail("markers missing")
        }
        let code = source[(first + 1)..<last].map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }
        XCTAssertEqual(block.drop { $0.isEmpty }.map { $0 }, code.drop { $0.isEmpty }.map { $0 },
                       "the README's swift block and ReadmeLibraryExampleTests differ: change both")
    }

    func testTheReadmeExampleRuns() throws {
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(TestPaths.repositoryRoot.path))
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }

        // README example: begin
        let tokenizer = try Tokenizer.load(path: "Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model")
        let ids = try tokenizer.encode("吾輩は猫である。名前はまだ無い。")
        print(ids, try tokenizer.decode(ids))

        // One document as `tokenize --tokenizer-type Llama2Tokenizer --append-eod` writes it.
        let encoder = try DocumentEncoder(tokenizer: tokenizer, type: .llama2, appendEOD: true)
        let prefix = NSTemporaryDirectory() + "/neko_text_document"
        let writer = try MegatronIndexWriter(prefix: prefix, dtype: .optimal(vocabularySize: encoder.vocabularySize))
        try writer.addDocument(try encoder.encode("吾輩は猫である。"))
        _ = try writer.finish()

        let reader = try MegatronIndexReader(prefix: prefix)
        print(reader.documentCount, reader.tokenCount, try reader.documentTokens(0))
        // README example: end

        defer { for suffix in [".bin", ".idx"] { try? FileManager.default.removeItem(atPath: prefix + suffix) } }
        XCTAssertEqual(try tokenizer.decode(ids), "吾輩は猫である。名前はまだ無い。")
        XCTAssertEqual(reader.documentCount, 1)
        let document = try reader.documentTokens(0)
        XCTAssertEqual(document.first, tokenizer.bosID)
        XCTAssertEqual(document.last, encoder.eodID)
        XCTAssertEqual(Array(document.dropFirst().dropLast()), try tokenizer.encode("吾輩は猫である。"))
    }
}
