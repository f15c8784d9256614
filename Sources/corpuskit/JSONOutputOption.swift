import ArgumentParser

/// `--json` of the `model` commands that print one report (info, perplexity, diff, compare, loss):
/// the report as one JSON object, else as text.
struct JSONOutputOption: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    /// Prints the report in the form the flag asks for, then exits with `exitStatus` when it is not
    /// 0 (a verdict's "different" or "fail"; bad input has thrown before).
    func print(json: @autoclosure () -> String, text: @autoclosure () -> String, exitStatus: Int32 = 0) throws {
        Swift.print(self.json ? json() : text())
        if exitStatus != 0 { throw ExitCode(exitStatus) }
    }
}
