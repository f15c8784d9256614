import ArgumentParser
import CorpusKitInference

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

extension JSONOutputOption {
    /// Prints a `model` report in the form the flag asks for, then exits with its status.
    func print(_ report: some ModelReport) throws {
        try print(json: report.json(), text: report.text(), exitStatus: report.exitStatus)
    }
}

/// What the `model` commands print: a report as JSON and as text, and its exit status (0 unless
/// a verdict says "different" or "fail").
protocol ModelReport {
    func json() -> String
    func text() -> String
    var exitStatus: Int32 { get }
}

extension ModelReport {
    var exitStatus: Int32 { 0 }
}

extension CheckpointDiff: ModelReport {}
extension ModelComparison.Summary: ModelReport {}
extension TrainingStepLoss.Result: ModelReport {}
extension ModelInfo: ModelReport {}
