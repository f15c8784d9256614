import CorpusKitPipeline
import CorpusKitMegatron

/// Counts raw corpora without writing shards, by running the tokenize pipeline in its count-only
/// mode (``TokenizeConfiguration/writesShards`` off): the same input expansion, JSON parsing,
/// bad-line policy and tokenization as `corpuskit tokenize`, so every file's token count equals
/// what `tokenize` writes for that file alone.
///
/// One dataset per input file and JSON key (named `file`, or `file:key` with several keys); a
/// file given twice is read twice into its one row, as `tokenize` would read it twice.
public final class CorpusCounter: DocumentSink {
    private let keys: [String]
    private let root: String?
    private var counts: [DatasetCount] = []
    private var indexOfFile: [String: Int] = [:]

    private init(keys: [String], root: String?) {
        self.keys = keys
        self.root = root
    }

    /// Runs the pipeline over `configuration.inputs` and returns one count per file and key, in
    /// reading order, and the pipeline's summary (skipped lines, timings).
    public static func count(
        configuration: TokenizeConfiguration, encoder: DocumentEncoder, root: String? = nil,
        progress: ProgressReporter? = nil, cancellation: PipelineCancellation = PipelineCancellation()
    ) throws(PipelineError) -> (counts: [DatasetCount], summary: TokenizeSummary) {
        var configuration = configuration
        configuration.writesShards = false
        configuration.measuresText = true
        configuration.resume = false
        configuration.tokenInfoCSV = nil
        let counter = CorpusCounter(keys: configuration.jsonKeys, root: root)
        let summary = try TokenizePipeline(configuration: configuration, encoder: encoder)
            .run(progress: progress, cancellation: cancellation, sink: counter)
        // Files without documents get their (empty) rows too, in reading order.
        var ordered: [DatasetCount] = []
        var emitted = Set<String>()
        for file in summary.inputFiles where emitted.insert(file).inserted {
            for k in counter.keys.indices {
                if let i = counter.indexOfFile[file] {
                    ordered.append(counter.counts[i + k])
                } else {
                    var empty = counter.makeCount(file: file, key: k)
                    empty.textBytes = 0
                    empty.textCharacters = 0
                    ordered.append(empty)
                }
            }
        }
        return (ordered, summary)
    }

    private func makeCount(file: String, key k: Int) -> DatasetCount {
        let source = keys.count > 1 ? "\(file):\(keys[k])" : file
        return DatasetCount(source: source, name: DatasetNaming.name(of: source, root: root))
    }

    /// Adds a batch's documents to its file's counts (``DocumentSink``).
    public func consume(_ batch: SinkBatch) throws {
        let base: Int
        if let existing = indexOfFile[batch.path] {
            base = existing
        } else {
            base = counts.count
            indexOfFile[batch.path] = base
            for k in keys.indices {
                var count = makeCount(file: batch.path, key: k)
                count.textBytes = 0
                count.textCharacters = 0
                counts.append(count)
            }
        }
        for k in keys.indices {
            var count = counts[base + k]
            for length in batch.lengths[k] { count.addDocument(tokens: length) }
            count.textBytes! += batch.textBytes[k].reduce(0, +)
            count.textCharacters! += batch.textCharacters[k].reduce(0, +)
            counts[base + k] = count
        }
    }
}
