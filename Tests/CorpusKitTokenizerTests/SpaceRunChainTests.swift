@testable import CorpusKitTokenizer
import Foundation
import XCTest

/// ``SpaceRunChain`` must report, from every start inside a run of `▁`, exactly the (length, id)
/// sequence of the plain trie walk it replaces (the Viterbi pass depends on the order too: the
/// first candidate wins ties). The ids against the references are the conformance tests' and
/// the fuzzer's; this pins the invariant on vocabularies built to stress it.
final class SpaceRunChainTests: XCTestCase {
    private static let space = "\u{2581}"

    private func prefixes(_ trie: DoubleArrayTrie, _ text: [UInt8], from start: Int) -> [[Int]] {
        var found: [[Int]] = []
        text.withUnsafeBufferPointer { buffer in
            trie.forEachPrefix(buffer.baseAddress!, from: start, to: buffer.count) { found.append([$0, Int($1)]) }
        }
        return found
    }

    private func chainPrefixes(_ chain: SpaceRunChain, _ trie: DoubleArrayTrie, _ text: [UInt8], from start: Int) -> [[Int]] {
        var found: [[Int]] = []
        text.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            // As the Viterbi pass uses it: the chain's pieces, then the walk from where it leaves off.
            let steps = chain.steps(from: start, runEnd: SpaceRunChain.runEnd(base, from: start, end: buffer.count))
            for step in 1...max(steps, 1) where step <= steps && chain.values[step] >= 0 { found.append([3 * step, Int(chain.values[step])]) }
            trie.forEachPrefix(base, resuming: chain.states[steps], at: start + 3 * steps, origin: start, to: buffer.count) {
                found.append([$0, Int($1)])
            }
        }
        return found
    }

    /// Pieces: ▁ × k for the given lengths, and mixed pieces that go on past a run.
    private func trie(_ runLengths: [Int], extra: [String] = []) -> DoubleArrayTrie {
        let pieces = runLengths.map { String(repeating: Self.space, count: $0) } + extra
        return DoubleArrayTrie(keys: pieces.map { Array($0.utf8) }, values: (0..<Int32(pieces.count)).map { $0 * 7 + 1 })
    }

    func testChainReportsWhatTheWalkReports() {
        let vocabularies: [DoubleArrayTrie] = [
            trie(Array(1...16), extra: ["a", "▁a", "▁▁ab", "\(String(repeating: Self.space, count: 16))x", "▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁"]),
            trie([1, 2, 4, 8], extra: ["▁▁▁a", "b", "▁b▁"]),   // gaps: some run lengths have no piece
            trie([3, 5], extra: ["▁", "▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁z"]),
        ]
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let alphabet = [Self.space, Self.space, Self.space, "a", "b", "x", "z", "あ"]
        for (index, trie) in vocabularies.enumerated() {
            let chain = SpaceRunChain(trie: trie)
            XCTAssertGreaterThan(chain.length, 0, "vocabulary \(index)")
            for _ in 0..<400 {
                let text = Array((0..<next(60)).map { _ in alphabet[next(alphabet.count)] }.joined().utf8)
                var position = 0
                while position < text.count {
                    if text[position] == 0xE2 {
                        XCTAssertEqual(chainPrefixes(chain, trie, text, from: position), prefixes(trie, text, from: position),
                                       "vocabulary \(index), text \(String(decoding: text, as: UTF8.self)), start \(position)")
                    }
                    position += UTF8Scalars.sequenceLength(lead: text[position])
                }
            }
        }
    }

    func testNoChainWhenAPieceEndsInsideTheSpaceSymbol() {
        // A raw piece of ▁'s first two bytes (a .model may hold one): the walk reports it inside
        // a character, which the chain cannot, so the chain is not used.
        let trie = DoubleArrayTrie(keys: [Array(Self.space.utf8), [0xE2, 0x96], Array("▁▁".utf8)], values: [1, 2, 3])
        XCTAssertEqual(SpaceRunChain(trie: trie).length, 0)
        XCTAssertEqual(SpaceRunChain(trie: self.trie([], extra: ["a"])).length, 0, "no ▁ piece: no chain")
    }
}
