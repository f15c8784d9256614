import Foundation
import XCTest
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitTestSupport

/// Output bytes do not depend on the worker count, the batch size or the run; cancellation
/// leaves nothing behind.
final class DeterminismTests: XCTestCase {
    func testEveryWorkerCountAndBatchSizeGivesTheSameBytes() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl.zst")
        try TestCorpus.write(try TestCorpus.standard(), to: scratch.file("corpus.jsonl"))
        try TestCorpus.zstd(scratch.file("corpus.jsonl"), to: input)
        let encoder = try Run.encoder(.sentencePiece, TestPaths.fixtureLLMJP, appendEOD: true)
        let baseline = scratch.file("baseline")
        try Run.tokenize([input], prefix: baseline, encoder: encoder, workers: 1)
        for (workers, batchBytes) in [(1, 300), (2, 1 << 20), (2, 300), (3, 4096), (4, 1), (8, 20_000)] {
            let prefix = scratch.file("w\(workers)-b\(batchBytes)")
            try Run.tokenize([input], prefix: prefix, encoder: encoder, workers: workers, batchBytes: batchBytes)
            try Check.identical(prefix + "_text_document", baseline + "_text_document", "(\(workers) workers, \(batchBytes)-byte batches)")
        }
    }

    func testFirstBadLineIsReportedWhateverTheWorkerCount() throws {
        let scratch = try ScratchDirectory()
        var lines = try TestCorpus.fixtureLines()
        lines.insert("{broken", at: 500)
        lines.insert("{broken again", at: 100)
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(lines.joined(separator: "\n") + "\n", to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        for workers in [1, 2, 4] {
            XCTAssertThrowsError(try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder, workers: workers, batchBytes: 512)) {
                guard case PipelineError.badInput(let problem)? = $0 as? PipelineError else { return XCTFail("\($0)") }
                XCTAssertEqual(problem.lineNumber, 101)
            }
        }
        Check.noOutputs(in: scratch, prefix: "out")
    }

    /// Cancels after the first batch written.
    private final class CancelOnFirstUpdate: ProgressReporter {
        let cancellation: PipelineCancellation
        var updates = 0
        var abandoned = false
        init(_ cancellation: PipelineCancellation) { self.cancellation = cancellation }
        func update(_ progress: PipelineProgress) {
            updates += 1
            cancellation.cancel(signal: 15)
        }
        func finish(_ progress: PipelineProgress) { XCTFail("finish after cancellation") }
        func abandon() { abandoned = true }
    }

    func testCancellationRemovesTemporaryFiles() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(try TestCorpus.standard(), to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        let cancellation = PipelineCancellation()
        let reporter = CancelOnFirstUpdate(cancellation)
        XCTAssertThrowsError(try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder, keys: ["text"],
                                              workers: 2, batchBytes: 1024, progress: reporter, cancellation: cancellation)) {
            guard case PipelineError.interrupted(let signal)? = $0 as? PipelineError else { return XCTFail("\($0)") }
            XCTAssertEqual(signal, 15)
        }
        XCTAssertEqual(reporter.updates, 1)
        XCTAssertTrue(reporter.abandoned)
        XCTAssertEqual(scratch.contents(), ["corpus.jsonl"])

        // Already cancelled before the start.
        let early = PipelineCancellation()
        early.cancel()
        XCTAssertThrowsError(try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder, workers: 3, cancellation: early))
        XCTAssertEqual(scratch.contents(), ["corpus.jsonl"])
    }

    func testProgressCountsEverything() throws {
        final class Recorder: ProgressReporter {
            var last = PipelineProgress()
            var finished: PipelineProgress?
            func update(_ progress: PipelineProgress) { last = progress }
            func finish(_ progress: PipelineProgress) { finished = progress }
            func abandon() {}
        }
        let scratch = try ScratchDirectory()
        let text = try TestCorpus.standard()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(text, to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        let recorder = Recorder()
        let summary = try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder, workers: 2, batchBytes: 4096,
                                       progress: recorder)
        let finished = try XCTUnwrap(recorder.finished)
        XCTAssertEqual(finished.documents, summary.documents)
        XCTAssertEqual(finished.tokens, summary.outputs[0].tokens)
        XCTAssertEqual(finished.inputBytes, text.utf8.count)
        XCTAssertEqual(finished.inputPosition, finished.inputTotal)
        XCTAssertEqual(summary.inputBytes, text.utf8.count)
        XCTAssertGreaterThan(summary.cpu.workers, 0)
        XCTAssertGreaterThan(summary.cpu.reader, 0)
    }
}
