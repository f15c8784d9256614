import Foundation
import XCTest
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitTestSupport

/// Bad lines and unreadable inputs: `--on-error fail` stops with `file:line` and leaves nothing;
/// `--on-error skip` counts them per reason and writes the rest.
final class ErrorHandlingTests: XCTestCase {
    private func goodLines() throws -> [String] { try TestCorpus.fixtureLines() }

    /// Runs fail and skip on `input` (made in `scratch`); returns the fail error and the skip summary.
    /// `keepDamaged`: the skip run also keeps the documents of a damaged compressed file.
    private func runBoth(_ input: String, scratch: ScratchDirectory, workers: Int = 2, keepDamaged: Bool = false)
        throws -> (LineProblem, TokenizeSummary) {
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        var failure: LineProblem?
        do {
            try Run.tokenize([input], prefix: scratch.file("failed"), encoder: encoder, workers: workers, batchBytes: 8 << 10)
            XCTFail("the run should have failed")
        } catch let error as PipelineError {
            switch error {
            case .badInput(let problem), .damagedInput(let problem): failure = problem
            default: throw error
            }
        }
        Check.noOutputs(in: scratch, prefix: "failed")
        let summary = try Run.tokenize([input], prefix: scratch.file("skipped"), encoder: encoder, workers: workers,
                                       policy: .skip, batchBytes: 8 << 10, keepDamaged: keepDamaged)
        _ = try ShardTools.info(prefix: scratch.file("skipped_text_document"))
        return (try XCTUnwrap(failure), summary)
    }

    /// The reference's output on `lines`.
    private func reference(_ lines: [String], scratch: ScratchDirectory) throws -> String {
        let path = scratch.file("clean.jsonl")
        try TestCorpus.write(lines.joined(separator: "\n") + "\n", to: path)
        try MegatronReference.preprocess(["--input", path, "--output-prefix", scratch.file("reference"),
                                          "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP,
                                          "--append-eod"])
        return scratch.file("reference_text_document")
    }

    func testMalformedJSONAndOtherBadLines() throws {
        let scratch = try ScratchDirectory()
        var lines = try goodLines()
        let bad: [(Int, String, ProblemKind)] = [
            (40, #"{"text": "unterminated}"#, .malformedJSON),
            (90, #"{"title": "no text key"}"#, .missingKey),
            (130, #"{"text": ["a", "list"]}"#, .notAString),
            (200, #"{"text": "lone \udc00 surrogate"}"#, .loneSurrogate),
            (260, #"["not", "an", "object"]"#, .notAnObject),
            (300, "", .blankLine),
            (350, #"{"text": "two"} {"text": "values"}"#, .malformedJSON),
        ]
        var clean = lines
        for (index, line, _) in bad.reversed() { lines.insert(line, at: index) }
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(lines.joined(separator: "\n") + "\n", to: input)
        let (failure, summary) = try runBoth(input, scratch: scratch)

        XCTAssertEqual(failure.lineNumber, 41)  // the first bad line, 1-based
        XCTAssertEqual(failure.kind, .malformedJSON)
        XCTAssertTrue(failure.description.hasPrefix("\(input):41 (byte offset "), failure.description)
        XCTAssertTrue(failure.description.contains("unterminated string"), failure.description)

        XCTAssertEqual(summary.problems.total, bad.count)
        XCTAssertEqual(summary.problems.counts[.malformedJSON], 2)
        for kind in [ProblemKind.missingKey, .notAString, .loneSurrogate, .notAnObject, .blankLine] {
            XCTAssertEqual(summary.problems.counts[kind], 1, "\(kind)")
        }
        XCTAssertEqual(summary.problems.first[.missingKey]?.lineNumber, 92)
        XCTAssertEqual(summary.documents, clean.count)
        XCTAssertTrue(summary.problems.reportLines.contains { $0.hasPrefix("2 malformed JSON (first: \(input):41") },
                      "\(summary.problems.reportLines)")
        clean = try goodLines()
        try Check.identical(scratch.file("skipped_text_document"), try reference(clean, scratch: scratch))
    }

    /// Line numbers restart with each input file and count the lines of every earlier batch,
    /// whichever worker found the problem (batches of 512 bytes hold a few lines each).
    func testLineNumbersAcrossBatchesAndFiles() throws {
        let scratch = try ScratchDirectory()
        let lines = Array(try goodLines().prefix(300))
        var first = lines
        first.insert(#"{"text": 1}"#, at: 150)                      // line 151 of a.jsonl
        var second = lines
        second.insert(#"{"no": "text"}"#, at: 4)                    // line 5 of b.jsonl.gz
        second.insert(#"{"text": 2}"#, at: 250)                     // line 251 of b.jsonl.gz
        let a = scratch.file("a.jsonl")
        try TestCorpus.write(first.joined(separator: "\n") + "\n", to: a)
        let plain = scratch.file("b-plain.jsonl")
        try TestCorpus.write(second.joined(separator: "\n") + "\n", to: plain)
        let b = scratch.file("b.jsonl.gz")
        try TestCorpus.gzip(plain, to: b, memberBytes: 16 << 10)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        for workers in [1, 2] {
            let summary = try Run.tokenize([a, b], prefix: scratch.file("out\(workers)"), encoder: encoder, workers: workers,
                                           policy: .skip, batchBytes: 512)
            XCTAssertEqual(summary.problems.counts, [.notAString: 2, .missingKey: 1])
            let notAString = try XCTUnwrap(summary.problems.first[.notAString])
            XCTAssertEqual(notAString.path, a)
            XCTAssertEqual(notAString.lineNumber, 151)
            let missing = try XCTUnwrap(summary.problems.first[.missingKey])
            XCTAssertEqual(missing.path, b)
            XCTAssertEqual(missing.lineNumber, 5)
            XCTAssertEqual(summary.documents, 2 * lines.count)
        }
        do {
            _ = try Run.tokenize([b], prefix: scratch.file("failed"), encoder: encoder, workers: 2, batchBytes: 512)
            XCTFail("the run should have failed")
        } catch PipelineError.badInput(let problem) {
            XCTAssertEqual(problem.path, b)
            XCTAssertEqual(problem.lineNumber, 5)
        }
        Check.noOutputs(in: scratch, prefix: "failed")
    }

    func testInvalidUTF8() throws {
        let scratch = try ScratchDirectory()
        let lines = try goodLines()
        var data = Data((lines[0..<100].joined(separator: "\n") + "\n").utf8)
        data.append(Data(#"{"text": "bad "#.utf8) + Data([0xE3, 0x81, 0xFF]) + Data(#" bytes"}"#.utf8) + Data("\n".utf8))
        data.append(Data((lines[100...].joined(separator: "\n") + "\n").utf8))
        let input = scratch.file("corpus.jsonl")
        try data.write(to: URL(fileURLWithPath: input))
        let (failure, summary) = try runBoth(input, scratch: scratch)
        XCTAssertEqual(failure.kind, .invalidUTF8)
        XCTAssertEqual(failure.lineNumber, 101)
        XCTAssertTrue(failure.description.contains("\(input):101"), failure.description)
        XCTAssertEqual(summary.problems.counts, [.invalidUTF8: 1])
        try Check.identical(scratch.file("skipped_text_document"), try reference(lines, scratch: scratch))
    }

    /// `lines` compressed into `scratch/name` by `compress(plain, compressed)`, then `damage`d.
    private func damagedCorpus(
        _ lines: [String], name: String, scratch: ScratchDirectory,
        compress: (String, String) throws -> Void, damage: (inout Data) -> Void
    ) throws -> String {
        let plain = scratch.file("corpus.jsonl")
        try TestCorpus.write(lines.joined(separator: "\n") + "\n", to: plain)
        let input = scratch.file(name)
        try compress(plain, input)
        var compressed = try Data(contentsOf: URL(fileURLWithPath: input))
        damage(&compressed)
        try compressed.write(to: URL(fileURLWithPath: input))
        return input
    }

    func testTruncatedZstd() throws {
        let scratch = try ScratchDirectory()
        let lines = try goodLines()
        let input = try damagedCorpus(
            lines, name: "corpus.jsonl.zst", scratch: scratch,
            compress: { try TestCorpus.zstd($0, to: $1, frameBytes: 32 << 10) },
            damage: { $0 = $0.prefix($0.count * 2 / 3) })

        try assertDamagedFileFailsUnderSkip(input, scratch: scratch)
        let (failure, summary) = try runBoth(input, scratch: scratch, keepDamaged: true)
        XCTAssertEqual(failure.kind, .unreadableInput)
        XCTAssertEqual(failure.path, input)
        XCTAssertTrue(failure.description.contains("\(input): truncated zstd data at compressed byte offset"), failure.description)
        XCTAssertTrue(failure.description.contains("(after line "), failure.description)
        // Kept by the explicit opt-in: recorded as a damaged input, not as a skipped line.
        XCTAssertEqual(summary.problems.counts, [:])
        XCTAssertEqual(summary.damagedInputs.map(\.path), [input])
        // Every complete line before the truncation is kept, and the message counts them.
        XCTAssertGreaterThan(summary.documents, 0)
        XCTAssertLessThan(summary.documents, lines.count)
        XCTAssertEqual(summary.damagedInputs.first?.lineNumber, summary.documents)
        XCTAssertTrue(failure.description.hasSuffix("(after line \(failure.lineNumber))"), failure.description)
        XCTAssertGreaterThan(failure.lineNumber, 0)
        XCTAssertTrue(summary.warnings.contains { $0.contains("\(input) is damaged") }, "\(summary.warnings)")
        let record = try XCTUnwrap(try DatasetProvenance.read(prefix: scratch.file("skipped_text_document")))
        XCTAssertTrue(record.options.keepDamagedInputs)
        XCTAssertEqual(record.inputs.count, 1)
        XCTAssertEqual(record.inputs[0].documents, summary.documents)
        XCTAssertTrue(record.inputs[0].damage?.contains("truncated zstd data") ?? false, "\(record.inputs[0])")
        try Check.identical(scratch.file("skipped_text_document"),
                            try reference(Array(lines.prefix(summary.documents)), scratch: scratch))
    }

    /// A truncated or corrupt compressed file is an error of that file under `--on-error skip`
    /// too (it used to count as one skipped line and write half the file): nothing is written.
    private func assertDamagedFileFailsUnderSkip(_ input: String, scratch: ScratchDirectory, others: [String] = [],
                                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        do {
            try Run.tokenize(others + [input], prefix: scratch.file("skiponly"), encoder: encoder, workers: 2,
                             policy: .skip, batchBytes: 8 << 10)
            XCTFail("a damaged input under --on-error skip must fail", file: file, line: line)
        } catch PipelineError.damagedInput(let problem) {
            XCTAssertEqual(problem.path, input, file: file, line: line)
            XCTAssertTrue(PipelineError.damagedInput(problem).description.contains(input), file: file, line: line)
        }
        Check.noOutputs(in: scratch, prefix: "skiponly", file: file, line: line)
    }

    func testCorruptGzip() throws {
        let scratch = try ScratchDirectory()
        let lines = try goodLines()
        let input = try damagedCorpus(
            lines, name: "corpus.jsonl.gz", scratch: scratch,
            compress: { try TestCorpus.gzip($0, to: $1, memberBytes: 1 << 30) },
            damage: { data in
                for offset in stride(from: data.count / 2, to: data.count / 2 + 64, by: 1) { data[offset] ^= 0x5A }
            })

        try assertDamagedFileFailsUnderSkip(input, scratch: scratch)
        let (failure, summary) = try runBoth(input, scratch: scratch, keepDamaged: true)
        XCTAssertEqual(failure.kind, .unreadableInput)
        XCTAssertTrue(failure.description.contains("\(input): corrupt gzip data at compressed byte offset"), failure.description)
        XCTAssertEqual(summary.damagedInputs.count, 1)
        XCTAssertEqual(summary.problems.total, 0)
    }

    /// The issue's case: a `.jsonl.gz` cut short, under `--on-error skip`.
    func testTruncatedGzipFailsUnderSkip() throws {
        let scratch = try ScratchDirectory()
        let input = try damagedCorpus(
            try goodLines(), name: "corpus.jsonl.gz", scratch: scratch,
            compress: { try TestCorpus.gzip($0, to: $1, memberBytes: 1 << 30) },
            damage: { $0 = $0.prefix($0.count / 2) })
        try assertDamagedFileFailsUnderSkip(input, scratch: scratch)
    }

    func testKeptDamagedFileDoesNotStopTheNextFile() throws {
        let scratch = try ScratchDirectory()
        let lines = try goodLines()
        try TestCorpus.write(lines[0..<50].joined(separator: "\n") + "\n", to: scratch.file("a.jsonl"))
        try Data([0x28, 0xB5, 0x2F, 0xFD, 0x00]).write(to: URL(fileURLWithPath: scratch.file("b.jsonl.zst")))
        try TestCorpus.write(lines[50...].joined(separator: "\n") + "\n", to: scratch.file("c.jsonl"))
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        let inputs = ["a.jsonl", "b.jsonl.zst", "c.jsonl"].map(scratch.file)
        try assertDamagedFileFailsUnderSkip(inputs[1], scratch: scratch, others: [inputs[0]])
        let summary = try Run.tokenize(inputs, prefix: scratch.file("out"), encoder: encoder, workers: 2, policy: .skip,
                                       keepDamaged: true)
        XCTAssertEqual(summary.damagedInputs.map(\.path), [inputs[1]])
        XCTAssertEqual(summary.documents, lines.count)
        try Check.identical(scratch.file("out_text_document"), try reference(lines, scratch: scratch))
    }

    func testFailedRunKeepsAnEarlierCompleteOutputUntouched() throws {
        let scratch = try ScratchDirectory()
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(try goodLines().joined(separator: "\n") + "\n", to: input)
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder)
        let before = try Check.bytes(scratch.file("out_text_document.bin"))
        try TestCorpus.write(#"{"text": "fine"}"# + "\n{oops\n", to: input)
        XCTAssertThrowsError(try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder))
        XCTAssertEqual(try Check.bytes(scratch.file("out_text_document.bin")), before)
        XCTAssertEqual(scratch.contents().filter { $0.contains(".tmp-") }, [])
    }

    func testMissingInputsAndOutputDirectory() throws {
        let scratch = try ScratchDirectory()
        let encoder = try Run.encoder(.llama2, TestPaths.fixtureLLMJP, appendEOD: true)
        XCTAssertThrowsError(try Run.tokenize([scratch.file("missing.jsonl")], prefix: scratch.file("out"), encoder: encoder)) {
            XCTAssertTrue("\($0)".contains("input not found"), "\($0)")
        }
        let input = scratch.file("corpus.jsonl")
        try TestCorpus.write(#"{"text": "x"}"# + "\n", to: input)
        XCTAssertThrowsError(try Run.tokenize([input], prefix: scratch.file("no/such/dir/out"), encoder: encoder)) {
            XCTAssertTrue("\($0)".contains("cannot create"), "\($0)")
        }
        XCTAssertThrowsError(try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder, keys: ["text", "text"]))
        XCTAssertThrowsError(try Run.tokenize([input], prefix: scratch.file("out"), encoder: encoder, workers: 0))
        Check.noOutputs(in: scratch, prefix: "out")
    }
}
