@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// HF BPE cuts each word into chunks no merge can cross and merges them apart, with a cache of
/// chunk results and a two-symbol shortcut (`Models/BPE/BPEMerges.swift` says why this is exact).
/// Here the same model loaded without chunking — every word merged whole through the queue, as
/// `Word::merge_all` does — must give the same ids on real text: the conformance suites check the
/// chunked path against HF tokenizers, this checks it against the unchunked one on inputs those
/// suites do not have (whole pages of the corpora as one word, shuffled characters).
final class BPEChunkingTests: XCTestCase {
    private func models(_ path: String) throws -> (chunked: HuggingFaceBPE, whole: HuggingFaceBPE) {
        let root = try HuggingFaceTokenizerFile.readObject(path)
        let model = try XCTUnwrap(root["model"] as? [String: Any])
        let (chunked, _) = try HuggingFaceBPE.load(json: model)
        let (whole, _) = try HuggingFaceBPE.load(json: model, chunking: false)
        XCTAssertTrue(chunked.joins.cuts)
        XCTAssertFalse(whole.joins.cuts)
        return (chunked, whole)
    }

    private func segment(_ model: HuggingFaceBPE, _ text: String, _ workspace: inout ModelScratch) throws -> [Int32] {
        var output: [Int32] = []
        // Llama-style normalization (spaces to ▁, one prepended), enough to exercise the merges.
        let normalized = Array(("▁" + text.replacingOccurrences(of: " ", with: "▁")).utf8)
        try normalized.withUnsafeBufferPointer { buffer in try model.segment(buffer, into: &output, scratch: &workspace) }
        return output
    }

    private func check(_ relative: String) throws {
        let path = ReferenceFiles.sharedTokenizer(relative)
        guard ReferenceFiles.sharedIsPresent else { throw XCTSkip("\(ReferenceFiles.sharedDirectory.path) not found: BPE chunking check skipped") }
        guard FileManager.default.fileExists(atPath: path.path) else {
            XCTFail("\(path.path) is missing although the shared directory exists: run Tools/references/make_shared_references.sh first")
            return
        }
        let (chunked, whole) = try models(path.path)
        var texts: [String] = []
        for name in ["neko.txt", "botchan.txt", "jsts-v1.1-train.txt"] {
            let text = try String(contentsOf: ReferenceFiles.sharedDirectory.appendingPathComponent("corpora/\(name)"), encoding: .utf8)
            let lines = text.split(separator: "\n").map(String.init)
            // Pages of 40 lines as single words (long chunks, the queue path), and single lines.
            texts += stride(from: 0, to: min(lines.count, 4000), by: 40).map { lines[$0..<min($0 + 40, lines.count)].joined(separator: "\n") }
            texts += lines.prefix(2000)
        }
        // Characters of the corpus in a fixed shuffled order: pairs that real text rarely has.
        var generator = SplitMix64(seed: 20261202)
        let characters = Array(texts.prefix(200).joined())
        for _ in 0..<500 {
            texts.append(String((0..<Int.random(in: 1...64, using: &generator)).map { _ in characters.randomElement(using: &generator)! }))
        }
        var a = ModelScratch(), b = ModelScratch()
        var differing = 0
        for text in texts where try segment(chunked, text, &a) != segment(whole, text, &b) {
            if differing == 0 { XCTFail("\(relative): chunked and whole merging differ on \(text.prefix(80).debugDescription)") }
            differing += 1
        }
        XCTAssertEqual(differing, 0, "\(relative): \(differing) of \(texts.count) texts differ")
    }

    func testLlama2TokenizerJSON() throws { try check("llama2.tokenizer.json") }
    func testExtendedTokenizerJSON() throws { try check("llama2-ja.tokenizer.json") }
}
