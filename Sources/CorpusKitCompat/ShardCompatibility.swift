import Foundation
import CorpusKitSystem
import CorpusKitChecks
import CorpusKitShards
import CorpusKitTokenizer
import CorpusKitMegatron

/// `corpuskit compat shards TOKENIZER SHARD...`: were these Megatron shards made with this
/// tokenizer, and do their ids fit it?
///
/// Per dataset: the dtype against the wrapper's vocabulary size (`uint16` only below 65,500); every
/// id below that size (``TokenIDScan``, vectorised); what the wrapper puts around each document
/// (BOS, a tokenizer.json post-processor's specials, the EOD of `--append-eod`) as the run's
/// `--tokenizer-type` / `--append-eod` imply (given, or inferred: the type by the best round
/// trip, the EOD when every non-empty document ends with the wrapper's suffix and then its EOD);
/// and the round trip: a deterministic, evenly spaced sample of documents is stripped of those
/// ids, decoded, re-encoded as the wrapper does (``DocumentEncoder``) and compared with the
/// shard. A shard made with this tokenizer round-trips (nearly) entirely; one made with another
/// vocabulary falls far below 100 %.
///
/// A tokenizer.json also checks shards written from the `.model` of the same vocabulary (llm-jp
/// ships both): a sentencepiece type's placement (BOS for `Llama2Tokenizer`, an EOD that every
/// document ends with and that is a special token) around the tokenizer.json's own encoding.
/// Shard arguments are resolved by ``ShardDiscovery``, as `count` resolves them.
///
/// A dataset with a provenance record (``DatasetProvenance``, written by `corpuskit tokenize`) is
/// judged by it first: the recorded tokenizer file's SHA-256 against this tokenizer's gives the
/// exact answer, and the recorded `--tokenizer-type` / `--append-eod` replace the inference; the id
/// range and the round trip still run as evidence. A record naming another tokenizer file is a
/// warning (the same vocabulary may come as `.model` and tokenizer.json), and the round trip decides.
public struct ShardCompatibility: Sendable {
    /// What to check; nil fields are inferred.
    public struct Options: Sendable {
        /// The run's Megatron wrapper; `nil`: inferred by the best round trip.
        public var tokenizerType: MegatronTokenizerType?
        /// Whether the run appended EOD; `nil`: inferred from the documents' ends.
        public var appendEOD: Bool?
        /// Documents to round-trip per shard (all with `all`).
        public var sample: Int
        /// Round-trip every document.
        public var all: Bool
        /// Options; `nil`s are inferred.
        public init(tokenizerType: MegatronTokenizerType? = nil, appendEOD: Bool? = nil, sample: Int = 300, all: Bool = false) {
            self.tokenizerType = tokenizerType
            self.appendEOD = appendEOD
            self.sample = sample
            self.all = all
        }
    }

    /// One dataset's outcome, for the one-line-per-dataset summary.
    public struct DatasetResult: Sendable {
        /// The dataset's prefix.
        public var prefix: String
        /// Its verdict.
        public var verdict: Verdict
        /// Whether it fits the tokenizer (no error).
        public var compatible: Bool
        /// The wrapper type used (given, recorded or inferred).
        public var tokenizerType: String
        /// The EOD setting used (given, recorded or inferred).
        public var appendEOD: Bool
        /// Documents in the dataset.
        public var documents: Int
        /// Tokens in the dataset.
        public var tokens: Int
        /// Share of the sampled documents that round-trip exactly.
        public var roundTripShare: Double
        /// The tokenizer its provenance record names (``DatasetProvenance/tokenizerSummary``), when it has one.
        public var recordedTokenizer: String?
        /// The worst check's name and detail (first line), when not ok.
        public var problem: String?
    }

    /// Round-trip share at or above which a shard counts as made with the tokenizer (below
    /// 100 % only a warning); below it, an error.
    public static let roundTripErrorThreshold = 0.9

    /// The verdict and checks over all datasets.
    public let report: CompatReport
    /// Each dataset's outcome, in the order resolved.
    public let datasets: [DatasetResult]

    /// Checks `shards` (prefixes, `.idx`/`.bin` paths, directories searched recursively, globs)
    /// against `tokenizerPath`.
    public init(tokenizerPath: String, shards: [String], options: Options = Options()) throws(CompatError) {
        let tokenizer: Tokenizer
        do { tokenizer = try Tokenizer.load(path: tokenizerPath) } catch {
            throw .tokenizer(path: tokenizerPath, error)
        }
        let prefixes: [String]
        do { prefixes = try ShardDiscovery.prefixes(shards) } catch { throw .shard(error) }
        let sha256: String
        do { sha256 = try FileDigest.sha256(path: tokenizer.path) } catch { throw .unreadable(error) }
        var checks: [CompatCheck] = []
        var perShard: [[String: any Sendable]] = []
        var datasets: [DatasetResult] = []
        for prefix in prefixes {
            let reader: MegatronIndexReader
            do { reader = try MegatronIndexReader(prefix: prefix) } catch { throw .shard(error) }
            let record: DatasetProvenance?
            do { record = try DatasetProvenance.read(prefix: prefix) } catch { throw .shard(error) }
            let (shardChecks, facts) = try Self.check(reader, name: prefix, tokenizer: tokenizer, sha256: sha256,
                                                      record: record, options: options)
            checks += shardChecks
            perShard.append(facts)
            let (verdict, compatible) = CompatReport.verdict(of: shardChecks)
            let worst = shardChecks.max { $0.status < $1.status }
            datasets.append(DatasetResult(
                prefix: prefix, verdict: verdict, compatible: compatible, tokenizerType: facts["tokenizer_type"] as? String ?? "-",
                appendEOD: facts["append_eod"] as? Bool ?? false, documents: reader.documentCount, tokens: reader.tokenCount,
                roundTripShare: facts["round_trip_share"] as? Double ?? 0, recordedTokenizer: record?.tokenizerSummary,
                problem: worst.flatMap { $0.status == .ok ? nil : "\($0.name.dropFirst(prefix.count + 2)): \($0.detail.split(separator: "\n").first ?? "")" }))
        }
        let (verdict, compatible) = CompatReport.verdict(of: checks)
        report = CompatReport(form: "shards", verdict: verdict, compatible: compatible, checks: checks,
                              facts: ["tokenizer": tokenizerPath, "shards": perShard])
        self.datasets = datasets
    }

    /// One line per dataset (verdict, tokenizer type, `--append-eod`, round trip, documents,
    /// tokens, the worst problem), then the totals: for hundreds of datasets at once.
    public func summary() -> String {
        var lines = ["verdict: \(report.verdict.rawValue)"]
        let width = datasets.map(\.prefix.count).max() ?? 0
        for d in datasets {
            let mark = d.verdict == .compatible ? "ok     " : d.compatible ? "warning" : "ERROR  "
            var line = "  \(mark)  \(d.prefix.padding(toLength: width, withPad: " ", startingAt: 0))  \(d.tokenizerType) append-eod \(d.appendEOD)"
                + "  round trip \(Self.percent(d.roundTripShare))  \(d.documents) documents  \(d.tokens) tokens"
            line += "  recorded: \(d.recordedTokenizer ?? "-")"
            if let problem = d.problem { line += "  | \(problem)" }
            lines.append(line)
        }
        let bad = datasets.filter { !$0.compatible }.count
        let warned = datasets.filter { $0.compatible && $0.verdict != .compatible }.count
        lines.append("total: \(datasets.count) datasets, \(datasets.count - bad - warned) compatible, \(warned) with warnings, "
                     + "\(bad) incompatible; \(datasets.reduce(0) { $0 + $1.documents }) documents, \(datasets.reduce(0) { $0 + $1.tokens }) tokens")
        return lines.joined(separator: "\n")
    }

    /// One way the datasets may have been written: what surrounds each document's text ids and
    /// how the text is encoded back.
    struct Wrapper {
        var type: MegatronTokenizerType
        /// A sentencepiece type's placement around a tokenizer.json's encoding (shards made from
        /// the `.model` of the same vocabulary).
        var emulated: Bool
        var prefix: [Int32]
        var suffix: [Int32]
        var eod: Int32?
        var vocabularySize: Int
        /// prefix + the text's ids + suffix (no EOD); nil when the text cannot be encoded.
        var encode: (String) -> [Int32]?

        var label: String { emulated ? "\(type) (its placement around this tokenizer.json's encoding)" : type.rawValue }
    }

    /// The wrappers to try: the given type or every type the file fits.
    static func wrappers(_ tokenizer: Tokenizer, type given: MegatronTokenizerType?) throws(CompatError) -> [Wrapper] {
        var types: [MegatronTokenizerType]
        if let given { types = [given] } else if tokenizer.format == .huggingFace {
            types = [.huggingFace, .llama2, .gptSentencePiece]
        } else {
            types = [.llama2, .sentencePiece, .gptSentencePiece, .japaneseSentencePiece]
        }
        var result: [Wrapper] = []
        var refusals: [String] = []
        for type in types {
            if tokenizer.format == .huggingFace && type.usesSentencePieceModel {
                // The .model's encoding is the tokenizer.json's: only the placement differs.
                let prefix: [Int32]
                if type == .llama2 {
                    guard let bos = tokenizer.bosID else { refusals.append("\(type): no bos_token declared next to tokenizer.json"); continue }
                    prefix = [bos]
                } else {
                    prefix = []
                }
                result.append(Wrapper(type: type, emulated: true, prefix: prefix, suffix: [], eod: nil,
                                      vocabularySize: tokenizer.vocabularySize,
                                      encode: { text in (try? tokenizer.encode(text)).map { prefix + $0 } }))
                continue
            }
            do {
                let encoder = try DocumentEncoder(tokenizer: tokenizer, type: type, appendEOD: false)
                result.append(Wrapper(type: type, emulated: false, prefix: encoder.textPrefix, suffix: encoder.textSuffix,
                                      eod: encoder.eodID, vocabularySize: encoder.vocabularySize,
                                      encode: { text in try? encoder.encode(text) }))
            } catch {
                refusals.append("\(type): \(error)")
            }
        }
        guard !result.isEmpty else { throw .noTokenizerTypeFits(tokenizer: tokenizer.path, refusals: refusals) }
        return result
    }

    /// Whether `id` is a token no text encodes to by itself: a control piece, a special added
    /// token, or a declared bos/eos/pad/unk.
    static func isSpecial(_ id: Int32, in tokenizer: Tokenizer) -> Bool {
        if [tokenizer.bosID, tokenizer.eosID, tokenizer.padID, tokenizer.unknownID].contains(id) { return true }
        if tokenizer.vocabulary.type(id) == .control { return true }
        return tokenizer.vocabulary.addedTokens.contains { $0.id == id && $0.special }
    }

    struct RoundTrip {
        var wrapper: Wrapper
        var appendEOD: Bool
        var sampled = 0
        var matched = 0
        /// Matched documents whose ids differ only by an equal-score segmentation (emulated wrappers).
        var ties = 0
        var mismatches: [String] = []
        var share: Double { sampled == 0 ? 1 : Double(matched) / Double(sampled) }
    }

    /// The ids every non-empty document ends with, as far as they agree (up to `width`), and the
    /// number of non-empty documents.
    static func commonTail(_ reader: MegatronIndexReader, width: Int) -> (tail: [Int32], nonEmpty: Int) {
        var common: [Int32]?
        var nonEmpty = 0
        for d in 0..<reader.documentCount {
            guard let (_, tail) = TokenIDScan.edges(in: reader, document: d, width: width) else { continue }
            nonEmpty += 1
            guard let current = common else { common = tail; continue }
            var n = 0
            while n < min(current.count, tail.count) && current[current.count - 1 - n] == tail[tail.count - 1 - n] { n += 1 }
            common = Array(current.suffix(n))
            if n == 0 { break }
        }
        return (common ?? [], nonEmpty)
    }

    static func check(_ reader: MegatronIndexReader, name: String, tokenizer: Tokenizer, sha256: String,
                      record: DatasetProvenance?, options given: Options) throws(CompatError) -> ([CompatCheck], [String: any Sendable]) {
        var checks: [CompatCheck] = []
        var facts: [String: any Sendable] = ["prefix": MegatronFormat.prefix(fromPath: reader.indexPath), "documents": reader.documentCount,
                                            "tokens": reader.tokenCount, "dtype": reader.dtype.description]
        func add(_ check: String, _ status: CheckStatus, _ detail: String) { checks.append(CompatCheck("\(name): \(check)", status, detail)) }

        // The provenance record first: the exact answer when it names this very file.
        var options = given
        if let record {
            facts["recorded_tokenizer"] = record.tokenizerSummary
            facts["recorded_tokenizer_sha256"] = record.tokenizer.sha256
            let recordedType = MegatronTokenizerType(rawValue: record.tokenizer.type)
            if record.tokenizer.sha256 == sha256 {
                var conflicts: [String] = []
                if let type = given.tokenizerType, type != recordedType { conflicts.append("tokenizer type \(type) given, \(record.tokenizer.type) recorded") }
                if let eod = given.appendEOD, eod != record.options.appendEOD { conflicts.append("append EOD \(eod) given, \(record.options.appendEOD) recorded") }
                if conflicts.isEmpty {
                    add("provenance", .ok, "made with this tokenizer file (SHA-256 \(sha256.prefix(12))…), \(record.tokenizer.type), append-eod \(record.options.appendEOD), by corpuskit \(record.corpuskit)")
                } else {
                    add("provenance", .error, "made with this tokenizer file, but not as given: " + conflicts.joined(separator: "; "))
                }
                options.tokenizerType = given.tokenizerType ?? recordedType
                options.appendEOD = given.appendEOD ?? record.options.appendEOD
            } else {
                add("provenance", .warning, "made with another tokenizer file: \(record.tokenizer.file) (SHA-256 \(record.tokenizer.sha256.prefix(12))…, \(record.tokenizer.type), append-eod \(record.options.appendEOD)), this one is \(tokenizer.path) (SHA-256 \(sha256.prefix(12))…); the ids decide")
                // A sentencepiece type is checked on a tokenizer.json too (its placement); HuggingFaceTokenizer needs one.
                options.tokenizerType = given.tokenizerType ?? (recordedType == .huggingFace && tokenizer.format == .sentencePiece ? nil : recordedType)
                options.appendEOD = given.appendEOD ?? record.options.appendEOD
            }
        }

        let wrappers = try wrappers(tokenizer, type: options.tokenizerType)
        let widest = wrappers.map { max($0.prefix.count, $0.suffix.count + 1) }.max() ?? 1
        let (tail, nonEmpty) = commonTail(reader, width: widest)
        // Round trip per candidate wrapper, on a deterministic sample.
        let documentCount = reader.documentCount
        let wanted = options.all ? documentCount : min(options.sample, documentCount)
        let sample = (0..<wanted).map { wanted == documentCount ? $0 : Int((Int64($0) * Int64(documentCount)) / Int64(wanted)) }
        var trips: [RoundTrip] = []
        for var wrapper in wrappers {
            if wrapper.emulated {
                // The .model's EOD is not in the tokenizer.json: the special id every document ends with.
                if let last = tail.last, isSpecial(last, in: tokenizer) { wrapper.eod = last }
                else if options.appendEOD == true { wrapper.eod = tokenizer.eosID }
            }
            let ending = wrapper.eod.map { wrapper.suffix + [$0] }
            let appendEOD = options.appendEOD ?? (ending.map { nonEmpty > 0 && tail.count >= $0.count && Array(tail.suffix($0.count)) == $0 } ?? false)
            if appendEOD && wrapper.eod == nil { continue }
            var trip = RoundTrip(wrapper: wrapper, appendEOD: appendEOD)
            for d in sample {
                let tokens: [Int32]
                do { tokens = try reader.documentTokens(d) } catch { continue }
                guard !tokens.isEmpty else { continue }
                trip.sampled += 1
                // The text's ids: what the wrapper added around them stripped (when present).
                var body = tokens[...]
                if appendEOD, body.last == wrapper.eod { body = body.dropLast() }
                if body.starts(with: wrapper.prefix) { body = body.dropFirst(wrapper.prefix.count) }
                if body.count >= wrapper.suffix.count && Array(body.suffix(wrapper.suffix.count)) == wrapper.suffix {
                    body = body.dropLast(wrapper.suffix.count)
                }
                var reencoded: [Int32]?
                if let text = try? tokenizer.decode(Array(body)), var ids = wrapper.encode(text) {
                    if appendEOD && !ids.isEmpty { ids.append(wrapper.eod!) }
                    reencoded = ids
                }
                if reencoded == tokens {
                    trip.matched += 1
                } else if wrapper.emulated, let reencoded, Self.isTie(tokens, reencoded, tokenizer: tokenizer) {
                    trip.matched += 1
                    trip.ties += 1
                } else if trip.mismatches.count < 3 {
                    trip.mismatches.append(Self.sideBySide(document: d, shard: tokens, reencoded: reencoded, tokenizer: tokenizer))
                }
            }
            trips.append(trip)
        }
        // The best-fitting wrapper (first in order on ties).
        guard var best = trips.first else { throw .noTokenizerTypeChecked(shard: name) }
        for trip in trips.dropFirst() where trip.share > best.share { best = trip }
        let wrapper = best.wrapper
        let appendEOD = best.appendEOD
        let inferred = options.tokenizerType == nil ? " (inferred: best round trip of \(trips.map { "\($0.wrapper.type) \(Self.percent($0.share))" }.joined(separator: ", ")))" : ""
        add("tokenizer type", .ok, "\(wrapper.label)\(inferred); append EOD: \(appendEOD)\(options.appendEOD == nil ? " (inferred)" : "")")
        facts["tokenizer_type"] = wrapper.type.rawValue
        facts["append_eod"] = appendEOD

        let vocabularySize = wrapper.vocabularySize

        // dtype.
        let optimal = TokenDType.optimal(vocabularySize: vocabularySize)
        if reader.dtype == optimal {
            add("dtype", .ok, "\(reader.dtype), as preprocess_data.py picks for a vocabulary of \(vocabularySize)")
        } else if reader.dtype == .uint16 {
            add("dtype", .error, "uint16 cannot hold this vocabulary's ids (\(vocabularySize) ≥ 65,500): made with a smaller vocabulary")
        } else {
            add("dtype", .warning, "int32, but preprocess_data.py writes uint16 for a vocabulary of \(vocabularySize) (< 65,500): made with a larger vocabulary?")
        }

        // Id range (vectorised scan).
        let clock = ContinuousClock()
        let start = clock.now
        let scan = TokenIDScan(reader)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let bytes = reader.tokenCount * reader.dtype.itemSize
        facts["scan_seconds"] = seconds
        facts["scan_bytes"] = bytes
        facts["max_id"] = Int(scan.maximum)
        let speed = seconds > 0 ? String(format: "%.2f GB/s", Double(bytes) / seconds / 1e9) : "-"
        if scan.count == 0 || Int(scan.maximum) < vocabularySize {
            add("id range", .ok, "all \(scan.count) ids below \(vocabularySize) (max \(scan.count == 0 ? "-" : "\(scan.maximum)"); scanned \(bytes) bytes in \(String(format: "%.3f", seconds)) s, \(speed))")
        } else {
            let position = TokenIDScan.firstPosition(in: reader, atOrAbove: UInt32(vocabularySize)) ?? -1
            let document = TokenIDScan.document(in: reader, containing: position).map { "document \($0)" } ?? "?"
            let shown = scan.maximum > UInt32(Int32.max) ? "\(Int32(bitPattern: scan.maximum)) (negative)" : "\(scan.maximum)"
            add("id range", .error, "ids up to \(shown) but the vocabulary has \(vocabularySize); the first out of range is at token \(position) (\(document))")
        }

        // Placement over every document: the wrapper's prefix first, its suffix and EOD last.
        let ending = wrapper.suffix + (appendEOD ? [wrapper.eod!] : [])
        let eodEnding = wrapper.eod.map { wrapper.suffix + [$0] }
        var missingPrefix: Int?, missingEnding: Int?
        var missingPrefixCount = 0, missingEndingCount = 0, unexpectedEOD = 0
        let width = max(wrapper.prefix.count, ending.count, eodEnding?.count ?? 0, 1)
        for d in 0..<documentCount {
            guard let (head, tail) = TokenIDScan.edges(in: reader, document: d, width: width) else { continue }
            if !head.starts(with: wrapper.prefix) { missingPrefixCount += 1; if missingPrefix == nil { missingPrefix = d } }
            if !tail.reversed().starts(with: ending.reversed()) { missingEndingCount += 1; if missingEnding == nil { missingEnding = d } }
            if !appendEOD, let eodEnding, tail.reversed().starts(with: eodEnding.reversed()) { unexpectedEOD += 1 }
        }
        func names(_ ids: [Int32]) -> String { ids.map { "\($0) \(VocabularyViewEscaping.quoted(tokenizer.piece(for: $0) ?? "?"))" }.joined(separator: ", ") }
        if !wrapper.prefix.isEmpty {
            let what = wrapper.type == .llama2 ? "BOS" : "post-processor prefix"
            if let d = missingPrefix {
                add(what, .error, "\(missingPrefixCount) of \(nonEmpty) non-empty documents do not start with \(names(wrapper.prefix)) (first: document \(d))")
            } else {
                add(what, .ok, "every non-empty document starts with \(names(wrapper.prefix))")
            }
        }
        let suffixNote = wrapper.suffix.isEmpty ? "" : " (\(names(wrapper.suffix)) from the post-processor)"
        if appendEOD {
            if let d = missingEnding {
                add("EOD", .error, "\(missingEndingCount) of \(nonEmpty) non-empty documents do not end with \(names(ending))\(suffixNote) (first: document \(d)): the EOD setting given is not what these shards say")
            } else {
                add("EOD", .ok, "every non-empty document ends with \(names(ending))\(suffixNote)")
            }
        } else if nonEmpty > 0 && unexpectedEOD == nonEmpty {
            add("EOD", .warning, "every non-empty document ends with \(names(eodEnding!)), as appending EOD writes, but appending EOD was not asked for")
        } else if !wrapper.suffix.isEmpty {
            if let d = missingEnding {
                add("EOD", .error, "\(missingEndingCount) of \(nonEmpty) non-empty documents do not end with the post-processor's \(names(wrapper.suffix)) (first: document \(d))")
            } else {
                add("EOD", .ok, "every non-empty document ends with the post-processor's \(names(wrapper.suffix)); no EOD appended")
            }
        } else {
            add("EOD", .ok, "no EOD expected (EOD not appended)")
        }

        // The round trip.
        let share = best.share
        facts["round_trip_share"] = share
        facts["round_trip_sampled"] = best.sampled
        let status: CheckStatus = share == 1 ? .ok : share >= roundTripErrorThreshold ? .warning : .error
        var detail = "\(best.matched) of \(best.sampled) sampled documents (\(Self.percent(share))) decode and re-encode to the same ids"
        if best.ties > 0 {
            detail += " (\(best.ties) of them up to a tie: another segmentation of the same text with the same total score, "
                + "which sentencepiece (float32) and HF tokenizers (float64) break differently)"
        }
        facts["round_trip_ties"] = best.ties
        if status == .error { detail += ": these shards were not made with this tokenizer (or not with this tokenizer type)" }
        if !best.mismatches.isEmpty { detail += "\n" + best.mismatches.joined(separator: "\n") }
        add("round trip", status, detail)
        return (checks, facts)
    }

    /// Whether two id sequences are segmentations of the same text with equal total Unigram
    /// score (to float32 precision): the `.model` a shard was written with and its tokenizer.json
    /// pick different ones of such ties (README, "Tokenizer start-up").
    static func isTie(_ a: [Int32], _ b: [Int32], tokenizer: Tokenizer) -> Bool {
        guard let textA = try? tokenizer.decodeUTF8(a), let textB = try? tokenizer.decodeUTF8(b), textA == textB else { return false }
        var sumA = 0.0, sumB = 0.0
        for id in a { guard let s = tokenizer.vocabulary.score(id) else { return false }; sumA += s }
        for id in b { guard let s = tokenizer.vocabulary.score(id) else { return false }; sumB += s }
        return abs(sumA - sumB) <= 1e-4 * max(1, abs(sumA))
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }

    /// `document d, token p: shard [...] | re-encoded [...]`, pieces decoded.
    static func sideBySide(document d: Int, shard: [Int32], reencoded: [Int32]?, tokenizer: Tokenizer) -> String {
        guard let reencoded else {
            return "document \(d): does not decode with this tokenizer (ids out of range)"
        }
        let position = (0..<min(shard.count, reencoded.count)).first { shard[$0] != reencoded[$0] } ?? min(shard.count, reencoded.count)
        func window(_ ids: [Int32]) -> String {
            ids[position..<min(ids.count, position + 6)].map { "\($0) \(VocabularyViewEscaping.quoted(tokenizer.piece(for: $0) ?? "?"))" }.joined(separator: ", ")
        }
        return "document \(d), token \(position): shard [\(window(shard))] | re-encoded [\(window(reencoded))]"
    }
}
