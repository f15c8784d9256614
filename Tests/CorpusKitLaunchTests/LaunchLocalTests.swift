import Foundation
import XCTest
import CorpusKitTestSupport
@testable import CorpusKitLaunch

/// Planning pieces checked against independent references, and `--backend local` end to end.
final class LaunchLocalTests: XCTestCase {
    /// SHA-256 against coreutils' sha256sum, at the padding boundaries and over a MiB.
    func testSHA256MatchesSha256sum() throws {
        let scratch = try ScratchDirectory("launch-tests")
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 1000, (1 << 20) + 3] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let path = scratch.file("data-\(length)")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let expected = try Command.tool("sha256sum", [path]).output.split(separator: " ").first.map(String.init)
            XCTAssertEqual(SHA256.hex(bytes), expected, "length \(length)")
            XCTAssertEqual(try FileDigest.sha256(path: path), expected, "length \(length) (file)")
        }
    }

    /// The fingerprint hashes the first and last MiB (head -c / tail -c through sha256sum).
    func testFingerprintHashesFirstAndLastMiB() throws {
        let scratch = try ScratchDirectory("launch-tests")
        let path = scratch.file("big.bin")
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try Data(bytes.prefix(1 << 20)).write(to: URL(fileURLWithPath: scratch.file("head")))
        try Data(bytes.suffix(1 << 20)).write(to: URL(fileURLWithPath: scratch.file("tail")))
        let head = try Command.tool("sha256sum", [scratch.file("head")]).output.prefix(64)
        let tail = try Command.tool("sha256sum", [scratch.file("tail")]).output.prefix(64)
        let fingerprint = try FileFingerprint.of(path: path)
        XCTAssertEqual(fingerprint.size, bytes.count)
        XCTAssertEqual(fingerprint.firstMiBSHA256, String(head))
        XCTAssertEqual(fingerprint.lastMiBSHA256, String(tail))
    }

    /// Largest first: each file goes to the least-loaded task; every file exactly once.
    func testAssignmentIsLargestFirstAndComplete() {
        let sizes = [5, 100, 7, 7, 60, 1, 40, 30, 2]
        let assignment = TaskAssignment.balance(sizes: sizes, tasks: 3)
        XCTAssertEqual(assignment.flatMap { $0 }.sorted(), Array(sizes.indices))
        // An independent replay of the rule: sizes descending (ties by index), each to the least-loaded task (ties: lowest).
        var load = [0, 0, 0]
        var replay = [[Int]](repeating: [], count: 3)
        for index in sizes.indices.sorted(by: { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }) {
            let task = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            replay[task].append(index)
            load[task] += sizes[index]
        }
        XCTAssertEqual(assignment, replay)
        XCTAssertEqual(TaskAssignment.balance(sizes: [3, 2], tasks: 8).count, 2, "no empty tasks")
    }

    func testInputTreeMirrorsDirectoriesAndRefusesCollisions() throws {
        let scratch = try ScratchDirectory("launch-tests")
        let root = scratch.file("in")
        try FileManager.default.createDirectory(atPath: root + "/ja/wiki", withIntermediateDirectories: true)
        for name in ["ja/wiki/a.jsonl.gz", "ja/b.jsonl", "c.json.zst"] {
            _ = FileManager.default.createFile(atPath: "\(root)/\(name)", contents: Data("{}\n".utf8))
        }
        let names = try InputTree.entries(inputs: [root]).map(\.name)
        XCTAssertEqual(names, ["c", "ja/b", "ja/wiki/a"])
        XCTAssertEqual(try InputTree.entries(inputs: ["\(root)/*/*.jsonl"]).map(\.name), ["ja/b"])
        XCTAssertEqual(try InputTree.entries(inputs: ["\(root)/ja/b.jsonl"]).map(\.name), ["b"])
        XCTAssertEqual(try InputTree.entries(inputs: ["\(root)/ja/b.jsonl"], root: root).map(\.name), ["ja/b"])
        _ = FileManager.default.createFile(atPath: "\(root)/ja/b.jsonl.gz", contents: Data("{}\n".utf8))
        XCTAssertThrowsError(try InputTree.entries(inputs: [root])) { error in
            XCTAssertTrue("\(error)".contains("\(root)/ja/b.jsonl") && "\(error)".contains("ja/b_*_document"), "\(error)")
        }
    }

    func testDryRunPrintsPlanAndScriptAndWritesNothing() throws {
        let scratch = try ScratchDirectory("launch-tests")
        let corpus = try LaunchCorpus.make(in: scratch, count: 6)
        let out = scratch.file("out")
        let result = try CorpusKitCLI.succeed(["launch", "tokenize", "--input", corpus.input, "--output-dir", out, "--tasks", "4",
                                      "--partition", "gpu", "--time", "01:00:00", "--cpus-per-task", "8", "--mem", "16G",
                                      "--account", "llmjp", "--sbatch-arg=--qos=high", "--dry-run"] + LaunchCorpus.tokenizerFlags)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "--dry-run wrote \(out)")
        let text = result.output
        XCTAssertTrue(text.contains("plan: 6 input file(s)"), text)
        for (name, path) in corpus.files {
            XCTAssertTrue(text.contains("\(path) ("), "plan misses \(path)")
            XCTAssertTrue(text.contains("→ \(out)/\(name)_text_document"), "plan misses \(name)")
        }
        for line in ["#SBATCH --array=0-3", "#SBATCH --partition=gpu", "#SBATCH --time=01:00:00", "#SBATCH --cpus-per-task=8",
                     "#SBATCH --mem=16G", "#SBATCH --account=llmjp", "#SBATCH --qos=high",
                     "\(try CorpusKitExecutable.require()) launch run-task \(out) \"$SLURM_ARRAY_TASK_ID\"",
                     "count \(out) --format tsv --root \(out) --output \(out)/num_tokens.tsv"] {
            XCTAssertTrue(text.contains(line), "dry run output lacks \(line):\n\(text)")
        }
    }

    /// `--backend local`: datasets byte-identical to corpuskit tokenize on each file alone, the
    /// right num_tokens.tsv and token_info.csv; a changed input then makes resume refuse, naming it.
    func testLocalBackendMatchesTokenizeAndResumeRefusesChangedInput() throws {
        let scratch = try ScratchDirectory("launch-tests")
        let corpus = try LaunchCorpus.make(in: scratch)
        let reference = scratch.file("reference")
        let expectedTSV = try corpus.tokenizeEachAlone(into: reference)
        let out = scratch.file("out")
        try CorpusKitCLI.succeed(["launch", "tokenize", "--input", corpus.input, "--output-dir", out, "--tasks", "4", "--backend", "local"]
                        + LaunchCorpus.tokenizerFlags)
        corpus.assertSameDatasets(out, reference)
        XCTAssertEqual(try String(contentsOfFile: out + "/num_tokens.tsv", encoding: .utf8), expectedTSV)
        let referenceCSV = try String(contentsOfFile: reference + "/token_info.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.replacingOccurrences(of: reference, with: out) }.sorted()
        let csv = try String(contentsOfFile: out + "/token_info.csv", encoding: .utf8).split(separator: "\n").map(String.init).sorted()
        XCTAssertEqual(csv, referenceCSV)
        let status = try CorpusKitCLI.run(["launch", "status", out])
        XCTAssertEqual(status.status, 0, status.summary)
        XCTAssertEqual(status.output.components(separatedBy: " done ").count - 1, 4, status.output)

        // Everything complete: resume has nothing to do.
        XCTAssertTrue(try CorpusKitCLI.succeed(["launch", "resume", out]).output.contains("nothing to do"))

        // A damaged dataset: resume redoes only its task, with the same bytes.
        let plan = try LaunchPlan.load(outputDirectory: out)
        let victim = plan.inputs[plan.assignment[1][0]]
        let idx = "\(out)/\(victim.name)_text_document.idx"
        let original = try Data(contentsOf: URL(fileURLWithPath: idx))
        try original.prefix(original.count - 8).write(to: URL(fileURLWithPath: idx))
        let resumed = try CorpusKitCLI.succeed(["launch", "resume", out])
        XCTAssertTrue(resumed.output.contains("ran tasks 1 locally"), resumed.summary)
        XCTAssertTrue(resumed.stderr.contains(victim.path), resumed.summary)
        corpus.assertSameDatasets(out, reference)
        XCTAssertEqual(try String(contentsOfFile: out + "/num_tokens.tsv", encoding: .utf8), expectedTSV)

        // The final step fails loudly when a dataset is missing.
        try FileManager.default.removeItem(atPath: "\(out)/\(victim.name)_text_document.bin")
        let finish = try CorpusKitCLI.run(["launch", "finish", out])
        XCTAssertNotEqual(finish.status, 0)
        XCTAssertTrue(finish.stderr.contains(victim.path), finish.summary)

        // A changed input: resume refuses and names it.
        let changed = corpus.files[7].path
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: changed))
        handle.seekToEndOfFile()
        handle.write(Data("x".utf8))
        try handle.close()
        let refused = try CorpusKitCLI.run(["launch", "resume", out])
        XCTAssertNotEqual(refused.status, 0, refused.summary)
        XCTAssertTrue(refused.stderr.contains("input \(changed) changed since planning"), refused.summary)
        // And so does planning the same output again with other flags.
        let replanned = try CorpusKitCLI.run(["launch", "tokenize", "--input", corpus.input, "--output-dir", out, "--tasks", "4",
                                           "--backend", "local", "--tokenizer-type", "Llama2Tokenizer",
                                           "--tokenizer-model", TestPaths.fixtureLLMJP])
        XCTAssertNotEqual(replanned.status, 0, replanned.summary)
        XCTAssertTrue(replanned.stderr.contains("already holds a different launch plan"), replanned.summary)
    }
}
