import Foundation
import CorpusKitSystem

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
        let result = try ProcessCapture.run(executable, arguments, stdin: stdin)
        return Result(status: result.status, output: String(decoding: result.output, as: UTF8.self),
                      error: String(decoding: result.error, as: UTF8.self))
    }
}

/// Runs a program with standard output and error going to files (so large outputs cannot fill a
/// pipe), for the tests that run the built `corpuskit` and other tools.
public enum FileCapturedProcess {
    public struct Result {
        public let status: Int32
        /// `.exit`, or `.uncaughtSignal` when the process crashed.
        public let reason: Process.TerminationReason
        /// Standard output (empty when it went to `stdoutFile`).
        public let stdout: Data
        public let stderr: Data
    }

    /// `environment` is added to this process's; standard input is read from `stdinFile` (else
    /// /dev/null); standard output goes to `stdoutFile` when given.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           stdinFile: String? = nil, stdoutFile: String? = nil) throws -> Result {
        let scratch = try ScratchDirectory()
        let outPath = stdoutFile ?? scratch.file("stdout"), errPath = scratch.file("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = out
        process.standardError = err
        if let stdinFile {
            guard let input = FileHandle(forReadingAtPath: stdinFile) else { throw TestFailure("cannot open \(stdinFile)") }
            process.standardInput = input
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus, reason: process.terminationReason,
                      stdout: stdoutFile == nil ? try Data(contentsOf: URL(fileURLWithPath: outPath)) : Data(),
                      stderr: try Data(contentsOf: URL(fileURLWithPath: errPath)))
    }
}
