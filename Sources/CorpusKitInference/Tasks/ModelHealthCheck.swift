import Foundation
import CorpusKitCheckpoint
import CorpusKitChecks
import CorpusKitTokenizer

/// The answer of ``ModelHealthCheck``: a compat-style report (verdict, checks, exit status).
public struct ModelHealthReport: Sendable {
    /// The verdict and the checks.
    public let compat: CompatReport
    /// Statistics of every floating-point tensor, by name.
    public let statistics: [String: TensorStatistics]
}

/// Statistics of one tensor, in float64 over its float32 values.
public struct TensorStatistics: Sendable {
    /// Values seen.
    public var count = 0
    /// NaN values.
    public var nan = 0
    /// ±Inf values.
    public var infinite = 0
    /// Rows (of a matrix) whose values are all zero.
    public var zeroRows = 0
    /// Rows seen (a vector counts as one).
    public var rows = 0
    /// Smallest finite value.
    public var minimum = Double.infinity
    /// Largest finite value.
    public var maximum = -Double.infinity
    /// Σ of the finite values.
    public var sum = 0.0
    /// Σ of their squares.
    public var sumOfSquares = 0.0
    /// Finite values.
    public var finite: Int { count - nan - infinite }
    /// Mean of the finite values (NaN when none).
    public var mean: Double { finite > 0 ? sum / Double(finite) : .nan }
    /// Population standard deviation of the finite values (NaN when none).
    public var std: Double { finite > 0 ? max(0, sumOfSquares / Double(finite) - mean * mean).squareRoot() : .nan }
    /// Root mean square (the layer-outlier measure).
    public var rms: Double { finite > 0 ? (sumOfSquares / Double(finite)).squareRoot() : .nan }
    /// Every value is 0 (and there is at least one).
    public var allZero: Bool { count > 0 && finite == count && minimum == 0 && maximum == 0 }
}

/// `corpuskit model check`: is a checkpoint sane before anyone spends GPU days on it?
///
/// Checks, each ok / warning / error:
/// - the tensor table (missing, misshapen, unexpected tensors) and, with a tokenizer, every check of
///   `corpuskit compat model` (vocab size, embedding/lm_head shapes and tying, bos/eos/pad ids);
/// - per tensor: NaN/Inf counts (error), an all-zero matrix (error; an all-zero vector, warning),
///   all-zero rows (warning); min/max/mean/std are in the JSON report;
/// - embedding / `lm_head` rows beyond the tokenizer's size (padding) against the rest;
/// - matrices identical to another tensor byte for byte (error: a copy bug, e.g. `lm_head` saved from
///   another weight);
/// - layers whose tensor RMS is an outlier against the same tensor of the other layers (> 4× or
///   < 1/4 of their median; warning);
/// - with a corpus: perplexity (warning above the vocabulary size) and a greedy continuation of a
///   fixed prompt (warning when one token fills half of it);
/// - MoE checkpoints: expert copies and zeroed experts, with a corpus the routing histogram and dead
///   experts (``MixtureOfExpertsCheck``); with `longContext`, NLL by position (``LongContextCheck``).
public struct ModelHealthCheck {
    /// The prompt of the greedy continuation check (English, then Japanese).
    public static let prompt = "The capital of Japan is Tokyo. 日本の首都は"
    /// The checkpoint directory.
    public let directory: String
    /// The tokenizer (given, or the one in ``directory``); `nil`: tensor checks only.
    public let tokenizerPath: String?
    /// A JSONL corpus for the perplexity and continuation checks; `nil`: not run.
    public let corpus: String?
    /// Documents of ``corpus`` scored.
    public let corpusDocuments: Int
    /// Compute threads.
    public let threads: Int
    /// With a corpus: NLL by position bucket (``LongContextCheck``); nil: not run.
    public var longContext: LongContextOptions?
    /// The JSON key of the corpus text.
    public var textKey = "text"

    /// What ``LongContextCheck`` runs with.
    public struct LongContextOptions: Sendable {
        /// Window length (default: the config's context).
        public var context: Int?
        /// Bucket edges (default: 512, 1024, 2048, … below the context).
        public var edges: [Int]?
        /// Tokens a bucket needs to be compared.
        public var minimumTokens: Int
        /// Options; `nil`s take the defaults above.
        public init(context: Int? = nil, edges: [Int]? = nil, minimumTokens: Int = 100) {
            self.context = context
            self.edges = edges
            self.minimumTokens = minimumTokens
        }
    }

    /// The checks of the checkpoint against its tokenizer (CorpusKitCompat's `CheckpointCompatibility`,
    /// which this module does not import), run when there is a tokenizer; without them, or without a
    /// tokenizer, the tensor table is checked (``tableChecks(_:)``).
    public let tokenizerChecks: TokenizerChecks?

    /// Checks of a checkpoint directory against a tokenizer file: `(tokenizerPath, modelDirectory)`.
    public typealias TokenizerChecks = @Sendable (_ tokenizerPath: String, _ modelDirectory: String) throws -> [CompatCheck]

    /// Without `tokenizerPath`, a `tokenizer.model` or `tokenizer.json` in `directory` is used when present.
    public init(directory: String, tokenizerPath: String?, corpus: String?, corpusDocuments: Int = 50, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                tokenizerChecks: TokenizerChecks? = nil) {
        self.tokenizerChecks = tokenizerChecks
        self.directory = directory
        let own = ["tokenizer.model", "tokenizer.json"].contains { FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0)) }
        self.tokenizerPath = tokenizerPath ?? (own ? directory : nil)
        self.corpus = corpus
        self.corpusDocuments = corpusDocuments
        self.threads = threads
    }

    /// Runs every check that applies.
    /// - Throws: ``InferenceError`` when the checkpoint, tokenizer or corpus cannot be read (a finding is a check, not an error).
    public func run() throws(InferenceError) -> ModelHealthReport {
        let checkpoint: CheckpointDirectory
        do { checkpoint = try CheckpointDirectory(path: directory) } catch { throw .checkpoint(error) }
        var checks: [CompatCheck] = []
        var tokenizerSize: Int?
        var tokenizer: Tokenizer?
        if let tokenizerPath {
            if let tokenizerChecks {
                do { checks += try tokenizerChecks(tokenizerPath, directory) } catch { throw .checks(error) }
            } else {
                checks += Self.tableChecks(checkpoint)
            }
            do { tokenizer = try Tokenizer.load(path: tokenizerPath) } catch { throw .tokenizer(path: tokenizerPath, error) }
            tokenizerSize = tokenizer!.vocabularySize
        } else {
            checks += Self.tableChecks(checkpoint)
        }
        let weights = try MappedWeights(checkpoint: checkpoint)
        var statistics: [String: TensorStatistics] = [:]
        let names = weights.tensors.keys.sorted().filter { [.f32, .f16, .bf16].contains(weights.tensors[$0]!.dtype) }
        for name in names { statistics[name] = Self.statistics(weights.tensors[name]!, rows: nil) }

        // Non-finite values and zeroed tensors.
        var nonFinite: [String] = [], zeroed: [String] = [], zeroVectors: [String] = [], zeroRows: [String] = []
        for name in names {
            let s = statistics[name]!
            if s.nan > 0 || s.infinite > 0 { nonFinite.append("\(name) (\(s.nan) NaN, \(s.infinite) Inf of \(s.count))") }
            if s.allZero {
                if weights.tensors[name]!.shape.count >= 2 { zeroed.append(name) } else { zeroVectors.append(name) }
            } else if s.zeroRows > 0 && weights.tensors[name]!.shape.count >= 2 {
                zeroRows.append("\(name) (\(s.zeroRows) of \(s.rows) rows)")
            }
        }
        checks.append(nonFinite.isEmpty ? CompatCheck("finite", .ok, "no NaN or Inf in \(names.count) tensors")
                                        : CompatCheck("finite", .error, "NaN/Inf in " + Self.list(nonFinite)))
        if !zeroed.isEmpty { checks.append(CompatCheck("zeroed tensors", .error, "all zero: " + Self.list(zeroed))) }
        if !zeroVectors.isEmpty { checks.append(CompatCheck("zero vectors", .warning, "all zero: " + Self.list(zeroVectors))) }
        if !zeroRows.isEmpty { checks.append(CompatCheck("zero rows", .warning, Self.list(zeroRows))) }

        // Padding rows of the embedding and lm_head.
        let spec = try? ModelSpec(config: checkpoint.config, generation: checkpoint.generationConfig)
        if let spec, let size = tokenizerSize, size < spec.vocabularySize {
            let heads = [spec.expected.embeddingName] + (spec.tiesWordEmbeddings ? [] : [CheckpointArchitecture.outputName])
            for name in heads {
                guard let tensor = weights.tensors[name], tensor.rows == spec.vocabularySize, statistics[name] != nil else { continue }
                let used = Self.statistics(tensor, rows: 0..<size), padding = Self.statistics(tensor, rows: size..<tensor.rows)
                let detail = String(format: "rows %d..<%d (padding beyond the tokenizer's %d): rms %.4g, %d all-zero; rows 0..<%d: rms %.4g, %d all-zero",
                                    size, tensor.rows, size, padding.rms, padding.zeroRows, size, used.rms, used.zeroRows)
                let bad = used.zeroRows > 0 || padding.nan > 0 || padding.infinite > 0
                checks.append(CompatCheck("padding \(name)", bad ? .warning : .ok, detail))
            }
        }

        // Byte-identical matrices.
        var byKey: [String: [String]] = [:]
        for name in names where weights.tensors[name]!.shape.count >= 2 && !(statistics[name]!.allZero) {
            let t = weights.tensors[name]!
            byKey["\(t.dtype) \(t.shape) \(Self.hash(t))", default: []].append(name)
        }
        var copies: [String] = []
        for group in byKey.values where group.count > 1 {
            let first = weights.tensors[group[0]]!
            for other in group.dropFirst() where memcmp(first.base, weights.tensors[other]!.base, first.byteCount) == 0 {
                copies.append("\(other) = \(group[0])")
            }
        }
        checks.append(copies.isEmpty ? CompatCheck("copies", .ok, "no matrix is identical to another")
                                     : CompatCheck("copies", .error, "identical tensors (a copy bug?): " + Self.list(copies.sorted())))

        // Layer outliers.
        var roles: [String: [(Int, Double)]] = [:]
        let layerPattern = try! NSRegularExpression(pattern: #"^(model\.layers\.|transformer\.h\.)(\d+)\."#)
        for name in names {
            let range = NSRange(name.startIndex..., in: name)
            guard let match = layerPattern.firstMatch(in: name, range: range), let r = Range(match.range(at: 2), in: name),
                  let layer = Int(name[r]) else { continue }
            let role = layerPattern.stringByReplacingMatches(in: name, range: range, withTemplate: "$1N.")
            let rms = statistics[name]!.rms
            if rms.isFinite { roles[role, default: []].append((layer, rms)) }
        }
        var outliers: [String] = []
        for (role, values) in roles.sorted(by: { $0.key < $1.key }) where values.count >= 2 {
            for (layer, rms) in values.sorted(by: { $0.0 < $1.0 }) {
                let others = values.filter { $0.0 != layer }.map(\.1).sorted()
                let median = others[others.count / 2]
                guard median > 0 else { continue }
                let ratio = rms / median
                if ratio > 4 || ratio < 0.25 {
                    outliers.append(String(format: "%@ layer %d: rms %.4g vs median %.4g of the other layers", role.replacingOccurrences(of: ".N.", with: ".\(layer)."), layer, rms, median))
                }
            }
        }
        checks.append(outliers.isEmpty ? CompatCheck("layer norms", .ok, "no layer tensor is an outlier against the other layers")
                                       : CompatCheck("layer norms", .warning, Self.list(outliers)))

        // MoE: expert copies and zeroed experts.
        // (A checkpoint that cannot be loaded has its missing or misshapen tensors reported above.)
        if spec?.routing != nil, let model = try? CausalLM(directory: directory, threads: threads) {
            checks += MixtureOfExpertsCheck(model: model).weightChecks()
        }

        // A run on a corpus.
        if let corpus {
            guard let tokenizer else { throw .corpusNeedsTokenizer }
            checks += try runChecks(corpus: corpus, tokenizer: tokenizer, spec: spec)
        }

        let worst = checks.map(\.status).max() ?? .ok
        let verdict: Verdict = worst == .ok ? .sane : worst == .warning ? .saneWithWarnings : .broken
        var facts: [String: any Sendable] = ["model": directory, "tensor_count": names.count]
        facts["tensors"] = names.map { name -> [String: any Sendable] in
            let s = statistics[name]!
            return ["name": name, "nan": s.nan, "inf": s.infinite, "min": Self.finite(s.minimum), "max": Self.finite(s.maximum),
                    "mean": Self.finite(s.mean), "std": Self.finite(s.std), "zero_rows": s.zeroRows]
        }
        let report = CompatReport(form: "model-check", verdict: verdict, compatible: worst != .error, checks: checks, facts: facts)
        return ModelHealthReport(compat: report, statistics: statistics)
    }

    private func runChecks(corpus: String, tokenizer: Tokenizer, spec: ModelSpec?) throws(InferenceError) -> [CompatCheck] {
        let model = try CausalLM(directory: directory, threads: threads)
        var checks: [CompatCheck] = []
        let context = min(2048, model.spec.maximumPositions ?? 2048)
        let evaluator = try PerplexityEvaluator(model: model, tokenizer: tokenizer, options: .init(context: context, stride: min(512, context)))
        var summary = PerplexityEvaluator.Summary()
        do {
            let limited = try Self.firstDocuments(corpus, count: corpusDocuments, key: textKey)
            for text in limited {
                let ids = try evaluator.ids(for: text)
                let (nll, tokens) = try evaluator.score(ids)
                summary.documents.append(.init(line: summary.documents.count + 1, tokens: tokens, nll: nll, bytes: text.utf8.count))
            }
        }
        let vocabulary = model.spec.vocabularySize
        let p = summary.perplexity
        let plausible = p.isFinite && p <= Double(vocabulary)
        checks.append(CompatCheck("perplexity", plausible ? .ok : .warning,
            String(format: "%.4g over %d tokens of %d documents (bits per byte %.4f)%@", p, summary.tokens, summary.documents.count, summary.bitsPerByte,
                   plausible ? "" : ": above the vocabulary size \(vocabulary), worse than a uniform guess")))
        // The prompt as `model generate --prompt` runs it (the checkpoint's bos, else the tokenizer's).
        let prompt: [Int]
        do { prompt = try TextPrompt.ids(Self.prompt, model: model, tokenizer: tokenizer, addBOS: true) } catch {
            throw .encoding(what: "the check prompt", error)
        }
        let produced = try GreedyGenerator(model: model).generate(prompt: prompt, maxNewTokens: 24, ignoreEOS: true)
        var counts: [Int: Int] = [:]
        for id in produced { counts[id, default: 0] += 1 }
        let (top, topCount) = counts.max { $0.value < $1.value } ?? (0, 0)
        let text = (try? TextPrompt.text(produced, tokenizer: tokenizer)) ?? "?"
        let repeats = topCount * 2 >= produced.count && produced.count >= 4
        checks.append(CompatCheck("continuation", repeats ? .warning : .ok,
            "\(Self.prompt.debugDescription) → \(text.debugDescription) \(produced)" + (repeats ? ": id \(top) fills \(topCount) of \(produced.count) tokens" : "")))
        if model.spec.routing != nil,
           let routing = try MixtureOfExpertsCheck(model: model).routingCheck(texts: Self.firstDocuments(corpus, count: corpusDocuments, key: textKey), tokenizer: tokenizer, context: context) {
            checks.append(routing)
        }
        if let longContext {
            var check = try LongContextCheck(model: model, tokenizer: tokenizer, context: longContext.context, edges: longContext.edges)
            check.minimumTokens = longContext.minimumTokens
            checks.append(try check.check(texts: Self.firstDocuments(corpus, count: corpusDocuments, key: textKey)))
        }
        return checks
    }

    static func firstDocuments(_ path: String, count: Int, key: String = "text") throws(InferenceError) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .corpus(path: path, reason: "cannot be read") }
        var texts: [String] = []
        var line = 0
        for raw in data.split(separator: UInt8(ascii: "\n")) where texts.count < count {
            line += 1
            guard let object = try? JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any], let text = object[key] as? String else {
                throw .corpusLine(path: path, line: line, reason: "not a JSON object with a \"\(key)\" string")
            }
            texts.append(text)
        }
        return texts
    }

    static func list(_ items: [String]) -> String { items.prefix(8).joined(separator: "; ") + (items.count > 8 ? "; … (\(items.count) in all)" : "") }
    static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

    /// The tensor table of the architecture: missing and misshapen tensors (the compat checks, without a tokenizer).
    static func tableChecks(_ checkpoint: CheckpointDirectory) -> [CompatCheck] {
        let config = checkpoint.config
        var checks = checkpoint.tensors.indexProblems.map { CompatCheck("index", .error, $0) }
        let expected: ExpectedTensors
        do { expected = try ExpectedTensors(config: config) } catch {
            return checks + [CompatCheck("tensors", .error, "\(error)")]
        }
        let present = checkpoint.tensors.byName.reduce(into: [String: TensorInfo]()) { $0[ExpectedTensors.normalizedName($1.key, architecture: config.architecture)] = $1.value }
        var missing: [String] = [], wrong: [String] = [], unexpected: [String] = []
        for (name, shape) in expected.shapes.sorted(by: { $0.key < $1.key }) {
            guard let t = present[name] else { missing.append(name); continue }
            if t.shape != shape { wrong.append("\(name) \(t.shape), expected \(shape)") }
        }
        for name in present.keys.sorted() where expected.shapes[name] == nil && !ExpectedTensors.isIgnorable(name) {
            unexpected.append(name)
        }
        if missing.isEmpty && wrong.isEmpty {
            checks.append(CompatCheck("tensors", .ok, "all \(expected.shapes.count) tensors of \(config.architecture ?? "?") present with the expected shapes"))
        }
        if !missing.isEmpty { checks.append(CompatCheck("missing tensors", .error, list(missing))) }
        if !wrong.isEmpty { checks.append(CompatCheck("tensor shapes", .error, list(wrong))) }
        if !unexpected.isEmpty { checks.append(CompatCheck("unexpected tensors", .warning, list(unexpected))) }
        return checks
    }

    /// Statistics over `rows` of `tensor` (all when nil), converted row by row.
    static func statistics(_ tensor: WeightTensor, rows: Range<Int>?) -> TensorStatistics {
        var s = TensorStatistics()
        let width = tensor.shape.count >= 2 ? tensor.elementCount / max(tensor.rows, 1) : tensor.elementCount
        let range = rows ?? 0..<(tensor.shape.count >= 2 ? tensor.rows : (tensor.elementCount > 0 ? 1 : 0))
        guard width > 0 else { return s }
        var buffer = [Float](repeating: 0, count: width)
        buffer.withUnsafeMutableBufferPointer { b in
            let p = b.baseAddress!
            for r in range {
                tensor.convert(from: r * width, count: width, into: p)
                var rowSum = 0.0, rowSquares = 0.0, nonZero = false
                var lo = Float.infinity, hi = -Float.infinity
                for i in 0..<width {
                    let v = p[i]
                    if v.isNaN { s.nan += 1; nonZero = true; continue }
                    if v.isInfinite { s.infinite += 1; nonZero = true; continue }
                    if v != 0 { nonZero = true }
                    lo = min(lo, v); hi = max(hi, v)
                    let d = Double(v)
                    rowSum += d
                    rowSquares += d * d
                }
                s.sum += rowSum
                s.sumOfSquares += rowSquares
                s.minimum = min(s.minimum, Double(lo))
                s.maximum = max(s.maximum, Double(hi))
                if !nonZero { s.zeroRows += 1 }
                s.rows += 1
                s.count += width
            }
        }
        return s
    }

    /// FNV-1a over 8-byte words (a prefilter; equality is confirmed with memcmp).
    static func hash(_ tensor: WeightTensor) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let n = tensor.byteCount
        var i = 0
        while i + 8 <= n {
            h = (h ^ tensor.base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            i += 8
        }
        while i < n { h = (h ^ UInt64(tensor.base.load(fromByteOffset: i, as: UInt8.self))) &* 0x100_0000_01b3; i += 1 }
        return h
    }
}
