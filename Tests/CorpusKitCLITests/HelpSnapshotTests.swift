import Foundation
import XCTest
import CorpusKitTestSupport

/// `corpuskit … --help` of every command and subcommand against the snapshots committed in
/// `Tests/Fixtures/help/` (one file per command: `corpuskit-compat-shards.txt`). The commands are
/// found by walking the SUBCOMMANDS sections from the root, so a new command without a snapshot
/// fails, and so does a snapshot of a command that no longer exists.
///
/// When help text changes on purpose, regenerate the snapshots (and review the diff):
///
///     CORPUSKIT_UPDATE_HELP_SNAPSHOTS=1 swift test --filter HelpSnapshotTests
final class HelpSnapshotTests: XCTestCase {
    private static let directory = TestPaths.fixture("help")
    private static let updating = ProcessInfo.processInfo.environment["CORPUSKIT_UPDATE_HELP_SNAPSHOTS"] == "1"

    /// The help of `command` (the words after `corpuskit`), at a fixed width: swift-argument-parser
    /// wraps to `COLUMNS` or the terminal.
    private func help(_ command: [String]) throws -> String {
        let result = try CorpusKitCLI.run(command + ["--help"], environment: ["COLUMNS": "100"])
        XCTAssertEqual(result.status, 0, result.summary)
        return result.output
    }

    /// The names listed under `SUBCOMMANDS:` up to the next blank line (an entry is indented two
    /// spaces; `(default)` marks the default subcommand; wrapped abstracts are indented further).
    static func subcommands(in help: String) -> [String] {
        var names: [String] = []
        var inSection = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SUBCOMMANDS:") { inSection = true; continue }
            guard inSection else { continue }
            // The list ends at the first blank line (the "See 'corpuskit help …'" line comes after it).
            if line.isEmpty || !line.hasPrefix(" ") { inSection = false; continue }
            guard !line.hasPrefix("   ") else { continue }
            if let name = line.split(separator: " ").first { names.append(String(name)) }
        }
        return names.filter { $0 != "help" }
    }

    func testHelpOfEveryCommandMatchesItsSnapshot() throws {
        var pending: [[String]] = [[]]
        var seen: [String] = []
        var mismatches: [String] = []
        while let command = pending.popLast() {
            let text = try help(command)
            let name = (["corpuskit"] + command).joined(separator: "-")
            seen.append(name)
            let file = (Self.directory as NSString).appendingPathComponent(name + ".txt")
            if Self.updating {
                try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            } else if let expected = try? String(contentsOfFile: file, encoding: .utf8) {
                if expected != text { mismatches.append(name) }
                XCTAssertEqual(text, expected, "corpuskit \(command.joined(separator: " ")) --help differs from \(file)")
            } else {
                XCTFail("no snapshot \(file) for `corpuskit \(command.joined(separator: " ")) --help`")
            }
            pending += Self.subcommands(in: text).map { command + [$0] }
        }
        XCTAssertGreaterThan(seen.count, 10, "found only \(seen)")
        let committed = ((try? FileManager.default.contentsOfDirectory(atPath: Self.directory)) ?? [])
            .filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }
        if Self.updating {
            for stale in Set(committed).subtracting(seen) {
                try FileManager.default.removeItem(atPath: (Self.directory as NSString).appendingPathComponent(stale + ".txt"))
            }
        } else {
            XCTAssertEqual(Set(committed).subtracting(seen).sorted(), [], "snapshots of commands that no longer exist")
        }
        if !mismatches.isEmpty {
            print("help snapshots differ: \(mismatches.joined(separator: ", ")); if intended: CORPUSKIT_UPDATE_HELP_SNAPSHOTS=1 swift test --filter HelpSnapshotTests")
        }
    }

    func testSubcommandParsing() {
        let help = """
            USAGE: corpuskit <subcommand>

            SUBCOMMANDS:
              encode                  Encode text.
              compat                  Checks
                                      (wrapped abstract line)
              launch (default)        Scale out.

              See 'corpuskit help <subcommand>' for detailed help.
            """
        XCTAssertEqual(Self.subcommands(in: help), ["encode", "compat", "launch"])
    }
}
