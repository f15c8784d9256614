import Foundation
import XCTest
import CorpusKitTestSupport
@testable import CorpusKitLaunch

/// `corpuskit launch` on a real Slurm: the single-node cluster Tools/test.sh starts with
/// Tools/ci/slurm_test_cluster.sh (SLURM_CONF points at it). Skipped with a message without one.
final class LaunchSlurmTests: XCTestCase {
    override func setUpWithError() throws {
        guard let conf = ProcessInfo.processInfo.environment["SLURM_CONF"], FileManager.default.fileExists(atPath: conf) else {
            throw XCTSkip("no Slurm test cluster (SLURM_CONF unset): run Tools/test.sh as root, or Tools/ci/slurm_test_cluster.sh start DIR and export SLURM_CONF")
        }
        let sinfo = try Command.tool("sinfo", ["--noheader", "--Node", "--format=%T"])
        guard sinfo.status == 0, sinfo.output.contains("idle") || sinfo.output.contains("mix") || sinfo.output.contains("alloc") else {
            throw XCTSkip("Slurm at \(conf) does not answer: \(sinfo.summary)")
        }
    }

    /// Waits until `launch status` exits 0 (complete), failing with the logs after `seconds`.
    private func waitForCompletion(_ out: String, seconds: Double = 180, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last: CommandResult?
        while Date() < deadline {
            let status = try CorpusKitCLI.run(["launch", "status", out])
            if status.status == 0 { return }
            last = status
            Thread.sleep(forTimeInterval: 0.5)
        }
        let logs = ((try? FileManager.default.contentsOfDirectory(atPath: out + "/.corpuskit/logs")) ?? []).sorted().map { name in
            "--- \(name)\n" + ((try? String(contentsOfFile: "\(out)/.corpuskit/logs/\(name)", encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
        XCTFail("launch did not complete in \(seconds) s: \(last?.summary ?? "")\n\(try Command.tool("squeue", ["--states=all"]).output)\n\(logs)", file: file, line: line)
        throw TestFailure("timeout")
    }

    /// A 4-task array over 20 files: datasets byte-identical to corpuskit tokenize on each file
    /// alone, the right num_tokens.tsv; the same plan with --backend local gives the same bytes.
    func testArrayJobMatchesTokenizeAndLocalBackend() throws {
        let scratch = try ScratchDirectory("launch-tests")
        let corpus = try LaunchCorpus.make(in: scratch)
        let reference = scratch.file("reference")
        let expectedTSV = try corpus.tokenizeEachAlone(into: reference)
        let out = scratch.file("out")
        let launched = try CorpusKitCLI.succeed(["launch", "tokenize", "--input", corpus.input, "--output-dir", out, "--tasks", "4"]
                                       + LaunchCorpus.tokenizerFlags)
        XCTAssertTrue(launched.output.contains("(tasks 0-3)"), launched.summary)
        try waitForCompletion(out)
        corpus.assertSameDatasets(out, reference)
        XCTAssertEqual(try String(contentsOfFile: out + "/num_tokens.tsv", encoding: .utf8), expectedTSV)
        let plan = try LaunchPlan.load(outputDirectory: out)
        XCTAssertEqual(plan.taskCount, 4)
        XCTAssertTrue(plan.assignment.allSatisfy { !$0.isEmpty })

        let local = scratch.file("local")
        try CorpusKitCLI.succeed(["launch", "tokenize", "--input", corpus.input, "--output-dir", local, "--tasks", "4", "--backend", "local"]
                        + LaunchCorpus.tokenizerFlags)
        corpus.assertSameDatasets(local, out)
        XCTAssertEqual(FileManager.default.contents(atPath: local + "/num_tokens.tsv"), FileManager.default.contents(atPath: out + "/num_tokens.tsv"))
    }

    /// scancel of one array task mid-run (held inside its second file by the test hook, with
    /// temporary datasets open): status reports it failed, resume resubmits only that task, and
    /// the final outputs equal the reference.
    func testCancelledTaskIsReportedFailedAndResumedAlone() throws {
        let scratch = try ScratchDirectory("launch-tests")
        let corpus = try LaunchCorpus.make(in: scratch)
        let reference = scratch.file("reference")
        let expectedTSV = try corpus.tokenizeEachAlone(into: reference)
        let out = scratch.file("out")
        let victim = 2
        let launched = try CorpusKitCLI.succeed(["launch", "tokenize", "--input", corpus.input, "--output-dir", out, "--tasks", "4"]
                                       + LaunchCorpus.tokenizerFlags,
                                       environment: [TaskRunner.pauseVariable: "\(victim):1"])
        let layout = LaunchLayout(outputDirectory: out)
        let submission = try XCTUnwrap(Submission.loadAll(layout).last)
        let job = try XCTUnwrap(submission.arrayJobID, launched.summary)

        // Wait until the task is held inside its second file, then cancel it.
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: layout.pauseMarker(victim)) {
            guard Date() < deadline else { XCTFail("task \(victim) never reached its pause point"); return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let cancel = try Command.tool("scancel", ["\(job)_\(victim)"])
        XCTAssertEqual(cancel.status, 0, cancel.summary)

        // The other tasks finish; the cancelled one is reported failed; nothing is complete.
        var status = try CorpusKitCLI.run(["launch", "status", out])
        let statusDeadline = Date().addingTimeInterval(120)
        while Date() < statusDeadline {
            status = try CorpusKitCLI.run(["launch", "status", out])
            let rows = status.output.split(separator: "\n").filter { $0.hasPrefix("   ") }
            if rows.count == 4 && rows.filter({ $0.contains(" done ") }).count == 3 && rows[victim].contains(" failed ") { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        XCTAssertNotEqual(status.status, 0, "status must not exit 0 with a failed task: \(status.summary)")
        let rows = status.output.split(separator: "\n").filter { $0.hasPrefix("   ") }
        XCTAssertEqual(rows.count, 4, status.output)
        XCTAssertTrue(rows.count == 4 && rows[victim].contains(" failed "), "task \(victim) not reported failed:\n\(status.output)")
        XCTAssertEqual(rows.filter { $0.contains(" done ") }.count, 3, status.output)
        // No dataset of the cancelled file appeared under its final name.
        let heldInput = try LaunchPlan.load(outputDirectory: out).inputs[try LaunchPlan.load(outputDirectory: out).assignment[victim][1]]
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/\(heldInput.name)_text_document.idx"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/\(heldInput.name)_text_document.bin"))

        let resumed = try CorpusKitCLI.succeed(["launch", "resume", out])
        XCTAssertTrue(resumed.output.contains("(tasks \(victim))"), resumed.summary)
        XCTAssertEqual(Submission.loadAll(layout).last?.tasks, [victim])
        try waitForCompletion(out)
        corpus.assertSameDatasets(out, reference)
        XCTAssertEqual(try String(contentsOfFile: out + "/num_tokens.tsv", encoding: .utf8), expectedTSV)
        let records = try FileManager.default.contentsOfDirectory(atPath: layout.recordDirectory(victim))
        XCTAssertEqual(records.count, try LaunchPlan.load(outputDirectory: out).assignment[victim].count)
        // The first submission's final job (whose dependency can no longer be met) was cancelled.
        if let firstFinal = Submission.loadAll(layout).first?.finalJobID {
            let state = try Command.tool("squeue", ["--noheader", "--states=all", "--jobs=\(firstFinal)", "--format=%T"])
            XCTAssertFalse(state.output.contains("PENDING"), "first final job \(firstFinal) still pending")
        }
    }

    /// An input changed after planning: resume refuses and names the file.
    func testResumeRefusesChangedInput() throws {
        let scratch = try ScratchDirectory("launch-tests")
        let corpus = try LaunchCorpus.make(in: scratch, count: 8)
        let out = scratch.file("out")
        try CorpusKitCLI.succeed(["launch", "tokenize", "--input", corpus.input, "--output-dir", out, "--tasks", "4"] + LaunchCorpus.tokenizerFlags)
        try waitForCompletion(out)
        let changed = corpus.files[3].path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: changed))
        bytes[0] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: changed))
        let refused = try CorpusKitCLI.run(["launch", "resume", out])
        XCTAssertNotEqual(refused.status, 0, refused.summary)
        XCTAssertTrue(refused.stderr.contains("input \(changed) changed since planning"), refused.summary)
        XCTAssertEqual(Submission.loadAll(LaunchLayout(outputDirectory: out)).count, 1, "resume submitted despite refusing")
    }
}
