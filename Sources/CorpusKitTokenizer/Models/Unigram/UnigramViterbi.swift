import CTextKernels

/// The Viterbi forward pass both Unigram behaviours share (sentencepiece's
/// `unigram::Model::EncodeOptimized` and HF tokenizers' `Unigram::encode_optimized`, which is a port
/// of it).
///
/// ## The algorithm
///
/// For every character start `s` (left to right) and every vocabulary piece that starts there
/// (found by walking the trie from `s`, shortest first), the path score `best[s] + score(piece)`
/// is offered to the piece's end position; a position keeps the first candidate that reached it
/// unless a later one is strictly better. A character no single-character piece covers gets an
/// unknown node scored `min_score - 10`. Backtracking from the end then gives the segmentation.
///
/// ## What the two references do differently (and nothing else)
///
/// | | sentencepiece | HF tokenizers |
/// |---|---|---|
/// | score type | `float` (float32) | `f64`, parsed by serde_json (``SerdeJSONNumber``) |
/// | re-basing | scores re-based to 0 when beyond ±100,000 (float32 precision) | none |
/// | unknown node | always an `<unk>` piece | error only if a missing `unk_id` would be used |
/// | emission | per unknown piece: byte pieces (byte fallback) or one merged `<unk>` | runs of unknown pieces fused first, then one piece, byte pieces or `<unk>` |
///
/// The tie-break (first candidate wins) and the accumulation order are the same in both; on
/// near-ties such as runs of one character (`ああ ああ ああ あ` vs `あ ああ ああ ああ`) the exact
/// float rounding of each score decides, which is why the score type and the score parser are
/// part of each behaviour. The policy is a type parameter so each behaviour's loop is compiled
/// on its own, without a run-time branch for the differences.
///
/// ## Runs of ▁
///
/// Code's indentation is long runs of `▁` (29 % of the benchmark's code characters are spaces),
/// and from every `▁` of a run the pass offers the pieces of 1 … 16 `▁` (``SpaceRunChain``): a
/// run of 16 is 136 offers, each a compare and an unpredictable branch. Where the chain fits 32
/// lanes and `▁` is a piece, the offers of a whole run of two or more are made in one call
/// (``UnigramScorePolicy/relaxSpaceRun``, `ck_space_run.c`), exactly as the starts would make them:
/// the offers of one start end at different positions, so they are independent and are made
/// together (8 float32 or 4 float64 candidates to a vector, each the same single float addition
/// as the references', compared and blended where strictly larger), and the starts are taken in
/// order. What reached the run
/// from before it is kept unless beaten, as a first offer is; nothing inside the run is offered
/// by the walks (no piece ends inside a `▁`, and a walk from a run's `▁` offers only past its
/// end); a start whose score the references would re-base makes the call decline, and that run
/// goes start by start. Where moreover no piece is two `▁` and then something else
/// (``SpaceRunChain/onlySpacesFollowTwo``, every llm-jp vocabulary), a walk from any `▁` but the
/// last of its run offers nothing, and the pass moves straight to that last one. Whole job on the
/// benchmark's mixed input, llm-jp v3.1 `.model`, this alone: 486.6 → 462.9 M instructions; its
/// code part −10 %; ids identical (BENCHMARKS.md, "Eleventh session").
protocol UnigramScorePolicy {
    associatedtype Score: BinaryFloatingPoint
    /// Whether path scores are re-based when they leave ±``rebaseThreshold``.
    static var rebasesScores: Bool { get }
    static var rebaseThreshold: Score { get }
    /// Whether a position not reached yet is recognised by its score alone (−∞, which every
    /// candidate beats), saving a load and a branch per candidate. Exact only when no candidate
    /// can be −∞ or NaN, i.e. when every piece score is moderate (``UnigramViterbi/moderateScoreBound``);
    /// models with other scores run the ``CheckingReached`` variant.
    static var unreachedIsNegativeInfinity: Bool { get }
    /// The score of piece `id`, whose trie unit holds `payload`: read from the payload where the
    /// model stores its scores in the trie (one load per candidate, from the unit the walk has
    /// just read), else from `scores`.
    static func pieceScore(payload: UInt32, id: Int32, scores: UnsafePointer<Score>) -> Score
    /// The piece id in a trie value (the value itself unless the model packs more into it).
    static func pieceID(value: Int32) -> Int32
    /// Makes the offers of a run of `length` ▁ whose first ▁ is at `position` in one call
    /// (``ck_space_run_f32``/``ck_space_run_f64``, whose header says what `lanes` and `values`
    /// hold); false, with nothing changed, when a score inside the run would be re-based or when
    /// the policy makes a run's offers start by start.
    static func relaxSpaceRun(_ nodes: UnsafeMutablePointer<ViterbiNode<Score>>, at position: Int, length: Int,
                              lanes: UnsafePointer<Score>, laneCount: Int, values: UnsafePointer<Int32>) -> Bool
}

extension UnigramScorePolicy {
    @inline(__always)
    static func pieceID(value: Int32) -> Int32 { value }
}

/// sentencepiece: float32 scores, re-based beyond ±100,000.
enum SentencePieceScores: UnigramScorePolicy {
    typealias Score = Float
    static var rebasesScores: Bool { true }
    static var rebaseThreshold: Float { 100_000 }
    static var unreachedIsNegativeInfinity: Bool { true }
    /// The float32 score is the trie payload (``SentencePieceUnigram`` builds its trie so).
    @inline(__always)
    static func pieceScore(payload: UInt32, id: Int32, scores: UnsafePointer<Float>) -> Float { Float(bitPattern: payload) }
    @inline(__always)
    static func relaxSpaceRun(_ nodes: UnsafeMutablePointer<ViterbiNode<Float>>, at position: Int, length: Int,
                              lanes: UnsafePointer<Float>, laneCount: Int, values: UnsafePointer<Int32>) -> Bool {
        ck_space_run_f32(nodes + position, Int64(position), ViterbiNode<Float>.layout, Int64(length), lanes,
                         Int64(laneCount), values, rebaseThreshold) == 1
    }
}

/// HF tokenizers: float64 scores, never re-based, read from the score table.
enum HuggingFaceScores: UnigramScorePolicy {
    typealias Score = Double
    static var rebasesScores: Bool { false }
    static var rebaseThreshold: Double { .infinity }
    static var unreachedIsNegativeInfinity: Bool { true }
    /// A float64 score does not fit the 32-bit payload (a quarter of llm-jp's tokenizer.json
    /// scores are not float32 values): read from the score table.
    @inline(__always)
    static func pieceScore(payload: UInt32, id: Int32, scores: UnsafePointer<Double>) -> Double { scores[Int(id)] }
    @inline(__always)
    static func relaxSpaceRun(_ nodes: UnsafeMutablePointer<ViterbiNode<Double>>, at position: Int, length: Int,
                              lanes: UnsafePointer<Double>, laneCount: Int, values: UnsafePointer<Int32>) -> Bool {
        ck_space_run_f64(nodes + position, Int64(position), ViterbiNode<Double>.layout, Int64(length), lanes,
                         Int64(laneCount), values, rebaseThreshold) == 1
    }
}

/// HF tokenizers' float64 scores carried in the trie cells (``HuggingFaceUnigram`` builds its
/// trie so when every score allows it): the payload is the score rounded to float32, and bits
/// 29–30 of the value hold 1 + the score's distance from that float32, in float64 ulps (−1, 0 or
/// +1: llm-jp's scores are float32 values printed in 17 digits, and serde_json's parse puts
/// 12–25 % of them one ulp away, ``SerdeJSONNumber``). Exact, branch-free, and no second,
/// dependent load into a 0.4–1.6 MB score table per candidate. A payload that is exact for
/// every score (a NaN flag for the others, read from the table) was measured first: 3–6 % slower
/// in CPU time, the flag's branch being unpredictable (BENCHMARKS.md, sixth pass).
enum HuggingFaceCellScores: UnigramScorePolicy {
    typealias Score = Double
    static var rebasesScores: Bool { false }
    static var rebaseThreshold: Double { .infinity }
    static var unreachedIsNegativeInfinity: Bool { true }
    /// Where the ulp offset sits in a value (bits 29–30; the value stays ≥ 0).
    static let offsetShift: Int32 = 29
    /// The id bits of a value.
    static let idMask: Int32 = (1 << 29) - 1

    /// The trie values and payloads of pieces `0 ..< scores.count` (by id), or nil when a score
    /// is not within one float64 ulp of its float32 (or an id needs more than 29 bits). The
    /// scores must be moderate (``UnigramViterbi/scoresAreModerate(_:unknownScore:)``: finite,
    /// so are their float32 values). One branch-free pass: a checked call per piece was 4 M
    /// instructions of llm-jp v3.0's load (callgrind).
    static func cells(scores: [Double]) -> (values: [Int32], payloads: [UInt32])? {
        let count = scores.count
        guard count <= Int(idMask) + 1 else { return nil }
        var outside: UInt64 = 0   // nonzero: some score is more than one ulp from its float32
        var payloads: [UInt32] = []
        let values = [Int32](unsafeUninitializedCapacity: count) { values, initializedValues in
            payloads = [UInt32](unsafeUninitializedCapacity: count) { payloads, initializedPayloads in
                scores.withUnsafeBufferPointer { scores in
                    for id in 0..<count {
                        let score = scores[id]
                        let narrow = Float(score)
                        // 1 + the offset in ulps: 0, 1 or 2 when it fits (the sign is the float32's too).
                        let offsetPlusOne = score.bitPattern &- Double(narrow).bitPattern &+ 1
                        outside |= offsetPlusOne & ~3 | (offsetPlusOne & (offsetPlusOne >> 1) & 1)
                        values[id] = Int32(truncatingIfNeeded: id) | Int32(truncatingIfNeeded: offsetPlusOne & 3) << offsetShift
                        payloads[id] = narrow.bitPattern
                    }
                }
                initializedPayloads = count
            }
            initializedValues = count
        }
        return outside == 0 ? (values, payloads) : nil
    }

    @inline(__always)
    static func pieceScore(payload: UInt32, id: Int32, scores: UnsafePointer<Double>) -> Double {
        let widened = Double(Float(bitPattern: payload)).bitPattern
        return Double(bitPattern: widened &+ UInt64(truncatingIfNeeded: Int64(id >> offsetShift)) &- 1)
    }

    @inline(__always)
    static func pieceID(value: Int32) -> Int32 { value & idMask }
    @inline(__always)
    static func relaxSpaceRun(_ nodes: UnsafeMutablePointer<ViterbiNode<Double>>, at position: Int, length: Int,
                              lanes: UnsafePointer<Double>, laneCount: Int, values: UnsafePointer<Int32>) -> Bool {
        ck_space_run_f64(nodes + position, Int64(position), ViterbiNode<Double>.layout, Int64(length), lanes,
                         Int64(laneCount), values, rebaseThreshold) == 1
    }
}

/// `Base` with the reached check of every candidate (`start == -1`), the references' own test:
/// for models whose scores are not all moderate (huge, infinite or NaN).
enum CheckingReached<Base: UnigramScorePolicy>: UnigramScorePolicy {
    typealias Score = Base.Score
    static var rebasesScores: Bool { Base.rebasesScores }
    static var rebaseThreshold: Score { Base.rebaseThreshold }
    static var unreachedIsNegativeInfinity: Bool { false }
    @inline(__always)
    static func pieceScore(payload: UInt32, id: Int32, scores: UnsafePointer<Score>) -> Score {
        Base.pieceScore(payload: payload, id: id, scores: scores)
    }
    @inline(__always)
    static func pieceID(value: Int32) -> Int32 { Base.pieceID(value: value) }
    /// Start by start: with scores that are not moderate, a candidate may be NaN, which the pull
    /// would order differently.
    @inline(__always)
    static func relaxSpaceRun(_ nodes: UnsafeMutablePointer<ViterbiNode<Score>>, at position: Int, length: Int,
                              lanes: UnsafePointer<Score>, laneCount: Int, values: UnsafePointer<Int32>) -> Bool { false }
}

/// The trie states along runs of U+2581 (`▁`, the escaped space: code's indentation is long runs
/// of it, and every English word starts with one), so the Viterbi pass steps through a run a
/// character at a time instead of walking its bytes again from every start.
///
/// `states[j]` is the state the trie reaches from the root on `▁` × j, `values[j]` the piece that
/// ends there (-1: none), for j = 0 ... ``length`` (the longest run the trie continues). A walk
/// from a start inside a run of r `▁` reports exactly `values[1 ... min(r, length)]` before it
/// leaves the run or the chain (no piece ends inside a `▁`: ``init(trie:)`` checks it, else the
/// chain is empty), and then goes on from `states[min(r, length)]` as it would have.
struct SpaceRunChain: Sendable {
    let states: [Int32]
    let values: [Int32]
    /// Whether the trie goes on from two or more `▁` only with more `▁`: no piece is two `▁` and
    /// then something else (true of every llm-jp vocabulary). Then a walk from a `▁` that is not
    /// the last of its run offers nothing beyond the chain's pieces.
    let onlySpacesFollowTwo: Bool
    /// The longest run of `▁` the trie follows (0: the chain is not used).
    var length: Int { states.count - 1 }

    init(trie: DoubleArrayTrie) {
        var states: [Int32] = [0]
        var values: [Int32] = [-1]
        var state: Int32 = 0
        chain: while states.count <= 1024 {
            for (index, byte) in UTF8Scalars.spaceSymbol.enumerated() {
                let next = trie.next(state, byte)
                if next < 0 { break chain }
                if index < 2 && trie.value(at: next) >= 0 {   // a piece ending inside a character
                    states = [0]
                    values = [-1]
                    break chain
                }
                state = next
            }
            states.append(state)
            values.append(trie.value(at: state))
        }
        self.states = states
        self.values = values
        // Every transition from the states after 2 … length ▁ (and inside the next ▁) must be the
        // next byte of `▁`.
        var onlySpaces = states.count > 2
        check: for run in states.indices.dropFirst(2) {
            var state = states[run]
            for byte in UTF8Scalars.spaceSymbol {
                for other in 0...255 where other != Int(byte) {
                    if trie.next(state, UInt8(other)) >= 0 { onlySpaces = false; break check }
                }
                state = trie.next(state, byte)
                if state < 0 { break }
            }
        }
        onlySpacesFollowTwo = onlySpaces
    }

    /// The scores of the pieces of 1, 2, … `▁` for the one-call offers over a run
    /// (``UnigramScorePolicy/relaxSpaceRun``): lane k − 1 is the piece of k `▁`, −∞ where there is
    /// none and past the chain; empty when the chain is longer than the call's lanes or `▁` is not
    /// a piece (those runs go start by start). `pieceID` reads a trie value as the Viterbi pass
    /// does (``UnigramScorePolicy/pieceID(value:)``). Made once per model: filling them per text
    /// cost ~400 instructions a document of llm-jp's conformance set (callgrind).
    func laneScores<Score: BinaryFloatingPoint>(_ scores: [Score], pieceID: (Int32) -> Int32) -> [Score] {
        let lanes = Int(CK_SPACE_RUN_LANES)
        guard length >= 1, length <= lanes, values[1] >= 0 else { return [] }
        return (0..<lanes).map { lane in
            let value = lane < length ? values[lane + 1] : -1
            return value >= 0 ? scores[Int(pieceID(value))] : -.infinity
        }
    }

    /// Whether `text[position ..< end]` starts with `▁`.
    @inline(__always)
    static func isSpaceSymbol(_ text: UnsafePointer<UInt8>, at position: Int, end: Int) -> Bool {
        position &+ 3 <= end && text[position] == 0xE2 && text[position &+ 1] == 0x96 && text[position &+ 2] == 0x81
    }

    /// The end of the run of `▁` that starts at `start`.
    static func runEnd(_ text: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var position = start
        while isSpaceSymbol(text, at: position, end: end) { position &+= 3 }
        return position
    }

    /// How many `▁` of a run the chain covers from `start` (the run ends at `runEnd`): a walk
    /// from `start` reports exactly `values[1 ... steps]` (those ≥ 0) first and then goes on from
    /// `states[steps]` at `start + 3 × steps`.
    @inline(__always)
    func steps(from start: Int, runEnd: Int) -> Int { min((runEnd &- start) / 3, length) }
}

enum UnigramViterbi {
    /// Runs of at least this many ▁ have their chain pieces offered in one call
    /// (``UnigramScorePolicy/relaxSpaceRun``); shorter ones start by start.
    static let minimumPulledRun = 2
    /// For tests: false makes every run's offers start by start, as before the one-call path.
    nonisolated(unsafe) static var pullsSpaceRuns = true

    /// Piece scores within ± this bound keep every candidate finite: sentencepiece re-bases path
    /// scores beyond ±100,000, and HF's float64 sums of such scores cannot overflow.
    static let moderateScoreBound: Double = 1_000_000

    /// Whether every score (and the unknown score) is finite and within ±``moderateScoreBound``.
    static func scoresAreModerate<Score: BinaryFloatingPoint>(_ scores: [Score], unknownScore: Score) -> Bool {
        let bound = Score(moderateScoreBound)
        return abs(unknownScore) <= bound && scores.allSatisfy { abs($0) <= bound }   // NaN fails both
    }

    /// Runs the forward pass over `text`, leaving in `scratch` the best path ending at every
    /// position (its score, start and last piece's trie value: its id, ``UnigramScorePolicy/pieceID(value:)``).
    ///
    /// - Parameters:
    ///   - scores: the piece scores, by id, in the policy's score type (the same as the trie's
    ///     payloads where the policy reads those: ``UnigramScorePolicy/pieceScore(payload:id:scores:)``).
    ///   - spaceRunLanes: ``SpaceRunChain/laneScores(_:pieceID:)`` of `scores` (empty: every run
    ///     start by start).
    ///   - unknownID: the id of unknown nodes; when nil an unknown node is never placed.
    /// - Returns: whether an unknown node was needed but `unknownID` is nil (HF's
    ///   `MissingUnkId`).
    @inline(__always)
    static func forward<Policy: UnigramScorePolicy>(
        _ policy: Policy.Type, _ text: UnsafePointer<UInt8>, count size: Int, trie: DoubleArrayTrie,
        spaceRuns: SpaceRunChain, spaceRunLanes: UnsafeBufferPointer<Policy.Score>, threeByteStarts: ThreeByteStarts,
        scores: UnsafeBufferPointer<Policy.Score>, unknownScore: Policy.Score, unknownID: Int32?,
        scratch: inout ViterbiScratch<Policy.Score>
    ) -> Bool {
        precondition(size < Int(Int32.max), "a document over 2 GiB")   // starts are Int32 below
        scratch.reset(count: size + 1)   // scores −∞ (not reached) but at 0, starts -1
        var missingUnknown = false
        scratch.nodes.withUnsafeMutableBufferPointer { nodeBuffer in
        spaceRuns.states.withUnsafeBufferPointer { chainStates in
        spaceRuns.values.withUnsafeBufferPointer { chainValues in
        threeByteStarts.states.withUnsafeBufferPointer { threeByteStates in
            let best = nodeBuffer.baseAddress!
            // How far past a start its candidates reach: the longest piece, or an unknown node
            // (one character, at most 4 bytes).
            let reach = max(trie.maxKeyLength, 4)
            var startsAt = 0
            let chainLength = spaceRuns.length
            let usesThreeByteStarts = threeByteStarts.isUsable
            let walker = trie.walker
            var spaceRunEnd = 0   // the end of the run of ▁ that `startsAt` is in, when below it
            // A candidate: the piece `pieceID` over `start..<end`, kept when it beats what reached `end`.
            let pieceScores = scores.baseAddress!
            // The chain pieces of a run of ``minimumPulledRun`` ▁ or more are offered in one call
            // (``UnigramScorePolicy/relaxSpaceRun``) where the chain fits the call's lanes and `▁` is
            // a piece (then no start in a run needs an unknown node).
            let pullsRuns = chainLength >= 1 && chainLength <= spaceRunLanes.count && chainValues[1] >= 0
                && Policy.unreachedIsNegativeInfinity && Self.pullsSpaceRuns
            var pulledRunEnd = 0   // the starts below this are in a run whose chain pieces are offered
            let skipsRunStarts = spaceRuns.onlySpacesFollowTwo
            @inline(__always) func offer(_ pieceID: Int32, score: Policy.Score, from start: Int, to end: Int, scoreTillHere: Policy.Score) {
                let candidate = score + scoreTillHere
                if Policy.unreachedIsNegativeInfinity
                    ? candidate > best[end].score : (best[end].start == -1 || candidate > best[end].score) {
                    best[end] = ViterbiNode(score: candidate, start: Int32(truncatingIfNeeded: start), id: pieceID)
                }
            }
            while startsAt < size {
                var scoreTillHere = best[startsAt].score
                if Policy.rebasesScores && (scoreTillHere < -Policy.rebaseThreshold || scoreTillHere > Policy.rebaseThreshold) {
                    // The references re-base every reached position from here to the frontier (the
                    // furthest end of a candidate so far); no candidate reached past `startsAt + reach`
                    // yet, and unreached positions are skipped, so this is the same set without
                    // tracking the frontier at every start.
                    let offset = scoreTillHere
                    var i = startsAt
                    let last = min(startsAt &+ reach, size)
                    while i <= last {
                        if i == startsAt || best[i].start != -1 { best[i].score -= offset }
                        i += 1
                    }
                    scoreTillHere = 0
                }
                var hasSingleNode = false
                let lead = text[startsAt]
                // The character's length, decoded from the lead byte once: ASCII (every start of
                // English and code) and three-byte characters (Japanese) first.
                var characterLength = 1
                // Where the byte walk begins: the root at `startsAt`; inside a run of ▁, the state
                // after the part of the run the chain covers, whose pieces are offered first (they
                // are the walk's first candidates, shortest first); at another three-byte character,
                // the state after its first two bytes (``ThreeByteStarts``).
                var walkState: Int32 = 0
                var walkFrom = startsAt
                if lead < 0x80 {
                    // One byte, walked from the root.
                } else if lead & 0xF0 == 0xE0 {
                    characterLength = min(3, size &- startsAt)
                    if lead == 0xE2 && chainLength > 0 && SpaceRunChain.isSpaceSymbol(text, at: startsAt, end: size) {
                        // The run's end is found once per run: starts move a character at a time.
                        if startsAt >= spaceRunEnd {
                            spaceRunEnd = SpaceRunChain.runEnd(text, from: startsAt, end: size)
                            let runLength = (spaceRunEnd &- startsAt) / 3
                            if pullsRuns && runLength >= Self.minimumPulledRun
                                && Policy.relaxSpaceRun(best, at: startsAt, length: runLength, lanes: spaceRunLanes.baseAddress!,
                                                        laneCount: chainLength, values: chainValues.baseAddress!) {
                                pulledRunEnd = spaceRunEnd
                                if skipsRunStarts {
                                    // Only the run's last ▁ has pieces beyond the chain's ("▁word").
                                    startsAt = spaceRunEnd &- 3
                                    continue
                                }
                            }
                        }
                        let steps = spaceRuns.steps(from: startsAt, runEnd: spaceRunEnd)
                        var step = startsAt < pulledRunEnd ? steps &+ 1 : 1   // pulled: offered already
                        if step > 1 { hasSingleNode = true }
                        while step <= steps {
                            let pieceID = chainValues[step]
                            if pieceID >= 0 {
                                // A piece of `step` ▁.
                                offer(pieceID, score: pieceScores[Int(Policy.pieceID(value: pieceID))], from: startsAt, to: startsAt &+ 3 &* step,
                                      scoreTillHere: scoreTillHere)
                                if step == 1 { hasSingleNode = true }   // ▁ is one 3-byte character
                            }
                            step &+= 1
                        }
                        walkState = chainStates[steps]
                        walkFrom = startsAt &+ 3 &* steps
                    } else if usesThreeByteStarts && startsAt &+ 1 < size {
                        // The state after the character's first two bytes in one load (no piece ends
                        // before its third byte); -1: the walk ends there, no piece starts here.
                        walkState = threeByteStates[ThreeByteStarts.index(lead: lead, second: text[startsAt &+ 1])]
                        walkFrom = startsAt &+ 2
                    }
                } else {
                    characterLength = min(UTF8Scalars.sequenceLength(lead: lead), size &- startsAt)
                }
                if walkState >= 0 {
                    walker.forEachPrefixWithPayload(text, resuming: walkState, at: walkFrom, origin: startsAt, to: size) { length, pieceID, payload in
                        offer(pieceID, score: Policy.pieceScore(payload: payload, id: pieceID, scores: pieceScores),
                              from: startsAt, to: startsAt &+ length, scoreTillHere: scoreTillHere)
                        if length == characterLength { hasSingleNode = true }
                    }
                }
                if !hasSingleNode {
                    let endsAt = startsAt &+ characterLength
                    let candidate = unknownScore + scoreTillHere
                    if Policy.unreachedIsNegativeInfinity
                        ? candidate > best[endsAt].score : (best[endsAt].start == -1 || candidate > best[endsAt].score) {
                        if let unknownID {
                            best[endsAt] = ViterbiNode(score: candidate, start: Int32(truncatingIfNeeded: startsAt), id: unknownID)
                        } else {
                            missingUnknown = true
                        }
                    }
                }
                startsAt &+= characterLength
            }
        }}}}
        return missingUnknown
    }
}
