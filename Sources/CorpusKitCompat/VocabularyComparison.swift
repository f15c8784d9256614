import Foundation
import CorpusKitCheckpoint
import CorpusKitChecks
import CorpusKitSystem
import CorpusKitTokenizer

/// `corpuskit compat vocab A B`: how two vocabularies relate, most specific verdict first.
///
/// Pieces are compared by id as bytes (never as `String`, whose equality merges canonically
/// equivalent pieces). Then:
/// - every id holds the same piece → `identical` when scores, types and encode behaviour are the
///   same too, else `same-ids` (the ids stay meaningful; a corpus tokenizes differently);
/// - one vocabulary is the other's first pieces → `extension` (Swallow over Llama 2);
/// - the same set of pieces at other ids → `remapped` (``permutation`` maps A's ids to B's);
/// - else `incompatible`, with the first differing id and the pieces only in A, only in B, moved.
///
/// A sentencepiece `.model` and a tokenizer.json are "one vocabulary in two formats" when their
/// pieces agree: converters rename the special pieces (llm-jp: `<unk>` → `<unk|LLM-jp>`) and
/// give them other scores, and tokenizer.json has no piece types, so special pieces (unknown,
/// control, user-defined) match any special piece at the same id and only normal and byte pieces
/// must agree in bytes and score. Their behaviour cannot be compared setting by setting (a
/// normalizer spec against a chain of HF normalizers), so it is compared by encoding: a fixed set
/// of probe texts (and the corpus documents, when given) must give the same ids; a file CorpusKit cannot
/// encode (a model type other than Unigram and BPE) leaves the behaviour unverified (a warning,
/// verdict `same-ids` at best).
/// Within one format the parsed settings are compared directly.
public struct VocabularyComparison: Sendable {
    /// Vocabulary A.
    public let a: VocabularyFile
    /// Vocabulary B.
    public let b: VocabularyFile
    /// The verdict and the checks.
    public let report: CompatReport
    /// For `remapped`: A's id → B's id.
    public let permutation: [Int32]?

    /// Texts encoded with both tokenizers when they are of different formats: spaces at the
    /// start, runs of spaces, newlines, digits, full-width and half-width forms, emoji.
    public static let probeTexts: [String] = [
        "Hello world", " leading space", "  two leading spaces", "trailing space ", "a  b   c", "line one\nline two",
        "\n\nblank lines\n", "tab\tseparated", "吾輩は猫である。名前はまだ無い。", "日本語と English の mixed text 123",
        "ｶﾀｶﾅ ＡＢＣ １２３ ①", "3.14159 2026-12-01 1,000,000", "emoji 😀🎉 and ☃", "\u{3000}全角スペース\u{3000}",
        "ﬁ ligature, Å vs A\u{030A}", "def f(x):\n    return x * 2\n", "",
    ]

    /// Compares `a` and `b`; `corpus` (a JSONL file, key `text`) adds an encoding comparison.
    public init(a: VocabularyFile, b: VocabularyFile, corpus: String? = nil, corpusKey: String = "text", corpusLimit: Int = 1000) throws(CompatError) {
        self.a = a
        self.b = b
        var checks: [CompatCheck] = []
        var facts: [String: any Sendable] = [
            "a": Self.describe(a), "b": Self.describe(b),
        ]
        let crossFormat = a.format != b.format
        if crossFormat {
            checks.append(CompatCheck("formats", .ok,
                "\(Self.formatName(a)) vs \(Self.formatName(b)): compared as one vocabulary in two formats (special pieces may be renamed; behaviour compared by encoding)"))
        }
        checks.append(CompatCheck("sizes", .ok,
                                  "A has \(a.count) ids (\(a.modelType)), B has \(b.count) ids (\(b.modelType))"))
        func isSpecial(_ v: VocabularyFile, _ id: Int) -> Bool {
            let t = v.types[id]
            return t == .unknown || t == .control || t == .userDefined
        }
        func samePiece(_ id: Int) -> Bool {
            if a.pieceBytes(id) == b.pieceBytes(id) { return true }
            return crossFormat && isSpecial(a, id) && isSpecial(b, id)
        }
        let common = min(a.count, b.count)
        let firstDifference = (0..<common).first { !samePiece($0) }
        var verdict: Verdict
        var permutation: [Int32]?
        var compatible = true

        if firstDifference == nil {
            let renamed = crossFormat ? (0..<common).filter { a.pieceBytes($0) != b.pieceBytes($0) } : []
            if !renamed.isEmpty {
                let sample = renamed.prefix(8).map { "\($0): \(Self.show(a.piece($0))) → \(Self.show(b.piece($0)))" }.joined(separator: ", ")
                checks.append(CompatCheck("special pieces", .ok, "\(renamed.count) special pieces renamed by the conversion (\(sample))"))
            }
            if a.count == b.count {
                checks.append(CompatCheck("pieces", .ok, "the same \(a.count) pieces at the same ids"))
                var differences: [String] = []
                // Scores.
                let scoreDifferences = Self.scoreDifferences(a, b, skipSpecial: crossFormat, isSpecial: isSpecial)
                if let scoreDifferences {
                    if scoreDifferences.count == 0 {
                        checks.append(CompatCheck("scores", .ok, crossFormat ? "equal for every normal and byte piece" : "equal for every piece"))
                    } else {
                        differences.append("scores")
                        checks.append(CompatCheck("scores", .warning, "\(scoreDifferences.count) pieces have other scores (first: id \(scoreDifferences.first!): \(a.scores![scoreDifferences.first!]) vs \(b.scores![scoreDifferences.first!]))"))
                    }
                } else {
                    checks.append(CompatCheck("scores", .ok, "not compared (\(a.scores == nil ? "A" : "B") has no scores: \(a.scores == nil ? a.modelType : b.modelType) tokenizer.json)"))
                }
                // Types.
                if !crossFormat {
                    let typeDifferences = (0..<common).filter { a.types[$0] != b.types[$0] }
                    if typeDifferences.isEmpty {
                        checks.append(CompatCheck("types", .ok, "equal for every piece"))
                    } else {
                        differences.append("types")
                        let first = typeDifferences[0]
                        checks.append(CompatCheck("types", .warning, "\(typeDifferences.count) pieces have other types (first: id \(first) \(Self.show(a.piece(first))): \(a.types[first]) vs \(b.types[first]))"))
                    }
                }
                // Behaviour.
                let behaviour = try Self.compareBehaviour(a, b, crossFormat: crossFormat, corpus: corpus, corpusKey: corpusKey, corpusLimit: corpusLimit)
                checks.append(contentsOf: behaviour.checks)
                if !behaviour.same { differences.append("behaviour") }
                verdict = differences.isEmpty ? .identical : .sameIDs
                facts["differences"] = differences
            } else {
                let (short, long, shortName, longName) = a.count < b.count ? (a, b, "A", "B") : (b, a, "B", "A")
                verdict = .extension
                let added = short.count..<long.count
                let sample = added.prefix(20).map { long.piece($0) }
                checks.append(CompatCheck("extension", .ok,
                    "\(longName) extends \(shortName): \(shortName)'s \(short.count) pieces are \(longName)'s first pieces at the same ids; \(longName) adds \(added.count) (ids \(added.lowerBound)..<\(added.upperBound)): \(sample.map(Self.show).joined(separator: " "))"))
                facts["extended"] = shortName
                facts["added_count"] = added.count
                facts["added_sample"] = sample
                if let s = short.scores, let l = long.scores, !added.isEmpty {
                    let best = added.map { l[$0] }.max()!
                    let normal = (0..<short.count).filter { short.types[$0] == .normal }
                    let below = normal.filter { s[$0] < best }.count
                    let status: CheckStatus = Double(below) <= 0.01 * Double(max(normal.count, 1)) ? .ok : .warning
                    checks.append(CompatCheck("added scores", status,
                        "added pieces score \(added.map { l[$0] }.min()!) to \(best); \(below) of \(shortName)'s \(normal.count) normal pieces score lower than the best added piece\(status == .ok ? " (the old pieces keep their priority)" : ": the segmentation of old text changes")"))
                }
                let oldDifferences = Self.scoreDifferences(short, long, skipSpecial: crossFormat, isSpecial: isSpecial) ?? []
                if !oldDifferences.isEmpty {
                    checks.append(CompatCheck("scores", .warning, "\(oldDifferences.count) of the shared pieces have other scores"))
                }
            }
        } else {
            let first = firstDifference!
            var idsA: [[UInt8]: Int] = [:]
            var idsB: [[UInt8]: Int] = [:]
            for id in 0..<a.count where idsA[Array(a.pieceBytes(id))] == nil { idsA[Array(a.pieceBytes(id))] = id }
            for id in 0..<b.count where idsB[Array(b.pieceBytes(id))] == nil { idsB[Array(b.pieceBytes(id))] = id }
            var onlyA = 0, moved = 0, same = 0
            var movedSample: [String] = []
            for (piece, id) in idsA {
                if let other = idsB[piece] {
                    if other == id { same += 1 } else {
                        moved += 1
                    }
                } else {
                    onlyA += 1
                }
            }
            let onlyB = idsB.keys.filter { idsA[$0] == nil }.count
            for id in 0..<a.count where movedSample.count < 8 {
                if let other = idsB[Array(a.pieceBytes(id))], other != id { movedSample.append("\(Self.show(a.piece(id))) \(id)→\(other)") }
            }
            checks.append(CompatCheck("first difference", .error,
                "id \(first): A \(Self.show(a.piece(first))) (\(a.types[first])), B \(Self.show(b.piece(first))) (\(b.types[first]))"))
            facts["first_difference"] = first
            facts["only_in_a"] = onlyA
            facts["only_in_b"] = onlyB
            facts["moved"] = moved
            facts["same_id"] = same
            if onlyA == 0 && onlyB == 0 && a.count == b.count && idsA.count == a.count && idsB.count == b.count {
                verdict = .remapped
                permutation = (0..<a.count).map { Int32(idsB[Array(a.pieceBytes($0))]!) }
                checks.append(CompatCheck("pieces", .warning,
                    "the same \(a.count) pieces, \(moved) at other ids (e.g. \(movedSample.joined(separator: ", "))): ids must be translated (the comparison can write the translation table)"))
            } else {
                verdict = .incompatible
                compatible = false
                checks.append(CompatCheck("pieces", .error,
                    "\(same) pieces at the same id, \(moved) at another id\(movedSample.isEmpty ? "" : " (e.g. \(movedSample.prefix(4).joined(separator: ", ")))"), \(onlyA) only in A, \(onlyB) only in B"))
            }
        }
        // Special tokens of both, always shown.
        let specialsA = Self.specialTokens(a), specialsB = Self.specialTokens(b)
        let names = ["bos", "eos", "pad", "unk", "eod"]
        var lines: [String] = []
        var specialsDiffer = false
        for name in names {
            let x = specialsA[name], y = specialsB[name]
            if x == nil && y == nil { continue }
            func show(_ v: VocabularyFile, _ id: Int?) -> String { id.map { "\($0) \(Self.show(v.piece($0)))" } ?? "none" }
            if x != y { specialsDiffer = true }
            lines.append("\(name): A \(show(a, x)), B \(show(b, y))")
        }
        let specialStatus: CheckStatus = specialsDiffer && verdict != .incompatible ? .warning : .ok
        checks.append(CompatCheck("special tokens", specialStatus, lines.isEmpty ? "none declared" : lines.joined(separator: "; ")))
        facts["special_tokens_a"] = specialsA.mapValues { $0 }
        facts["special_tokens_b"] = specialsB.mapValues { $0 }
        if let corpus, !(firstDifference == nil && a.count == b.count) {
            checks.append(contentsOf: try Self.corpusChecks(a, b, corpus: corpus, key: corpusKey, limit: corpusLimit).checks)
        }
        report = CompatReport(form: "vocab", verdict: verdict, compatible: compatible, checks: checks, facts: facts)
        self.permutation = permutation
    }

    /// Reads a vocabulary to compare (``VocabularyFile/load(path:)``: any model type, no encoder).
    public static func vocabulary(_ path: String) throws(CompatError) -> VocabularyFile {
        do { return try VocabularyFile.load(path: path) } catch { throw .tokenizer(path: path, error) }
    }

    /// Writes ``permutation`` as `id_in_A<TAB>id_in_B<TAB>piece` lines (temporary name, then rename).
    public func writePermutation(to path: String) throws(CompatError) {
        guard let permutation else { throw .notRemapped }
        var text = "# id_in_a\tid_in_b\tpiece\n"
        for (id, other) in permutation.enumerated() {
            text += "\(id)\t\(other)\t\(Self.show(a.piece(id)))\n"
        }
        do { try AtomicFile.write(text, to: path) } catch {
            throw .cannotWrite(path: path, what: "map", error)
        }
    }

    // MARK: - Parts

    static func formatName(_ v: VocabularyFile) -> String {
        v.format == .sentencePiece ? "sentencepiece .model (\(v.modelType))" : "tokenizer.json (\(v.modelType))"
    }

    static func describe(_ v: VocabularyFile) -> [String: any Sendable] {
        ["path": v.path, "format": v.format.rawValue, "model_type": v.modelType, "size": v.count]
    }

    /// A piece for display: JSON-escaped, quoted.
    static func show(_ piece: String) -> String {
        VocabularyViewEscaping.quoted(piece)
    }

    /// Ids whose scores differ (nil when either side has none).
    ///
    /// A `.model` stores float32 scores; a tokenizer.json converted from it prints them as
    /// doubles, which HF tokenizers (and so CorpusKit) reads back up to one ulp off (serde_json's
    /// parser is not correctly rounded). Across formats the scores are therefore compared at the
    /// `.model`'s float32 precision, where that ulp vanishes.
    static func scoreDifferences(_ a: VocabularyFile, _ b: VocabularyFile, skipSpecial: Bool,
                                 isSpecial: (VocabularyFile, Int) -> Bool) -> [Int]? {
        guard let x = a.scores, let y = b.scores else { return nil }
        let n = min(a.count, b.count)
        let float32 = a.format != b.format
        return (0..<n).filter { id in
            if skipSpecial && (isSpecial(a, id) || isSpecial(b, id)) { return false }
            if x[id].isNaN && y[id].isNaN { return false }
            return float32 ? Float(x[id]) != Float(y[id]) : x[id] != y[id]
        }
    }

    /// bos/eos/pad/unk/eod ids: a `.model`'s trainer-spec pieces; a tokenizer.json's
    /// `tokenizer_config.json` / `special_tokens_map.json` strings next to it; EOD is the special
    /// piece named like `<EOD…>`, or the id a tokenizer.json post-processor appends.
    public static func specialTokens(_ v: VocabularyFile) -> [String: Int] {
        var result: [String: Int] = [:]
        if let id = v.bosID { result["bos"] = Int(id) }
        if let id = v.eosID { result["eos"] = Int(id) }
        if let id = v.padID { result["pad"] = Int(id) }
        if let id = v.unknownID { result["unk"] = Int(id) }
        if v.format == .huggingFace {
            var byText: [[UInt8]: Int] = [:]
            for id in (0..<v.count).reversed() { byText[Array(v.pieceBytes(id))] = id }
            let directory = (v.path as NSString).deletingLastPathComponent
            for name in ["special_tokens_map.json", "tokenizer_config.json"] {
                let path = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: path), let config = try? TokenizerConfig(path: path) else { continue }
                for (key, name) in [("bos_token", "bos"), ("eos_token", "eos"), ("pad_token", "pad"), ("unk_token", "unk")] {
                    if let text = config.specialTokens.first(where: { $0.key == key })?.content, let id = byText[Array(text.utf8)] {
                        result[name] = id
                    }
                }
            }
        }
        for id in 0..<v.count where v.types[id] == .control || v.types[id] == .userDefined {
            if v.piece(id).uppercased().hasPrefix("<EOD") { result["eod"] = id; break }
        }
        return result
    }

    /// Behaviour: parsed settings within one format, probe encodings across formats.
    static func compareBehaviour(_ a: VocabularyFile, _ b: VocabularyFile, crossFormat: Bool, corpus: String?,
                                 corpusKey: String, corpusLimit: Int) throws(CompatError) -> (same: Bool, checks: [CompatCheck]) {
        var checks: [CompatCheck] = []
        var same = true
        if !crossFormat {
            var differing: [String] = []
            let settingsB = Dictionary(b.settings.map { ($0.name, $0.value) }, uniquingKeysWith: { x, _ in x })
            for (name, value) in a.settings where settingsB[name] != value {
                differing.append("\(name): A \(value) | B \(settingsB[name] ?? "absent")")
            }
            if differing.isEmpty {
                checks.append(CompatCheck("behaviour", .ok, "the same normalizer, pre-tokenizer, post-processor, decoder and model settings"))
            } else {
                same = false
                checks.append(CompatCheck("behaviour", .warning, "settings differ: " + differing.joined(separator: "\n")))
            }
        } else {
            guard let ta = loadTokenizer(a), let tb = loadTokenizer(b) else {
                checks.append(CompatCheck("behaviour", .warning,
                    "not verified: CorpusKit cannot encode \(loadTokenizer(a) == nil ? formatName(a) : formatName(b)) (only Unigram and BPE), so the two formats' behaviour could not be compared"))
                return (false, checks)
            }
            var firstDifference: String?
            for text in probeTexts {
                let x = try? ta.encode(text), y = try? tb.encode(text)
                if x != y {
                    firstDifference = "\(show(text)): A \(x.map { "\($0)" } ?? "error"), B \(y.map { "\($0)" } ?? "error")"
                    break
                }
            }
            if let firstDifference {
                same = false
                checks.append(CompatCheck("behaviour", .warning, "probe texts encode differently: \(firstDifference)"))
            } else {
                checks.append(CompatCheck("behaviour", .ok, "all \(probeTexts.count) probe texts (spaces, newlines, digits, width forms, emoji) encode to the same ids"))
            }
        }
        if let corpus {
            let result = try corpusChecks(a, b, corpus: corpus, key: corpusKey, limit: corpusLimit)
            if !result.allSame { same = false }
            checks.append(contentsOf: result.checks)
        }
        return (same, checks)
    }

    static func loadTokenizer(_ v: VocabularyFile) -> Tokenizer? {
        guard v.modelType == "Unigram" || v.modelType == "BPE" else { return nil }
        return try? Tokenizer.load(path: v.path)
    }

    /// `--corpus`: both tokenizers encode the documents.
    static func corpusChecks(_ a: VocabularyFile, _ b: VocabularyFile, corpus: String, key: String, limit: Int) throws(CompatError) -> (allSame: Bool, checks: [CompatCheck]) {
        guard let ta = loadTokenizer(a), let tb = loadTokenizer(b) else {
            let which = loadTokenizer(a) == nil ? "A" : "B"
            return (false, [CompatCheck("corpus", .warning, "not encoded: \(which) is \(which == "A" ? a.modelType : b.modelType), which CorpusKit cannot encode (only Unigram and BPE)")])
        }
        let comparison = try CorpusEncodingComparison(a: ta, b: tb, corpus: corpus, key: key, limit: limit)
        return (comparison.identicalDocuments == comparison.documents, comparison.checks)
    }
}

/// Escaping pieces for reports.
enum VocabularyViewEscaping {
    static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"?\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}
