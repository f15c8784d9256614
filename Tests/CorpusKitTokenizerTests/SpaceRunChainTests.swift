@testable import CorpusKitTokenizer
import Foundation
import XCTest

/// ``SpaceRunChain`` must report, from every start inside a run of `▁`, exactly the (length, id)
/// sequence of the plain trie walk it replaces (the Viterbi pass depends on the order too: the
/// first candidate wins ties), and so must the walk resumed from ``ThreeByteStarts`` at every
/// three-byte character. The ids against the references are the conformance tests' and the
/// fuzzer's; this pins the invariants on vocabularies built to stress them.
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

    /// As the Viterbi pass uses the table: the walk resumed at the third byte from the state after
    /// the first two, or no walk when that state is -1.
    private func threeBytePrefixes(_ table: ThreeByteStarts, _ trie: DoubleArrayTrie, _ text: [UInt8], from start: Int) -> [[Int]] {
        var found: [[Int]] = []
        text.withUnsafeBufferPointer { buffer in
            let state = table.states[ThreeByteStarts.index(lead: text[start], second: text[start + 1])]
            guard state >= 0 else { return }
            trie.forEachPrefix(buffer.baseAddress!, resuming: state, at: start + 2, origin: start, to: buffer.count) {
                found.append([$0, Int($1)])
            }
        }
        return found
    }

    func testThreeByteStartsResumeWhatTheWalkReports() {
        // Kana, kanji, ▁ and a few other three-byte characters (leads E2, E3, E4, E9, EF), pieces
        // of one to three characters, some sharing first bytes with characters that are not pieces.
        let characters = ["あ", "い", "ぁ", "日", "本", "語", "ー", "・", "\u{FF01}", "\u{2581}", "\u{4E00}", "\u{9FFF}", "a"]
        let pieces = ["あ", "い", "日", "日本", "日本語", "あい", "\u{2581}あ", "ー", "本a", "\u{FF01}\u{FF01}", "\u{4E00}"]
        let trie = DoubleArrayTrie(keys: pieces.map { Array($0.utf8) }, values: (0..<Int32(pieces.count)).map { $0 * 3 + 2 })
        let table = ThreeByteStarts(trie: trie)
        XCTAssertTrue(table.isUsable)
        var state: UInt64 = 11
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        for _ in 0..<400 {
            var text = Array((0..<next(30)).map { _ in characters[next(characters.count)] }.joined().utf8)
            if next(4) == 0 { text.removeLast(min(next(2) + 1, text.count)) }   // a character cut at the end
            var position = 0
            while position + 1 < text.count {
                if text[position] & 0xF0 == 0xE0 {
                    XCTAssertEqual(threeBytePrefixes(table, trie, text, from: position), prefixes(trie, text, from: position),
                                   "text \(text), start \(position)")
                }
                position += UTF8Scalars.sequenceLength(lead: text[position])
            }
        }
    }

    func testNoThreeByteStartsWhenAPieceEndsInsideACharacter() {
        // Raw pieces of a character's first one or two bytes (a .model may hold them).
        XCTAssertFalse(ThreeByteStarts(trie: DoubleArrayTrie(keys: [Array("あ".utf8), [0xE3, 0x81]], values: [1, 2])).isUsable)
        XCTAssertFalse(ThreeByteStarts(trie: DoubleArrayTrie(keys: [Array("日".utf8), [0xE6]], values: [1, 2])).isUsable)
        XCTAssertTrue(ThreeByteStarts(trie: DoubleArrayTrie(keys: [Array("a".utf8), [0xC3, 0xA9]], values: [1, 2])).isUsable)
    }
}
