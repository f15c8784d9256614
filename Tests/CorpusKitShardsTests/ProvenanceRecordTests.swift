import Foundation
import Testing
import CorpusKitShards
import CorpusKitSystem
import CorpusKitTestSupport

/// The provenance record's file: round trip, what reading refuses, and the sentences comparing two.
@Suite struct ProvenanceRecordTests {
    private func record(sha: String = String(repeating: "a", count: 64), appendEOD: Bool = true,
                        inputs: [(String, Int)] = [("a.jsonl", 10)]) -> DatasetProvenance {
        DatasetProvenance(
            tokenizer: .init(path: "v3", file: "v3/tokenizer.model", sha256: sha, type: "Llama2Tokenizer",
                             vocabularySize: 99574, specialIDs: ["eod": 2, "bos": 1]),
            options: .init(appendEOD: appendEOD, jsonKey: "text", jsonKeys: ["text"], onError: "fail",
                           keepDamagedInputs: false, dtype: "int32"),
            inputs: inputs.map { .init(path: $0.0, fingerprint: .init(size: $0.1, firstMiBSHA256: "f", lastMiBSHA256: "l")) },
            documents: 3, sequences: 3, tokens: 30, started: "2026-12-06T00:00:00.000Z", finished: "2026-12-06T00:00:01.000Z")
    }

    @Test func roundTripThroughTheFile() throws {
        let scratch = try ScratchDirectory()
        let prefix = scratch.file("x_text_document")
        #expect(try DatasetProvenance.read(prefix: prefix) == nil)
        try record().write(prefix: prefix)
        #expect(FileManager.default.fileExists(atPath: prefix + ".corpuskit.json"))
        #expect(try DatasetProvenance.read(prefix: prefix) == record())
        #expect(record().corpuskit == CorpusKitVersion.description)
    }

    /// ISO 8601 in UTC with milliseconds; the expected texts are Python's
    /// `datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds")` with `Z` for `+00:00`.
    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(DatasetProvenance.timestamp(Date(timeIntervalSince1970: 1_796_612_246.503)) == "2026-12-07T02:57:26.503Z")
        #expect(DatasetProvenance.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func malformedAndNewerRecordsAreRefusedNamingTheFile() throws {
        let scratch = try ScratchDirectory()
        let prefix = scratch.file("x")
        let path = DatasetProvenance.path(prefix: prefix)
        let cases: [(String, String)] = [
            ("{oops", "not valid JSON"),
            (#"{"format": "corpuskit dataset provenance"}"#, "missing field"),
            (String(decoding: record().encoded(), as: UTF8.self).replacingOccurrences(of: #""formatVersion" : 1"#, with: #""formatVersion" : 9"#),
             "format version 9 is newer"),
        ]
        for (text, expected) in cases {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try DatasetProvenance.read(prefix: prefix)
                Issue.record("read \(text)")
            } catch {
                #expect("\(error)".contains(path) && "\(error)".contains(expected), "\(error)")
            }
        }
    }

    @Test func differencesNameWhatDiffers() {
        #expect(record().differences(from: record()) == [])
        let now = record(sha: String(repeating: "b", count: 64), appendEOD: false, inputs: [("a.jsonl", 11), ("b.jsonl", 5)])
        #expect(now.differences(from: record()) == [
            "tokenizer: v3/tokenizer.model (SHA-256 aaaaaaaaaaaa…) in the dataset, v3/tokenizer.model (SHA-256 bbbbbbbbbbbb…) now",
            "append EOD: on in the dataset, off now",
            "input a.jsonl: its size changed from 10 to 11 bytes since the dataset was written",
            "input b.jsonl: not in the dataset",
        ])
        #expect(record().differences(from: now).last == "input b.jsonl: in the dataset, not given now")
        // Only the meaning of the ids decides whether datasets may be merged.
        #expect(record(inputs: [("other.jsonl", 1)]).meaningDifferences(from: record()) == [])
    }
}
