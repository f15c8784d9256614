import CorpusKitReaders

/// The token ids of one JSON key for the documents of a batch.
struct EncodedKey {
    /// The documents' tokens, concatenated.
    var tokens: [Int32] = []
    /// Token count of each kept document (0 for a document stored without sequences).
    var lengths: [Int] = []
    /// With ``TokenizeConfiguration/measuresText``: UTF-8 bytes of each kept document's text.
    var textBytes: [Int] = []
    /// With ``TokenizeConfiguration/measuresText``: Unicode scalars (Python `len`) of each kept document's text.
    var textCharacters: [Int] = []
}

/// A run of consecutive lines from one input file: filled by the reader, parsed and tokenized by
/// one worker, written by the writer, then reset and reused.
///
/// The reader only cuts the stream into blocks of whole lines; splitting and JSON parsing run in
/// the workers, so that with as many workers as cores the one serial stage (decompression)
/// stays small.
///
/// `@unchecked Sendable`: a batch is owned by exactly one thread at a time and handed between
/// threads only through ``BlockingQueue`` and ``ReorderBuffer``, whose locks order the accesses.
final class DocumentBatch: @unchecked Sendable {
    /// Position in input order; the writer writes batches by increasing sequence.
    var sequence = 0
    /// The file the documents come from.
    var path = ""
    /// Whether this is the first batch of `path` (the writer restarts line numbering there).
    var startsFile = false
    /// The batch's lines, as read (split and parsed by the worker).
    let block = LineBlock()
    /// Decompressed bytes of the lines consumed for this batch (newlines included).
    var inputBytes: Int { block.count }
    /// Compressed bytes of all input read when the batch was closed (for the ETA).
    var inputPosition = 0
    /// With `--on-error skip`: a file that could not be read to its end (after this batch's lines).
    var streamProblems: [LineProblem] = []
    /// With `--on-error fail`: the stream problem that ended the input right after this batch's lines.
    var failure: LineProblem?
    /// Set by the worker: the number of lines in `block` (the reader does not count them); 0 when
    /// the worker stopped at a bad line under `--on-error fail`.
    var lineCount = 0
    /// Set by the worker: lines that did not become documents (bad JSON, tokenizer errors), in
    /// line order, numbered from 1 at the batch's first line; under `--on-error fail` only the
    /// first, and nothing after it was tokenized.
    var lineProblems: [LineProblem] = []
    /// Set by the worker: the tokens per key.
    var outputs: [EncodedKey]

    private let keyCount: Int

    init(keyCount: Int) {
        self.keyCount = keyCount
        outputs = Array(repeating: EncodedKey(), count: keyCount)
    }

    /// Whether the batch carries anything for the writer.
    var isEmpty: Bool { block.count == 0 && streamProblems.isEmpty && failure == nil }

    /// Clears the batch for reuse, keeping moderately sized buffers.
    func reset() {
        let keepLimit = 64 << 20
        block.removeAll(keepingAtMost: keepLimit)
        inputPosition = 0
        startsFile = false
        lineCount = 0
        streamProblems.removeAll()
        failure = nil
        lineProblems.removeAll()
        for k in 0..<keyCount {
            if outputs[k].tokens.capacity > keepLimit / 4 {
                outputs[k] = EncodedKey()
            } else {
                outputs[k].tokens.removeAll(keepingCapacity: true)
                outputs[k].lengths.removeAll(keepingCapacity: true)
                outputs[k].textBytes.removeAll(keepingCapacity: true)
                outputs[k].textCharacters.removeAll(keepingCapacity: true)
            }
        }
    }
}
