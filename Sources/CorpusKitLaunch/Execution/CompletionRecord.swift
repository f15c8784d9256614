import Foundation
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitSystem

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
        /// Sizes of the `.idx` and `.bin` files when they were published (absent in records of
        /// earlier versions).
        public var indexBytes: Int?
        public var dataBytes: Int?
        /// Modification time of the `.bin` when it was published (seconds since 1970).
        public var modifiedAt: Double?

        /// A record of `prefix`'s files as they are now.
        public init(prefix: String, documents: Int, tokens: Int) {
            self.prefix = prefix
            self.documents = documents
            self.tokens = tokens
            let data = POSIXFile.status(path: MegatronFormat.dataPath(prefix: prefix))
            indexBytes = POSIXFile.size(path: MegatronFormat.indexPath(prefix: prefix))
            dataBytes = data?.size
            modifiedAt = data?.modifiedAt
        }
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
    /// The files must exist with the sizes recorded. With `deep` the datasets are also fully
    /// validated as `tokenize --resume` does (header, every pointer, the document index, the
    /// `.bin` size, the dtype) and their counts compared with the record.
    public func problem(plan: LaunchPlan, input: PlannedInput, deep: Bool) -> String? {
        if outputDigest != plan.outputDigest(of: input) { return "its record was made under another plan" }
        let prefixes = plan.datasetPrefixes(of: input)
        guard prefixes == datasets.map(\.prefix) else { return "its record names other datasets" }
        for dataset in datasets {
            for (file, recorded) in [(MegatronFormat.indexPath(prefix: dataset.prefix), dataset.indexBytes),
                                     (MegatronFormat.dataPath(prefix: dataset.prefix), dataset.dataBytes)] {
                guard let size = POSIXFile.size(path: file) else { return "\(file) is missing" }
                if let recorded, size != recorded {
                    return "\(file) has \(size) bytes, its completion record says \(recorded)"
                }
            }
            if !deep { continue }
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
