import Foundation
import XCTest
import CorpusKitTestSupport

/// The README's shell examples, run as written with the shipped binary, so the README cannot drift.
///
/// Every ```` ```sh ```` block of `README.md` runs, in order, each as one `bash -euo pipefail`
/// script, in one fresh working directory that holds the repository's `Corpora`, `Tests`,
/// `Tools` and `.venv` (linked) and `../shared` (the shared data), with `corpuskit` on `PATH`. A block is
/// left out only when the line above it is `<!-- readme-examples: skip (REASON) -->` (a Slurm
/// cluster, a placeholder path, the setup itself); the convention is in `TESTING.md`. Examples
/// added to the README later are picked up without touching this test.
final class ReadmeExamplesTests: XCTestCase {
    struct Block {
        /// 1-based line of the opening fence.
        let line: Int
        let script: String
        /// The reason given by a skip marker, if any.
        let skip: String?
    }

    static let marker = "<!-- readme-examples: skip"

    /// The `sh` blocks of `text` with their skip markers.
    static func blocks(of text: String, fence: String = "```sh") -> [Block] {
        let lines = text.components(separatedBy: "\n")
        var blocks: [Block] = []
        var i = 0
        while i < lines.count {
            guard lines[i].trimmingCharacters(in: .whitespaces) == fence else { i += 1; continue }
            let start = i
            var body: [String] = []
            i += 1
            while i < lines.count && lines[i].trimmingCharacters(in: .whitespaces) != "```" {
                body.append(lines[i])
                i += 1
            }
            var previous = start - 1
            while previous >= 0 && lines[previous].trimmingCharacters(in: .whitespaces).isEmpty { previous -= 1 }
            var skip: String?
            if previous >= 0, lines[previous].hasPrefix(marker) {
                skip = String(lines[previous].dropFirst(marker.count)).replacingOccurrences(of: "-->", with: "")
                    .trimmingCharacters(in: .whitespaces)
            }
            blocks.append(Block(line: start + 1, script: body.joined(separator: "\n"), skip: skip))
            i += 1
        }
        return blocks
    }

    /// A fresh working directory laid out like a checkout beside `shared`, with `corpuskit` on PATH.
    private func workspace() throws -> (directory: String, environment: [String: String]) {
        guard FileManager.default.fileExists(atPath: TestPaths.shared + "/vocab") else {
            throw XCTSkip("\(TestPaths.shared)/vocab not found (set CORPUSKIT_SHARED): the README examples use the llm-jp vocabularies")
        }
        let executable = try CorpusKitExecutable.require()
        let root = (NSTemporaryDirectory() as NSString).appendingPathComponent("corpuskit-readme-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let work = root + "/corpuskit"
        let manager = FileManager.default
        try manager.createDirectory(atPath: work + "/bin", withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: root + "/shared", withDestinationPath: TestPaths.shared)
        // `.venv` (made by Tools/test.sh) for the examples that run the reference libraries.
        for name in ["Corpora", "Tests", "Tools", ".venv"] where manager.fileExists(atPath: TestPaths.repo(name)) {
            try manager.createSymbolicLink(atPath: work + "/" + name, withDestinationPath: TestPaths.repo(name))
        }
        try manager.createSymbolicLink(atPath: work + "/bin/corpuskit", withDestinationPath: executable)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (work, ["PATH": work + "/bin:" + path, "CORPUSKIT_TRIE_CACHE": root + "/tries"])
    }

    func testReadmeShellExamplesRun() throws {
        let readme = try String(contentsOfFile: TestPaths.repo("README.md"), encoding: .utf8)
        let blocks = Self.blocks(of: readme)
        XCTAssertGreaterThan(blocks.filter { $0.skip == nil }.count, 5, "the README's runnable examples were not found")
        let (work, environment) = try workspace()
        for block in blocks {
            if let reason = block.skip {
                print("README.md:\(block.line): not run \(reason)")
                continue
            }
            // Under /tmp an example finds what earlier runs on the machine left there (a block once
            // passed on CI's long-lived machine that way and failed on a fresh one).
            XCTAssertFalse(block.script.contains("/tmp/"),
                           "README.md:\(block.line): a runnable example must work in its fresh directory, not under /tmp")
            let script = work + "/.readme-block-\(block.line).sh"
            try ("cd " + work + "\n" + block.script + "\n").write(toFile: script, atomically: true, encoding: .utf8)
            let clock = ContinuousClock(), start = clock.now
            let result = try FileCapturedProcess.run("/bin/bash", ["-euo", "pipefail", script], environment: environment)
            print("README.md:\(block.line): ran in \(clock.now - start)")
            XCTAssertTrue(result.reason == .exit && result.status == 0,
                          "README.md:\(block.line): the example exits with \(result.status):\n\(block.script)\nstderr: "
                          + String(decoding: result.stderr.suffix(3000), as: UTF8.self))
        }
    }

    /// The README's mixture spec (its one `yaml` block) as written, against llm-jp's published
    /// `num_tokens.tsv`: it works, selects the renamed subset, and `language: Japanese` in `names:`
    /// and `languages: {ja: Japanese}` make one Japanese row.
    func testReadmeMixtureSpecWorksOnLLMjpCounts() throws {
        let counts = TestPaths.shared + "/llm-jp-stats/num_tokens.tsv"
        guard FileManager.default.fileExists(atPath: counts) else { throw XCTSkip("\(counts) not found (set CORPUSKIT_SHARED)") }
        let readme = try String(contentsOfFile: TestPaths.repo("README.md"), encoding: .utf8)
        let specs = Self.blocks(of: readme, fence: "```yaml")
        XCTAssertEqual(specs.count, 1)
        let spec = try XCTUnwrap(specs.first)
        let scratch = try scratchDirectory("readme")
        try spec.script.write(toFile: scratch.file("spec.yaml"), atomically: true, encoding: .utf8)
        let result = try CorpusKitCLI.succeed(["mixture", "--counts", counts, "--spec", scratch.file("spec.yaml"),
                                               "--report", scratch.file("mixture.csv"), "--format", "json"])
        XCTAssertFalse(result.output.isEmpty)
        let rows = try String(contentsOfFile: scratch.file("mixture.csv"), encoding: .utf8).split(separator: "\n")
        let languages = rows.filter { $0.hasPrefix("language,") }.map { $0.split(separator: ",")[1] }
        XCTAssertEqual(languages.filter { $0 == "Japanese" }.count, 1, rows.joined(separator: "\n"))
        XCTAssertTrue(rows.contains { $0.hasPrefix("subset,Japanese,Wikipedia,") }, rows.joined(separator: "\n"))
        XCTAssertTrue(rows.contains { $0.hasPrefix("subset,code,code_stack,") }, rows.joined(separator: "\n"))
    }
}
