import Foundation
import XCTest
import CorpusKitMegatron
import CorpusKitPipeline
import CorpusKitReport
import CorpusKitShards
import CorpusKitTestSupport

/// Byte-identical outputs against `Tools/references/megatron_reference.py` with llm-jp's real vocabularies
/// and Llama 2's BPE vocabulary from `$CORPUSKIT_SHARED` (default `../shared`), and with the
/// Swallow-style extension of Llama 2 that `Tools/references/make_bpe_vocabularies.py` derives from them into
/// `references/bpe-vocab`; skipped with a message when the shared directory is absent.
final class SharedVocabularyTests: XCTestCase {
    private static let documentCount = 3000

    /// Llama2Tokenizer with --append-eod from every container format at 1 and 2 workers; checks
    /// the dtype chosen for `model`.
    private func compareAllFormats(_ model: String, dtype: TokenDType, file: StaticString = #filePath, line: UInt = #line) throws {
        let summaries = try ReferenceComparison(type: .llama2, model: model, appendEOD: true, formats: InputFormat.allCases,
                                                batchBytes: 256 << 10)
            .run(corpus: try TestCorpus.sharedDocuments(count: Self.documentCount), file: file, line: line)
        XCTAssertEqual(summaries[0].outputs[0].dtype, dtype, file: file, line: line)
    }

    func testVersion21Uint16() throws {
        let model = try TestPaths.requireShared("vocab/llm-jp-v2.1/code10k_en20k_ja30k.ver2.1.model")
        try compareAllFormats(model, dtype: .uint16)
        try ReferenceComparison(type: .llama2, model: model, appendEOD: false, workers: [2])
            .run(corpus: try TestCorpus.sharedDocuments(count: 1000))
    }

    func testVersion30Int32() throws {
        try compareAllFormats(try TestPaths.requireShared("vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model"), dtype: .int32)
    }

    /// The default batch size, at which the reader decompresses straight into the batches and
    /// cuts them after their last complete line (smaller batches are copied out of a staging
    /// buffer instead), over a corpus of several batches.
    func testVersion30DefaultBatchSize() throws {
        let model = try TestPaths.requireShared("vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model")
        let corpus = try TestCorpus.sharedDocuments(count: 8000)
        let batchBytes = TokenizeConfiguration.defaultBatchBytes
        XCTAssertGreaterThan(corpus.utf8.count, 3 * batchBytes)
        try ReferenceComparison(type: .llama2, model: model, appendEOD: true, formats: [.jsonl, .zstd], batchBytes: batchBytes)
            .run(corpus: corpus)
    }

    func testVersion40Int32() throws {
        try compareAllFormats(try TestPaths.requireShared("vocab/llm-jp-v4.0/llm-jp-tokenizer_ver4.0_alpha1.0.model"), dtype: .int32)
    }

    func testVersion30SentencePieceTokenizer() throws {
        let model = try TestPaths.requireShared("vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model")
        try ReferenceComparison(type: .sentencePiece, model: model, appendEOD: true, workers: [2])
            .run(corpus: try TestCorpus.sharedDocuments(count: 1000))
    }

    func testVersion30HuggingFaceTokenizer() throws {
        let json = try TestPaths.requireShared("vocab/llm-jp-v3.0/tokenizer.json")
        try ReferenceComparison(type: .huggingFace, model: json, appendEOD: true, formats: [.zstd], workers: [2])
            .run(corpus: try TestCorpus.sharedDocuments(count: 1000))
    }

    /// Llama 2's sentencepiece BPE model (32,000 pieces: uint16).
    func testLlama2BPE() throws {
        let model = try TestPaths.requireShared("vocab/llama2/tokenizer.model")
        try ReferenceComparison(type: .llama2, model: model, appendEOD: true, formats: [.jsonl, .zstd])
            .run(corpus: try TestCorpus.sharedDocuments(count: 1000))
    }

    /// The Swallow-style extension (Llama 2 + Japanese BPE pieces), as Swallow's data was made:
    /// Llama2Tokenizer over the extended sentencepiece BPE model, every container format.
    func testLlama2ExtendedBPE() throws {
        try compareAllFormats(try TestPaths.requireDerivedBPE("llama2-ja/llama2-ja.model"), dtype: .uint16)
    }

    /// `count` on raw corpora with the BPE files (Llama 2 and the extension, `.model` and
    /// tokenizer.json): per file, the documents and tokens of the shards the reference writer makes
    /// (no shards written by CorpusKit), and `count` on those reference shards agrees.
    func testCountWithBPEEqualsTheReferenceShards() throws {
        let scratch = try ScratchDirectory()
        let corpus = scratch.file("corpus.jsonl")
        try TestCorpus.write(try TestCorpus.sharedDocuments(count: 600), to: corpus)
        let files: [(MegatronTokenizerType, String, String)] = [
            (.llama2, "Llama2Tokenizer", try TestPaths.requireShared("vocab/llama2/tokenizer.model")),
            (.llama2, "Llama2Tokenizer", try TestPaths.requireDerivedBPE("llama2-ja/llama2-ja.model")),
            (.huggingFace, "HuggingFaceTokenizer", try TestPaths.requireDerivedBPE("llama2/tokenizer.json")),
            (.huggingFace, "HuggingFaceTokenizer", try TestPaths.requireDerivedBPE("llama2-ja/tokenizer.json")),
        ]
        for (index, (type, typeName, model)) in files.enumerated() {
            let reference = scratch.file("reference\(index)")
            try MegatronReference.preprocess(["--input", corpus, "--output-prefix", reference, "--tokenizer-type", typeName,
                                              "--tokenizer-model", model, "--append-eod"])
            let reader = try MegatronIndexReader(prefix: reference + "_text_document")
            var tokens = 0
            for d in 0..<reader.documentCount { tokens += try reader.documentTokens(d).count }
            let encoder = try DocumentEncoder.load(type: type, modelPath: model, appendEOD: true)
            let raw = try CorpusCounter.count(configuration: TokenizeConfiguration(inputs: [corpus], outputPrefix: "", workers: 2),
                                              encoder: encoder)
            XCTAssertEqual(raw.counts.count, 1)
            XCTAssertEqual(raw.counts.first?.tokens, tokens, model)
            XCTAssertEqual(raw.counts.first?.documents, reader.documentCount, model)
            XCTAssertEqual(try ShardCounter.count(prefix: reference + "_text_document").tokens, tokens, model)
        }
    }

    /// The extension's tokenizer.json (HF BPE) through HuggingFaceTokenizer.
    func testLlama2ExtendedHuggingFaceTokenizer() throws {
        let json = try TestPaths.requireDerivedBPE("llama2-ja/tokenizer.json")
        try ReferenceComparison(type: .huggingFace, model: json, appendEOD: true, formats: [.zstd], workers: [2])
            .run(corpus: try TestCorpus.sharedDocuments(count: 1000))
    }
}
