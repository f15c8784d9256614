import CorpusKitShards
import Foundation
import XCTest
import CorpusKitTestSupport

/// `corpuskit plan --data-cache-path` / `--check-cache` end to end (the files themselves are
/// compared with Megatron's in CorpusKitPlanTests/IndexCacheFixtureTests): what is written, a
/// second write, a changed file, a check, another flavour's names, and the usage errors.
final class PlanCacheCommandTests: XCTestCase {
    private func shards(in scratch: ScratchDirectory) throws -> [String] {
        try (0..<2).map { k -> String in
            let prefix = scratch.file("ds\(k)")
            let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
            for j in 0..<300 { try writer.addDocument((0..<(5 + (j * 7 + k) % 60)).map { Int32(($0 + j) % 1000) }) }
            _ = try writer.finish()
            return prefix
        }
    }

    func testWriteCheckRewriteAndRefuse() throws {
        let scratch = try ScratchDirectory("plan-cache")
        let prefixes = try shards(in: scratch)
        let cache = scratch.file("cache")
        let base = ["plan", "--data-path", "3 \(prefixes[0]) 1 \(prefixes[1])", "--seq-length", "32", "--global-batch-size", "4",
                    "--train-iters", "20", "--split", "1,0,0", "--eval-iters", "0", "--eval-interval", "1000",
                    "--tokenizer-type", "Llama2Tokenizer", "--tokenizer-model", "/models/tokenizer.model"]
        let written = try CorpusKitCLI.succeed(base + ["--data-cache-path", cache])
        XCTAssertTrue(String(decoding: written.stdout, as: UTF8.self).contains("index cache \(cache): 11 written"))
        let names = try FileManager.default.contentsOfDirectory(atPath: cache).sorted()
        XCTAssertEqual(names.count, 11)
        XCTAssertEqual(names.filter { $0.hasSuffix("-GPTDataset-train-shuffle_index.npy") }.count, 2)
        XCTAssertEqual(names.filter { $0.contains("-BlendedDataset-train-") }.count, 3)

        let exact = try CorpusKitCLI.succeed(base + ["--check-cache", cache])
        XCTAssertTrue(String(decoding: exact.stdout, as: UTF8.self).contains("exact (11 files"))
        let again = try CorpusKitCLI.succeed(base + ["--data-cache-path", cache])
        XCTAssertTrue(String(decoding: again.stdout, as: UTF8.self).contains("0 written, 11 already there and identical (kept)"))

        // Another seed: every dataset's files are other files (the blend's too).
        let other = try CorpusKitCLI.run(base + ["--seed", "7", "--check-cache", cache])
        XCTAssertEqual(other.status, 1)
        let otherText = String(decoding: other.stdout, as: UTF8.self)
        XCTAssertTrue(otherText.contains("11 of 11 files missing, 0 wrong, 11 extra"), otherText)

        // A changed byte: found by the check, refused by a write unless overwriting.
        let victim = names.first { $0.hasSuffix("-GPTDataset-train-document_index.npy") }!
        var bytes = try Data(contentsOf: URL(fileURLWithPath: cache + "/" + victim))
        bytes[bytes.count - 1] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: cache + "/" + victim))
        let wrong = try CorpusKitCLI.run(base + ["--check-cache", cache])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(String(decoding: wrong.stdout, as: UTF8.self).contains("wrong    \(victim) (first difference at byte \(bytes.count - 1))"))
        try CorpusKitCLI.fail(base + ["--data-cache-path", cache], mentioning: [victim, "--overwrite-cache"])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: cache).contains { $0.contains(".tmp-") })
        let replaced = try CorpusKitCLI.succeed(base + ["--data-cache-path", cache, "--overwrite-cache"])
        XCTAssertTrue(String(decoding: replaced.stdout, as: UTF8.self).contains("1 replaced"))
        try CorpusKitCLI.succeed(base + ["--check-cache", cache])

        // nii-geniac names carry no split.
        let nii = scratch.file("nii")
        try CorpusKitCLI.succeed(base + ["--megatron", "llm-jp-nii-geniac", "--data-cache-path", nii])
        let niiNames = try FileManager.default.contentsOfDirectory(atPath: nii)
        XCTAssertEqual(niiNames.count, 11)
        XCTAssertFalse(niiNames.contains { $0.contains("-train-") })

        try CorpusKitCLI.fail(Array(base.dropLast(4)) + ["--data-cache-path", cache], mentioning: ["--tokenizer-type", "--tokenizer-model"])
        try CorpusKitCLI.fail(base + ["--data-cache-path", cache, "--check-cache", cache], mentioning: ["--check-cache"])
        try CorpusKitCLI.fail(base + ["--check-cache", scratch.file("absent")], mentioning: [scratch.file("absent")])
        try CorpusKitCLI.fail(base + ["--megatron", "v5", "--check-cache", cache], mentioning: ["--megatron"])
        // megatron-core 0.16 has no default evaluation interval (a run without one fails in
        // training.py); llm-jp's branches default to 1000, so the same cache needs no interval there.
        let withoutInterval = base.filter { $0 != "--eval-interval" && $0 != "1000" }
        try CorpusKitCLI.fail(withoutInterval + ["--check-cache", cache], mentioning: ["--eval-interval", "0.16"])
        try CorpusKitCLI.succeed(withoutInterval + ["--megatron", "llm-jp-main", "--check-cache", cache])
    }
}
