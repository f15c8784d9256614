import Foundation
import XCTest
import CorpusKitTestSupport

/// A corpus of ~20 small files (.jsonl, .jsonl.gz, .jsonl.zst) in nested directories, cut from
/// `Corpora/sample.jsonl`, with the per-file reference made by `corpuskit tokenize`.
struct LaunchCorpus {
    let input: String
    /// Relative names (without suffix) → input file.
    let files: [(name: String, path: String)]

    static let directories = ["ja", "ja/wiki", "en", "en/web/2024", "code"]

    static func make(in scratch: ScratchDirectory, count: Int = 20) throws -> LaunchCorpus {
        let lines = try String(contentsOfFile: TestPaths.sampleCorpus, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
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
                let result = try Command.tool("gzip", ["-n", plain])
                guard result.status == 0 else { throw TestFailure(result.summary) }
                path = plain + ".gz"
            case 2:
                let result = try Command.tool("zstd", ["-q", "--rm", plain])
                guard result.status == 0 else { throw TestFailure(result.summary) }
                path = plain + ".zst"
            default:
                break
            }
            files.append(("\(directory)/\(stem)", path))
        }
        return LaunchCorpus(input: input, files: files.sorted { $0.0 < $1.0 })
    }

    static let tokenizerFlags = ["--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP, "--append-eod"]

    /// `corpuskit tokenize` on each file alone into `reference/NAME`, with the token-info CSV of
    /// those runs; returns the expected `num_tokens.tsv` built from that CSV.
    func tokenizeEachAlone(into reference: String) throws -> String {
        let csv = (reference as NSString).appendingPathComponent("token_info.csv")
        for (name, path) in files {
            let prefix = (reference as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: (prefix as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try CorpusKitCLI.succeed(["tokenize", "--input", path, "--output-prefix", prefix, "--quiet",
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
