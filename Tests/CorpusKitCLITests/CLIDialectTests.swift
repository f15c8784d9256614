import Foundation
import XCTest
import CorpusKitTestSupport

/// The one command-line dialect (issue #24): usage errors exit 64 in every command, every error
/// line starts with swift-argument-parser's `Error: `, the old flag names are accepted as hidden
/// aliases with the same result as the new ones, and ranges are half-open.
final class CLIDialectTests: XCTestCase {
    /// Every leaf command, found by walking the SUBCOMMANDS of the committed `--help` snapshots from
    /// the root (as HelpSnapshotTests does), so that a new command is covered without a new line here.
    private func leafCommands() throws -> [[String]] {
        var pending: [[String]] = [[]]
        var leaves: [[String]] = []
        while let command = pending.popLast() {
            let file = TestPaths.fixture("help/" + (["corpuskit"] + command).joined(separator: "-") + ".txt")
            let help = try String(contentsOfFile: file, encoding: .utf8)
            let children = HelpSnapshotTests.subcommands(in: help)
            if children.isEmpty { leaves.append(command) } else { pending += children.map { command + [$0] } }
        }
        return leaves.sorted { $0.joined(separator: " ") < $1.joined(separator: " ") }
    }

    /// An unknown option is a usage error in every command: exit 64 and one `Error: ` line.
    func testUnknownOptionExits64InEveryCommand() throws {
        let leaves = try leafCommands()
        XCTAssertGreaterThan(leaves.count, 25, "\(leaves)")
        for command in leaves {
            let result = try CorpusKitCLI.run(command + ["--no-such-option"])
            XCTAssertEqual(result.status, 64, "corpuskit \(command.joined(separator: " ")): \(result.summary)")
            XCTAssertTrue(result.stderr.hasPrefix("Error: "), "corpuskit \(command.joined(separator: " ")): \(result.summary)")
        }
    }

    /// Usage errors each command checks itself (not only the parser's): exit 64, the message names the flag.
    func testValidationErrorsExit64() throws {
        let model = TestPaths.fixtureLLMJP
        let plan = ["--data-path", "1 x_text_document", "--seq-length", "8", "--global-batch-size", "2", "--train-iters", "1"]
        let cases: [([String], String)] = [
            (["tokenize", "--output-prefix", "x", "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", model], "--input"),
            (["tokenize", "--input", "x.jsonl", "--output-prefix", "x", "--tokenizer-type", "Nope", "--tokenizer-model", model], "--tokenizer-type Nope"),
            (["tokenize", "--input", "x.jsonl", "--output-prefix", "x", "--tokenizer-type", "Llama2Tokenizer"], "--tokenizer-model"),
            (["tokenize", "--input", "x.jsonl", "--output-prefix", "x", "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", model, "--threads", "0"], "--threads"),
            (["tokenize", "--input", "x.jsonl", "--output-prefix", "x", "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", model, "--workers", "0"], "--workers"),
            (["tokenize", "--input", "x.jsonl", "--output-prefix", "x", "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", model,
              "--threads", "2", "--workers", "2"], "--workers"),
            (["count"], "--input"),
            (["count", "--input", "x.jsonl"], "--tokenizer-type"),
            (["launch", "tokenize", "--output-dir", "o", "--tasks", "1", "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", model], "--input"),
            (["launch", "run-task", "o", "0", "--threads", "0"], "--threads"),
            (["encode", "--tokenizer", model, "--json-keys", "a", "b"], "one key"),
            (["shard", "decode", "x", "--tokenizer", model, "--docs", "3..=5"], "write 3..6"),
            (["shard", "decode", "x", "--tokenizer", model, "--docs", "3...5"], "half-open"),
            (["shard", "decode", "x", "--tokenizer", model, "--docs", "5..3"], "A < B"),
            (["replay"] + plan, "--step"),
            (["replay"] + plan + ["--samples", "4..2"], "--samples 4..2"),
            (["replay"] + plan + ["--samples", "0..=3"], "write 0..4"),
            (["replay"] + plan + ["--step", "0", "--text"], "--tokenizer"),
            (["plan", "--seq-length", "8", "--global-batch-size", "2", "--train-iters", "1"], "--data-path"),
            (["plan", "--data-path", "1 x", "--seq-length", "8", "--global-batch-size", "2"], "--train-iters"),
            (["plan"] + plan + ["--seed", "-1"], "--seed"),
            (["plan", "--data-path", "1 x", "--seq-length", "1", "--global-batch-size", "2", "--train-iters", "1"], "--seq-length"),
            (["plan", "--data-path", "1 x", "--seq-length", "8", "--global-batch-size", "0", "--train-iters", "1"], "--global-batch-size"),
            (["model", "loss", "ckpt"] + plan, "--step"),
            (["model", "loss", "ckpt"] + plan + ["--samples", "1..=2"], "write 1..3"),
            (["model", "compare", "a", "b", "--tokenizer", model], "--input"),
            (["model", "compare", "a", "b", "--tokenizer", model, "--input", "x.jsonl", "--threads", "0"], "--threads"),
            (["model", "compare", "a", "b", "--tokenizer", model, "--input", "x.jsonl", "--json-keys", "a", "b"], "one key"),
            (["model", "resize-embeddings", "ckpt", "--base-tokenizer", model, "--tokenizer", model, "--output", "o", "--pad-to-multiple-of", "0"], "--pad-to-multiple-of"),
            (["vocab", "extend", model, "--add", model], "--output"),
            (["compat", "shards", model, "x", "--append-eod", "true"], "--append-eod is a flag"),
            (["compat", "shards", model, "x", "--tokenizer-type", "Nope"], "--tokenizer-type Nope"),
            (["compat", "vocab", model, model, "--input", "x.jsonl", "--json-keys", "a", "b"], "one key"),
            (["model", "check", "ckpt", "--input", "x.jsonl"], "--tokenizer"),
            (["model", "check", "ckpt", "--tokenizer", model, "--long-context"], "--input"),
            (["model", "check", "ckpt", "--tokenizer", model, "--input", "x.jsonl", "--json-keys", "a", "b"], "one key"),
            (["model", "generate", "ckpt", "--max-new-tokens", "1"], "--ids-file"),
            (["model", "logits", "ckpt", "--ids-file", "x", "--threads", "0"], "--threads"),
            (["model", "perplexity", "ckpt", "--tokenizer", model], "--input"),
        ]
        for (arguments, needle) in cases {
            let result = try CorpusKitCLI.run(arguments)
            XCTAssertEqual(result.status, 64, "corpuskit \(arguments.joined(separator: " ")): \(result.summary)")
            XCTAssertTrue(result.stderr.hasPrefix("Error: "), "corpuskit \(arguments.joined(separator: " ")): \(result.summary)")
            XCTAssertTrue(result.stderr.contains(needle), "corpuskit \(arguments.joined(separator: " ")) should name \(needle): \(result.summary)")
        }
    }

    /// Failures after parsing: `Error: ` too, exit 1 (2 for the check commands' bad input).
    func testRuntimeErrorsUseOnePrefix() throws {
        let scratch = try ScratchDirectory("cli-dialect")
        let missing = scratch.file("missing")
        let cases: [([String], Int32)] = [
            (["info", "--tokenizer", missing], 1),
            (["encode", "--tokenizer", TestPaths.fixtureLLMJP, "--input", missing + ".jsonl"], 1),
            (["shard", "info", missing], 1),
            (["count", missing], 1),
            (["vocab", "extend", missing, "--add", missing, "--dry-run"], 1),
            (["model", "diff", missing, missing], 2),
            (["model", "check", missing], 2),
            (["compat", "vocab", missing, missing], 2),
            (["compat", "vocab", TestPaths.fixtureLLMJP, TestPaths.fixtureLLMJPJSON, "--input", missing + ".jsonl"], 2),
            (["compat", "shards", TestPaths.fixtureLLMJP, missing], 2),
        ]
        for (arguments, status) in cases {
            let result = try CorpusKitCLI.run(arguments)
            XCTAssertEqual(result.status, status, "corpuskit \(arguments.joined(separator: " ")): \(result.summary)")
            XCTAssertTrue(result.stderr.hasPrefix("Error: "), "corpuskit \(arguments.joined(separator: " ")): \(result.summary)")
            XCTAssertFalse(result.stderr.contains("corpuskit \(arguments[0]):"), result.summary)
        }
    }

    /// tokenize and count with the old names (`--corpus`, `--json-key`, `--workers`) give what the
    /// new ones give.
    func testOldFlagNamesAreAliases() throws {
        let scratch = try ScratchDirectory("cli-dialect")
        let corpus = try scratch.write("c.jsonl", lines: [#"{"body": "吾輩は猫である。", "text": "x"}"#, #"{"body": "名前はまだ無い。", "text": "y"}"#])
        let tokenizer = ["--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP, "--append-eod", "--quiet"]
        _ = try CorpusKitCLI.succeed(["tokenize", "--input", corpus, "--json-keys", "body", "--threads", "1",
                                      "--output-prefix", scratch.file("new")] + tokenizer)
        _ = try CorpusKitCLI.succeed(["tokenize", "--corpus", corpus, "--json-key", "body", "--workers", "1",
                                      "--output-prefix", scratch.file("old")] + tokenizer)
        for suffix in ["_body_document.bin", "_body_document.idx"] {
            let new = try Data(contentsOf: URL(fileURLWithPath: scratch.file("new" + suffix)))
            let old = try Data(contentsOf: URL(fileURLWithPath: scratch.file("old" + suffix)))
            XCTAssertFalse(new.isEmpty)
            XCTAssertEqual(new, old, suffix)
        }
        let count = try CorpusKitCLI.succeed(["count", "--input", corpus, "--json-keys", "body", "--threads", "1", "--format", "json"] + tokenizer.dropLast())
        let countOld = try CorpusKitCLI.succeed(["count", "--corpus", corpus, "--corpus-key", "body", "--workers", "1", "--format", "json"] + tokenizer.dropLast())
        XCTAssertEqual(count.output, countOld.output)
        let countText = try CorpusKitCLI.succeed(["count", "--input", corpus, "--format", "json"] + tokenizer.dropLast())
        XCTAssertNotEqual(count.output, countText.output, "the key must reach the count")

        let encoded = try CorpusKitCLI.succeed(["encode", "--tokenizer", TestPaths.fixtureLLMJP, "--input", corpus, "--json-keys", "body"])
        let encodedOld = try CorpusKitCLI.succeed(["encode", "--tokenizer", TestPaths.fixtureLLMJP, "--input", corpus, "--json-key", "body"])
        XCTAssertEqual(encoded.output, encodedOld.output)
        XCTAssertEqual(encoded.lines.count, 2)
    }

    /// compat vocab's `--corpus`/`--corpus-key` and `--input`/`--json-keys` give the same report;
    /// compat shards' `--append-eod` is a flag with a `--no-` form.
    func testCompatDialect() throws {
        let corpus = TestPaths.sampleCorpus
        let new = try CorpusKitCLI.run(["compat", "vocab", TestPaths.fixtureLLMJP, TestPaths.fixtureLLMJPJSON, "--input", corpus, "--json-keys", "text", "--json"])
        let old = try CorpusKitCLI.run(["compat", "vocab", TestPaths.fixtureLLMJP, TestPaths.fixtureLLMJPJSON, "--corpus", corpus, "--corpus-key", "text", "--json"])
        XCTAssertEqual(new.status, 0, new.summary)
        XCTAssertEqual(new.output, old.output)
        XCTAssertTrue(new.output.contains("corpus"), new.output)

        let scratch = try ScratchDirectory("cli-dialect")
        let input = try scratch.write("c.jsonl", lines: [#"{"text": "吾輩は猫である。"}"#, #"{"text": "名前はまだ無い。"}"#])
        _ = try CorpusKitCLI.succeed(["tokenize", "--input", input, "--output-prefix", scratch.file("eod"), "--tokenizer-type", "Llama2Tokenizer",
                                      "--tokenizer-model", TestPaths.fixtureLLMJP, "--append-eod", "--quiet"])
        let shard = scratch.file("eod_text_document")
        let given = try CorpusKitCLI.run(["compat", "shards", TestPaths.fixtureLLMJP, shard, "--tokenizer-type", "Llama2Tokenizer", "--append-eod"])
        XCTAssertEqual(given.status, 0, given.summary)
        let denied = try CorpusKitCLI.run(["compat", "shards", TestPaths.fixtureLLMJP, shard, "--tokenizer-type", "Llama2Tokenizer", "--no-append-eod"])
        XCTAssertEqual(denied.status, 1, denied.summary)
    }

    /// model check reads `--json-keys`' key, and `--corpus` is `--input`: the same report for the
    /// same texts under another key.
    func testModelCheckReadsTheGivenKey() throws {
        let scratch = try ScratchDirectory("cli-dialect")
        let corpus = TestPaths.fixture("inference/corpus.jsonl")
        let text = try String(contentsOfFile: corpus, encoding: .utf8)
        let body = try scratch.write("body.jsonl", text.replacingOccurrences(of: #"{"text": "#, with: #"{"id": 1, "body": "#))
        let model = TestPaths.fixture("inference/llama-gqa-llama3rope")
        let base = ["model", "check", model, "--tokenizer", TestPaths.fixtureLLMJP, "--json", "--threads", "1"]
        let byText = try CorpusKitCLI.run(base + ["--input", corpus])
        let byBody = try CorpusKitCLI.run(base + ["--input", body, "--json-keys", "body"])
        let byAlias = try CorpusKitCLI.run(base + ["--corpus", corpus])
        XCTAssertTrue([0, 1].contains(byText.status), byText.summary)
        XCTAssertTrue(byText.output.contains("perplexity"), byText.output)
        XCTAssertEqual(byBody.output, byText.output)
        XCTAssertEqual(byAlias.output, byText.output)
        let missing = try CorpusKitCLI.run(base + ["--input", body])
        XCTAssertEqual(missing.status, 2, missing.summary)
        XCTAssertTrue(missing.stderr.hasPrefix("Error: ") && missing.stderr.contains("\"text\""), missing.summary)
    }

    /// The aliases are hidden: `--help` shows only the settled names.
    func testAliasesAreHidden() throws {
        for command in [["tokenize"], ["count"], ["encode"], ["launch", "tokenize"], ["model", "compare"], ["model", "perplexity"], ["model", "check"],
                        ["compat", "vocab"], ["vocab", "extend"]] {
            let help = try CorpusKitCLI.succeed(command + ["--help"]).output
            XCTAssertTrue(help.contains("--input"), "\(command): \(help)")
            for old in ["--corpus ", "--json-key ", "--corpus-key", "--workers <"] {
                XCTAssertFalse(help.contains(old), "\(command) shows \(old): \(help)")
            }
        }
    }
}
