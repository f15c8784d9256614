#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import CorpusKitSystem
import CorpusKitReaders
import CorpusKitShards
import CorpusKitMegatron

/// `corpuskit tokenize`: JSON Lines corpora in, Megatron indexed datasets out, byte-identical to
/// llm-jp Megatron-LM's `tools/preprocess_data.py` (no `--split-sentences`, one partition).
///
/// ## Threads
///
/// ```text
///  reader thread ──batches──▶ pending queue ──▶ N worker threads ──▶ reorder buffer ──▶ writer (caller)
///        ▲                                                                                  │
///        └─────────────────────────── free batches (bounded pool) ◀─────────────────────────┘
/// ```
///
/// * One reader cuts the expanded input files in order into blocks of whole lines of about
///   ``TokenizeConfiguration/batchBytes`` (a batch never spans two files); it only decompresses
///   and finds line boundaries.
/// * `workers` threads split the lines of whole batches, parse their JSON and tokenize them, each
///   with its own extractor and ``EncoderScratch``. Keeping that work out of the reader keeps the
///   serial part small, so N workers on N cores run close to N times one worker.
/// * The calling thread writes batches strictly in sequence order, so the output is the same for
///   every worker count and every run.
/// * A fixed pool of `2 × workers + 2` batches circulates; the reader waits for a free one, so
///   memory stays flat however large the input.
/// * The writer and the reader wake once per two batches, not one (``ReorderBuffer``): with every
///   core busy each wake-up preempts a worker, and on two cores the work beside the workers is
///   what keeps 2 workers from running twice as fast as 1.
///
/// ## Inputs
///
/// `preprocess_data.py` reads exactly one file per run. Here ``TokenizeConfiguration/inputs`` are
/// expanded (``InputExpansion``: files as given, directories walked recursively, glob patterns;
/// sorted within each input) and all files are read in that order into one dataset per key: the
/// result is what the fork writes for the concatenation of the files' decompressed contents, each
/// file's last line ending at the end of its file even without a newline.
///
/// ## Outputs and failures
///
/// Datasets are written under temporary names and renamed to `{prefix}_{key}_document.bin/.idx`
/// only after every document was written. Any failure, cancellation or bad line under
/// ``ErrorPolicy/fail`` removes the temporary files, so no dataset appears under a final name.
public final class TokenizePipeline {
    /// The run's options.
    public let configuration: TokenizeConfiguration
    /// The tokenizer with its Megatron wrapper semantics.
    public let encoder: DocumentEncoder

    /// Prepares a run; nothing is read or written until ``run(progress:cancellation:)``.
    public init(configuration: TokenizeConfiguration, encoder: DocumentEncoder) {
        self.configuration = configuration
        self.encoder = encoder
    }

    /// The dataset prefix of `key`: `{output-prefix}_{key}_document`.
    public func datasetPrefix(forKey key: String) -> String {
        MegatronFormat.outputPrefix(configuration.outputPrefix, key: key)
    }

    /// Runs the pipeline to completion.
    ///
    /// - Parameters:
    ///   - progress: receives a snapshot after every batch written, on the calling thread.
    ///   - cancellation: stops the run early (see ``SignalCancellation``).
    ///   - sink: receives every batch's documents in input order, on the calling thread (with
    ///     ``TokenizeConfiguration/writesShards`` off, the only consumer of the documents).
    /// - Throws: ``PipelineError``; no output is then left under a final name.
    public func run(
        progress: ProgressReporter? = nil, cancellation: PipelineCancellation = PipelineCancellation(),
        sink: DocumentSink? = nil
    ) throws(PipelineError) -> TokenizeSummary {
        let started = DispatchTime.now()
        try configuration.validate()
        let files: [String]
        do {
            files = try InputExpansion.expand(configuration.inputs)
        } catch {
            throw .inputs(error)
        }
        let keys = configuration.jsonKeys
        let prefixes = keys.map(datasetPrefix(forKey:))
        let dtype = encoder.dtype
        let startWarnings = doubledEODWarning().map { [$0] } ?? []
        if !configuration.writesShards {
            var summary = try count(files: files, keys: keys, progress: progress, cancellation: cancellation, sink: sink, started: started)
            summary.warnings = startWarnings + summary.warnings
            return summary
        }

        // Leftovers of killed runs to these prefixes (never those of a live process, unless the run
        // owns its outputs).
        let outputPaths = prefixes.flatMap { prefix in
            [MegatronFormat.dataPath(prefix: prefix), MegatronFormat.indexPath(prefix: prefix), DatasetProvenance.path(prefix: prefix)]
        }
        let removedTemporaries = AtomicFile.removeStaleTemporaries(of: outputPaths, ownedByCaller: configuration.ownsOutputs)
        let startedAt = DatasetProvenance.timestamp()
        let expected = try expectedProvenance(files: files, prefixes: prefixes)

        if configuration.resume, let resumed = try Self.resumableOutputs(prefixes: prefixes, dtype: dtype, expected: expected) {
            let outputs = zip(keys, resumed.infos).enumerated().map { k, pair in
                TokenizeSummary.Output(
                    key: pair.0, prefix: pair.1.prefix, dtype: pair.1.dtype, documents: pair.1.documents,
                    sequences: pair.1.sequences, tokens: pair.1.tokens, alreadyComplete: true, provenance: resumed.records[k])
            }
            var summary = TokenizeSummary(outputs: outputs, inputFiles: [], documents: 0, inputBytes: 0,
                                          problems: ProblemTally(), seconds: Self.seconds(since: started), cpu: .init())
            summary.warnings = resumed.warnings
            summary.removedTemporaries = removedTemporaries
            return summary
        }
        if let csv = configuration.tokenInfoCSV { try Self.checkAppendable(csv) }

        var writers: [MegatronIndexWriter] = []
        for prefix in prefixes {
            do {
                writers.append(try MegatronIndexWriter(prefix: prefix, dtype: dtype))
            } catch {
                writers.forEach { $0.abort() }
                let directory = Self.directory(of: prefix)
                if POSIXFile.status(path: directory)?.isDirectory != true {
                    throw .output("cannot create \(prefix): the folder \(directory) does not exist")
                }
                throw .output("cannot create \(prefix): \(error)")
            }
        }
        let totals: StreamTotals
        do {
            totals = try stream(files: files, writers: writers, progress: progress, cancellation: cancellation, sink: sink)
        } catch {
            writers.forEach { $0.abort() }
            progress?.abandon()
            throw error
        }
        let records = writers.enumerated().map { k, writer in
            finishedProvenance(expected[k], writer: writer, totals: totals, started: startedAt)
        }
        let summaries = try Self.publish(writers, records: records)
        progress?.finish(totals.progress)

        let outputs = zip(keys, summaries).enumerated().map { k, pair in
            TokenizeSummary.Output(
                key: pair.0, prefix: pair.1.prefix, dtype: pair.1.dtype, documents: pair.1.documents,
                sequences: pair.1.sequences, tokens: pair.1.tokens, alreadyComplete: false, provenance: records[k])
        }
        if let csv = configuration.tokenInfoCSV {
            for output in outputs {
                let line = TokenInfoCSV.line(input: configuration.inputDisplayName, datasetPrefix: output.prefix, tokens: output.tokens)
                do {
                    try TokenInfoCSV.append(line, to: csv)
                } catch {
                    throw .output("the outputs were written, but appending to \(csv) failed: \(error)")
                }
            }
        }
        var summary = TokenizeSummary(outputs: outputs, inputFiles: files, documents: totals.progress.documents,
                                      inputBytes: totals.progress.inputBytes, problems: totals.problems,
                                      seconds: Self.seconds(since: started), cpu: totals.cpu)
        summary.damagedInputs = totals.damaged
        summary.warnings = startWarnings + runWarnings(files: files, totals: totals, outputs: outputs)
        summary.removedTemporaries = removedTemporaries
        return summary
    }

    /// The count-only run: everything but the writers.
    private func count(
        files: [String], keys: [String], progress: ProgressReporter?, cancellation: PipelineCancellation,
        sink: DocumentSink?, started: DispatchTime
    ) throws(PipelineError) -> TokenizeSummary {
        let totals: StreamTotals
        do {
            totals = try stream(files: files, writers: [], progress: progress, cancellation: cancellation, sink: sink)
        } catch {
            progress?.abandon()
            throw error
        }
        progress?.finish(totals.progress)
        let outputs = keys.enumerated().map { k, key in
            TokenizeSummary.Output(
                key: key, prefix: "", dtype: encoder.dtype, documents: totals.progress.documents,
                sequences: totals.keySequences[k], tokens: totals.keyTokens[k], alreadyComplete: false)
        }
        var summary = TokenizeSummary(outputs: outputs, inputFiles: files, documents: totals.progress.documents,
                                      inputBytes: totals.progress.inputBytes, problems: totals.problems,
                                      seconds: Self.seconds(since: started), cpu: totals.cpu)
        summary.damagedInputs = totals.damaged
        summary.warnings = runWarnings(files: files, totals: totals, outputs: [])
        return summary
    }

    // MARK: - Streaming

    private struct StreamTotals {
        var progress = PipelineProgress()
        var problems = ProblemTally()
        var cpu = TokenizeSummary.StageCPU()
        /// Lines of the current input file in the batches written so far.
        var linesInFile = 0
        /// Tokens and sequences (non-empty documents) per key.
        var keyTokens: [Int] = []
        var keySequences: [Int] = []
        /// What each input file gave, by path.
        var files: [String: FileTotals] = [:]
        /// Damaged inputs whose documents before the damage were kept.
        var damaged: [LineProblem] = []
    }

    /// What one input file gave, for its provenance record.
    struct FileTotals {
        var lines = 0
        var documents = 0
        var skipped: [ProblemKind: Int] = [:]
        var damage: LineProblem?
    }

    /// Starts the reader and workers, writes batches in order on this thread, joins the threads.
    private func stream(
        files: [String], writers: [MegatronIndexWriter], progress: ProgressReporter?, cancellation: PipelineCancellation,
        sink: DocumentSink?
    ) throws(PipelineError) -> StreamTotals {
        let workers = configuration.workers
        let keyCount = configuration.jsonKeys.count
        let free = BlockingQueue<DocumentBatch>()
        for _ in 0..<(2 * workers + 2) { free.push(DocumentBatch(keyCount: keyCount)) }
        let pending = BlockingQueue<DocumentBatch>()
        let reorder = ReorderBuffer()
        let stop: @Sendable () -> Void = {
            free.cancel()
            pending.cancel()
            reorder.cancel()
        }
        let handle = cancellation.addHandler(stop)
        defer { cancellation.removeHandler(handle) }

        let threads = ThreadGroup()
        let reader = BatchReader(
            files: files, keepsDamagedInputs: configuration.keepsDamagedInputs, batchBytes: configuration.batchBytes,
            free: free, pending: pending, reorder: reorder)
        let clock = StageClock()
        threads.spawn(name: "corpuskit-reader") {
            reader.run()
            clock.add("reader", threadCPUSeconds())
        }
        let worker = BatchEncoder(encoder: encoder, configuration: configuration, pending: pending, reorder: reorder)
        for index in 0..<workers {
            threads.spawn(name: "corpuskit-worker-\(index)") {
                worker.run()
                clock.add("workers", threadCPUSeconds())
            }
        }

        let started = DispatchTime.now()
        let writerCPUStart = threadCPUSeconds()
        var totals = StreamTotals()
        totals.keyTokens = Array(repeating: 0, count: keyCount)
        totals.keySequences = Array(repeating: 0, count: keyCount)
        totals.progress.inputTotal = Self.totalSize(of: files)
        var failure: PipelineError?
        var sequence = 0
        /// Written batches not yet returned to the pool: they go back in pairs, waking the reader
        /// once per two batches as the reorder buffer wakes this thread (see ``ReorderBuffer``).
        var written: [DocumentBatch] = []
        while let batch = reorder.take(sequence) {
            sequence += 1
            if let problem = write(batch, to: writers, sink: sink, totals: &totals) {
                failure = problem
                break
            }
            totals.progress.elapsed = Self.seconds(since: started)
            progress?.update(totals.progress)
            batch.reset()
            written.append(batch)
            if written.count == 2 {
                free.push(contentsOf: written)
                written.removeAll(keepingCapacity: true)
            }
        }
        free.push(contentsOf: written)
        if failure == nil && cancellation.isCancelled {
            failure = .interrupted(signal: cancellation.signal)
        }
        if failure != nil { stop() }
        threads.join()
        if let failure { throw failure }
        totals.progress.elapsed = Self.seconds(since: started)
        totals.cpu = TokenizeSummary.StageCPU(
            reader: clock.total("reader"), workers: clock.total("workers"), writer: threadCPUSeconds() - writerCPUStart)
        return totals
    }

    /// Appends one batch to the writers; returns the error that ends the run, if any.
    private func write(
        _ batch: DocumentBatch, to writers: [MegatronIndexWriter], sink: DocumentSink?, totals: inout StreamTotals
    ) -> PipelineError? {
        // Line numbers: workers number from the batch's first line, stream problems come after
        // the batch's lines; the lines of the file's earlier batches go before both.
        if batch.startsFile { totals.linesInFile = 0 }
        let linesBefore = totals.linesInFile
        let linesThrough = linesBefore + batch.lineCount
        totals.linesInFile = linesThrough
        if configuration.errorPolicy == .fail, let problem = batch.lineProblems.first {
            return .badInput(problem.addingLines(linesBefore))
        }
        var fileTotals = totals.files[batch.path, default: FileTotals()]
        fileTotals.lines += batch.lineCount
        fileTotals.documents += batch.outputs.first?.lengths.count ?? 0
        for problem in batch.lineProblems {
            totals.problems.add(problem.addingLines(linesBefore))
            fileTotals.skipped[problem.kind, default: 0] += 1
        }
        for problem in batch.streamProblems {
            // Only damaged inputs kept by the explicit opt-in arrive here (see BatchReader).
            let numbered = problem.addingLines(linesThrough)
            totals.damaged.append(numbered)
            fileTotals.damage = numbered
        }
        totals.files[batch.path] = fileTotals
        for (k, writer) in writers.enumerated() {
            do {
                try batch.outputs[k].tokens.withUnsafeBufferPointer { tokens in
                    try batch.outputs[k].lengths.withUnsafeBufferPointer { lengths in
                        try writer.addDocuments(tokens: tokens, documentLengths: lengths)
                    }
                }
            } catch {
                return .output("cannot write \(writer.prefix): \(error)")
            }
        }
        for k in 0..<batch.outputs.count {
            let output = batch.outputs[k]
            totals.progress.tokens += output.tokens.count
            totals.keyTokens[k] += output.tokens.count
            for length in output.lengths where length > 0 { totals.keySequences[k] += 1 }
        }
        if let sink, !(batch.outputs.first?.lengths.isEmpty ?? true) {
            do {
                try sink.consume(SinkBatch(
                    path: batch.path, startsFile: batch.startsFile, lengths: batch.outputs.map(\.lengths),
                    textBytes: batch.outputs.map(\.textBytes), textCharacters: batch.outputs.map(\.textCharacters)))
            } catch {
                return .output("\(error)")
            }
        }
        totals.progress.documents += batch.outputs.first?.lengths.count ?? 0
        totals.progress.inputBytes += batch.inputBytes
        totals.progress.inputPosition = max(totals.progress.inputPosition, batch.inputPosition)
        totals.progress.skippedLines = totals.problems.total
        if let problem = batch.failure {
            let numbered = problem.addingLines(linesThrough)
            return numbered.kind == .unreadableInput ? .damagedInput(numbered) : .badInput(numbered)
        }
        return nil
    }

    // MARK: - Publishing

    /// Finishes every writer (renaming its files into place). If one fails, the others are aborted
    /// and the datasets already renamed by this run are removed again.
    ///
    /// Each dataset's provenance record is published with it: the old `.idx` (the last file a
    /// complete dataset gets) is removed, then the record, `.bin` and `.idx` are renamed into place,
    /// so a record beside a complete dataset always describes that dataset.
    ///
    /// The old `.bin` is removed too (without its `.idx` it is no dataset any more): renaming a file
    /// over an existing one makes ext4 (`auto_da_alloc`) start writing the new file back inside the
    /// `rename` call, 7 ms of this thread per 44 MB `.bin` (perf); into a free name it does not.
    private static func publish(_ writers: [MegatronIndexWriter], records: [DatasetProvenance]) throws(PipelineError) -> [ShardSummary] {
        var summaries: [ShardSummary] = []
        for (index, writer) in writers.enumerated() {
            do {
                POSIXFile.removeQuietly(MegatronFormat.indexPath(prefix: writer.prefix))
                POSIXFile.removeQuietly(MegatronFormat.dataPath(prefix: writer.prefix))
                try records[index].write(prefix: writer.prefix)
                summaries.append(try writer.finish())
            } catch {
                writer.abort()
                POSIXFile.removeQuietly(DatasetProvenance.path(prefix: writer.prefix))
                for other in writers[(index + 1)...] { other.abort() }
                for done in summaries {
                    POSIXFile.removeQuietly(MegatronFormat.indexPath(prefix: done.prefix))
                    POSIXFile.removeQuietly(MegatronFormat.dataPath(prefix: done.prefix))
                    POSIXFile.removeQuietly(DatasetProvenance.path(prefix: done.prefix))
                }
                throw .output("cannot finish \(writer.prefix): \(error)")
            }
        }
        return summaries
    }

    // MARK: - Helpers

    /// The validated datasets when every prefix holds a complete one of `dtype`, else `nil`.
    ///
    /// A complete dataset whose provenance record differs from `expected` (this run's) refuses
    /// the resume, whether or not the others are complete, so that a run with another tokenizer,
    /// option or input never reuses it nor silently overwrites it. One without a record (written by
    /// the fork, or by a corpuskit before records) is accepted on its structure, with a warning.
    private static func resumableOutputs(
        prefixes: [String], dtype: TokenDType, expected: [DatasetProvenance]
    ) throws(PipelineError) -> (infos: [ShardInfo], records: [DatasetProvenance?], warnings: [String])? {
        var infos: [ShardInfo] = []
        var records: [DatasetProvenance?] = []
        var warnings: [String] = []
        var allComplete = true
        for (k, prefix) in prefixes.enumerated() {
            let recorded: DatasetProvenance?
            do {
                recorded = try DatasetProvenance.read(prefix: prefix)
            } catch {
                throw .output("cannot resume \(prefix): \(error)")
            }
            guard case .complete(let info) = OutputStatus.check(prefix: prefix, dtype: dtype) else {
                allComplete = false
                continue
            }
            if let recorded {
                let differences = expected[k].differences(from: recorded)
                if !differences.isEmpty { throw .resumeMismatch(prefix: prefix, differences: differences) }
            } else {
                warnings.append("\(prefix) has no provenance record (\(DatasetProvenance.path(prefix: prefix))): its structure is valid, but its tokenizer, options and inputs cannot be verified")
            }
            infos.append(info)
            records.append(recorded)
        }
        return allComplete ? (infos, records, warnings) : nil
    }

    // MARK: - Provenance and warnings

    /// What each dataset's provenance record will say about how it is made (before any counts).
    private func expectedProvenance(files: [String], prefixes: [String]) throws(PipelineError) -> [DatasetProvenance] {
        let tokenizerFile = encoder.tokenizer.path
        let inputs: [DatasetProvenance.Input]
        let sha256: String
        do {
            sha256 = try FileDigest.sha256(path: tokenizerFile)
            inputs = try files.map { path throws(SystemError) in DatasetProvenance.Input(path: path, fingerprint: try FileFingerprint.of(path: path)) }
        } catch {
            throw .output("cannot fingerprint the inputs for the provenance record: \(error)")
        }
        var special: [String: Int32] = [:]
        special["bos"] = encoder.tokenizer.bosID
        special["eos"] = encoder.tokenizer.eosID
        special["eod"] = encoder.eodID
        special["pad"] = encoder.tokenizer.padID
        special["unk"] = encoder.tokenizer.unknownID
        let tokenizer = DatasetProvenance.TokenizerRecord(
            path: configuration.tokenizerPath ?? tokenizerFile, file: tokenizerFile, sha256: sha256,
            type: encoder.type.rawValue, vocabularySize: encoder.vocabularySize, specialIDs: special)
        return configuration.jsonKeys.map { key in
            DatasetProvenance(
                tokenizer: tokenizer,
                options: .init(appendEOD: encoder.appendEOD, jsonKey: key, jsonKeys: configuration.jsonKeys,
                               onError: configuration.errorPolicy.rawValue, keepDamagedInputs: configuration.keepsDamagedInputs,
                               dtype: encoder.dtype.description),
                inputs: inputs)
        }
    }

    /// `expected` completed with what the run read and `writer` wrote.
    private func finishedProvenance(
        _ expected: DatasetProvenance, writer: MegatronIndexWriter, totals: StreamTotals, started: String
    ) -> DatasetProvenance {
        var record = expected
        record.inputs = expected.inputs.map { input in
            var input = input
            let file = totals.files[input.path] ?? FileTotals()
            input.linesRead = file.lines
            input.documents = file.documents
            input.linesSkipped = Dictionary(uniqueKeysWithValues: file.skipped.map { ($0.key.rawValue, $0.value) })
            input.damage = file.damage?.description
            return input
        }
        record.documents = writer.documentCount
        record.sequences = writer.sequenceCount
        record.tokens = writer.tokenCount
        record.linesRead = totals.files.values.reduce(0) { $0 + $1.lines }
        record.linesSkipped = Dictionary(uniqueKeysWithValues: totals.problems.counts.map { ($0.key.rawValue, $0.value) })
        record.started = started
        record.finished = DatasetProvenance.timestamp()
        return record
    }

    /// A warning when the tokenizer already ends every document with the EOD (a tokenizer.json
    /// whose post-processor appends it) and EOD appending adds a second one.
    private func doubledEODWarning() -> String? {
        guard encoder.appendEOD, let eod = encoder.eodID, let ids = try? encoder.encode("a"),
              ids.count >= 2, ids[ids.count - 1] == eod, ids[ids.count - 2] == eod else { return nil }
        return "every document ends with the EOD id \(eod) twice: the tokenizer (\(encoder.tokenizer.path)) already appends it, and EOD appending adds another"
    }

    /// Warnings about what the run read and wrote.
    private func runWarnings(files: [String], totals: StreamTotals, outputs: [TokenizeSummary.Output]) -> [String] {
        var warnings: [String] = []
        for file in files where (totals.files[file]?.lines ?? 0) == 0 && totals.files[file]?.damage == nil {
            warnings.append("input \(file) is empty (no lines)")
        }
        for output in outputs where output.documents == 0 {
            warnings.append("dataset \(output.prefix) is empty (no documents)")
        }
        let lines = totals.files.values.reduce(0) { $0 + $1.lines }
        let skipped = totals.problems.total
        if lines > 0, Double(skipped) > configuration.skipRateWarningThreshold * Double(lines) {
            let percent = (100 * Double(skipped) / Double(lines) * 10).rounded() / 10
            warnings.append("\(skipped) of \(lines) input lines (\(percent) %) were skipped, more than \(configuration.skipRateWarningThreshold * 100) %")
        }
        for problem in totals.damaged {
            warnings.append("\(problem.path) is damaged; only the documents before the damage were kept: \(problem)")
        }
        return warnings
    }

    /// The folder a file or an output prefix lies in (`.` for a bare name).
    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// Fails early when the token-info CSV could not be appended to at the end.
    private static func checkAppendable(_ path: String) throws(PipelineError) {
        if access(path, F_OK) == 0 {
            guard access(path, W_OK) == 0 else {
                throw .setting(.tokenInfoCSV, reason: "\(path) is not writable")
            }
            return
        }
        let directory = directory(of: path)
        guard access(directory, W_OK) == 0 else {
            throw .setting(.tokenInfoCSV, reason: "cannot create \(path) (directory \(directory) is missing or not writable)")
        }
    }

    private static func totalSize(of files: [String]) -> Int {
        files.reduce(0) { $0 + (POSIXFile.size(path: $1) ?? 0) }
    }

    private static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
