import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitMegatron

/// The shards oracle (``MegatronReference`` in CorpusKitTestSupport) as these tests run it.
extension MegatronReference {
    /// Fails (never skips) when the interpreter is missing: a comparison that did not run must not
    /// count as a pass.
    static func requireVenv(file: StaticString = #filePath, line: UInt = #line) throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            XCTFail("\(python) is missing: run Tools/setup/setup_venv.sh first (the comparisons with the Python reference need it)",
                    file: file, line: line)
            throw TestFailure("no .venv")
        }
    }

    /// Runs `preprocess_data.py`-equivalent with `arguments` (`--workers 1` added).
    static func preprocess(_ arguments: [String]) throws {
        try requireVenv()
        try run(arguments + ["--workers", "1"])
    }
}

/// Test corpora: documents with adversarial text, written plain or compressed.
enum TestCorpus {
    /// `documents.jsonl` of the tokenizer references (adversarial strings, specials, the empty text)
    /// and `Corpora/sample.jsonl`, as raw lines.
    static func fixtureLines() throws -> [String] {
        let files = ["Tests/Fixtures/references/documents.jsonl", "Corpora/sample.jsonl"]
        return try files.flatMap { relative -> [String] in
            let text = try String(contentsOfFile: TestPaths.repo(relative), encoding: .utf8)
            return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
    }

    /// Hand-written lines aimed at the wrappers' corner cases (as JSON text).
    static let craftedLines: [String] = [
        #"{"text": ""}"#,
        #"{"text": " "}"#,
        #"{"text": "\n"}"#,
        #"{"text": "<EOD>"}"#,
        #"{"text": "<EOD><EOD>"}"#,
        #"{"text": "a<EOD>b<CLS>c<SEP>d<MASK>e<s>f</s>g<pad>h<PAD>i<unk>j<BOS>k<EOS>"}"#,
        #"{"text": "<<EOD>> <CL<CLS>S> <SEP<SEP>"}"#,
        #"{"text": "文書の途中に<EOD>特殊記号<MASK>があります。</s>"}"#,
        #"{"text": "line one\r\nline two\r\r\nline three\n\r\nend\r"}"#,
        #"{"id": 7, "text": "key order \u3042\ud83d\ude00 and escapes \"quoted\" \\ back", "meta": {"text": "nested"}}"#,
        #"{"text": "duplicate key: first", "text": "duplicate key: last wins"}"#,
        #"{"text": "\t tabs\tand  double  spaces  "}"#,
        #"{"text": "<mask><RESERVED_000>user defined pieces<RESERVED_001>"}"#,
        #"  {"text": "leading and trailing JSON whitespace"}  "#,
    ]

    /// Fixture lines, crafted lines, then `extra` lines, as one JSONL text (newline-terminated).
    static func standard(extra: [String] = []) throws -> String {
        (try fixtureLines() + craftedLines + extra).joined(separator: "\n") + "\n"
    }

    /// ~`count` documents of a few hundred bytes to ~4 KB cut from the shared corpora (ja + en),
    /// plus the standard lines.
    static func sharedDocuments(count: Int) throws -> String {
        var lines = try fixtureLines() + craftedLines
        var corpusLines: [String] = []
        for name in ["neko.txt", "botchan.txt", "jnli-v1.1-train.txt", "jsts-v1.1-train.txt"] {
            guard let path = TestPaths.sharedFile("corpora/\(name)") else { continue }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            corpusLines += text.split(separator: "\n").prefix(4000).map(String.init)
        }
        var index = 0
        var length = 1
        while lines.count < count && !corpusLines.isEmpty {
            let chunk = (0..<length).map { corpusLines[(index + $0) % corpusLines.count] }.joined(separator: "\n")
            lines.append(jsonLine(chunk))
            index += length
            length = length % 12 + 1
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"text": ...}` with the text JSON-escaped.
    static func jsonLine(_ text: String, key: String = "text") -> String {
        let data = try! JSONSerialization.data(withJSONObject: [key: text], options: [.withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// gzip, as several members (each ~`memberBytes` of input), with Python's gzip module.
    static func gzip(_ source: String, to destination: String, memberBytes: Int = 64 << 10) throws {
        let program = """
            import gzip, sys
            data = open(sys.argv[1], 'rb').read()
            size = int(sys.argv[3])
            with open(sys.argv[2], 'wb') as out:
                for i in range(0, max(len(data), 1), size):
                    out.write(gzip.compress(data[i:i + size], mtime=0))
            """
        let result = try Command.run("/usr/bin/env", ["python3", "-c", program, source, destination, String(memberBytes)])
        guard result.status == 0 else { throw TestFailure("gzip failed: \(result.stderr)") }
    }

    /// zstd as several concatenated frames, with the zstd command-line tool (`apt-get install zstd`).
    static func zstd(_ source: String, to destination: String, frameBytes: Int = 48 << 10) throws {
        guard let zstdPath = ["/usr/bin/zstd", "/usr/local/bin/zstd", "/opt/homebrew/bin/zstd"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure("the zstd command-line tool is needed to make .zst test inputs (apt-get install zstd)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        var output = Data()
        var offset = 0
        var part = 0
        repeat {
            let chunk = data.subdata(in: offset..<min(data.count, offset + frameBytes))
            let chunkPath = destination + ".part\(part)"
            try chunk.write(to: URL(fileURLWithPath: chunkPath))
            let result = try Command.run(zstdPath, ["-q", "-f", "-3", chunkPath, "-o", chunkPath + ".zst"])
            guard result.status == 0 else { throw TestFailure("zstd failed: \(result.stderr)") }
            output.append(try Data(contentsOf: URL(fileURLWithPath: chunkPath + ".zst")))
            try? FileManager.default.removeItem(atPath: chunkPath)
            try? FileManager.default.removeItem(atPath: chunkPath + ".zst")
            offset += frameBytes
            part += 1
        } while offset < data.count
        try output.write(to: URL(fileURLWithPath: destination))
    }
}

/// Shared assertions.
enum Check {
    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// `{a}.bin/.idx` and `{b}.bin/.idx` are byte-identical.
    static func identical(_ a: String, _ b: String, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        for suffix in [".bin", ".idx"] {
            let left = try bytes(a + suffix), right = try bytes(b + suffix)
            if left != right {
                let firstDifference = zip(left, right).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                XCTFail("\(a)\(suffix) (\(left.count) bytes) differs from \(b)\(suffix) (\(right.count) bytes)"
                        + " at byte \(firstDifference.map(String.init) ?? "end") \(message)", file: file, line: line)
            }
        }
    }

    /// No dataset under a final name and no temporary file for `prefix` in `directory`.
    static func noOutputs(in directory: ScratchDirectory, prefix: String, file: StaticString = #filePath, line: UInt = #line) {
        let leftovers = directory.contents().filter { $0.hasPrefix(prefix) && ($0.contains(".bin") || $0.contains(".idx")) }
        XCTAssertEqual(leftovers, [], "outputs or temporary files left behind", file: file, line: line)
    }
}

/// Builds and runs pipelines for tests.
enum Run {
    /// Loads (and caches) an encoder.
    static func encoder(_ type: MegatronTokenizerType, _ model: String, appendEOD: Bool) throws -> DocumentEncoder {
        try EncoderCache.shared.encoder(type, model, appendEOD: appendEOD)
    }

    @discardableResult
    static func tokenize(
        _ inputs: [String], prefix: String, encoder: DocumentEncoder, keys: [String] = ["text"], workers: Int = 1,
        policy: ErrorPolicy = .fail, resume: Bool = false, csv: String? = nil, batchBytes: Int = TokenizeConfiguration.defaultBatchBytes,
        progress: ProgressReporter? = nil, cancellation: PipelineCancellation = PipelineCancellation()
    ) throws -> TokenizeSummary {
        let configuration = TokenizeConfiguration(
            inputs: inputs, outputPrefix: prefix, jsonKeys: keys, workers: workers, errorPolicy: policy,
            resume: resume, tokenInfoCSV: csv, batchBytes: batchBytes)
        return try TokenizePipeline(configuration: configuration, encoder: encoder)
            .run(progress: progress, cancellation: cancellation)
    }
}

/// Loaded tokenizers, so each model file is parsed once per test process.
final class EncoderCache: @unchecked Sendable {
    static let shared = EncoderCache()
    private let lock = NSLock()
    private var encoders: [String: DocumentEncoder] = [:]

    func encoder(_ type: MegatronTokenizerType, _ model: String, appendEOD: Bool) throws -> DocumentEncoder {
        let key = "\(type)|\(model)|\(appendEOD)"
        lock.lock()
        defer { lock.unlock() }
        if let encoder = encoders[key] { return encoder }
        let encoder = try DocumentEncoder.load(type: type, modelPath: model, appendEOD: appendEOD)
        encoders[key] = encoder
        return encoder
    }
}
