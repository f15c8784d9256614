import Foundation
import XCTest
import CorpusKitTestSupport

/// Error paths of the command line: each must end with a non-zero exit status (never a crash) and
/// a message on stderr that names the problem.
final class CLIErrorTests: XCTestCase {
    private var fixtureModel: String { ReferenceFiles.fixtureTokenizers.appendingPathComponent("fixture-llmjp/fixture-llmjp.model").path }
    private var fixtureJSON: String { ReferenceFiles.fixtureTokenizers.appendingPathComponent("fixture-llmjp/tokenizer.json").path }

    // MARK: tokenizer files

    /// tokenizer.json files that HF tokenizers loads (Tools/fixtures/make_cli_fixtures.py wrote them with
    /// tokenizers itself), and a sentencepiece `char` model, that CorpusKit does not implement: the
    /// message names the component.
    func testUnsupportedTokenizerJSONComponentsAreNamed() throws {
        let fixtures = try CLIFixtures.load()
        XCTAssertEqual(Set(fixtures.unsupported.keys),
                       ["bpe-dropout.json", "bert-normalizer.json", "replace-regex.json", "bytelevel-pretokenizer.json", "char-model.model"])
        XCTAssertEqual(fixtures.unsupported["bpe-dropout.json"], "dropout")
        XCTAssertEqual(fixtures.unsupported["char-model.model"], "Char")
        XCTAssertEqual(fixtures.unsupported["bert-normalizer.json"], "BertNormalizer")
        XCTAssertEqual(fixtures.unsupported["replace-regex.json"], "(ab|cd)")
        XCTAssertEqual(fixtures.unsupported["bytelevel-pretokenizer.json"], "ByteLevel")
        for (file, name) in fixtures.unsupported.sorted(by: { $0.key < $1.key }) {
            let path = CLIFixtures.directory.appendingPathComponent("unsupported/\(file)").path
            try CorpusKitCLI.fail(["info", "--tokenizer", path], mentioning: [path, name, "unsupported"])
            try CorpusKitCLI.fail(["decode", "--tokenizer", path], mentioning: [name])
        }
    }

    func testMissingTokenizerFile() throws {
        let scratch = try ScratchDirectory("cli-tests")
        let missing = scratch.file("nope/tokenizer.model")
        try CorpusKitCLI.fail(["info", "--tokenizer", missing], mentioning: [missing, "no such file"])
        let missingJSON = scratch.file("tokenizer.json")
        try CorpusKitCLI.fail(["encode", "--tokenizer", missingJSON], mentioning: [missingJSON, "no such file"])
    }

    func testDirectoryWithoutTokenizer() throws {
        let scratch = try ScratchDirectory("cli-tests")
        try CorpusKitCLI.fail(["info", "--tokenizer", scratch.path], mentioning: [scratch.path, "neither tokenizer.json nor a .model"])
    }

    func testCorruptModelFiles() throws {
        let scratch = try ScratchDirectory("cli-tests")
        // deterministic pseudo-random bytes
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let random = Data((0..<4096).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        })
        let original = try Data(contentsOf: URL(fileURLWithPath: fixtureModel))
        let cases: [(String, Data)] = [
            ("random.model", random),
            ("truncated.model", original.prefix(original.count / 2)),
            ("truncated-early.model", original.prefix(37)),
            ("empty.model", Data()),
            ("text.model", Data("this is not a sentencepiece model\n".utf8)),
        ]
        for (name, data) in cases {
            let path = try scratch.write(name, data)
            let result = try CorpusKitCLI.fail(["info", "--tokenizer", path], mentioning: [path])
            XCTAssertTrue(result.stderr.contains("malformed") || result.stderr.contains("unsupported"),
                          "\(name): the message should say what is wrong: \(result.stderr)")
        }
    }

    /// ICU is opened only when a normalizer needs it (CICUShim/ck_icu.c). On a machine without it, a
    /// tokenizer.json with such a normalizer (fixture-nfkc's Precompiled) is refused with a message
    /// that names the file, the normalizer and the library; one without (fixture-llmjp's) still
    /// encodes. The library is hidden behind an empty file in a mount namespace of its own
    /// (`unshare -m`, so root only: CI runs as root).
    func testTokenizerNeedingICUWithoutICU() throws {
        guard getuid() == 0 else { throw XCTSkip("not root: no mount namespace to hide ICU in") }
        guard let unshare = ["/usr/bin/unshare", "/bin/unshare"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("unshare (util-linux) not found")
        }
        let directories = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"]
        let library = directories.lazy.compactMap { directory -> String? in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.filter { $0.range(of: #"^libicuuc\.so\.[0-9]+$"#, options: .regularExpression) != nil }
                .sorted().last.map { "\(directory)/\($0)" }
        }.first
        guard let library else { throw XCTSkip("no libicuuc.so.N found: ICU is missing already") }
        let scratch = try ScratchDirectory("cli-tests")
        let empty = try scratch.write("empty", Data())
        let input = try scratch.write("input.jsonl", "{\"text\": \"ＡＢＣ　テスト\"}\n")
        let executable = try CorpusKitExecutable.require()
        func encodeWithoutICU(_ tokenizer: String) throws -> CommandResult {
            try Command.run(unshare, ["-m", "sh", "-c", #"mount --bind "$1" "$2" && exec "$3" encode --tokenizer "$4" --input "$5""#,
                                      "sh", empty, library, executable, tokenizer, input])
        }
        let needing = ReferenceFiles.fixtureTokenizers.appendingPathComponent("fixture-nfkc/tokenizer.json").path
        let refused = try encodeWithoutICU(needing)
        XCTAssertFalse(refused.crashed, refused.summary)
        XCTAssertNotEqual(refused.status, 0, refused.summary)
        for word in [needing, "Precompiled", "ICU", "libicuuc"] {
            XCTAssertTrue(refused.stderr.contains(word), "\(word) not in: \(refused.stderr)")
        }
        XCTAssertTrue(refused.stdout.isEmpty, refused.summary)
        let accepted = try encodeWithoutICU(fixtureJSON)
        XCTAssertEqual(accepted.status, 0, accepted.summary)
        XCTAssertEqual(accepted.output, try CorpusKitCLI.succeed(["encode", "--tokenizer", fixtureJSON, "--input", input]).output)
    }

    func testCorruptTokenizerJSON() throws {
        let scratch = try ScratchDirectory("cli-tests")
        let original = try Data(contentsOf: URL(fileURLWithPath: fixtureJSON))
        let cases: [(String, Data)] = [
            ("truncated.json", original.prefix(original.count / 2)),
            ("array.json", Data("[1, 2, 3]".utf8)),
            ("empty.json", Data()),
            ("no-model.json", Data(#"{"version": "1.0", "added_tokens": []}"#.utf8)),
        ]
        for (name, data) in cases {
            let path = try scratch.write(name, data)
            try CorpusKitCLI.fail(["info", "--tokenizer", path], mentioning: [path, "malformed"])
        }
    }

    // MARK: encode input

    func testMissingInputFile() throws {
        let scratch = try ScratchDirectory("cli-tests")
        let missing = scratch.file("missing.jsonl")
        try CorpusKitCLI.fail(["encode", "--tokenizer", fixtureModel, "--input", missing], mentioning: [missing])
    }

    func testMalformedJSONLNamesFileAndLine() throws {
        let scratch = try ScratchDirectory("cli-tests")
        let cases: [(String, [String], Int, String)] = [
            ("unterminated.jsonl", [#"{"text": "ok"}"#, #"{"text": "abc"#], 2, "JSON"),
            ("notjson.jsonl", [#"{"text": "ok"}"#, #"{"text": "ok"}"#, "hello"], 3, "JSON"),
            ("missingkey.jsonl", [#"{"body": "ok"}"#], 1, "text"),
            ("notstring.jsonl", [#"{"text": "ok"}"#, #"{"text": 12}"#], 2, "text"),
            ("array.jsonl", ["[1, 2]"], 1, "object"),
            ("empty-line.jsonl", [#"{"text": "ok"}"#, ""], 2, ""),
            ("lone-surrogate.jsonl", [#"{"text": "a\ud800b"}"#], 1, "surrogate"),
        ]
        for (name, lines, number, word) in cases {
            let input = try scratch.write(name, lines: lines)
            for tokenizer in [fixtureModel, fixtureJSON] {
                let result = try CorpusKitCLI.fail(["encode", "--tokenizer", tokenizer, "--input", input], mentioning: ["\(input):\(number):"])
                if !word.isEmpty { XCTAssertTrue(result.stderr.contains(word), "\(name): \(result.stderr)") }
            }
        }
    }

    func testInvalidUTF8NamesLine() throws {
        let scratch = try ScratchDirectory("cli-tests")
        var data = Data("fine\nalso fine\n".utf8)
        data.append(contentsOf: [0x61, 0xFF, 0x62, 0x0A])            // line 3: a, 0xFF, b
        data.append(contentsOf: Array("more\n".utf8))
        let lines = try scratch.write("invalid.txt", data)
        var truncated = Data("ok\n".utf8)
        truncated.append(contentsOf: [0xE3, 0x81, 0x0A])             // line 2: a truncated 3-byte sequence
        let truncatedFile = try scratch.write("truncated.txt", truncated)
        var jsonl = Data(#"{"text": "ok"}"#.utf8 + [0x0A])
        jsonl.append(Data(#"{"text": "a"#.utf8))
        jsonl.append(contentsOf: [0xC3, 0x28])                       // invalid continuation
        jsonl.append(Data(#""}"#.utf8 + [0x0A]))
        let jsonlFile = try scratch.write("invalid.jsonl", jsonl)
        for tokenizer in [fixtureModel, fixtureJSON] {
            try CorpusKitCLI.fail(["encode", "--tokenizer", tokenizer, "--input", lines, "--input-format", "lines"],
                                  mentioning: ["\(lines):3:", "UTF-8"])
            try CorpusKitCLI.fail(["encode", "--tokenizer", tokenizer, "--input", truncatedFile, "--input-format", "lines"],
                                  mentioning: ["\(truncatedFile):2:", "UTF-8"])
            try CorpusKitCLI.fail(["encode", "--tokenizer", tokenizer, "--input", jsonlFile], mentioning: ["\(jsonlFile):2:", "UTF-8"])
            // through standard input the message names <stdin>
            try CorpusKitCLI.fail(["encode", "--tokenizer", tokenizer, "--input-format", "lines"], stdinFile: lines, mentioning: ["<stdin>:3:", "UTF-8"])
        }
    }

    func testBadOptionValue() throws {
        let result = try CorpusKitCLI.fail(["encode", "--tokenizer", fixtureModel, "--input-format", "xml"], mentioning: ["xml"])
        XCTAssertNotEqual(result.status, 0)
        try CorpusKitCLI.fail(["encode"], mentioning: ["--tokenizer"])
    }

    // MARK: decode input

    func testDecodeRejectsLinesThatAreNotIDArrays() throws {
        let scratch = try ScratchDirectory("cli-tests")
        let cases: [(String, [String], Int)] = [
            ("object.jsonl", ["[1, 2]", #"{"ids": [1]}"#], 2),
            ("string.jsonl", [#"[1, "a"]"#], 1),
            ("float.jsonl", ["[1, 2]", "[3]", "[1.5]"], 3),
            ("nested.jsonl", ["[[1]]"], 1),
            ("text.jsonl", ["hello"], 1),
            ("unterminated.jsonl", ["[1, 2"], 1),
            ("trailing-comma.jsonl", ["[1, 2,]"], 1),
            ("empty-line.jsonl", ["[1]", ""], 2),
        ]
        for (name, lines, number) in cases {
            let input = try scratch.write(name, lines: lines)
            for tokenizer in [fixtureModel, fixtureJSON] {
                try CorpusKitCLI.fail(["decode", "--tokenizer", tokenizer, "--input", input], mentioning: ["\(input):\(number):", "array"])
            }
        }
    }

    /// sentencepiece raises `IndexError: piece id is out of range` for ids outside [0, size).
    func testDecodeOutOfRangeIDForModelFails() throws {
        let entry = try CLIFixtures.load().entry("fixture-llmjp.model")
        let scratch = try ScratchDirectory("cli-tests")
        for bad in [Int64(entry.vocabularySize), Int64(entry.vocabularySize) + 1000, -1, Int64(Int32.max)] {
            let input = try scratch.write("ids.jsonl", lines: ["[5, 6]", "[5, \(bad), 6]"])
            try CorpusKitCLI.fail(["decode", "--tokenizer", entry.absolutePath, "--input", input], mentioning: ["\(input):2:", "\(bad)"])
        }
    }

    /// tokenizers' `decode` takes u32 ids and drops those it cannot map, up to 2^32 - 1 (the
    /// decode.jsonl references contain such sequences): a sequence of only such ids decodes to "".
    func testDecodeOutOfRangeIDsForTokenizerJSONAreDropped() throws {
        let entry = try CLIFixtures.load().entry("fixture-llmjp.tokenizer.json")
        let size = Int64(entry.vocabularySize)
        let scratch = try ScratchDirectory("cli-tests")
        let input = try scratch.write("ids.jsonl", lines: [
            CLIOutput.idLine([size]), CLIOutput.idLine([size + 999, Int64(Int32.max)]),
            CLIOutput.idLine([Int64(UInt32.max)]), CLIOutput.idLine([Int64(Int32.max) + 1]),
        ])
        let result = try CorpusKitCLI.run(["decode", "--tokenizer", entry.absolutePath, "--input", input])
        XCTAssertEqual(result.status, 0, result.summary)
        XCTAssertEqual(result.lines.map { CLIOutput.decodedText($0) }, Array(repeating: [UInt8](), count: 4), result.summary)
    }

    /// tokenizers raises OverflowError for ids that are not u32 (negative, or 2^32 and above):
    /// the CLI must fail too rather than drop them.
    func testDecodeNonUInt32IDsForTokenizerJSONFail() throws {
        let entry = try CLIFixtures.load().entry("fixture-llmjp.tokenizer.json")
        let scratch = try ScratchDirectory("cli-tests")
        for bad in [Int64(-1), Int64(UInt32.max) + 1] {
            let input = try scratch.write("ids.jsonl", lines: ["[5]", "[5, \(bad)]"])
            try CorpusKitCLI.fail(["decode", "--tokenizer", entry.absolutePath, "--input", input], mentioning: ["\(input):2:"])
        }
    }
}
