import CorpusKitReaders

/// The reader stage: splits the input files into lines, in order, and packs them into
/// ``DocumentBatch``es.
///
/// Runs on its own thread. Takes empty batches from `free` (so at most that many batches are in
/// flight and memory stays flat), fills each with up to `batchBytes` of lines from one file,
/// numbers it and pushes it to `pending`. It only decompresses and splits lines: JSON parsing
/// happens in the workers (see ``BatchEncoder``). A file that cannot be read to its end is
/// recorded in the batch (skip) or ends the input (fail). On return it closes `pending` and tells
/// `reorder` how many batches there are.
struct BatchReader: Sendable {
    let files: [String]
    let policy: ErrorPolicy
    let batchBytes: Int
    let batchDocuments: Int
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
        var finishedFilesBytes = 0
        for path in files {
            guard let batch = free.pop() else { return }
            var current = batch
            current.path = path
            let lines: LineReader
            do {
                lines = try LineReader(path: path)
            } catch {
                let problem = LineProblem(error, linesRead: 0)
                if policy == .fail {
                    current.failure = problem
                    _ = emit(current)
                    return
                }
                current.streamProblems.append(problem)
                guard emit(current) else { return }
                continue
            }
            let source = lines.source
            var consumed = 0
            var batchStart = 0

            /// On-disk bytes up to the end of the batch: the decompressor reads ahead, so the
            /// compressed position is scaled back to the decompressed bytes actually consumed.
            func position() -> Int {
                let decompressed = source.decompressedBytesRead
                guard decompressed > 0 else { return finishedFilesBytes }
                let fraction = min(1, Double(consumed) / Double(decompressed))
                return finishedFilesBytes + Int(Double(source.compressedBytesRead) * fraction)
            }

            /// Closes `current` and starts another; false when the run is over.
            func rotate() -> Bool {
                current.inputBytes = consumed - batchStart
                current.inputPosition = position()
                batchStart = consumed
                guard emit(current), let next = free.pop() else { return false }
                current = next
                current.path = path
                return true
            }

            while true {
                let line: LineReader.Line?
                do {
                    line = try lines.next()
                } catch {
                    let problem = LineProblem(error, linesRead: lines.lineNumber)
                    current.inputBytes = consumed - batchStart
                    if policy == .fail {
                        current.failure = problem
                        _ = emit(current)
                        return
                    }
                    current.streamProblems.append(problem)
                    break
                }
                guard let line else {
                    consumed = source.decompressedBytesRead
                    current.inputBytes = consumed - batchStart
                    break
                }
                current.lines.append(contentsOf: line.bytes)
                current.lineEnds.append(current.lines.count)
                current.lineNumbers.append(line.number)
                current.lineOffsets.append(line.byteOffset)
                consumed = line.byteOffset + line.bytes.count + 1
                if current.lines.count >= batchBytes || current.lineNumbers.count >= batchDocuments {
                    guard rotate() else { return }
                }
            }
            finishedFilesBytes += source.compressedBytesRead
            current.inputPosition = finishedFilesBytes
            guard emit(current) else { return }
        }
    }
}
