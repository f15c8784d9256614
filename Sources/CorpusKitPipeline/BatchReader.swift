import CorpusKitReaders

/// The reader stage: cuts the input files, in order, into ``DocumentBatch``es of whole lines.
///
/// Runs on its own thread. Takes empty batches from `free` (so at most that many batches are in
/// flight and memory stays flat), fills each with about `batchBytes` of lines from one file,
/// numbers it and pushes it to `pending`. It only decompresses and finds line boundaries:
/// splitting and JSON parsing happen in the workers (see ``BatchEncoder``). A file that cannot
/// be read to its end ends the input, or with `keepsDamagedInputs` is recorded in the batch. On return it
/// closes `pending` and tells `reorder` how many batches there are.
struct BatchReader: Sendable {
    let files: [String]
    /// Whether a file that cannot be read to its end only ends that file (the documents before the
    /// damage are kept); otherwise it ends the run, whatever the bad-line policy.
    let keepsDamagedInputs: Bool
    let batchBytes: Int
    let free: BlockingQueue<DocumentBatch>
    let pending: BlockingQueue<DocumentBatch>
    let reorder: ReorderBuffer

    func run() {
        var sequence = 0
        defer {
            pending.close()
            reorder.finish(batchCount: sequence)
        }
        /// Numbers and hands over a batch; false when the run is being torn down.
        func emit(_ batch: DocumentBatch) -> Bool {
            if batch.isEmpty {
                free.push(batch)
                return true
            }
            batch.sequence = sequence
            guard pending.push(batch) else { return false }
            sequence += 1
            return true
        }
        /// Records a file that cannot be read (on) in `batch` (emptied) and hands it over; true
        /// when the run goes on with the next file (`--on-error skip`).
        func emitStreamProblem(_ error: InputStreamError, in batch: DocumentBatch) -> Bool {
            // The lines before the failure were all handed over in earlier batches (the writer
            // numbers the problem after them).
            let problem = LineProblem(error)
            batch.block.removeAll()
            if !keepsDamagedInputs {
                batch.failure = problem
                _ = emit(batch)
                return false
            }
            batch.streamProblems.append(problem)
            return emit(batch)
        }
        var finishedFilesBytes = 0
        for path in files {
            let reader: LineBlockReader
            do {
                reader = try LineBlockReader(path: path)
            } catch {
                guard let batch = free.pop() else { return }
                batch.path = path
                batch.startsFile = true
                guard emitStreamProblem(error, in: batch) else { return }
                continue
            }
            let source = reader.source
            var startsFile = true
            while true {
                guard let batch = free.pop() else { return }
                batch.path = path
                batch.startsFile = startsFile
                startsFile = false
                let filled: Bool
                do {
                    filled = try reader.readBlock(into: batch.block, minimumBytes: batchBytes)
                } catch {
                    batch.inputPosition = finishedFilesBytes + source.compressedBytesRead
                    guard emitStreamProblem(error, in: batch) else { return }
                    break
                }
                guard filled else {
                    free.push(batch)
                    break
                }
                // On-disk bytes up to the end of the batch: the decompressor reads ahead, so the
                // compressed position is scaled back to the decompressed bytes handed over.
                let decompressed = source.decompressedBytesRead
                let handedOver = batch.block.streamOffset + batch.block.count
                let fraction = decompressed > 0 ? min(1, Double(handedOver) / Double(decompressed)) : 1
                batch.inputPosition = finishedFilesBytes + Int(Double(source.compressedBytesRead) * fraction)
                guard emit(batch) else { return }
            }
            finishedFilesBytes += source.compressedBytesRead
        }
    }
}
