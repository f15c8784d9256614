import Foundation
import XCTest
import CorpusKitTestSupport

/// Paths of the repository and its fixtures.
enum LaunchTestPaths {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func repo(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }
    static let fixtureModel = repo("Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model")
    static let sampleCorpus = repo("Corpora/sample.jsonl")
}

typealias LaunchTestFailure = TestFailure

typealias LaunchScratch = ScratchDirectory

/// Runs programs (the built corpuskit, gzip, zstd, Slurm's tools) with output captured in files.
enum Run {
    struct Result {
        let status: Int32
        let reason: Process.TerminationReason
        let stdout: String
        let stderr: String
        let command: String
        var summary: String { "\(command) → status \(status)\(reason == .exit ? "" : " (signal)")\nstdout: \(stdout.prefix(3000))\nstderr: \(stderr.prefix(3000))" }
    }

    /// The built corpuskit (CorpusKitTestSupport finds it).
    static func requireCorpuskit() throws -> String { try CorpusKitExecutable.require() }

    static func program(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                        stdinFile: String? = nil, stdoutFile: String? = nil) throws -> Result {
        let result = try FileCapturedProcess.run(executable, arguments, environment: environment, stdinFile: stdinFile, stdoutFile: stdoutFile)
        return Result(status: result.status, reason: result.reason, stdout: String(decoding: result.stdout, as: UTF8.self),
                      stderr: String(decoding: result.stderr, as: UTF8.self), command: ([executable] + arguments).joined(separator: " "))
    }

    static func corpuskit(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try program(try requireCorpuskit(), arguments, environment: environment)
    }

    @discardableResult
    static func succeed(_ arguments: [String], environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let result = try corpuskit(arguments, environment: environment)
        guard result.reason == .exit, result.status == 0 else {
            XCTFail(result.summary, file: file, line: line)
            throw LaunchTestFailure("corpuskit failed")
        }
        return result
    }

    /// `/usr/bin/env NAME ARGS` (tools found on PATH).
    static func tool(_ name: String, _ arguments: [String], stdinFile: String? = nil, stdoutFile: String? = nil) throws -> Result {
        try program("/usr/bin/env", [name] + arguments, stdinFile: stdinFile, stdoutFile: stdoutFile)
    }
}

/// A corpus of ~20 small files (.jsonl, .jsonl.gz, .jsonl.zst) in nested directories, cut from
/// `Corpora/sample.jsonl`, with the per-file reference made by `corpuskit tokenize`.
struct LaunchCorpus {
    let input: String
    /// Relative names (without suffix) → input file.
    let files: [(name: String, path: String)]

    static let directories = ["ja", "ja/wiki", "en", "en/web/2024", "code"]

    static func make(in scratch: LaunchScratch, count: Int = 20) throws -> LaunchCorpus {
        let lines = try String(contentsOfFile: LaunchTestPaths.sampleCorpus, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.isEmpty }
        let input = scratch.file("in")
        var files: [(String, String)] = []
        var start = 0
        for i in 0..<count {
            let directory = directories[i % directories.count]
            let stem = "\(directory.replacingOccurrences(of: "/", with: "_"))_\(String(format: "%04d", i))"
            let take = 3 + (i * 7) % 17
            let text = (0..<take).map { lines[(start + $0) % lines.count] }.joined(separator: "\n") + "\n"
            start += take
            try FileManager.default.createDirectory(atPath: "\(input)/\(directory)", withIntermediateDirectories: true)
            let plain = "\(input)/\(directory)/\(stem).jsonl"
            try text.write(toFile: plain, atomically: true, encoding: .utf8)
            var path = plain
            switch i % 3 {
            case 1:
                let result = try Run.tool("gzip", ["-n", plain])
                guard result.status == 0 else { throw LaunchTestFailure(result.summary) }
                path = plain + ".gz"
            case 2:
                let result = try Run.tool("zstd", ["-q", "--rm", plain])
                guard result.status == 0 else { throw LaunchTestFailure(result.summary) }
                path = plain + ".zst"
            default:
                break
            }
            files.append(("\(directory)/\(stem)", path))
        }
        return LaunchCorpus(input: input, files: files.sorted { $0.0 < $1.0 })
    }

    static let tokenizerFlags = ["--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", LaunchTestPaths.fixtureModel, "--append-eod"]

    /// `corpuskit tokenize` on each file alone into `reference/NAME`, with the token-info CSV of
    /// those runs; returns the expected `num_tokens.tsv` built from that CSV.
    func tokenizeEachAlone(into reference: String) throws -> String {
        let csv = (reference as NSString).appendingPathComponent("token_info.csv")
        for (name, path) in files {
            let prefix = (reference as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: (prefix as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Run.succeed(["tokenize", "--input", path, "--output-prefix", prefix, "--quiet",
                             "--output-result-total-token-info", csv] + Self.tokenizerFlags)
        }
        // llm-jp's num_tokens.tsv: filename (the prefix relative to the root, without
        // _text_document) and tokens, sorted by filename.
        var rows: [(String, String)] = []
        for line in try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: ",").map(String.init)
            let prefix = String(fields[1].dropFirst(reference.count + 1).dropLast("_text_document".count))
            rows.append((prefix, fields[2]))
        }
        rows.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return "filename\ttokens\n" + rows.map { "\($0.0)\t\($0.1)\n" }.joined()
    }

    /// Fails unless every dataset under `output` equals the reference byte for byte.
    func assertSameDatasets(_ output: String, _ reference: String, file: StaticString = #filePath, line: UInt = #line) {
        for (name, _) in files {
            for suffix in ["_text_document.bin", "_text_document.idx"] {
                let actual = FileManager.default.contents(atPath: "\(output)/\(name)\(suffix)")
                let expected = FileManager.default.contents(atPath: "\(reference)/\(name)\(suffix)")
                XCTAssertNotNil(expected, "reference \(name)\(suffix) missing", file: file, line: line)
                XCTAssertNotNil(actual, "\(output)/\(name)\(suffix) missing", file: file, line: line)
                XCTAssertTrue(actual == expected, "\(output)/\(name)\(suffix) differs from corpuskit tokenize on the file alone", file: file, line: line)
            }
        }
    }
}
