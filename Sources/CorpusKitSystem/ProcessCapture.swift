import Foundation

/// Runs a program to completion and collects what it printed: the helper programs `corpuskit
/// launch` drives (sbatch, squeue, bash) and the test suites' subprocesses.
public enum ProcessCapture {
    public struct Result: Sendable {
        public let status: Int32
        public let output: Data
        public let error: Data
    }

    /// Runs `executable` (a path) with `arguments`; `stdin` is written to its standard input (none:
    /// `/dev/null`). Both pipes are read concurrently, so neither can fill up and stall the child.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe(), error = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
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
        return Result(status: process.terminationStatus, output: outputData, error: errorBox.data)
    }
}
