import Foundation
import CorpusKitChecks
import CorpusKitMegatron
import CorpusKitShards
import CorpusKitTokenizer

/// `corpuskit compat shards TOKENIZER PREFIX_OR_DIR...`: were these Megatron shards made with
/// this tokenizer, and do their ids fit it?
///
/// Per shard: the dtype against the wrapper's vocabulary size (`uint16` only below 65,500); every
/// id below that size (``TokenIDScan``, vectorised); BOS/EOD placement per document as the
/// `--tokenizer-type` / `--append-eod` of the run imply (given, or inferred: EOD when every
/// non-empty document ends with the type's EOD id, the type by the best round trip); and the
/// round trip: a deterministic, evenly spaced sample of documents is decoded and re-encoded with
/// ``DocumentEncoder`` (the fork's BOS/EOD rules). A shard made with this tokenizer round-trips
/// (nearly) entirely; one made with another vocabulary falls far below 100 %.
public struct ShardCompatibility: Sendable {
    /// What to check; nil fields are inferred.
    public struct Options: Sendable {
        public var tokenizerType: MegatronTokenizerType?
        public var appendEOD: Bool?
        /// Documents to round-trip per shard (all with `all`).
        public var sample: Int
        public var all: Bool
        public init(tokenizerType: MegatronTokenizerType? = nil, appendEOD: Bool? = nil, sample: Int = 300, all: Bool = false) {
            self.tokenizerType = tokenizerType
            self.appendEOD = appendEOD
            self.sample = sample
            self.all = all
        }
    }

    /// Round-trip share at or above which a shard counts as made with the tokenizer (below
    /// 100 % only a warning); below it, an error.
    public static let roundTripErrorThreshold = 0.9

    public let report: CompatReport

    /// Checks `shards` (prefixes, `.idx`/`.bin` paths, or directories of them) against `tokenizerPath`.
    public init(tokenizerPath: String, shards: [String], options: Options = Options()) throws(CompatError) {
        let tokenizer: Tokenizer
        do { tokenizer = try Tokenizer.load(path: tokenizerPath) } catch {
            throw .tokenizer(path: tokenizerPath, error)
        }
        let prefixes = try Self.expand(shards)
        var checks: [CompatCheck] = []
        var perShard: [[String: any Sendable]] = []
        for prefix in prefixes {
            let reader: MegatronIndexReader
            do { reader = try MegatronIndexReader(prefix: prefix) } catch { throw .shard(error) }
            let (shardChecks, facts) = try Self.check(reader, name: (prefix as NSString).lastPathComponent, tokenizer: tokenizer, options: options)
            checks += shardChecks
            perShard.append(facts)
        }
        let (verdict, compatible) = CompatReport.verdict(of: checks)
        report = CompatReport(form: "shards", verdict: verdict, compatible: compatible, checks: checks,
                              facts: ["tokenizer": tokenizerPath, "shards": perShard])
    }

    /// Prefixes for the arguments: directories expand to their `.idx` files (sorted).
    static func expand(_ arguments: [String]) throws(CompatError) -> [String] {
        var prefixes: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).filter { $0.hasSuffix(".idx") }.sorted()
                guard !names.isEmpty else { throw .noShards(directory: argument) }
                prefixes += names.map { MegatronFormat.prefix(fromPath: (argument as NSString).appendingPathComponent($0)) }
            } else {
                prefixes.append(MegatronFormat.prefix(fromPath: argument))
            }
        }
        return prefixes
    }

    struct RoundTrip {
        var type: MegatronTokenizerType
        var encoder: DocumentEncoder
        var sampled = 0
        var matched = 0
        var mismatches: [String] = []
        var share: Double { sampled == 0 ? 1 : Double(matched) / Double(sampled) }
    }

    static func check(_ reader: MegatronIndexReader, name: String, tokenizer: Tokenizer,
                      options: Options) throws(CompatError) -> ([CompatCheck], [String: any Sendable]) {
        var checks: [CompatCheck] = []
        var facts: [String: any Sendable] = ["prefix": MegatronFormat.prefix(fromPath: reader.indexPath), "documents": reader.documentCount,
                                            "tokens": reader.tokenCount, "dtype": reader.dtype.description]
        func add(_ check: String, _ status: CheckStatus, _ detail: String) { checks.append(CompatCheck("\(name): \(check)", status, detail)) }

        // Candidate wrappers.
        let types: [MegatronTokenizerType] = options.tokenizerType.map { [$0] }
            ?? (tokenizer.format == .huggingFace ? [.huggingFace] : [.llama2, .sentencePiece, .gptSentencePiece, .japaneseSentencePiece])
        var encoders: [(MegatronTokenizerType, DocumentEncoder)] = []
        var refusals: [String] = []
        for type in types {
            do { encoders.append((type, try DocumentEncoder(tokenizer: tokenizer, type: type, appendEOD: false))) } catch {
                refusals.append("\(type): \(error)")
            }
        }
        guard !encoders.isEmpty else { throw .noTokenizerTypeFits(tokenizer: tokenizer.path, refusals: refusals) }
        // Round trip per candidate type, on a deterministic sample.
        let documentCount = reader.documentCount
        let wanted = options.all ? documentCount : min(options.sample, documentCount)
        let sample = (0..<wanted).map { wanted == documentCount ? $0 : Int((Int64($0) * Int64(documentCount)) / Int64(wanted)) }
        var nonEmpty = 0
        for d in 0..<documentCount where TokenIDScan.edgeTokens(in: reader, document: d) != nil { nonEmpty += 1 }
        var trips: [RoundTrip] = []
        for (type, encoder) in encoders {
            var trip = RoundTrip(type: type, encoder: encoder)
            let eod: Int32? = encoder.eodID
            let appendEOD = options.appendEOD ?? (eod.map { id in Self.allEnd(reader, with: id) } ?? false)
            let withEOD: DocumentEncoder
            do { withEOD = appendEOD ? try DocumentEncoder(tokenizer: tokenizer, type: type, appendEOD: true) : encoder } catch {
                continue
            }
            trip.encoder = withEOD
            for d in sample {
                let tokens: [Int32]
                do { tokens = try reader.documentTokens(d) } catch { continue }
                guard !tokens.isEmpty else { continue }
                trip.sampled += 1
                var body = tokens[...]
                if type == .llama2, let first = body.first, first == tokenizer.bosID { body = body.dropFirst() }
                if appendEOD, let last = body.last, last == withEOD.eodID { body = body.dropLast() }
                var reencoded: [Int32]?
                if let text = try? tokenizer.decodeUTF8(Array(body)) {
                    var scratch = EncoderScratch()
                    var out: [Int32] = []
                    let ok: Bool = text.withUnsafeBufferPointer { buffer in
                        (try? withEOD.encode(buffer, into: &out, scratch: &scratch)) != nil
                    }
                    reencoded = ok ? out : nil
                }
                if reencoded == tokens {
                    trip.matched += 1
                } else if trip.mismatches.count < 3 {
                    trip.mismatches.append(Self.sideBySide(document: d, shard: tokens, reencoded: reencoded, tokenizer: tokenizer))
                }
            }
            trips.append(trip)
        }
        // The best-fitting type (first in order on ties).
        guard var best = trips.first else { throw .noTokenizerTypeChecked(shard: name) }
        for trip in trips.dropFirst() where trip.share > best.share { best = trip }
        let appendEOD = best.encoder.appendEOD
        let inferred = options.tokenizerType == nil ? " (inferred: best round trip of \(trips.map { "\($0.type) \(Self.percent($0.share))" }.joined(separator: ", ")))" : ""
        add("tokenizer type", .ok, "\(best.type)\(inferred); append EOD: \(appendEOD)\(options.appendEOD == nil ? " (inferred)" : "")")
        facts["tokenizer_type"] = best.type.rawValue
        facts["append_eod"] = appendEOD

        let vocabularySize = best.encoder.vocabularySize

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

        // Placement over every document.
        var missingBOS: Int?, missingEOD: Int?, unexpectedEOD = 0
        var missingBOSCount = 0, missingEODCount = 0
        let bos = tokenizer.bosID, eod = best.encoder.eodID
        for d in 0..<documentCount {
            guard let (first, last) = TokenIDScan.edgeTokens(in: reader, document: d) else { continue }
            if best.type == .llama2 && first != bos { missingBOSCount += 1; if missingBOS == nil { missingBOS = d } }
            if appendEOD && last != eod { missingEODCount += 1; if missingEOD == nil { missingEOD = d } }
            if !appendEOD, let eod, last == eod { unexpectedEOD += 1 }
        }
        if best.type == .llama2 {
            if let d = missingBOS {
                add("BOS", .error, "\(missingBOSCount) of \(nonEmpty) non-empty documents do not start with BOS \(bos.map(String.init) ?? "-") (first: document \(d))")
            } else {
                add("BOS", .ok, "every non-empty document starts with BOS \(bos!)")
            }
        }
        if appendEOD {
            if let d = missingEOD {
                add("EOD", .error, "\(missingEODCount) of \(nonEmpty) non-empty documents do not end with EOD \(eod.map(String.init) ?? "-") (first: document \(d)): the EOD setting given is not what these shards say")
            } else {
                add("EOD", .ok, "every non-empty document ends with EOD \(eod!)")
            }
        } else if nonEmpty > 0 && unexpectedEOD == nonEmpty {
            add("EOD", .warning, "every non-empty document ends with \(eod!), as appending EOD writes, but appending EOD was not asked for")
        } else {
            add("EOD", .ok, "no EOD expected (EOD not appended)")
        }

        // The round trip.
        let share = best.share
        facts["round_trip_share"] = share
        facts["round_trip_sampled"] = best.sampled
        let status: CheckStatus = share == 1 ? .ok : share >= roundTripErrorThreshold ? .warning : .error
        var detail = "\(best.matched) of \(best.sampled) sampled documents (\(Self.percent(share))) decode and re-encode to the same ids"
        if status == .error { detail += ": these shards were not made with this tokenizer (or not with this tokenizer type)" }
        if !best.mismatches.isEmpty { detail += "\n" + best.mismatches.joined(separator: "\n") }
        add("round trip", status, detail)
        return (checks, facts)
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }

    /// Whether every non-empty document ends with `id`.
    static func allEnd(_ reader: MegatronIndexReader, with id: Int32) -> Bool {
        var any = false
        for d in 0..<reader.documentCount {
            guard let (_, last) = TokenIDScan.edgeTokens(in: reader, document: d) else { continue }
            if last != id { return false }
            any = true
        }
        return any
    }

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
