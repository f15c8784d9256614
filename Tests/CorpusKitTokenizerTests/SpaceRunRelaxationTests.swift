import CTextKernels
import Foundation
import XCTest
@testable import CorpusKitTokenizer

/// Runs of `▁` have their chain pieces offered in one call (`ck_space_run_f32`/`f64`, AVX2 or one
/// offer at a time), and where no piece is two `▁` and then something else, the starts inside a
/// run are skipped. Both must leave the Viterbi pass's result exactly as the start-by-start offers
/// do, which are the references' order (the conformance tests and the fuzzer check those against
/// sentencepiece and tokenizers on the llm-jp files). Here: hand-built vocabularies made to hit
/// every case — gaps in the chain, ties and float32 rounding, a piece ending inside a run (`b▁`),
/// pieces going on after two `▁` (no skipping then), and scores large enough that the path score
/// is re-based inside a run (the call declines, the offers go start by start), chains of 16, 24, 32
/// and 33 `▁` (the last longer than the call's lanes) — on random texts
/// of words and runs of 0 to 40 `▁`, both score policies, vector and scalar kernels.
final class SpaceRunRelaxationTests: XCTestCase {
    private static let noCache = TrieCache(directory: nil)
    private static let space = "\u{2581}"

    override func tearDown() {
        UnigramViterbi.pullsSpaceRuns = true
        ck_text_kernels_use_vectors(1)
        super.tearDown()
    }

    /// `<unk>` (0), then `pieces` from id 1.
    private func models(_ pieces: [(String, Double)]) -> [(String, any SegmentationModel)] {
        let all = [("<unk>", 0.0)] + pieces
        let table = PieceTable(pieces: all.map { Array($0.0.utf8) }, scores: all.map(\.1),
                               types: [.unknown] + pieces.map { _ in .normal })
        return [("sentencepiece", SentencePieceUnigram(table: table, byteFallback: false, unknownID: 0, trieCache: Self.noCache)),
                ("tokenizers", HuggingFaceUnigram(table: table, unknownID: 0, byteFallback: false, trieCache: Self.noCache))]
    }

    private func segment(_ model: any SegmentationModel, _ text: [UInt8]) throws -> [Int32] {
        var output: [Int32] = []
        var scratch = ModelScratch()
        try text.withUnsafeBufferPointer { try model.segment($0, into: &output, scratch: &scratch) }
        return output
    }

    private func runs(_ lengths: ClosedRange<Int>, score: (Int) -> Double) -> [(String, Double)] {
        lengths.map { (String(repeating: Self.space, count: $0), score($0)) }
    }

    func testOneCallOffersWhatTheStartsOffer() throws {
        let words: [(String, Double)] = [("a", -3), ("b", -3.5), ("ab", -5), ("\(Self.space)a", -2.25), ("\(Self.space)b", -4)]
        let vocabularies: [(String, [(String, Double)])] = [
            ("full chain", runs(1...16) { -1.5 - 0.37 * Double($0) } + words),
            ("gaps, ties", runs(1...1) { _ in -1 } + [("\(Self.space)\(Self.space)", -2), ("\(String(repeating: Self.space, count: 4))", -4),
                           ("\(String(repeating: Self.space, count: 7))", -7.000001), ("\(String(repeating: Self.space, count: 16))", -16)] + words),
            ("float32 rounding", runs(1...12) { -Double($0) * 1.1 - 1e-7 * Double($0 % 3) } + words),
            ("a piece ending in a run", runs(1...16) { -2 - 0.1 * Double($0) } + words + [("b\(Self.space)", -1), ("ab\(Self.space)\(Self.space)", -1.5)]),
            ("pieces after two ▁", runs(1...16) { -2 - 0.2 * Double($0) } + words
                + [("\(Self.space)\(Self.space)a", -3), ("\(String(repeating: Self.space, count: 5))ab", -6)]),
            ("re-based inside runs", runs(1...16) { -23_456.5 - 1_000 * Double($0) } + words),
            ("a chain of 24 (llm-jp v2.1's)", runs(1...24) { -1.25 - 0.41 * Double($0) } + words),
            ("a chain of 32, gaps", runs(1...32) { $0 % 5 == 3 ? -1e6 : -1.5 - 0.3 * Double($0) }.filter { $0.1 > -1e6 } + words),
            ("a chain of 33 (start by start)", runs(1...33) { -1 - 0.5 * Double($0) } + words),
        ]
        var state: UInt64 = 29
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        var compared = 0, rebasedTexts = 0
        for (name, pieces) in vocabularies {
            for (kind, model) in models(pieces) {
                for _ in 0..<300 {
                    var text = ""
                    for _ in 0..<next(12) {
                        text += String(repeating: Self.space, count: next(3) == 0 ? next(41) : next(3))
                        text += ["a", "b", "ab", "ba", "x", "あ"][next(6)]
                    }
                    if next(3) == 0 { text += String(repeating: Self.space, count: next(20)) }
                    let bytes = Array(text.utf8)
                    UnigramViterbi.pullsSpaceRuns = false
                    ck_text_kernels_use_vectors(1)
                    let expected = try segment(model, bytes)
                    UnigramViterbi.pullsSpaceRuns = true
                    for vectors in [1, 0] {
                        ck_text_kernels_use_vectors(Int32(vectors))
                        XCTAssertEqual(try segment(model, bytes), expected, "\(name), \(kind), vectors \(vectors): \(text)")
                        compared += 1
                    }
                    if name.hasPrefix("re-based") && bytes.count > 30 { rebasedTexts += 1 }
                }
            }
        }
        XCTAssertEqual(compared, vocabularies.count * 2 * 300 * 2)
        XCTAssertGreaterThan(rebasedTexts, 100, "texts long enough to be re-based inside a run")
    }

    func testStartsInsideARunAreSkippedOnlyWhenNothingFollowsTwoSpaces() {
        func chain(_ keys: [String]) -> SpaceRunChain {
            SpaceRunChain(trie: DoubleArrayTrie(keys: keys.map { Array($0.utf8) }, values: (0..<Int32(keys.count)).map { $0 }))
        }
        let spaces = (1...16).map { String(repeating: Self.space, count: $0) }
        XCTAssertTrue(chain(spaces + ["\(Self.space)a", "a"]).onlySpacesFollowTwo)
        XCTAssertFalse(chain(spaces + ["\(Self.space)\(Self.space)a"]).onlySpacesFollowTwo)
        // Another character that starts with ▁'s first byte (E2 80 94), after the longest run.
        XCTAssertFalse(chain(spaces + ["\(String(repeating: Self.space, count: 16))\u{2014}"]).onlySpacesFollowTwo)
        XCTAssertFalse(chain([Self.space, "\(Self.space)a"]).onlySpacesFollowTwo, "a chain of one ▁: nothing to skip")
    }
}
