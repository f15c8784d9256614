import CorpusKitSystem

/// An error reported to the user as one line on stderr (`Error: …`, as swift-argument-parser's own),
/// with a non-zero exit status: 1 for a failure, 2 for bad input to a check command (whose 1 means
/// "found a problem"), 128 + N when signal N stopped the run. Usage errors are `ValidationError`s (64).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let status: Int32

    init(_ description: String, status: Int32 = 1) {
        self.description = description
        self.status = status
    }

    /// Bad input to a command whose exit status 1 is a finding (compat, model check/diff/compare,
    /// plan --check-cache, launch status).
    static func badInput(_ description: String) -> CLIError { CLIError(description, status: 2) }

    /// The run was stopped by `signal` (SIGINT when unknown).
    static func interrupted(_ description: String, signal: Int32?) -> CLIError {
        CLIError(description, status: 128 + (signal ?? 2))
    }
}

extension CLIError {
    /// Runs `body`, which writes the command's output, reporting a failed write as
    /// "cannot write output: …".
    static func writingOutput<Failure: Error>(_ body: () throws(Failure) -> Void) throws(CLIError) {
        do { try body() } catch {
            throw CLIError("cannot write output: \((error as? SystemError)?.message ?? String(describing: error))")
        }
    }
}
