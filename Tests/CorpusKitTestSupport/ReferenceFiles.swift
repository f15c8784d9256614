import Foundation
import XCTest

/// Locations of the reference outputs that `Tools/references/make_references.py` writes with the real
/// sentencepiece and HF tokenizers packages.
public enum ReferenceFiles {
    /// ``TestPaths/shared``.
    public static var sharedDirectory: URL { URL(fileURLWithPath: TestPaths.shared, isDirectory: true) }

    public static var sharedIsPresent: Bool {
        FileManager.default.fileExists(atPath: sharedDirectory.appendingPathComponent("vocab").path)
    }

    /// Where `Tools/references/make_shared_references.sh` writes (override with `CORPUSKIT_REFERENCES`).
    public static var sharedReferences: URL {
        if let path = ProcessInfo.processInfo.environment["CORPUSKIT_REFERENCES"], !path.isEmpty {
            return URL(fileURLWithPath: path, relativeTo: TestPaths.repositoryRoot)
        }
        return TestPaths.repositoryRoot.appendingPathComponent("references")
    }

    public static let fixtureReferences = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/references")
    public static let fixtureTokenizers = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizers")

    /// The tokenizer files of the shared references, by reference name: the llm-jp and Llama 2 files in
    /// `../shared/vocab`, and the BPE files derived from Llama 2 in `references/bpe-vocab`.
    public static func sharedTokenizer(_ name: String) -> URL {
        let vocab = sharedDirectory.appendingPathComponent("vocab")
        let files: [String: String] = [
            "llm-jp-v2.1.model": "llm-jp-v2.1/code10k_en20k_ja30k.ver2.1.model",
            "llm-jp-v3.0.model": "llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model",
            "llm-jp-v3.1.model": "llm-jp-v3.1/llm-jp-tokenizer-100k.ver3.1.model",
            "llm-jp-v4.0.model": "llm-jp-v4.0/llm-jp-tokenizer_ver4.0_alpha1.0.model",
            "llm-jp-v2.1.tokenizer.json": "llm-jp-v2.1/tokenizer.json",
            "llm-jp-v3.0.tokenizer.json": "llm-jp-v3.0/tokenizer.json",
            "llm-jp-v3.1.tokenizer.json": "llm-jp-v3.1/tokenizer.json",
            "llm-jp-v4.0.tokenizer.json": "llm-jp-v4.0/tokenizer.json",
            "llama2.model": "llama2/tokenizer.model",
        ]
        // Derived from shared files at test setup (Tools/references/make_bpe_vocabularies.py), never committed.
        let derived: [String: String] = [
            "llama2.tokenizer.json": "llama2/tokenizer.json",
            "llama2-ja.model": "llama2-ja/llama2-ja.model",
            "llama2-ja.tokenizer.json": "llama2-ja/tokenizer.json",
            "llmjp-ja.model": "llmjp-ja/llmjp-ja.model",
            "llmjp-ja.tokenizer.json": "llmjp-ja/tokenizer.json",
        ]
        if let path = derived[name] { return sharedReferences.appendingPathComponent("bpe-vocab").appendingPathComponent(path) }
        return vocab.appendingPathComponent(files[name]!)
    }

    /// Skips when `../shared` is absent (with a message); fails when it is present but the
    /// references were not generated, so a missing comparison never passes silently.
    public static func requireSharedReferences(_ name: String) throws -> URL {
        guard sharedIsPresent else {
            throw XCTSkip("\(sharedDirectory.path) not found: the llm-jp conformance test for \(name) needs CORPUSKIT_SHARED")
        }
        let file = sharedReferences.appendingPathComponent("\(name).jsonl")
        guard FileManager.default.fileExists(atPath: file.path) else {
            XCTFail("""
                \(file.path) is missing although \(sharedDirectory.path) exists. \
                Run Tools/references/make_shared_references.sh (the README's test command does) before swift test.
                """)
            throw XCTSkip("references missing")
        }
        return sharedReferences
    }
}

/// Reads a JSONL file of flat objects line by line (``ReferenceJSON``).
public struct JSONLines: Sequence, IteratorProtocol {
    private let lines: [Data]
    private var index = 0
    public let url: URL

    public init(_ url: URL) throws {
        self.url = url
        lines = splitLines(try Data(contentsOf: url, options: .mappedIfSafe))
    }

    /// The byte length of the line `next()` would parse, or nil at the end.
    public var nextLineByteCount: Int? { index < lines.count ? lines[index].count : nil }

    /// Moves past the next line without parsing it.
    public mutating func skip() { index += 1 }

    /// The next line's object, as ``ReferenceJSON/object(_:)`` reads it (arrays of integers are `[Int64]`).
    public mutating func next() -> [String: Any]? {
        guard index < lines.count else { return nil }
        defer { index += 1 }
        do {
            return try ReferenceJSON.object(lines[index])
        } catch {
            fatalError("\(url.path):\(index + 1): not a flat JSON object: \(error)")
        }
    }
}
