import Foundation
import XCTest

/// Paths of the repository, its fixtures and the shared vocabularies: the one place every test
/// target finds them.
public enum TestPaths {
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func repo(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

    public static let fixtureLLMJP = repo("Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model")
    public static let fixtureLLMJPJSON = repo("Tests/Fixtures/tokenizers/fixture-llmjp/tokenizer.json")
    public static let fixtureNFKC = repo("Tests/Fixtures/tokenizers/fixture-nfkc/fixture-nfkc.model")
    public static let fixtureNFKCJSON = repo("Tests/Fixtures/tokenizers/fixture-nfkc/tokenizer.json")
    /// The project's own sample corpus (`Tools/fixtures/make_sample_jsonl.py`).
    public static let sampleCorpus = repo("Corpora/sample.jsonl")
    /// `Tests/Fixtures/NAME`.
    public static func fixture(_ relative: String) -> String { repo("Tests/Fixtures/" + relative) }

    /// `$CORPUSKIT_SHARED` (relative to the repository when not absolute), default `../shared` next
    /// to the repository.
    public static let shared: String = {
        if let path = ProcessInfo.processInfo.environment["CORPUSKIT_SHARED"], !path.isEmpty {
            return URL(fileURLWithPath: path, relativeTo: repositoryRoot).standardized.path
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared").path
    }()

    /// A file under the shared directory, or `nil` when it is not there.
    public static func sharedFile(_ relative: String) -> String? {
        let path = (shared as NSString).appendingPathComponent(relative)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// A file under the shared directory, or a skip naming it (the shared data is optional; CI has it).
    public static func requireShared(_ relative: String) throws -> String {
        guard let path = sharedFile(relative) else {
            throw XCTSkip("\((shared as NSString).appendingPathComponent(relative)) not found (set CORPUSKIT_SHARED): shared-vocabulary comparison skipped")
        }
        return path
    }

    /// A BPE file `Tools/references/make_bpe_vocabularies.py` derives from the shared Llama 2 model into
    /// `references/bpe-vocab` at test setup: a skip without the shared directory, a failure when
    /// it is there but the file was not generated (a comparison that did not run never passes).
    public static func requireDerivedBPE(_ relative: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        _ = try requireShared("vocab/llama2/tokenizer.model")
        let path = ReferenceFiles.sharedReferences.appendingPathComponent("bpe-vocab/\(relative)").path
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing although \(shared) exists: run Tools/references/make_shared_references.sh first", file: file, line: line)
            throw XCTSkip("derived vocabulary missing")
        }
        return path
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
