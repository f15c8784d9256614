import Foundation

/// Runs a helper program (sbatch, squeue, bash) and collects what it printed.
enum CommandRunner {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs `program` (a name looked up on PATH, or a path) with `arguments`.
    static func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws(LaunchError) -> Result {
        guard let path = locate(program) else { throw .scheduler("\(program) not found on PATH") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .scheduler("cannot run \(path): \(error.localizedDescription)")
        }
        final class Box: @unchecked Sendable { var data = Data() }
        let errorBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorBox.data = error.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
                      error: String(decoding: errorBox.data, as: UTF8.self))
    }

    /// The full path of `program` on PATH (or `program` itself when it holds a slash).
    static func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin", "/usr/sbin"] {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
