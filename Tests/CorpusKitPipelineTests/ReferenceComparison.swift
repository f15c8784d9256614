import Foundation
import XCTest
import CorpusKitPipeline
import CorpusKitMegatron
import CorpusKitTestSupport

/// Input container formats the comparisons read.
enum InputFormat: String, CaseIterable {
    case jsonl = "jsonl"
    case gzip = "jsonl.gz"
    case zstd = "jsonl.zst"
}

/// Runs the Python reference once on a plain `.jsonl` corpus and CorpusKit on the same documents
/// in several container formats and worker counts, requiring byte-identical datasets.
struct ReferenceComparison {
    let type: MegatronTokenizerType
    let model: String
    let appendEOD: Bool
    var keys = ["text"]
    var formats: [InputFormat] = [.jsonl]
    var workers: [Int] = [1, 2]
    /// Smaller than the default so even the fixture corpora span many batches.
    var batchBytes = 64 << 10

    /// Returns the CorpusKit summaries of the runs.
    @discardableResult
    func run(corpus: String, file: StaticString = #filePath, line: UInt = #line) throws -> [TokenizeSummary] {
        let scratch = try ScratchDirectory()
        let plain = scratch.file("corpus.jsonl")
        try TestCorpus.write(corpus, to: plain)
        var referenceArguments = [
            "--input", plain, "--output-prefix", scratch.file("reference"), "--tokenizer-type", type.rawValue,
            "--tokenizer-model", model, "--json-keys",
        ] + keys + ["--output-result-total-token-info", scratch.file("reference.csv")]
        if appendEOD { referenceArguments.append("--append-eod") }
        try MegatronReference.preprocess(referenceArguments)

        let encoder = try Run.encoder(type, model, appendEOD: appendEOD)
        var summaries: [TokenizeSummary] = []
        for format in formats {
            let input: String
            switch format {
            case .jsonl: input = plain
            case .gzip:
                input = scratch.file("corpus.jsonl.gz")
                try TestCorpus.gzip(plain, to: input)
            case .zstd:
                input = scratch.file("corpus.jsonl.zst")
                try TestCorpus.zstd(plain, to: input)
            }
            for workerCount in workers {
                let prefix = scratch.file("corpuskit-\(format.rawValue)-\(workerCount)")
                let csv = scratch.file("corpuskit-\(format.rawValue)-\(workerCount).csv")
                let summary = try Run.tokenize([input], prefix: prefix, encoder: encoder, keys: keys, workers: workerCount,
                                               csv: csv, batchBytes: batchBytes)
                summaries.append(summary)
                for key in keys {
                    try Check.identical("\(prefix)_\(key)_document", scratch.file("reference_\(key)_document"),
                                        "(\(type), \(format.rawValue), \(workerCount) workers, key \(key))", file: file, line: line)
                }
                // Same token counts in the token-info CSV; first column is the input as given.
                let ours = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
                let theirs = try String(contentsOfFile: scratch.file("reference.csv"), encoding: .utf8).split(separator: "\n")
                XCTAssertEqual(ours.count, theirs.count, file: file, line: line)
                for (a, b) in zip(ours, theirs) {
                    let left = a.split(separator: ",", omittingEmptySubsequences: false)
                    let right = b.split(separator: ",", omittingEmptySubsequences: false)
                    XCTAssertEqual(left.first.map(String.init), input, file: file, line: line)
                    XCTAssertEqual(left.last, right.last, "token count in the CSV", file: file, line: line)
                    XCTAssertEqual(left.dropFirst().first?.hasSuffix("_document"), true, file: file, line: line)
                }
            }
        }
        return summaries
    }
}
