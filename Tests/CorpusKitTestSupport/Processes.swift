import Foundation
import XCTest

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
        let scratch = try ScratchDirectory("process")
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

/// What a program run by ``FileCapturedProcess`` did, for assertions and failure messages.
public struct CommandResult {
    public let status: Int32
    /// `.exit`, or `.uncaughtSignal` when the process crashed.
    public let reason: Process.TerminationReason
    /// Standard output (empty when it went to a file).
    public let stdout: Data
    public let stderr: String
    /// The executable, then the arguments.
    public let command: [String]

    /// Standard output as text.
    public var output: String { String(decoding: stdout, as: UTF8.self) }
    /// Output lines without their `"\n"` terminators.
    public var lines: [Data] { splitLines(stdout) }
    public var crashed: Bool { reason != .exit }
    public var summary: String {
        "\(command.joined(separator: " ")) → status \(status) (\(reason == .exit ? "exit" : "signal"))\nstdout: \(output.prefix(3000))\nstderr: \(stderr.prefix(3000))"
    }
}

/// Any program, with standard output and error captured in files.
public enum Command {
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           stdinFile: String? = nil, stdoutFile: String? = nil) throws -> CommandResult {
        let result = try FileCapturedProcess.run(executable, arguments, environment: environment, stdinFile: stdinFile, stdoutFile: stdoutFile)
        return CommandResult(status: result.status, reason: result.reason, stdout: result.stdout,
                             stderr: String(decoding: result.stderr, as: UTF8.self), command: [executable] + arguments)
    }

    /// `/usr/bin/env NAME ARGS` (a tool found on PATH: gzip, zstd, sha256sum, Slurm's commands).
    public static func tool(_ name: String, _ arguments: [String], stdinFile: String? = nil, stdoutFile: String? = nil) throws -> CommandResult {
        try run("/usr/bin/env", [name] + arguments, stdinFile: stdinFile, stdoutFile: stdoutFile)
    }
}

/// The built `corpuskit` (``CorpusKitExecutable``), run the way a user runs it.
public enum CorpusKitCLI {
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdinFile: String? = nil,
                           stdoutFile: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let executable = try CorpusKitExecutable.require(file: file, line: line)
        return try Command.run(executable, arguments, environment: environment, stdinFile: stdinFile, stdoutFile: stdoutFile)
    }

    /// Runs and requires exit status 0; returns the result.
    @discardableResult
    public static func succeed(_ arguments: [String], environment: [String: String] = [:], stdinFile: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let result = try run(arguments, environment: environment, stdinFile: stdinFile, file: file, line: line)
        guard result.reason == .exit, result.status == 0 else {
            XCTFail(result.summary, file: file, line: line)
            throw TestFailure("corpuskit failed")
        }
        return result
    }

    /// Runs and requires a clean failure: a non-zero exit status (not a crash) and a stderr message
    /// containing every one of `needles`.
    @discardableResult
    public static func fail(_ arguments: [String], stdinFile: String? = nil, mentioning needles: [String],
                            file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let result = try run(arguments, stdinFile: stdinFile, file: file, line: line)
        XCTAssertEqual(result.reason, .exit, "crashed instead of failing cleanly: \(result.summary)", file: file, line: line)
        XCTAssertNotEqual(result.status, 0, "expected a failure: \(result.summary)", file: file, line: line)
        for needle in needles {
            XCTAssertTrue(result.stderr.contains(needle), "stderr does not name \(needle.debugDescription): \(result.summary)", file: file, line: line)
        }
        return result
    }
}

/// The lines of `data` without their `"\n"` terminators (a last line without one is still a line),
/// each as its own `Data` (fast: `Data.split` is slow on tens of megabytes).
public func splitLines(_ data: Data) -> [Data] {
    data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> [Data] in
        guard let base = buffer.baseAddress, buffer.count > 0 else { return [] }
        var lines: [Data] = []
        var start = 0
        while start < buffer.count {
            let end: Int
            if let found = memchr(base + start, 0x0A, buffer.count - start) {
                end = base.distance(to: UnsafeRawPointer(found))
            } else {
                end = buffer.count
            }
            lines.append(Data(bytes: base + start, count: end - start))
            start = end + 1
        }
        return lines
    }
}

/// `Tools/references/megatron_reference.py`, the shards oracle (an independent Python implementation
/// of llm-jp Megatron-LM's `preprocess_data.py` over the real sentencepiece / tokenizers), and the
/// interpreter that runs it.
public enum MegatronReference {
    public static let script = TestPaths.repo("Tools/references/megatron_reference.py")
    /// `$CORPUSKIT_PYTHON`, else the repository's `.venv` (Tools/setup/setup_venv.sh).
    public static let python: String = {
        if let path = ProcessInfo.processInfo.environment["CORPUSKIT_PYTHON"], !path.isEmpty { return path }
        return TestPaths.repo(".venv/bin/python")
    }()
    /// Whether ``python`` runs and has numpy.
    public static let available: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        return (try? Command.run(python, ["-c", "import numpy"]).status) == 0
    }()

    /// Runs the script with `arguments`; throws with its standard error when it fails.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> CommandResult {
        let result = try Command.run(python, [script] + arguments)
        guard result.reason == .exit, result.status == 0 else {
            throw TestFailure("megatron_reference.py \(arguments.joined(separator: " ")) failed (\(result.status)):\n\(result.stderr)")
        }
        return result
    }
}

/// A forked copy of the test process that runs one closure, for the tests of process-wide state
/// (a signal handler, the C heap's settings) that must not touch the test process itself.
public enum ForkedChild {
    /// What the child did: its exit status or the signal that ended it, and its standard error.
    public struct Result {
        public var exitStatus: Int32?
        public var signal: Int32?
        public var standardError: String
    }

    /// Forks; the child sends its standard error into a pipe and runs `child`, which must not
    /// return normally (it ends in `_exit` or a fault; returning exits with status 99). Only the
    /// calling thread exists in the child, so `child` must take no lock another thread may hold.
    public static func run(_ child: () -> Void) throws -> Result {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw TestFailure("pipe failed: errno \(errno)") }
        let pid = fork()
        guard pid >= 0 else { throw TestFailure("fork failed: errno \(errno)") }
        if pid == 0 {
            close(ends[0])
            dup2(ends[1], 2)
            child()
            _exit(99)
        }
        close(ends[1])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(ends[0], &chunk, chunk.count)
            if count <= 0 { break }
            output += chunk[0..<count]
        }
        close(ends[0])
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid else { throw TestFailure("waitpid failed: errno \(errno)") }
        let signal = status & 0x7f
        return Result(exitStatus: signal == 0 ? (status >> 8) & 0xff : nil,
                      signal: signal != 0 && signal != 0x7f ? signal : nil,
                      standardError: String(decoding: output, as: UTF8.self))
    }
}

/// The process id of a process that has already exited (`/bin/true`, waited for): what a writer
/// killed earlier leaves in its temporary files' names, for the tests of their cleanup.
public func exitedProcessID() throws -> Int32 {
    let finished = Process()
    finished.executableURL = URL(fileURLWithPath: "/bin/true")
    try finished.run()
    finished.waitUntilExit()
    return finished.processIdentifier
}
