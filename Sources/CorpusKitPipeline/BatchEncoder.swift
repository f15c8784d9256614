import CorpusKitReaders
import CorpusKitTokenizer
import CorpusKitMegatron

/// The worker stage: parses and tokenizes whole batches, each worker with its own JSON extractor
/// and tokenizer scratch storage.
///
/// Runs on each worker thread until `pending` is closed and drained; finished batches go to
/// `reorder`, which releases them to the writer in input order, so the output does not depend
/// on which worker took which batch.
struct BatchEncoder: Sendable {
    let encoder: DocumentEncoder
    /// The run's keys, JSON extraction options, error policy and whether to record each kept
    /// document's text bytes and characters.
    let configuration: TokenizeConfiguration
    let pending: BlockingQueue<DocumentBatch>
    let reorder: ReorderBuffer

    func run() {
        var state = WorkerState(keys: configuration.jsonKeys, extraction: configuration.extraction)
        while let batch = pending.pop() {
            encode(batch, state: &state)
            reorder.deposit(batch)
        }
    }

    /// What one worker reuses from batch to batch.
    struct WorkerState {
        var extractor: JSONFieldExtractor
        let fields = ExtractedFields()
        var scratch = EncoderScratch()
        var starts: [Int]

        init(keys: [String], extraction: JSONExtractionOptions) {
            extractor = JSONFieldExtractor(keys: keys, options: extraction)
            starts = [Int](repeating: 0, count: keys.count)
        }
    }

    /// Splits `batch` into lines, parses them and tokenizes their documents into `batch.outputs`.
    /// A line that is not a document (blank, bad JSON, or failing tokenization) is left out of
    /// every key and recorded in `batch.lineProblems`; under `--on-error fail` the batch stops there.
    func encode(_ batch: DocumentBatch, state: inout WorkerState) {
        var outputs = batch.outputs
        batch.outputs = []
        defer { batch.outputs = outputs }
        let keyCount = configuration.jsonKeys.count
        let policy = configuration.errorPolicy, measuresText = configuration.measuresText
        let block = batch.block
        struct Stop: Error {}
        // After a stop under `--on-error fail` the count does not matter: the run ends at that line.
        batch.lineCount = (try? block.forEachLine { line, index, offset in
            let location = (line: index + 1, offset: block.streamOffset + offset)
            if let problem = encodeLine(line, at: location, path: batch.path, into: &outputs, state: &state) {
                for k in 0..<keyCount { outputs[k].tokens.removeSubrange(state.starts[k]...) }
                batch.lineProblems.append(problem)
                if policy == .fail { throw Stop() }
                return
            }
            for k in 0..<keyCount {
                outputs[k].lengths.append(outputs[k].tokens.count - state.starts[k])
            }
            if measuresText {
                // The extracted values are still those of this line.
                for k in 0..<keyCount {
                    let text = state.fields[k]
                    outputs[k].textBytes.append(text.count)
                    outputs[k].textCharacters.append(Self.scalarCount(text))
                }
            }
        }) ?? 0
    }

    /// Unicode scalars in valid UTF-8: the bytes that are not continuation bytes (`10xxxxxx`).
    static func scalarCount(_ text: UnsafeRawBufferPointer) -> Int {
        var continuation = 0
        for byte in text where byte & 0xC0 == 0x80 { continuation += 1 }
        return text.count - continuation
    }

    /// Appends the tokens of one line's keys to `outputs` (from `state.starts`); the problem when
    /// the line is not a document.
    private func encodeLine(
        _ line: UnsafeRawBufferPointer, at location: (line: Int, offset: Int), path: String,
        into outputs: inout [EncodedKey], state: inout WorkerState
    ) -> LineProblem? {
        for k in 0..<configuration.jsonKeys.count { state.starts[k] = outputs[k].tokens.count }
        func problem(_ kind: ProblemKind, _ detail: String) -> LineProblem {
            LineProblem(path: path, lineNumber: location.line, byteOffset: location.offset, kind: kind, detail: detail)
        }
        if JSONFieldExtractor.isBlank(line) {
            return problem(.blankLine, "blank line (json.loads would fail: expected a value)")
        }
        do throws(JSONLineError) {
            try state.extractor.extract(from: line, into: state.fields)
        } catch {
            return problem(ProblemKind(error), error.description)
        }
        for k in 0..<configuration.jsonKeys.count {
            do throws(TokenizerError) {
                // JSON extraction validated the UTF-8 (and decoded escapes to valid UTF-8).
                try encoder.encode(
                    state.fields[k].assumingMemoryBound(to: UInt8.self), isValidatedUTF8: true,
                    into: &outputs[k].tokens, scratch: &state.scratch)
            } catch {
                return problem(.tokenizerError, error.description)
            }
        }
        return nil
    }
}
