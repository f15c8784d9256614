import Foundation
import CorpusKitPlan
import CorpusKitSystem

/// Megatron's `lm loss` of a checkpoint on exactly the samples a training step saw (`model loss`).
///
/// The samples are ``Replayer``'s (megatron-core 0.16.1's `BlendedDataset[g]`): `seq_length + 1`
/// ids each. As `pretrain_gpt.py` with its defaults (no `--reset-position-ids`,
/// `--reset-attention-mask` or `--eod-mask-loss`), a sample's tokens are `ids[0..<L]` at positions
/// `0..<L`, causal over the whole packed sample (documents attend across their eod), the labels are
/// `ids[1...L]`, and every label counts. The loss is the mean −log p of the labels over all tokens
/// of the chosen samples — what the training log's `lm loss` at that iteration averages (equal
/// token counts per sample make the mean of per-microbatch means the mean over tokens). Per token:
/// the float32 logits' log-softmax in float64; sums in float64. Dropout is off (evaluation).
public struct TrainingStepLoss {
    /// Which global samples.
    public enum Selection: Sendable {
        /// Steps `first ..< first + count`.
        case steps(first: Int, count: Int)
        /// Global samples `range`.
        case samples(Range<Int>)
    }

    /// One dataset's share of the selected samples.
    public struct Dataset: Sendable {
        /// Its 0-based position in the data path.
        public var index: Int
        /// Its prefix.
        public var prefix: String
        /// Samples (or parts of samples) it contributed.
        public var samples = 0
        /// Labels scored from it.
        public var tokens = 0
        /// Σ NLL of those labels, nats.
        public var nll = 0.0
        /// Its mean NLL per label (NaN when none).
        public var loss: Double { tokens > 0 ? nll / Double(tokens) : .nan }
    }

    /// The loss of the selected samples, in total and by dataset.
    public struct Result: Sendable {
        /// The steps covered (the samples' steps for a sample range).
        public var steps: Range<Int>
        /// The global samples scored.
        public var samples: Range<Int>
        /// Labels scored.
        public var tokens = 0
        /// Σ NLL of the labels, nats.
        public var nll = 0.0
        /// Per-sample mean NLL, in sample order.
        public var sampleLosses: [Double] = []
        /// The datasets the samples came from, in data-path order.
        public var datasets: [Dataset] = []
        /// The lm loss: mean NLL per label (NaN when none).
        public var loss: Double { tokens > 0 ? nll / Double(tokens) : .nan }
    }

    /// The checkpoint.
    public let model: CausalLM
    /// The run's samples.
    public let replayer: Replayer

    /// A loss evaluation of `model` on `replayer`'s samples.
    /// - Throws: ``ParityError/incompatible(_:)`` when the sequence length exceeds the model's positions.
    public init(model: CausalLM, replayer: Replayer) throws(ParityError) {
        let length = replayer.plan.configuration.sequenceLength
        if let limit = model.spec.maximumPositions, length > limit {
            throw .incompatible("the sequence length \(length) exceeds the model's n_positions \(limit)")
        }
        self.model = model
        self.replayer = replayer
    }

    /// Opens the checkpoint and the run's datasets.
    public static func load(checkpoint: String, configuration: PlanConfiguration, threads: Int) throws(ParityError) -> TrainingStepLoss {
        let model: CausalLM
        do { model = try CausalLM(directory: checkpoint, threads: threads) } catch { throw .badCheckpoint(path: checkpoint, reason: error.description) }
        let replayer: Replayer
        do { replayer = try Replayer(configuration: configuration) } catch { throw .badInput(location: "data path", reason: "\(error)") }
        return try TrainingStepLoss(model: model, replayer: replayer)
    }

    /// The loss on the selected samples.
    public func evaluate(_ selection: Selection) throws(ParityError) -> Result {
        let samples: [ReplaySample]
        do {
            switch selection {
            case .steps(let first, let count): samples = try replayer.steps(first, count: count, ids: true)
            case .samples(let range):
                guard !range.isEmpty else { throw ParityError.invalidOption("the sample range is empty") }
                samples = try replayer.samples(range, ids: true)
            }
        } catch let error as ParityError {
            throw error
        } catch {
            throw .invalidOption("\(error)")
        }
        guard let first = samples.first, let last = samples.last else { throw .invalidOption("no samples selected") }
        var result = Result(steps: first.step..<(last.step + 1), samples: first.sample..<(last.sample + 1))
        var datasets: [Int: Dataset] = [:]
        let vocab = model.spec.vocabularySize
        let cache = model.makeCache(capacity: replayer.plan.configuration.sequenceLength)
        for sample in samples {
            let ids = (sample.ids ?? []).map(Int.init)
            guard ids.count >= 2 else { throw .badInput(location: sample.prefix, reason: "sample \(sample.sample) has \(ids.count) ids") }
            if let bad = ids.first(where: { $0 < 0 || $0 >= vocab }) {
                throw .incompatible("sample \(sample.sample) (\(sample.prefix)) holds id \(bad), outside the model's vocab_size \(vocab)")
            }
            cache.reset()
            let tokens = Array(ids.dropLast())
            let hidden: [Float]
            do { hidden = try model.finalHiddenStates(tokens, cache: cache, lastOnly: false) } catch { throw .model(error.description) }
            var nll = 0.0
            var row = 0
            while row < tokens.count {
                let count = min(ModelComparison.logitRows, tokens.count - row)
                let logits = model.logits(hidden, rows: count, first: row)
                for i in 0..<count { nll += Self.negativeLogLikelihood(logits, row: i * vocab, width: vocab, target: ids[row + i + 1]) }
                row += count
            }
            result.nll += nll
            result.tokens += tokens.count
            result.sampleLosses.append(nll / Double(tokens.count))
            var d = datasets[sample.dataset] ?? Dataset(index: sample.dataset, prefix: sample.prefix)
            d.samples += 1
            d.tokens += tokens.count
            d.nll += nll
            datasets[sample.dataset] = d
        }
        result.datasets = datasets.values.sorted { $0.index < $1.index }
        return result
    }

    /// `−log_softmax(row)[target]`, the log-sum-exp in float64.
    static func negativeLogLikelihood(_ logits: [Float], row: Int, width: Int, target: Int) -> Double {
        logits.withUnsafeBufferPointer { p in
            let x = p.baseAddress! + row
            var m = x[0]
            for i in 1..<width where x[i] > m { m = x[i] }
            var sum = 0.0
            let mm = Double(m)
            for i in 0..<width { sum += Foundation.exp(Double(x[i]) - mm) }
            return mm + Foundation.log(sum) - Double(x[target])
        }
    }
}

extension TrainingStepLoss.Result {
    /// The result as one JSON object (`--json`).
    public func json() -> String {
        func n(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        let datasets = self.datasets.map {
            "{\"dataset\": \($0.index), \"prefix\": \(TextFormat.jsonString($0.prefix)), \"samples\": \($0.samples), \"tokens\": \($0.tokens), \"loss\": \(n($0.loss))}"
        }
        let step = steps.count == 1 ? "\(steps.lowerBound)" : "[\(steps.lowerBound), \(steps.upperBound - 1)]"
        return "{\"step\": \(step), \"samples\": [\(samples.lowerBound), \(samples.upperBound)], \"tokens\": \(tokens), \"loss\": \(n(loss)), \"datasets\": [\(datasets.joined(separator: ", "))], \"sample_losses\": [\(sampleLosses.map(n).joined(separator: ", "))]}"
    }

    /// The `model loss` report.
    public func text() -> String {
        let stepText = steps.count == 1 ? "step \(steps.lowerBound)" : "steps \(steps.lowerBound)...\(steps.upperBound - 1)"
        var lines = [
            "\(stepText): samples \(samples.lowerBound)..<\(samples.upperBound), \(tokens) tokens",
            String(format: "lm loss: %.6f (perplexity %.4f)", loss, exp(loss)),
        ]
        for d in datasets {
            lines.append("  \(d.prefix): \(d.samples) samples, \(d.tokens) tokens, loss " + String(format: "%.6f", d.loss))
        }
        return lines.joined(separator: "\n")
    }
}
