import Foundation
import XCTest
import CorpusKitInference
import CorpusKitTokenizer

/// `model check --long-context`: bucket NLLs add up to transformers' NLL of the same positions, and the
/// rise rule flags exactly a bucket above an earlier one.
final class LongContextCheckTests: XCTestCase {
    func testBucketsAddUpToTransformersNLL() throws {
        let name = "llama-gqa-llama3rope"
        let reference = try Fixtures.reference(name)
        // Documents no longer than the reference's 32-token window: its NLL covers every position once.
        let short = reference.documents.filter { $0.ids.count <= reference.context! }
        XCTAssertGreaterThanOrEqual(short.count, 2)
        let model = try CausalLM(directory: Fixtures.path(name), threads: 1)
        let check = try LongContextCheck(model: model, tokenizer: try Tokenizer.load(path: Fixtures.tokenizer), context: 32, edges: [4, 8, 16])
        let buckets = try check.buckets(texts: short.map(\.text))
        XCTAssertEqual(buckets.map(\.positions), [0..<4, 4..<8, 8..<16, 16..<32])
        XCTAssertEqual(buckets.reduce(0) { $0 + $1.tokens }, short.reduce(0) { $0 + $1.tokens })
        let expected = short.reduce(0) { $0 + $1.nll }
        XCTAssertEqual(buckets.reduce(0) { $0 + $1.nll }, expected, accuracy: 1e-5 * expected)
        XCTAssertEqual(buckets[0].tokens, 3 * short.count)   // positions 1, 2, 3 of each document
    }

    func testRiseRule() throws {
        let model = try CausalLM(directory: Fixtures.path("llama-tied-linear"), threads: 1)
        var check = try LongContextCheck(model: model, tokenizer: try Tokenizer.load(path: Fixtures.tokenizer), context: 64, edges: [8, 16, 32])
        XCTAssertEqual(check.edges, [8, 16, 32])
        check.minimumTokens = 10
        func buckets(_ means: [(Double, Int)]) -> [LongContextCheck.Bucket] {
            let bounds = [0, 8, 16, 32, 64]
            return means.enumerated().map { i, m in
                var b = LongContextCheck.Bucket(positions: bounds[i]..<bounds[i + 1])
                b.tokens = m.1
                b.nll = m.0 * Double(m.1)
                return b
            }
        }
        XCTAssertNil(check.rise(buckets([(5, 100), (4, 100), (3.9, 100), (3.93, 100)])))   // within the 0.05 tolerance
        let rise = check.rise(buckets([(5, 100), (4, 100), (4.5, 100), (6, 100)]))
        XCTAssertEqual(rise?.earlier.positions, 8..<16)
        XCTAssertEqual(rise?.later.positions, 16..<32)
        XCTAssertNil(check.rise(buckets([(5, 100), (4, 100), (9, 5), (3, 100)])))           // too few tokens to judge
        // Default edges: 512, 1024, … below the length.
        XCTAssertEqual(try LongContextCheck(model: model, tokenizer: try Tokenizer.load(path: Fixtures.tokenizer), context: 4096).edges, [512, 1024, 2048])
    }
}
