import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitSystem

/// The `corpuskit tokenize` and `corpuskit shard` commands, run as the built executable.
final class CommandLineTests: XCTestCase {
    private func corpuskit(_ arguments: [String]) throws -> CommandResult {
        try CorpusKitCLI.run(arguments)
    }

    private func standardInput(_ scratch: ScratchDirectory) throws -> String {
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(try TestCorpus.standard(), to: input)
        return input
    }

    func testPreprocessDataFlagsAreAcceptedAndOutputMatchesTheLibrary() throws {
        let scratch = try ScratchDirectory()
        let input = try standardInput(scratch)
        let result = try corpuskit([
            "tokenize", "--input", input, "--output-prefix", scratch.file("cli"),
            "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP,
            "--workers", "2", "--append-eod", "--dataset-impl", "mmap", "--partitions", "1", "--chunk-size", "32",
            "--keep-sequential-samples", "--log-interval", "100", "--lang", "english",
            "--output-result-total-token-info", scratch.file("tokens.csv"),
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.output, "", "stdout stays empty")
        XCTAssertTrue(result.stderr.contains("Processed "), result.stderr)  // log lines: stderr is not a terminal
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        let summary = try Run.tokenize([input], prefix: scratch.file("library"), encoder: encoder)
        try Check.identical(scratch.file("cli_text_document"), scratch.file("library_text_document"))
        XCTAssertEqual(try String(contentsOfFile: scratch.file("tokens.csv"), encoding: .utf8),
                       "\(input),\(scratch.file("cli_text_document")),\(summary.outputs[0].tokens)\n")

        let quiet = try corpuskit(["tokenize", "--input", input, "--output-prefix", scratch.file("quiet"),
                                   "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP,
                                   "--workers", "1", "--quiet"])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "")
    }

    /// An output prefix in a folder that does not exist (`preprocess_data.py` does not create it
    /// either): the error says which folder, not the temporary file's name, and nothing is left.
    func testAMissingOutputFolderIsNamed() throws {
        let scratch = try ScratchDirectory()
        let input = try standardInput(scratch)
        let missing = scratch.file("no-such-folder")
        try CorpusKitCLI.fail(["tokenize", "--input", input, "--output-prefix", missing + "/out",
                               "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP],
                              mentioning: ["cannot create \(missing)/out", "the folder \(missing) does not exist"])
        XCTAssertEqual(scratch.contents(), ["corpus.jsonl"])
    }

    func testFlagsThatWouldChangeTheOutputAreRefused() throws {
        let scratch = try ScratchDirectory()
        let input = try standardInput(scratch)
        let base = ["tokenize", "--input", input, "--output-prefix", scratch.file("out"), "--workers", "1",
                    "--tokenizer-model", TestPaths.fixtureLLMJP]
        let cases: [([String], String)] = [
            (["--tokenizer-type", "Llama2Tokenizer", "--split-sentences"], "--split-sentences"),
            (["--tokenizer-type", "Llama2Tokenizer", "--partitions", "4"], "--partitions 4"),
            (["--tokenizer-type", "Llama2Tokenizer", "--dataset-impl", "lazy"], "--dataset-impl lazy"),
            (["--tokenizer-type", "NullTokenizer"], "NullTokenizer"),
            (["--tokenizer-type", "Llama2Tokenizer", "--workers", "0"], "--workers"),
        ]
        for (extra, expected) in cases {
            let result = try corpuskit(base + extra)
            XCTAssertNotEqual(result.status, 0, "\(extra)")
            XCTAssertTrue(result.stderr.contains(expected), "\(extra): \(result.stderr)")
        }
        Check.noOutputs(in: scratch, prefix: "out")
    }

    func testBadLineExitsNonZeroWithFileAndLineUnlessSkipped() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(#"{"text": "one"}"# + "\n" + #"{"text": "two"}"# + "\n" + #"{"text": 3}"# + "\n"
                             + "\n" + #"{"text": "five"}"# + "\n", to: input)
        let base = ["tokenize", "--input", input, "--output-prefix", scratch.file("out"), "--workers", "2",
                    "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP]
        let failed = try corpuskit(base)
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("\(input):3 (byte offset 32): value of \"text\" is a number, not a string"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("--on-error skip"), failed.stderr)
        Check.noOutputs(in: scratch, prefix: "out")

        let skipped = try corpuskit(base + ["--on-error", "skip"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("skipped 2 input lines"), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("1 blank line (first: \(input):4"), skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("1 value not a string (first: \(input):3"), skipped.stderr)
        XCTAssertEqual(try ShardTools.info(prefix: scratch.file("out_text_document")).documents, 3)
    }

    func testResumeSkipsCompleteOutputs() throws {
        let scratch = try ScratchDirectory()
        let input = try standardInput(scratch)
        let arguments = ["tokenize", "--input", input, "--output-prefix", scratch.file("out"), "--workers", "2",
                         "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP, "--resume"]
        XCTAssertEqual(try corpuskit(arguments).status, 0)
        let again = try corpuskit(arguments)
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("complete"), again.stderr)
        XCTAssertTrue(again.stderr.contains("skipped (--resume)"), again.stderr)
    }

    /// A corpus large enough for a run to still be going when a signal arrives.
    private func bigInput(_ scratch: ScratchDirectory) throws -> String {
        let chunk = try TestCorpus.standard()
        let input = scratch.file("big.jsonl")
        _ = FileManager.default.createFile(atPath: input, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: input))
        for _ in 0..<60 { handle.write(Data(chunk.utf8)) }
        try handle.close()
        return input
    }

    /// Starts a tokenize run of `input` to `scratch/out` and returns once its temporary .bin exists.
    private func startedRun(_ input: String, scratch: ScratchDirectory) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CorpusKitExecutable.require())
        process.arguments = ["tokenize", "--input", input, "--output-prefix", scratch.file("out"), "--workers", "1",
                             "--tokenizer-type", "SentencePieceTokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP,
                             "--append-eod", "--quiet"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !scratch.contents().contains(where: { $0.contains(".tmp-") }) && process.isRunning && Date() < deadline {
            usleep(5_000)
        }
        usleep(50_000)
        XCTAssertTrue(process.isRunning, "the run ended before it could be interrupted; make the input larger")
        return process
    }

    /// SIGINT, SIGTERM and SIGPIPE (`corpuskit … | head`) in the middle of a run: exit status
    /// 128+signal, nothing left behind.
    func testInterruptedRunLeavesNoOutput() throws {
        let scratch = try ScratchDirectory()
        let input = try bigInput(scratch)
        for signal in [SIGINT, SIGTERM, SIGPIPE] {
            let process = try startedRun(input, scratch: scratch)
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "signal \(signal)")
            XCTAssertEqual(process.terminationStatus, 128 + signal)
            XCTAssertEqual(scratch.contents(), ["big.jsonl"], "signal \(signal)")
        }
    }

    /// The issue's `corpuskit tokenize … | head`: the reader of the progress lines goes away, every
    /// later write raises SIGPIPE in the writing thread; the run stops with 141 and leaves nothing.
    func testClosedPipeStopsTheRunCleanly() throws {
        let scratch = try ScratchDirectory()
        let input = try bigInput(scratch)
        let command = "\"$0\" tokenize --input \"$1\" --output-prefix \"$2\" --workers 1 --tokenizer-type SentencePieceTokenizer "
            + "--tokenizer-model \"$3\" --append-eod --log-interval 10 2>&1 | head -1 >/dev/null; echo \"${PIPESTATUS[0]}\""
        let result = try Command.run("/bin/bash", ["-c", command, try CorpusKitExecutable.require(), input,
                                                      scratch.file("out"), TestPaths.fixtureLLMJP])
        XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines), "141", result.stderr)
        XCTAssertEqual(scratch.contents(), ["big.jsonl"])
    }

    /// A run killed by SIGKILL leaves its temporary files; the next run to that prefix removes them.
    func testNextRunRemovesTheTemporariesOfAKilledRun() throws {
        let scratch = try ScratchDirectory()
        let input = try bigInput(scratch)
        let process = try startedRun(input, scratch: scratch)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let leftovers = scratch.contents().filter { $0.contains(".tmp-\(process.processIdentifier)") }
        XCTAssertFalse(leftovers.isEmpty, "SIGKILL should leave the temporary .bin")
        let small = scratch.file("small.jsonl")
        try TestCorpus.write(try TestCorpus.standard(), to: small)
        let next = try corpuskit(["tokenize", "--input", small, "--output-prefix", scratch.file("out"), "--workers", "1",
                                  "--tokenizer-type", "SentencePieceTokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP,
                                  "--append-eod"])
        XCTAssertEqual(next.status, 0, next.stderr)
        for leftover in leftovers {
            XCTAssertTrue(next.stderr.contains("removed \(scratch.file(leftover)), left by a process that no longer exists"), next.stderr)
        }
        XCTAssertEqual(scratch.contents().filter { $0.contains(".tmp-") }, [])
    }

    /// `corpuskit --version`: the release and the commit this checkout is at.
    func testVersion() throws {
        let result = try corpuskit(["--version"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let version = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(version.hasPrefix("\(CorpusKitVersion.release) (commit "), version)
        let git = try Command.tool("git", ["-C", TestPaths.repositoryRoot.path, "rev-parse", "--short=12", "HEAD"])
        if git.status == 0 {
            // The plugin runs at every build, so a build of this checkout records HEAD (with
            // `-modified` when tracked files differ); a binary built before the last commit fails here.
            XCTAssertTrue(version.contains("(commit \(git.output.trimmingCharacters(in: .whitespacesAndNewlines))"), "\(version) vs HEAD \(git.output)")
        } else {
            // Built outside a git checkout (a source archive): the plugin's fallback.
            XCTAssertTrue(version.hasSuffix("(commit unknown)"), version)
        }
    }

    /// The command line of `--resume`: a difference is an error naming it (exit 1, nothing changed).
    func testResumeWithAnotherTokenizerRefuses() throws {
        let scratch = try ScratchDirectory()
        let input = try standardInput(scratch)
        let base = ["tokenize", "--input", input, "--output-prefix", scratch.file("out"), "--workers", "2",
                    "--tokenizer-type", "Llama2Tokenizer", "--append-eod", "--resume"]
        XCTAssertEqual(try corpuskit(base + ["--tokenizer-model", TestPaths.fixtureLLMJP]).status, 0)
        let before = try Check.bytes(scratch.file("out_text_document.idx"))
        let other = try corpuskit(base + ["--tokenizer-model", TestPaths.fixtureNFKC])
        XCTAssertEqual(other.status, 1, other.stderr)
        XCTAssertTrue(other.stderr.contains("was made differently from this run"), other.stderr)
        XCTAssertTrue(other.stderr.contains("tokenizer: \(TestPaths.fixtureLLMJP)"), other.stderr)
        XCTAssertEqual(try Check.bytes(scratch.file("out_text_document.idx")), before)
        let noEOD = try corpuskit(base.filter { $0 != "--append-eod" } + ["--tokenizer-model", TestPaths.fixtureLLMJP])
        XCTAssertEqual(noEOD.status, 1, noEOD.stderr)
        XCTAssertTrue(noEOD.stderr.contains("append EOD: on in the dataset, off now"), noEOD.stderr)
    }

    /// `shard merge` refuses datasets of different tokenizers (exit 1, nothing written) unless
    /// told; `count --format json|markdown` names each dataset's tokenizer, tsv stays llm-jp's.
    func testMergeAndCountReadTheRecords() throws {
        let scratch = try ScratchDirectory()
        let input = try standardInput(scratch)
        try Run.tokenize([input], prefix: scratch.file("a"), encoder: try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true))
        try Run.tokenize([input], prefix: scratch.file("b"), encoder: try Run.encoder(.llama2, TestPaths.fixtureNFKC, appendEOD: true))
        let a = scratch.file("a_text_document"), b = scratch.file("b_text_document")
        let refused = try corpuskit(["shard", "merge", scratch.file("m"), a, b])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains(b) && refused.stderr.contains("--allow-different-tokenizers"), refused.stderr)
        XCTAssertEqual(scratch.contents().filter { $0.hasPrefix("m") }, [])
        let allowed = try corpuskit(["shard", "merge", scratch.file("m"), a, b, "--allow-different-tokenizers"])
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertTrue(allowed.stderr.contains("warning: "), allowed.stderr)

        let json = try corpuskit(["count", a, b, "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let datasets = try XCTUnwrap(object?["datasets"] as? [[String: Any]])
        let hashes = datasets.map { ($0["tokenizer"] as? [String: Any])?["sha256"] as? String }
        XCTAssertEqual(hashes, [try DatasetProvenance.read(prefix: a)?.tokenizer.sha256, try DatasetProvenance.read(prefix: b)?.tokenizer.sha256])
        let markdown = try corpuskit(["count", a, b, "--format", "markdown"])
        XCTAssertTrue(markdown.output.contains("| tokenizer |"), markdown.output)
        XCTAssertTrue(markdown.output.contains("fixture-nfkc.model Llama2Tokenizer sha256:"), markdown.output)
        XCTAssertTrue(markdown.output.contains("2 different tokenizers"), markdown.output)
        let tsv = try corpuskit(["count", a, b, "--root", scratch.path])
        XCTAssertEqual(tsv.output.split(separator: "\n").first, "filename\ttokens")
        XCTAssertFalse(tsv.output.contains("sha256"), tsv.output)
    }

    /// `mixture` warns when the datasets it mixes record different tokenizers (from `--shards`, and
    /// from `count --format json` counts); the same tokenizer gives no warning.
    func testMixtureWarnsWhenItsDatasetsRecordDifferentTokenizers() throws {
        let scratch = try ScratchDirectory()
        let input = try standardInput(scratch)
        let spec = scratch.file("spec.yaml")
        try TestCorpus.write("prefix: /data\nsubsets:\n  ja_wiki: 1\n", to: spec)
        try FileManager.default.createDirectory(atPath: scratch.file("tok/ja"), withIntermediateDirectories: true)
        let llmjp = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        try Run.tokenize([input], prefix: scratch.file("tok/ja/ja_wiki_0000"), encoder: llmjp)
        try Run.tokenize([input], prefix: scratch.file("tok/ja/ja_wiki_0001"), encoder: llmjp)
        let same = try corpuskit(["mixture", "--shards", scratch.file("tok"), "--root", scratch.file("tok"), "--spec", spec])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertFalse(same.stderr.contains("warning"), same.stderr)

        try Run.tokenize([input], prefix: scratch.file("tok/ja/ja_wiki_0001"), encoder: try Run.encoder(.llama2, TestPaths.fixtureNFKC, appendEOD: true))
        let mixed = try corpuskit(["mixture", "--shards", scratch.file("tok"), "--root", scratch.file("tok"), "--spec", spec])
        XCTAssertEqual(mixed.status, 0, mixed.stderr)
        XCTAssertTrue(mixed.stderr.contains("warning: the datasets were made with 2 different tokenizers or options"), mixed.stderr)
        XCTAssertTrue(mixed.stderr.contains("fixture-llmjp.model Llama2Tokenizer sha256:") && mixed.stderr.contains("e.g. ja/ja_wiki_0000"), mixed.stderr)
        XCTAssertTrue(mixed.stderr.contains("fixture-nfkc.model Llama2Tokenizer sha256:") && mixed.stderr.contains("e.g. ja/ja_wiki_0001"), mixed.stderr)

        let counts = try corpuskit(["count", scratch.file("tok"), "--root", scratch.file("tok"), "--format", "json"])
        XCTAssertEqual(counts.status, 0, counts.stderr)
        try TestCorpus.write(counts.output, to: scratch.file("counts.json"))
        let fromCounts = try corpuskit(["mixture", "--counts", scratch.file("counts.json"), "--spec", spec])
        XCTAssertEqual(fromCounts.status, 0, fromCounts.stderr)
        XCTAssertTrue(fromCounts.stderr.contains("warning: the datasets were made with 2 different tokenizers or options"), fromCounts.stderr)
    }

    /// `plan --data-cache-path` refuses (exit 1, no cache written) when the datasets' records name
    /// another tokenizer file than `--tokenizer-model` (by SHA-256), unless told; the same file, or
    /// a path that does not exist here (the cluster's), passes without a word; another
    /// `--tokenizer-type` than the datasets' passes with a warning. `--check-cache` refuses the same
    /// way (exit 2).
    func testPlanCacheRefusesDatasetsOfAnotherTokenizer() throws {
        let scratch = try ScratchDirectory()
        let input = try standardInput(scratch)
        try Run.tokenize([input], prefix: scratch.file("a"), encoder: try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true))
        let dataset = scratch.file("a_text_document")
        let base = ["plan", "--data-path", dataset, "--seq-length", "16", "--global-batch-size", "2", "--train-iters", "5",
                    "--split", "1,0,0", "--eval-iters", "0", "--eval-interval", "1000", "--tokenizer-type", "Llama2Tokenizer"]

        let same = try corpuskit(base + ["--tokenizer-model", TestPaths.fixtureLLMJP, "--data-cache-path", scratch.file("same")])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertFalse(same.stderr.contains("warning"), same.stderr)
        let elsewhere = try corpuskit(base + ["--tokenizer-model", "/nonexistent/cluster/tokenizer.model", "--data-cache-path", scratch.file("elsewhere")])
        XCTAssertEqual(elsewhere.status, 0, elsewhere.stderr)
        XCTAssertFalse(elsewhere.stderr.contains("warning"), elsewhere.stderr)
        // Another wrapper of the same file: written, with a warning naming both.
        var otherWrapper = base
        otherWrapper[otherWrapper.firstIndex(of: "Llama2Tokenizer")!] = "SentencePieceTokenizer"
        let wrapped = try corpuskit(otherWrapper + ["--tokenizer-model", TestPaths.fixtureLLMJP, "--data-cache-path", scratch.file("wrapper")])
        XCTAssertEqual(wrapped.status, 0, wrapped.stderr)
        XCTAssertTrue(wrapped.stderr.contains(
            "warning: \(dataset): made with the Llama2Tokenizer wrapper, the run's tokenizer type is SentencePieceTokenizer"), wrapped.stderr)

        // Refused with `status`, naming the dataset's tokenizer, `saying` and the override; then, with
        // the override, done with a warning.
        func refusedThenWarned(_ arguments: [String], status: Int32, saying: String, whileRefused: () -> Void = {}) throws {
            let refused = try corpuskit(arguments)
            XCTAssertEqual(refused.status, status, refused.stderr)
            XCTAssertTrue(refused.stderr.contains("\(dataset): made with \(TestPaths.fixtureLLMJP)"), refused.stderr)
            XCTAssertTrue(refused.stderr.contains(saying) && refused.stderr.contains("--allow-different-tokenizers"), refused.stderr)
            whileRefused()
            let allowed = try corpuskit(arguments + ["--allow-different-tokenizers"])
            XCTAssertEqual(allowed.status, 0, allowed.stderr)
            XCTAssertTrue(allowed.stderr.contains("warning: \(dataset): made with"), allowed.stderr)
        }

        try refusedThenWarned(base + ["--tokenizer-model", TestPaths.fixtureNFKC, "--data-cache-path", scratch.file("other")],
                              status: 1, saying: "not with \(TestPaths.fixtureNFKC)") {
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("other")))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.file("other")).count,
                       try FileManager.default.contentsOfDirectory(atPath: scratch.file("same")).count)

        // Checking a cache asks the same question first (exit 2: the check did not run).
        let checked = try corpuskit(base + ["--tokenizer-model", TestPaths.fixtureLLMJP, "--check-cache", scratch.file("same")])
        XCTAssertEqual(checked.status, 0, checked.stderr)
        XCTAssertFalse(checked.stderr.contains("warning"), checked.stderr)
        try refusedThenWarned(base + ["--tokenizer-model", TestPaths.fixtureNFKC, "--check-cache", scratch.file("other")],
                              status: 2, saying: "nothing was checked")
    }

    func testShardInfoDecodeAndMerge() throws {
        let scratch = try ScratchDirectory()
        let texts = ["Hello world.", "", "吾輩は猫である。名前はまだ無い。", "line one\nline two", "tabs\tand  spaces"]
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(texts.map { TestCorpus.jsonLine($0) }.joined(separator: "\n") + "\n", to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        try Run.tokenize([input], prefix: scratch.file("a"), encoder: encoder)
        try Run.tokenize([input], prefix: scratch.file("b"), encoder: encoder)
        let a = scratch.file("a_text_document"), b = scratch.file("b_text_document")

        let info = try corpuskit(["shard", "info", a])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.output.contains("dtype:      uint16"), info.output)
        XCTAssertTrue(info.output.contains("documents:  5"), info.output)
        XCTAssertTrue(info.output.contains("sequences:  5"), info.output)

        let decoded = try corpuskit(["shard", "decode", a, "--tokenizer", TestPaths.fixtureLLMJP, "--docs", "1..4"])   // half-open: documents 1, 2, 3
        XCTAssertEqual(decoded.status, 0, decoded.stderr)
        let lines = decoded.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3)
        let values = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: String] }
        XCTAssertEqual(values.map { $0["text"]! }, Array(texts[1...3]))
        let all = try corpuskit(["shard", "decode", a, "--tokenizer", TestPaths.fixtureLLMJP])
        XCTAssertEqual(all.output.split(separator: "\n").count, 5)
        let outOfRange = try corpuskit(["shard", "decode", a, "--tokenizer", TestPaths.fixtureLLMJP, "--docs", "5..6"])
        XCTAssertEqual(outOfRange.status, 1, outOfRange.stderr)
        XCTAssertTrue(outOfRange.stderr.contains("Error: --docs 5..6: there are 5 documents"), outOfRange.stderr)
        let closed = try corpuskit(["shard", "decode", a, "--tokenizer", TestPaths.fixtureLLMJP, "--docs", "1..=3"])
        XCTAssertEqual(closed.status, 64, closed.stderr)
        XCTAssertTrue(closed.stderr.contains("write 1..4"), closed.stderr)
        let last = try corpuskit(["shard", "decode", a, "--tokenizer", TestPaths.fixtureLLMJP, "--docs", "4"])
        XCTAssertEqual(last.output.split(separator: "\n").count, 1, last.stderr)

        let merged = try corpuskit(["shard", "merge", scratch.file("merged"), a, b])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        let reference = try Command.run(MegatronReference.python, [MegatronReference.script, "merge", "--output-prefix",
                                                                      scratch.file("reference"), a, b])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        try Check.identical(scratch.file("merged"), scratch.file("reference"))

        // SentencePieceTokenizer ids appended after the vocabulary are decoded as their text.
        let specialsInput = scratch.file("specials.jsonl")
        try TestCorpus.write(TestCorpus.jsonLine("x<MASK>y") + "\n", to: specialsInput)
        try Run.tokenize([specialsInput], prefix: scratch.file("sp"),
                         encoder: try Run.encoder(.sentencePiece, TestPaths.fixtureLLMJP, appendEOD: true))
        let specials = try corpuskit(["shard", "decode", scratch.file("sp_text_document"), "--tokenizer", TestPaths.fixtureLLMJP])
        XCTAssertEqual(specials.status, 0, specials.stderr)
        XCTAssertTrue(specials.output.contains("x<MASK>y"), specials.output)

        // A damaged dataset: non-zero exit and a message naming the file.
        let data = try Check.bytes(a + ".bin")
        try data.prefix(data.count - 2).write(to: URL(fileURLWithPath: a + ".bin"))
        let broken = try corpuskit(["shard", "info", a])
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.stderr.contains(a + ".bin"), broken.stderr)
    }
}
