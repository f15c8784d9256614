import Foundation
import CorpusKitSystem

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
        let result: ProcessCapture.Result
        do {
            result = try ProcessCapture.run(path, arguments, environment: environment)
        } catch {
            throw .scheduler("cannot run \(path): \(error.localizedDescription)")
        }
        return Result(status: result.status, output: String(decoding: result.output, as: UTF8.self),
                      error: String(decoding: result.error, as: UTF8.self))
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
