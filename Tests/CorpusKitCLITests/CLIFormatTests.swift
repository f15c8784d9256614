import Foundation
import XCTest
import CorpusKitTestSupport

/// `--input-format lines`, `--output-format pieces`, standard input, `--json-keys`, a directory as
/// `--tokenizer`, and `corpuskit info`, against `Tests/Fixtures/cli/expectations.json`
/// (`Tools/fixtures/make_cli_fixtures.py`: sentencepiece's `encode(out_type=str)`, tokenizers' `.tokens`).
final class CLIFormatTests: XCTestCase {
    private let names = ["fixture-llmjp.model", "fixture-llmjp.tokenizer.json", "fixture-nfkc.model", "fixture-nfkc.tokenizer.json"]

    private func compareIDs(_ result: CommandResult, _ expected: [[Int64]], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let lines = result.lines
        XCTAssertEqual(lines.count, expected.count, "\(what): line count", file: file, line: line)
        for (index, ids) in expected.enumerated() where index < lines.count {
            XCTAssertEqual(CLIOutput.ids(lines[index]), ids, "\(what): line \(index + 1): \(String(decoding: lines[index], as: UTF8.self))", file: file, line: line)
        }
    }

    private func comparePieces(_ result: CommandResult, _ expected: [[[UInt8]]], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let lines = result.lines
        XCTAssertEqual(lines.count, expected.count, "\(what): line count", file: file, line: line)
        for (index, pieces) in expected.enumerated() where index < lines.count {
            let actual = CLIOutput.strings(lines[index])
            XCTAssertEqual(actual, pieces, """
                \(what): line \(index + 1): expected \(pieces.map { String(decoding: $0, as: UTF8.self) }) \
                got \(String(decoding: lines[index], as: UTF8.self))
                """, file: file, line: line)
        }
    }

    func testFixtureLinesFileHasEmptyLines() throws {
        let fixtures = try CLIFixtures.load()
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures.linesFile))
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, fixtures.lineCount)
        XCTAssertTrue(lines.contains { $0.isEmpty }, "lines.txt should exercise an empty line")
        XCTAssertFalse(data.contains(0x0D))
    }

    func testLinesInputIDsAndPieces() throws {
        let fixtures = try CLIFixtures.load()
        for name in names {
            let entry = try fixtures.entry(name)
            XCTAssertEqual(entry.lines.count, fixtures.lineCount)
            XCTAssertTrue(entry.lines.contains { $0.ids.isEmpty }, "\(name): an empty line encodes to []")
            let base = ["encode", "--tokenizer", entry.absolutePath, "--input", fixtures.linesFile, "--input-format", "lines"]
            compareIDs(try CorpusKitCLI.succeed(base), entry.lines.map(\.ids), "\(name) lines → ids")
            compareIDs(try CorpusKitCLI.succeed(base + ["--add-special-tokens"]), entry.lines.map(\.idsSpecial), "\(name) lines → ids (special)")
            comparePieces(try CorpusKitCLI.succeed(base + ["--output-format", "pieces"]), entry.lines.map(\.pieces), "\(name) lines → pieces")
            comparePieces(try CorpusKitCLI.succeed(base + ["--output-format", "pieces", "--add-special-tokens"]),
                          entry.lines.map(\.piecesSpecial), "\(name) lines → pieces (special)")
        }
    }

    func testEmptyLineEncodesToEmptyArray() throws {
        let fixtures = try CLIFixtures.load()
        let scratch = try ScratchDirectory("cli-tests")
        let input = try scratch.write("empty.txt", "\n")
        for name in names {
            let entry = try fixtures.entry(name)
            let result = try CorpusKitCLI.succeed(["encode", "--tokenizer", entry.absolutePath, "--input", input, "--input-format", "lines"])
            XCTAssertEqual(String(decoding: result.stdout, as: UTF8.self), "[]\n", name)
        }
    }

    func testStandardInput() throws {
        let fixtures = try CLIFixtures.load()
        for name in names {
            let entry = try fixtures.entry(name)
            // raw lines from standard input
            let lines = try CorpusKitCLI.succeed(["encode", "--tokenizer", entry.absolutePath, "--input-format", "lines", "--output-format", "pieces"],
                                                 stdinFile: fixtures.linesFile)
            comparePieces(lines, entry.lines.map(\.pieces), "\(name) stdin lines → pieces")

            // JSONL from standard input: the reference documents
            let references = ReferenceFiles.fixtureReferences
            let jsonl = try CorpusKitCLI.succeed(["encode", "--tokenizer", entry.absolutePath],
                                                 stdinFile: references.appendingPathComponent("documents.jsonl").path)
            let expected = try JSONLines(references.appendingPathComponent("\(name).jsonl")).map { ($0["ids"] as? [NSNumber] ?? []).map(\.int64Value) }
            compareIDs(jsonl, expected, "\(name) stdin jsonl → ids")

            // decode from standard input
            let scratch = try ScratchDirectory("cli-tests")
            let idsFile = try scratch.write("ids.jsonl", lines: entry.lines.map { CLIOutput.idLine($0.ids) })
            let fromFile = try CorpusKitCLI.succeed(["decode", "--tokenizer", entry.absolutePath, "--input", idsFile])
            let fromStdin = try CorpusKitCLI.succeed(["decode", "--tokenizer", entry.absolutePath], stdinFile: idsFile)
            XCTAssertEqual(fromStdin.stdout, fromFile.stdout, "\(name): decode from stdin")
            XCTAssertEqual(fromStdin.lines.count, fixtures.lineCount)
        }
    }

    /// `--json-keys`: the reference documents with their text under another key (and an extra field first).
    func testJSONKey() throws {
        let references = ReferenceFiles.fixtureReferences
        let documents = try Data(contentsOf: references.appendingPathComponent("documents.jsonl"))
        let prefix = Data(#"{"text":"#.utf8)
        var rewritten = Data()
        var count = 0
        for line in documents.split(separator: 0x0A) {
            XCTAssertTrue(line.starts(with: prefix), "documents.jsonl lines start with {\"text\":")
            rewritten.append(Data(#"{"id":\#(count),"body":"#.utf8))
            rewritten.append(Data(line.dropFirst(prefix.count)))
            rewritten.append(0x0A)
            count += 1
        }
        let scratch = try ScratchDirectory("cli-tests")
        let input = try scratch.write("body.jsonl", rewritten)
        let name = "fixture-nfkc.tokenizer.json"
        let entry = try CLIFixtures.load().entry(name)
        let result = try CorpusKitCLI.succeed(["encode", "--tokenizer", entry.absolutePath, "--input", input, "--json-keys", "body", "--add-special-tokens"])
        let expected = try JSONLines(references.appendingPathComponent("\(name).jsonl")).map { ($0["ids_special"] as? [NSNumber] ?? []).map(\.int64Value) }
        XCTAssertEqual(expected.count, count)
        compareIDs(result, expected, "--json-keys body")

        // the default key "text" is missing from these lines: an error naming the line
        try CorpusKitCLI.fail(["encode", "--tokenizer", entry.absolutePath, "--input", input], mentioning: ["\(input):1:", "text"])
    }

    /// A directory as `--tokenizer` uses its tokenizer.json (fixture-llmjp holds both files).
    func testDirectoryPrefersTokenizerJSON() throws {
        let fixtures = try CLIFixtures.load()
        let entry = try fixtures.entry("fixture-llmjp.tokenizer.json")
        let directory = ReferenceFiles.fixtureTokenizers.appendingPathComponent("fixture-llmjp").path
        let result = try CorpusKitCLI.succeed(["encode", "--tokenizer", directory, "--input", fixtures.linesFile, "--input-format", "lines", "--add-special-tokens"])
        compareIDs(result, entry.lines.map(\.idsSpecial), "directory → tokenizer.json")
    }

    // MARK: info

    private func infoValue(_ output: String, _ label: String) -> String? {
        for line in output.split(separator: "\n") where line.hasPrefix(label + ":") {
            return line.dropFirst(label.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    func testInfo() throws {
        let fixtures = try CLIFixtures.load()
        for name in names {
            let entry = try fixtures.entry(name)
            let result = try CorpusKitCLI.succeed(["info", "--tokenizer", entry.absolutePath])
            let output = String(decoding: result.stdout, as: UTF8.self)
            XCTAssertEqual(infoValue(output, "vocabulary size"), String(entry.vocabularySize), "\(name): \(output)")
            guard let normalizer = infoValue(output, "normalizer") else { XCTFail("\(name): no normalizer line: \(output)"); continue }
            if entry.isSentencePiece {
                let spec = entry.raw["normalizer_name"] as! String
                XCTAssertTrue(normalizer.contains(spec), "\(name): normalizer \(normalizer.debugDescription) should name \(spec)")
            } else {
                let types = entry.raw["normalizer_types"] as! [String]
                XCTAssertFalse(types.isEmpty)
                for type in types {
                    XCTAssertTrue(normalizer.contains(type), "\(name): normalizer \(normalizer.debugDescription) should name \(type)")
                }
                if let preTokenizer = infoValue(output, "pre-tokenizer") {
                    for type in entry.raw["pre_tokenizer_types"] as! [String] {
                        XCTAssertTrue(preTokenizer.contains(type), "\(name): pre-tokenizer \(preTokenizer.debugDescription) should name \(type)")
                    }
                } else {
                    XCTFail("\(name): no pre-tokenizer line")
                }
            }
        }
    }

    /// `info` names the model type the file declares (`model.type` of a tokenizer.json; the BPE
    /// fixtures were trained with `model_type=bpe`, the llm-jp-style one with `unigram`).
    func testInfoNamesTheModelType() throws {
        let cases = [("fixture-bpe/fixture-bpe.model", "BPE"), ("fixture-bpe-bytes/fixture-bpe-bytes.model", "BPE"),
                     ("fixture-llmjp/fixture-llmjp.model", "Unigram")]
        var all = cases
        for json in ["fixture-bpe/tokenizer.json", "fixture-llmjp/tokenizer.json"] {
            let data = try Data(contentsOf: ReferenceFiles.fixtureTokenizers.appendingPathComponent(json))
            let model = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["model"] as? [String: Any])
            all.append((json, try XCTUnwrap(model["type"] as? String)))
        }
        for (file, type) in all {
            let path = ReferenceFiles.fixtureTokenizers.appendingPathComponent(file).path
            let output = String(decoding: try CorpusKitCLI.succeed(["info", "--tokenizer", path]).stdout, as: UTF8.self)
            let model = try XCTUnwrap(infoValue(output, "model"), "\(file): no model line: \(output)")
            XCTAssertTrue(model == type || model.hasPrefix(type + " "), "\(file): model \(model.debugDescription), expected \(type)")
        }
    }
}
