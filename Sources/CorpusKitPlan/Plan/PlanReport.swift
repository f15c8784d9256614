import Foundation
import CorpusKitSystem

/// A `TrainingPlan` as a terminal table, a Markdown report, or one JSON object.
public enum PlanReport {
    /// The JSON object of `corpuskit plan --json`: the totals and one entry per dataset in data-path order.
    public static func json(_ plan: TrainingPlan) -> String {
        let c = plan.configuration
        var out = "{"
        out += "\"total_samples\": \(c.totalSamples), \"sequence_length\": \(c.sequenceLength), "
        out += "\"global_batch_size\": \(c.globalBatchSize), \"iterations\": \(plan.iterations), "
        out += "\"seed\": \(c.seed), \"split\": \(jsonString(c.split.text)), \"blend_size\": \(plan.blendSize), "
        out += "\"total_tokens\": \(plan.totalTokens), \"tokens_trained\": \(c.totalSamples * c.sequenceLength), "
        out += "\"iterations_per_pass\": \(plan.iterationsPerPass), \"datasets\": ["
        out += plan.datasets.map { d in
            var o = "{\"prefix\": \(jsonString(d.prefix)), \"weight\": \(d.weight.map(jsonDouble) ?? "null"), "
            o += "\"normalized_weight\": \(jsonDouble(d.normalizedWeight)), \"documents\": \(d.documents), "
            o += "\"tokens\": \(d.tokens), \"samples\": \(d.samples), \"tokens_trained\": \(d.tokensTrained), "
            o += "\"epochs\": \(jsonDouble(d.epochs)), \"epochs_built\": \(d.epochPlan.epochs), "
            o += "\"separate_final_epoch\": \(d.epochPlan.separateFinalEpoch), "
            o += "\"samples_requested\": \(d.requestedSamples.map(String.init) ?? "null"), "
            o += "\"samples_built\": \(d.epochPlan.sampleCount), \"blend_samples\": \(d.blendSamples)}"
            return o
        }.joined(separator: ", ")
        out += "], \"warnings\": [" + plan.warnings.map(jsonString).joined(separator: ", ") + "]}"
        return out
    }

    /// The terminal table (also the body of the Markdown report when `markdown` is true).
    public static func table(_ plan: TrainingPlan, markdown: Bool = false) -> String {
        let header = ["#", "dataset", "weight", "share", "documents", "tokens", "samples", "tokens trained", "epochs", "built"]
        var rows: [[String]] = plan.datasets.enumerated().map { i, d in
            [
                String(i), d.prefix, d.weight.map { compact($0) } ?? "-", String(format: "%.4f%%", 100 * d.normalizedWeight),
                grouped(d.documents), grouped(d.tokens), grouped(d.samples), grouped(d.tokensTrained),
                String(format: "%.3f", d.epochs),
                "\(d.epochPlan.epochs)\(d.epochPlan.separateFinalEpoch ? " (last apart)" : "")",
            ]
        }
        let c = plan.configuration
        rows.append([
            "", "total", "", "", grouped(plan.datasets.reduce(0) { $0 + $1.documents }), grouped(plan.totalTokens),
            grouped(c.totalSamples), grouped(c.totalSamples * c.sequenceLength), "", "",
        ])
        var lines: [String] = []
        if markdown {
            lines.append("| " + header.joined(separator: " | ") + " |")
            lines.append("|" + header.indices.map { $0 == 1 ? "---|" : "---:|" }.joined())
            for r in rows { lines.append("| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |") }
        } else {
            let widths = header.indices.map { k in ([header[k]] + rows.map { $0[k] }).map(\.count).max()! }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { k, cell in
                    let pad = String(repeating: " ", count: widths[k] - cell.count)
                    return k == 1 ? cell + pad : pad + cell
                }.joined(separator: "  ")
            }
            lines.append(line(header))
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            for r in rows.dropLast() { lines.append(line(r)) }
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            lines.append(line(rows.last!))
        }
        return lines.joined(separator: "\n")
    }

    /// The summary lines under the table.
    public static func summary(_ plan: TrainingPlan) -> [String] {
        let c = plan.configuration
        return [
            "samples: \(grouped(c.totalSamples)) = \(grouped(plan.iterations)) iterations × \(c.globalBatchSize) "
                + "(seq length \(c.sequenceLength), seed \(c.seed), split \(c.split.text))",
            "tokens trained: \(grouped(c.totalSamples * c.sequenceLength)) (the train splits hold \(grouped(plan.totalTokens)))",
            "one pass over the mixture: \(grouped(plan.iterationsPerPass)) iterations (ceil(Σ weights / \(c.sequenceLength) / \(c.globalBatchSize)))",
        ]
    }

    /// The Markdown report of `--report FILE.md`.
    public static func markdown(_ plan: TrainingPlan) -> String {
        var out = "# Training plan (megatron-core 0.16.1 GPTDataset / BlendedDataset)\n\n"
        out += summary(plan).map { "- " + $0 }.joined(separator: "\n") + "\n\n"
        out += table(plan, markdown: true) + "\n"
        if !plan.warnings.isEmpty {
            out += "\n## Warnings\n\n" + plan.warnings.map { "- " + $0 }.joined(separator: "\n") + "\n"
        }
        out += "\n`samples`: how many of the run's first N global samples come from the dataset; `epochs`: samples × "
            + "seq length ÷ tokens; `built`: the epochs megatron-core builds the dataset's indices over.\n"
        return out
    }

    // MARK: - Formatting

    static func grouped(_ n: Int) -> String { TextFormat.grouped(n) }

    static func compact(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }

    /// A double as JSON: shortest round-trip digits; integral values keep a `.0`-free integer form.
    public static func jsonDouble(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        return "\(x)"
    }

    /// A string as a JSON string literal.
    public static func jsonString(_ s: String) -> String { TextFormat.jsonString(s) }
}

extension ReplaySample {
    /// The JSON Lines object of `corpuskit replay`: `ids` when present and `includeIds`, and `text`
    /// (the decoded sample) when given.
    public func jsonLine(includeIds: Bool = true, text: String? = nil) -> String {
        var out = "{\"step\": \(step), \"sample\": \(sample), \"dataset\": \(dataset), \"prefix\": \(PlanReport.jsonString(prefix)), "
        out += "\"dataset_sample\": \(datasetSample), \"spans\": ["
        out += spans.map { "[\($0.sequence), \($0.offset), \($0.length)]" }.joined(separator: ", ") + "]"
        if includeIds, let ids { out += ", \"ids\": [" + ids.map(String.init).joined(separator: ", ") + "]" }
        if let text { out += ", \"text\": " + PlanReport.jsonString(text) }
        return out + "}"
    }
}
