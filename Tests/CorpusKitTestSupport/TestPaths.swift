import Foundation

/// Paths of the repository, its fixtures and the shared vocabularies.
public enum TestPaths {
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func repo(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

    public static let fixtureLLMJP = repo("Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model")
    public static let fixtureLLMJPJSON = repo("Tests/Fixtures/tokenizers/fixture-llmjp/tokenizer.json")
    public static let fixtureNFKC = repo("Tests/Fixtures/tokenizers/fixture-nfkc/fixture-nfkc.model")
    public static let fixtureNFKCJSON = repo("Tests/Fixtures/tokenizers/fixture-nfkc/tokenizer.json")

    /// `$CORPUSKIT_SHARED`, default `../shared` next to the repository.
    public static let shared: String = ProcessInfo.processInfo.environment["CORPUSKIT_SHARED"]
        ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared").path

    /// A file under the shared directory, or `nil` (and the reason) when it is not there.
    public static func sharedFile(_ relative: String) -> String? {
        let path = (shared as NSString).appendingPathComponent(relative)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A temporary directory removed when the value is deallocated.
public final class ScratchDirectory {
    public let path: String

    public init() throws {
        let base = NSTemporaryDirectory() + "corpuskit-pipeline-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Every file name in the directory, sorted.
    public func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

/// Runs executables and captures their output.
public enum Subprocess {
    public struct Result {
        public let status: Int32
        public let output: String
        public let error: String
    }

    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so neither fills up.
        final class Box: @unchecked Sendable { var data = Data() }
        let errorBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorBox.data = error.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorBox.data, as: UTF8.self))
    }
}
