/// The token ids of one JSON key for the documents of a batch.
struct EncodedKey {
    /// The documents' tokens, concatenated.
    var tokens: [Int32] = []
    /// Token count of each kept document (0 for a document stored without sequences).
    var lengths: [Int] = []
}

/// A run of consecutive lines from one input file: filled by the reader, parsed and tokenized by
/// one worker, written by the writer, then reset and reused.
///
/// The reader only splits lines; JSON extraction runs in the workers, so that with as many
/// workers as cores the one serial stage (decompression and line splitting) stays small.
///
/// `@unchecked Sendable`: a batch is owned by exactly one thread at a time and handed between
/// threads only through ``BlockingQueue`` and ``ReorderBuffer``, whose locks order the accesses.
final class DocumentBatch: @unchecked Sendable {
    /// Position in input order; the writer writes batches by increasing sequence.
    var sequence = 0
    /// The file the documents come from.
    var path = ""
    /// The raw bytes of every line (without terminators), concatenated.
    var lines: [UInt8] = []
    /// End offset in `lines` of each line.
    var lineEnds: [Int] = []
    /// Line number of each line.
    var lineNumbers: [Int] = []
    /// Offset of each line in the decompressed stream.
    var lineOffsets: [Int] = []
    /// Decompressed bytes of the lines consumed for this batch (newline included).
    var inputBytes = 0
    /// Compressed bytes of all input read when the batch was closed (for the ETA).
    var inputPosition = 0
    /// With `--on-error skip`: a file that could not be read to its end (after this batch's lines).
    var streamProblems: [LineProblem] = []
    /// With `--on-error fail`: the stream problem that ended the input right after this batch's lines.
    var failure: LineProblem?
    /// Set by the worker: lines that did not become documents (bad JSON, tokenizer errors), in
    /// line order; under `--on-error fail` only the first, and nothing after it was tokenized.
    var lineProblems: [LineProblem] = []
    /// Set by the worker: the tokens per key.
    var outputs: [EncodedKey]

    private let keyCount: Int

    init(keyCount: Int) {
        self.keyCount = keyCount
        outputs = Array(repeating: EncodedKey(), count: keyCount)
    }

    var lineCount: Int { lineNumbers.count }

    /// Whether the batch carries anything for the writer.
    var isEmpty: Bool { lineNumbers.isEmpty && streamProblems.isEmpty && failure == nil }

    /// Clears the batch for reuse, keeping moderately sized buffers.
    func reset() {
        let keepLimit = 64 << 20
        if lines.capacity > keepLimit { lines = [] } else { lines.removeAll(keepingCapacity: true) }
        lineEnds.removeAll(keepingCapacity: true)
        lineNumbers.removeAll(keepingCapacity: true)
        lineOffsets.removeAll(keepingCapacity: true)
        inputBytes = 0
        inputPosition = 0
        streamProblems.removeAll()
        failure = nil
        lineProblems.removeAll()
        for k in 0..<keyCount {
            if outputs[k].tokens.capacity > keepLimit / 4 {
                outputs[k] = EncodedKey()
            } else {
                outputs[k].tokens.removeAll(keepingCapacity: true)
                outputs[k].lengths.removeAll(keepingCapacity: true)
            }
        }
    }
}
