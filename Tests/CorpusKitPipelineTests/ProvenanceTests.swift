import Foundation
import XCTest
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitSystem
import CorpusKitTestSupport
import CorpusKitMegatron
import CorpusKitReaders

/// The provenance record beside every dataset (`{prefix}.corpuskit.json`), checked against facts
/// found independently (coreutils' `sha256sum`, `stat`, the written `.idx`, the lines written);
/// `--resume` refusing datasets made differently; `shard merge` refusing datasets of different
/// tokenizers; warnings; removal of dead processes' temporary files.
final class ProvenanceTests: XCTestCase {
    private func sha256sum(_ path: String) throws -> String {
        String(try Command.tool("sha256sum", [path]).output.prefix(64))
    }

    private func lines(_ count: Int, from start: Int = 0) -> [String] {
        (start..<(start + count)).map { TestCorpus.jsonLine("document \($0) 吾輩は猫である。") }
    }

    func testRecordDescribesTheRun() throws {
        let scratch = try ScratchDirectory()
        let a = scratch.file("a.jsonl")
        try TestCorpus.write((lines(40) + [#"{"text": 7}"#] + lines(9, from: 40)).joined(separator: "\n") + "\n", to: a)
        try TestCorpus.write(lines(30, from: 100).joined(separator: "\n") + "\n", to: scratch.file("b.jsonl"))
        let b = scratch.file("b.jsonl.gz")
        try TestCorpus.gzip(scratch.file("b.jsonl"), to: b)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        let prefix = scratch.file("out")
        let summary = try Run.tokenize([a, b], prefix: prefix, encoder: encoder, workers: 2, policy: .skip, batchBytes: 512)
        let dataset = prefix + "_text_document"
        XCTAssertEqual(DatasetProvenance.path(prefix: dataset), dataset + ".corpuskit.json")
        let record = try XCTUnwrap(try DatasetProvenance.read(prefix: dataset))
        XCTAssertEqual(summary.outputs[0].provenance, record)

        XCTAssertEqual(record.format, "corpuskit dataset provenance")
        XCTAssertEqual(record.formatVersion, 1)
        XCTAssertEqual(record.corpuskit, CorpusKitVersion.description)
        XCTAssertEqual(record.tokenizer.sha256, try sha256sum(TestPaths.fixtureLLMJP))
        XCTAssertEqual(record.tokenizer.path, TestPaths.fixtureLLMJP)
        XCTAssertEqual(record.tokenizer.type, "Llama2Tokenizer")
        XCTAssertEqual(record.tokenizer.vocabularySize, encoder.vocabularySize)
        XCTAssertEqual(record.tokenizer.specialIDs["eod"], encoder.eodID)
        XCTAssertEqual(record.tokenizer.specialIDs["bos"], encoder.tokenizer.bosID)
        XCTAssertEqual(record.options, .init(appendEOD: true, jsonKey: "text", jsonKeys: ["text"], onError: "skip",
                                             keepDamagedInputs: false, dtype: "uint16"))
        XCTAssertEqual(record.inputs.map(\.path), [a, b])
        for (input, path) in zip(record.inputs, [a, b]) {
            let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            XCTAssertEqual(input.fingerprint.size, size)
            // Files under 1 MiB: both ends are the whole file.
            XCTAssertEqual(input.fingerprint.firstMiBSHA256, try sha256sum(path))
            XCTAssertEqual(input.fingerprint.lastMiBSHA256, try sha256sum(path))
            XCTAssertNil(input.damage)
        }
        XCTAssertEqual(record.inputs.map(\.linesRead), [50, 30])
        XCTAssertEqual(record.inputs.map(\.documents), [49, 30])
        XCTAssertEqual(record.inputs.map(\.linesSkipped), [["value not a string": 1], [:]])
        XCTAssertEqual(record.linesRead, 80)
        XCTAssertEqual(record.linesSkipped, ["value not a string": 1])
        let info = try ShardTools.info(prefix: dataset)
        XCTAssertEqual(record.documents, info.documents)
        XCTAssertEqual(record.sequences, info.sequences)
        XCTAssertEqual(record.tokens, info.tokens)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let started = try XCTUnwrap(formatter.date(from: record.started))
        let finished = try XCTUnwrap(formatter.date(from: record.finished))
        XCTAssertLessThanOrEqual(started, finished)
        XCTAssertLessThan(abs(finished.timeIntervalSinceNow), 600)
        // The file is JSON any reader can parse, and the bytes Megatron reads are unchanged by it.
        let json = try JSONSerialization.jsonObject(with: Check.bytes(DatasetProvenance.path(prefix: dataset))) as? [String: Any]
        XCTAssertEqual((json?["tokenizer"] as? [String: Any])?["sha256"] as? String, record.tokenizer.sha256)
        XCTAssertEqual(scratch.contents().filter { $0.hasPrefix("out") }.sorted(),
                       ["out_text_document.bin", "out_text_document.corpuskit.json", "out_text_document.idx"])
    }

    /// `--resume` with another tokenizer, wrapper, EOD setting or input refuses and leaves the
    /// outputs as they were; the same run resumes without redoing anything.
    func testResumeRefusesWhatDiffersAndResumesTheSameRun() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(lines(60).joined(separator: "\n") + "\n", to: input)
        let extra = scratch.file("extra.jsonl")
        try TestCorpus.write(lines(5, from: 500).joined(separator: "\n") + "\n", to: extra)
        let prefix = scratch.file("out")
        let dataset = prefix + "_text_document"
        try Run.tokenize([input], prefix: prefix, encoder: try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true))
        let before = try [".bin", ".idx", ".corpuskit.json"].map { try Check.bytes(dataset + $0) }

        let same = try Run.tokenize([input], prefix: prefix, encoder: try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true),
                                    resume: true)
        XCTAssertTrue(same.nothingToDo)
        XCTAssertEqual(same.warnings, [])

        let cases: [(String, [String], DocumentEncoderChoice, String)] = [
            ("another tokenizer", [input], .init(.llama2, TestPaths.fixtureNFKC, true), "tokenizer: \(TestPaths.fixtureLLMJP)"),
            ("another wrapper", [input], .init(.sentencePiece, TestPaths.fixtureLLMJP, true), "tokenizer type: Llama2Tokenizer in the dataset, SentencePieceTokenizer now"),
            ("no --append-eod", [input], .init(.llama2, TestPaths.fixtureLLMJP, false), "append EOD: on in the dataset, off now"),
            ("another input", [input, extra], .init(.llama2, TestPaths.fixtureLLMJP, true), "input \(extra): not in the dataset"),
        ]
        for (name, inputs, choice, expected) in cases {
            do {
                try Run.tokenize(inputs, prefix: prefix, encoder: try choice.encoder(), resume: true)
                XCTFail("\(name): resumed")
            } catch PipelineError.resumeMismatch(let mismatched, let differences) {
                XCTAssertEqual(mismatched, dataset, name)
                XCTAssertTrue(differences.contains { $0.hasPrefix(expected) }, "\(name): \(differences)")
                XCTAssertTrue(PipelineError.resumeMismatch(prefix: mismatched, differences: differences).description.contains(expected))
            }
            XCTAssertEqual(try [".bin", ".idx", ".corpuskit.json"].map { try Check.bytes(dataset + $0) }, before, name)
        }
        // The input itself changed since the dataset was written.
        try TestCorpus.write(lines(61).joined(separator: "\n") + "\n", to: input)
        XCTAssertThrowsError(try Run.tokenize([input], prefix: prefix, encoder: try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true),
                                              resume: true)) { error in
            XCTAssertTrue("\(error)".contains("input \(input): its size changed"), "\(error)")
        }
        XCTAssertEqual(try [".bin", ".idx", ".corpuskit.json"].map { try Check.bytes(dataset + $0) }, before)
    }

    /// Shards without a record (the fork's, or older corpuskit's) resume on their structure, with a warning.
    func testResumeWithoutRecordWarns() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(lines(20).joined(separator: "\n") + "\n", to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        try MegatronReference.preprocess(["--input", input, "--output-prefix", scratch.file("out"),
                                          "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP,
                                          "--append-eod"])
        let summary = try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder, resume: true)
        XCTAssertTrue(summary.nothingToDo)
        XCTAssertEqual(summary.warnings.count, 1)
        XCTAssertTrue(summary.warnings[0].contains("no provenance record"), summary.warnings[0])
        XCTAssertTrue(summary.warnings[0].contains("cannot be verified"), summary.warnings[0])
        XCTAssertNil(try DatasetProvenance.read(prefix: scratch.file("out_text_document")))
    }

    /// `shard merge` refuses datasets whose ids mean different things unless allowed, writes the
    /// merged record, and a directory merge passes records over.
    func testMergeChecksTokenizersAndWritesTheMergedRecord() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(lines(20).joined(separator: "\n") + "\n", to: input)
        let parts = try ScratchDirectory()
        let llmjp = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        try Run.tokenize([input], prefix: parts.file("a"), encoder: llmjp)
        try Run.tokenize([input], prefix: parts.file("b"), encoder: llmjp)
        try Run.tokenize([input], prefix: scratch.file("other"), encoder: try Run.encoder(.llama2, TestPaths.fixtureNFKC, appendEOD: true))
        let a = parts.file("a_text_document"), b = parts.file("b_text_document"), other = scratch.file("other_text_document")

        XCTAssertThrowsError(try MegatronMerge.merge(prefixes: [a, other], into: scratch.file("mixed"))) { error in
            guard case ShardError.differentProducers(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(other) && message.contains("tokenizer:"), message)
        }
        XCTAssertEqual(scratch.contents().filter { $0.hasPrefix("mixed") }, [])
        var warnings: [String] = []
        try MegatronMerge.merge(prefixes: [a, other], into: scratch.file("mixed"), allowingDifferentProducers: true) { warnings.append($0) }
        XCTAssertEqual(warnings.count, 1)

        try MegatronMerge.mergeDirectory(parts.path, into: scratch.file("merged"))
        let record = try XCTUnwrap(try DatasetProvenance.read(prefix: scratch.file("merged")))
        let first = try XCTUnwrap(try DatasetProvenance.read(prefix: a))
        XCTAssertEqual(record.tokenizer, first.tokenizer)
        XCTAssertEqual(record.mergedFrom?.map(\.prefix), [a, b])
        XCTAssertEqual(record.inputs.map(\.path), [input, input])
        let info = try ShardTools.info(prefix: scratch.file("merged"))
        XCTAssertEqual(record.documents, info.documents)
        XCTAssertEqual(record.tokens, info.tokens)
        XCTAssertEqual(info.documents, 40)
    }

    /// A directory of corpora that also holds datasets: their records (which end in `.json`) are
    /// not read as corpora.
    func testRecordsAreNotTakenAsCorpora() throws {
        XCTAssertTrue(InputExpansion.nonCorpusSuffixes.contains(DatasetProvenance.fileSuffix))
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(lines(5).joined(separator: "\n") + "\n", to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder)
        XCTAssertEqual(try InputExpansion.expand([scratch.path]), [input])
    }

    func testWarnings() throws {
        let scratch = try ScratchDirectory()
        let empty = scratch.file("empty.jsonl")
        try TestCorpus.write("", to: empty)
        let good = scratch.file("good.jsonl")
        try TestCorpus.write(lines(10).joined(separator: "\n") + "\n", to: good)
        let bad = scratch.file("bad.jsonl")
        try TestCorpus.write((lines(10) + ["{oops"]).joined(separator: "\n") + "\n", to: bad)
        let llama = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)

        let emptyRun = try Run.tokenize([empty], prefix: scratch.file("e"), encoder: llama)
        XCTAssertEqual(emptyRun.warnings, ["input \(empty) is empty (no lines)",
                                           "dataset \(scratch.file("e_text_document")) is empty (no documents)"])
        let clean = try Run.tokenize([good], prefix: scratch.file("g"), encoder: llama)
        XCTAssertEqual(clean.warnings, [])
        let skipped = try Run.tokenize([bad], prefix: scratch.file("s"), encoder: llama, policy: .skip)
        XCTAssertEqual(skipped.warnings, ["1 of 11 input lines (9.1 %) were skipped, more than 1.0 %"])

        // A tokenizer.json whose post-processor appends the EOD (as llm-jp's do), and EOD appending
        // on top; its eos_token set as in llm-jp's tokenizer_config.json.
        let hf = try ScratchDirectory()
        try FileManager.default.copyItem(atPath: TestPaths.fixtureLLMJPJSON, toPath: hf.file("tokenizer.json"))
        try TestCorpus.write(#"{"eos_token": "<EOD|LLM-jp>"}"#, to: hf.file("tokenizer_config.json"))
        let doubled = try Run.tokenize([good], prefix: scratch.file("d"),
                                       encoder: try DocumentEncoder.load(type: .huggingFace, modelPath: hf.path, appendEOD: true))
        XCTAssertEqual(doubled.warnings.count, 1, "\(doubled.warnings)")
        XCTAssertTrue(doubled.warnings.first?.contains("ends with the EOD id") ?? false, "\(doubled.warnings)")
        let single = try Run.tokenize([good], prefix: scratch.file("h"),
                                      encoder: try DocumentEncoder.load(type: .huggingFace, modelPath: hf.path, appendEOD: false))
        XCTAssertEqual(single.warnings, [])
    }

    /// A run removes the temporary files that dead processes left for its prefix, and keeps those
    /// of a live process.
    func testStaleTemporariesOfDeadProcessesAreRemoved() throws {
        try checkLeftovers(ownsOutputs: false)
    }

    /// A run that owns its outputs (a launch task, whose killed earlier attempt may have run on
    /// another node) removes every other process's temporary files at its prefixes, a live
    /// process's too; another prefix's are kept.
    func testRunOwningItsOutputsRemovesEveryOtherProcesssTemporaries() throws {
        try checkLeftovers(ownsOutputs: true)
    }

    private func checkLeftovers(ownsOutputs: Bool) throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(lines(10).joined(separator: "\n") + "\n", to: input)
        let deadID = try exitedProcessID()
        let live = Process()
        live.executableURL = URL(fileURLWithPath: "/bin/sleep")
        live.arguments = ["60"]
        try live.run()
        defer { live.terminate(); live.waitUntilExit() }
        let dataset = scratch.file("out_text_document")
        let dead = [dataset + ".bin.tmp-\(deadID)", dataset + ".idx.tmp-\(deadID)-1", dataset + ".corpuskit.json.tmp-\(deadID)"]
        let alive = dataset + ".bin.tmp-\(live.processIdentifier)"
        let unrelated = scratch.file("other_text_document.bin.tmp-\(deadID)")
        for path in dead + [alive, unrelated] { try TestCorpus.write("partial", to: path) }

        var configuration = TokenizeConfiguration(inputs: [input], outputPrefix: scratch.file("out"))
        configuration.ownsOutputs = ownsOutputs
        let summary = try TokenizePipeline(configuration: configuration, encoder: try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)).run()
        let removed = ownsOutputs ? (dead + [alive]).sorted() : dead.sorted()
        XCTAssertEqual(summary.removedTemporaries, removed)
        for path in removed { XCTAssertFalse(FileManager.default.fileExists(atPath: path), path) }
        XCTAssertEqual(FileManager.default.fileExists(atPath: alive), !ownsOutputs)
        XCTAssertTrue(FileManager.default.fileExists(atPath: unrelated))
    }
}

/// A tokenizer to load, for table-driven tests.
struct DocumentEncoderChoice {
    let type: MegatronTokenizerType
    let model: String
    let appendEOD: Bool
    init(_ type: MegatronTokenizerType, _ model: String, _ appendEOD: Bool) {
        self.type = type
        self.model = model
        self.appendEOD = appendEOD
    }
    func encoder() throws -> DocumentEncoder { try Run.encoder(type, model, appendEOD: appendEOD) }
}
