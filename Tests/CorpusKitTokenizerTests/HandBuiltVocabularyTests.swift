import Foundation
import XCTest
@testable import CorpusKitTokenizer

/// The segmentation models and normalizers on tiny vocabularies built here, as sentencepiece's
/// `bpe_model_test.cc` / `unigram_model_test.cc` and tokenizers' `models/unigram/model.rs` tests
/// do. Every expected segmentation is worked out by hand from the algorithm (the arithmetic is in
/// the comments), not taken from CorpusKit's output; each is also confirmed with sentencepiece 0.2.3
/// (a `ModelProto` with the same pieces, loaded from its serialized bytes) and tokenizers 0.23.3
/// (`Tokenizer.from_str` of the same model, `normalizers.*.normalize_str`) by
/// `.venv/bin/python -m Tools.references.check_hand_built_vocabularies` (0 disagreements, 2026-12-06).
final class HandBuiltVocabularyTests: XCTestCase {
    private static let noCache = TrieCache(directory: nil)

    /// `<unk>` (0), `<s>` (1), `</s>` (2), then `pieces` from id 3.
    private func table(_ pieces: [(String, Double)], types: [PieceType]? = nil) -> PieceTable {
        let all = [("<unk>", 0.0), ("<s>", 0.0), ("</s>", 0.0)] + pieces
        let kinds: [PieceType] = [.unknown, .control, .control] + (types ?? pieces.map { _ in .normal })
        return PieceTable(pieces: all.map { Array($0.0.utf8) }, scores: all.map(\.1), types: kinds)
    }

    /// `table` plus the 256 byte pieces `<0x00>`…`<0xFF>` (ids from `3 + pieces.count`).
    private func tableWithBytes(_ pieces: [(String, Double)]) -> PieceTable {
        let bytes = (0..<256).map { (String(format: "<0x%02X>", $0), 0.0) }
        return table(pieces + bytes, types: pieces.map { _ in .normal } + bytes.map { _ in .byte })
    }

    private func segment(_ model: some SegmentationModel, _ text: String) throws -> [Int32] {
        var output: [Int32] = []
        var scratch = ModelScratch()
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBufferPointer { try model.segment($0, into: &output, scratch: &scratch) }
        return output
    }

    // MARK: Unigram (UnigramViterbi with both score policies)

    /// a −1, b −2, ab −2.5, c −1.5, bc −2, abc −5 (ids 3…8).
    private let unigramPieces: [(String, Double)] = [("a", -1), ("b", -2), ("ab", -2.5), ("c", -1.5), ("bc", -2), ("abc", -5)]

    private func unigramModels(_ table: PieceTable, byteFallback: Bool = false) -> [(String, any SegmentationModel)] {
        [("sentencepiece", SentencePieceUnigram(table: table, byteFallback: byteFallback, unknownID: 0, trieCache: Self.noCache)),
         ("tokenizers", HuggingFaceUnigram(table: table, unknownID: 0, byteFallback: byteFallback, trieCache: Self.noCache))]
    }

    func testUnigramPicksTheBestPathNotTheLongestPiece() throws {
        for (name, model) in unigramModels(table(unigramPieces)) {
            // abc: a|b|c −4.5, ab|c −4.0, a|bc −3.0, abc −5.0 → a bc.
            XCTAssertEqual(try segment(model, "abc"), [3, 7], name)
            // ab: a|b −3.0, ab −2.5 → ab.
            XCTAssertEqual(try segment(model, "ab"), [5], name)
            // cab: c|a|b −4.5, c|ab −4.0 → c ab.
            XCTAssertEqual(try segment(model, "cab"), [6, 5], name)
            XCTAssertEqual(try segment(model, ""), [], name)
        }
    }

    func testUnigramUnknownCharacters() throws {
        for (name, model) in unigramModels(table(unigramPieces)) {
            // x is in no piece: an unknown node scored min_score − 10 = −15.
            XCTAssertEqual(try segment(model, "abx"), [5, 0], name)
            XCTAssertEqual(try segment(model, "xay"), [0, 3, 0], name)
            // A run of unknown characters is one <unk> in both libraries (sentencepiece merges the
            // unknown pieces after the search, tokenizers fuses them).
            XCTAssertEqual(try segment(model, "xy"), [0], name)
        }
    }

    func testUnigramByteFallback() throws {
        // é = C3 A9 is in no piece: byte pieces <0xC3> <0xA9> (ids 9 + 0xC3, 9 + 0xA9).
        for (name, model) in unigramModels(tableWithBytes(unigramPieces), byteFallback: true) {
            XCTAssertEqual(try segment(model, "aé"), [3, 9 + 0xC3, 9 + 0xA9], name)
        }
    }

    func testUnigramScorePolicies() throws {
        // a −1, bc −2.00000001, ab −2, c −1, b −5 (ids 3…7). In float64 (tokenizers) ab|c = −3 beats
        // a|bc = −3.00000001. In float32 (sentencepiece) −2.00000001 is −2, the two paths tie at −3,
        // and the first candidate to reach the end wins: a|bc (offered from position 1, before c
        // from position 2).
        let tie = table([("a", -1), ("bc", -2.00000001), ("ab", -2), ("c", -1), ("b", -5)])
        let sentencepiece = SentencePieceUnigram(table: tie, byteFallback: false, unknownID: 0, trieCache: Self.noCache)
        let tokenizers = HuggingFaceUnigram(table: tie, unknownID: 0, byteFallback: false, trieCache: Self.noCache)
        XCTAssertEqual(try segment(sentencepiece, "abc"), [3, 4])
        XCTAssertEqual(try segment(tokenizers, "abc"), [5, 6])
    }

    /// tokenizers' float64 scores ride in the trie cells as a float32 and an offset of −1, 0 or +1
    /// float64 ulps (serde_json's parse puts a quarter of llm-jp's scores one ulp off their
    /// float32); every score must come back bit for bit, and a vocabulary with a score further
    /// from its float32 (−2.00000001 above) keeps the score table.
    func testHuggingFaceCellScores() throws {
        let onFloat = Double(Float(-7.1))
        let scores: [Double] = [-2.5, -0.0, 0, onFloat, onFloat.nextUp, onFloat.nextDown, Double(Float(-1)).nextDown,
                                Double(Float(-0.5)).nextUp, -12.345678]
        let cells = try XCTUnwrap(HuggingFaceCellScores.cells(scores: Array(scores.dropLast())))
        let poisoned = [Double](repeating: .nan, count: scores.count)   // the table is never read
        for id in 0..<(scores.count - 1) {
            let value = cells.values[id]
            XCTAssertGreaterThanOrEqual(value, 0)
            XCTAssertEqual(HuggingFaceCellScores.pieceID(value: value), Int32(id))
            let read = poisoned.withUnsafeBufferPointer {
                HuggingFaceCellScores.pieceScore(payload: cells.payloads[id], id: value, scores: $0.baseAddress!)
            }
            XCTAssertEqual(read.bitPattern, scores[id].bitPattern, "\(scores[id])")
        }
        XCTAssertNil(HuggingFaceCellScores.cells(scores: scores))   // −12.345678 is far from a float32
        XCTAssertNil(HuggingFaceCellScores.cells(scores: [-2.00000001]))
        XCTAssertNil(HuggingFaceCellScores.cells(scores: [onFloat.nextUp.nextUp]))
    }

    // MARK: BPE (BPEMerges: sentencepiece by score, tokenizers by rank)

    /// ab −1, bc −0.5, a b c −3 (ids 3…7), optionally abc −2 (id 8).
    private func sentencePieceBPE(withABC: Bool) throws -> SentencePieceBPE {
        var pieces: [(String, Double)] = [("ab", -1), ("bc", -0.5), ("a", -3), ("b", -3), ("c", -3)]
        if withABC { pieces.append(("abc", -2)) }
        return try SentencePieceBPE(table: table(pieces), byteFallback: false, unknownID: 0, trieCache: Self.noCache)
    }

    func testSentencePieceBPEMergesTheBestScoredPairFirst() throws {
        let model = try sentencePieceBPE(withABC: false)
        // abc: pairs ab (−1) and bc (−0.5); bc scores higher → a bc; "abc" is no piece → a bc.
        XCTAssertEqual(try segment(model, "abc"), [5, 4])
        // abab: ab (−1) twice, ba is no piece; equal scores → the leftmost first: ab a b → ab ab.
        XCTAssertEqual(try segment(model, "abab"), [3, 3])
        // ababc: bc (−0.5) first → a b a bc; then ab (−1) → ab a bc; aba and abc are no pieces.
        XCTAssertEqual(try segment(model, "ababc"), [3, 5, 4])
        // x is no piece: <unk>.
        XCTAssertEqual(try segment(model, "abx"), [3, 0])

        let withABC = try sentencePieceBPE(withABC: true)
        // abc: bc first, then a + bc = abc (−2) → abc.
        XCTAssertEqual(try segment(withABC, "abc"), [8])
        // cab: pairs ca (none), ab (−1) → c ab.
        XCTAssertEqual(try segment(withABC, "cab"), [7, 3])
    }

    func testSentencePieceBPEUnknownRunsAcrossChunksAndCachedChunks() throws {
        // Only ab −1 (3) and bc −0.5 (4): a lone a or c is unknown, also when a chunk (a, b, c
        // join inside pieces; x joins nothing) merges to it, and runs of <unk> cross chunks.
        let model = try SentencePieceBPE(table: table([("ab", -1), ("bc", -0.5)]), byteFallback: false, unknownID: 0, trieCache: Self.noCache)
        let cases: [(String, [Int32])] = [
            ("abc", [0, 4]),                     // a + bc: a is unknown
            ("xabc", [0, 4]),                    // x and a: one run
            ("abcabc", [0, 4, 0, 4]),            // c|a is a cut; bc ends the run
            ("abxabc", [3, 0, 4]),               // ab, then x and a: one run
            ("abcxabcabc", [0, 4, 0, 4, 0, 4]),
        ]
        // One scratch for all, twice: the second pass takes every chunk from the cache.
        var scratch = ModelScratch()
        for _ in 0..<2 {
            for (text, expected) in cases {
                var output: [Int32] = []
                Array(text.utf8).withUnsafeBufferPointer { model.segment($0, into: &output, scratch: &scratch) }
                XCTAssertEqual(output, expected, text)
            }
        }
    }

    /// vocab <unk> 0, a 1, b 2, c 3, ab 4, bc 5, abc 6; `merges` in rank order.
    private func huggingFaceBPE(_ merges: [String], fuseUnknown: Bool = false) throws -> HuggingFaceBPE {
        let vocab: [String: Any] = ["<unk>": 0, "a": 1, "b": 2, "c": 3, "ab": 4, "bc": 5, "abc": 6]
        let json: [String: Any] = ["type": "BPE", "vocab": vocab, "merges": merges, "unk_token": "<unk>", "fuse_unk": fuseUnknown]
        return try HuggingFaceBPE.load(json: json).0
    }

    func testHuggingFaceBPEMergesByRank() throws {
        // Same vocabulary, the merge order decides: "b c" ranked first → a bc, then "a bc" → abc.
        XCTAssertEqual(try segment(try huggingFaceBPE(["b c", "a b", "a bc"]), "abc"), [6])
        // "a b" first → ab c; "ab c" ranked last → abc.
        XCTAssertEqual(try segment(try huggingFaceBPE(["a b", "b c", "ab c"]), "abc"), [6])
        // "a b" first and no merge of ab with c → ab c (bc is in the vocabulary but never formed).
        let abFirst = try huggingFaceBPE(["a b", "b c"])
        XCTAssertEqual(try segment(abFirst, "abc"), [4, 3])
        XCTAssertEqual(try segment(abFirst, "abab"), [4, 4])
        // Unknown characters: one <unk> each, unless fuse_unk.
        XCTAssertEqual(try segment(abFirst, "abcx"), [4, 3, 0])
        XCTAssertEqual(try segment(abFirst, "xx"), [0, 0])
        XCTAssertEqual(try segment(try huggingFaceBPE(["a b"], fuseUnknown: true), "axxb"), [1, 0, 2])
    }

    // MARK: Normalizers

    private func sentencePieceNormalize(_ text: String, dummyPrefix: Bool, removeExtraWhitespaces: Bool,
                                        whitespaceAsSuffix: Bool = false) throws -> String {
        var spec = SentencePieceModelFile.NormalizerSpec()
        spec.name = "identity"
        spec.addDummyPrefix = dummyPrefix
        spec.removeExtraWhitespaces = removeExtraWhitespaces
        let normalizer = try SentencePieceNormalizer(spec: spec, treatWhitespaceAsSuffix: whitespaceAsSuffix, userDefinedSymbols: nil)
        var output: [UInt8] = []
        Array(text.utf8).withUnsafeBufferPointer { normalizer.normalize($0, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    func testSentencePieceWhitespaceRules() throws {
        // Spaces become ▁; remove_extra_whitespaces strips both ends and collapses runs; the dummy
        // prefix adds one ▁ in front (at the end with treat_whitespace_as_suffix), not to empty text.
        XCTAssertEqual(try sentencePieceNormalize(" a  b ", dummyPrefix: true, removeExtraWhitespaces: true), "▁a▁b")
        XCTAssertEqual(try sentencePieceNormalize(" a  b ", dummyPrefix: false, removeExtraWhitespaces: false), "▁a▁▁b▁")
        XCTAssertEqual(try sentencePieceNormalize(" a  b ", dummyPrefix: true, removeExtraWhitespaces: false), "▁▁a▁▁b▁")
        XCTAssertEqual(try sentencePieceNormalize(" a  b ", dummyPrefix: false, removeExtraWhitespaces: true), "a▁b")
        XCTAssertEqual(try sentencePieceNormalize(" a  b ", dummyPrefix: true, removeExtraWhitespaces: true, whitespaceAsSuffix: true), "a▁b▁")
        XCTAssertEqual(try sentencePieceNormalize("  ", dummyPrefix: true, removeExtraWhitespaces: true), "")
        XCTAssertEqual(try sentencePieceNormalize("  ", dummyPrefix: true, removeExtraWhitespaces: false), "▁▁▁")
    }

    private func huggingFaceNormalize(_ json: [String: Any], _ text: String) throws -> String {
        String(decoding: try HuggingFaceNormalizer(json: json).apply(Array(text.utf8)), as: UTF8.self)
    }

    func testHuggingFaceNormalizers() throws {
        // Llama's normalizer: Prepend ▁ (not to empty text), then every space → ▁.
        let llama: [String: Any] = ["type": "Sequence", "normalizers": [
            ["type": "Prepend", "prepend": "▁"],
            ["type": "Replace", "pattern": ["String": " "], "content": "▁"],
        ]]
        XCTAssertEqual(try huggingFaceNormalize(llama, "a b"), "▁a▁b")
        XCTAssertEqual(try huggingFaceNormalize(llama, " a"), "▁▁a")
        XCTAssertEqual(try huggingFaceNormalize(llama, ""), "")
        XCTAssertEqual(try huggingFaceNormalize(["type": "Strip", "strip_left": true, "strip_right": false], "  a b  "), "a b  ")
        // In order: lowercase first, so the B of the replacement stays upper case.
        let lowerThenReplace: [String: Any] = ["type": "Sequence", "normalizers": [
            ["type": "Lowercase"], ["type": "Replace", "pattern": ["String": "b"], "content": "BB"],
        ]]
        XCTAssertEqual(try huggingFaceNormalize(lowerThenReplace, "AbC"), "aBBc")
    }
}
