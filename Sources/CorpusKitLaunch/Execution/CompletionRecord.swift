import Foundation
import CorpusKitPipeline
import CorpusKitShards

/// Written by a task after one input file's datasets were published:
/// `OUT/.corpuskit/records/task-NNNN/input-NNNN.json`. A file counts as done only when its record
/// exists, was made under the same plan (``LaunchPlan/outputDigest(of:)``) and its datasets still
/// validate with the recorded counts.
public struct CompletionRecord: Codable, Sendable, Equatable {
    /// One dataset of the file (one per JSON key).
    public struct Dataset: Codable, Sendable, Equatable {
        /// The dataset prefix, absolute.
        public var prefix: String
        /// Documents.
        public var documents: Int
        /// Tokens (the token-info CSV's count).
        public var tokens: Int
    }

    /// Index into the plan's inputs.
    public var input: Int
    /// The input file.
    public var path: String
    /// ``LaunchPlan/outputDigest(of:)`` when it was done.
    public var outputDigest: String
    /// The datasets, in `--json-keys` order.
    public var datasets: [Dataset]
    /// Decompressed bytes read.
    public var inputBytes: Int
    /// Lines skipped (`--on-error skip`).
    public var skippedLines: Int
    /// Seconds the file took.
    public var seconds: Double
    /// When it finished (seconds since 1970).
    public var finishedAt: Double
    /// The host that did it.
    public var host: String

    /// Reads the record of `input` if there is one.
    public static func load(_ layout: LaunchLayout, task: Int, input: Int) -> CompletionRecord? {
        StateFile.readIfPresent(CompletionRecord.self, from: layout.recordFile(task: task, input: input))
    }

    /// Why the record does not (or no longer) vouch for `input`'s datasets, or `nil` when it does.
    /// With `deep` the datasets are fully validated as `tokenize --resume` does (header, every
    /// pointer, the document index, the `.bin` size, the dtype) and their counts compared with the
    /// record; otherwise only that both files exist.
    public func problem(plan: LaunchPlan, input: PlannedInput, deep: Bool) -> String? {
        if outputDigest != plan.outputDigest(of: input) { return "its record was made under another plan" }
        let prefixes = plan.datasetPrefixes(of: input)
        guard prefixes == datasets.map(\.prefix) else { return "its record names other datasets" }
        for dataset in datasets {
            if !deep {
                for file in [MegatronFormat.indexPath(prefix: dataset.prefix), MegatronFormat.dataPath(prefix: dataset.prefix)]
                where !FileManager.default.fileExists(atPath: file) {
                    return "\(file) is missing"
                }
                continue
            }
            switch OutputStatus.check(prefix: dataset.prefix, dtype: plan.dtype) {
            case .missing:
                return "\(dataset.prefix).bin/.idx are missing"
            case .incomplete(let reason):
                return reason
            case .complete(let info):
                if info.documents != dataset.documents || info.tokens != dataset.tokens {
                    return "\(dataset.prefix) holds \(info.documents) documents and \(info.tokens) tokens, its record says \(dataset.documents) and \(dataset.tokens)"
                }
            }
        }
        return nil
    }
}
