import Foundation

/// The two batch scripts of a launch. Both are plain bash with `#SBATCH` directives, so the local
/// backend runs the very same files (bash ignores the directives).
///
/// * The task script is an array job (`--array=0-(N-1)`, overridden on the `sbatch` command line
///   when `resume` resubmits some tasks); each array task runs
///   `corpuskit launch run-task OUT $SLURM_ARRAY_TASK_ID`.
/// * The final script runs after the array succeeded (`--dependency=afterok:JOB`): it checks every
///   planned dataset (`corpuskit launch finish`, which also writes `OUT/token_info.csv`) and
///   writes `OUT/num_tokens.tsv` with `corpuskit count`.
public enum SbatchScript {
    /// The array job script.
    public static func taskScript(_ plan: LaunchPlan) -> String {
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        return script(
            header: ["# corpuskit launch: tokenize \(plan.inputs.count) input file(s) in \(plan.taskCount) task(s); plan: \(layout.planFile)",
                     "#SBATCH --job-name=corpuskit-tokenize",
                     "#SBATCH --array=0-\(plan.taskCount - 1)",
                     "#SBATCH --output=\(layout.logDirectory)/task-%a-job-%A.log"],
            directives: directives(plan.slurm, includeTaskShape: true),
            body: ["set -eu",
                   "exec \(quote(plan.executable)) launch run-task \(quote(plan.outputDirectory)) \"$SLURM_ARRAY_TASK_ID\""])
    }

    /// The final job script.
    public static func finalScript(_ plan: LaunchPlan) -> String {
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        let out = quote(plan.outputDirectory)
        return script(
            header: ["# corpuskit launch: check every dataset, then token_info.csv and num_tokens.tsv",
                     "#SBATCH --job-name=corpuskit-count",
                     "#SBATCH --output=\(layout.logDirectory)/final-job-%j.log",
                     "#SBATCH --ntasks=1"],
            directives: directives(plan.slurm, includeTaskShape: false),
            body: ["set -euo pipefail",
                   "\(quote(plan.executable)) launch finish \(out)",
                   "\(quote(plan.executable)) count \(out) --format tsv --root \(out) --output \(quote(layout.numTokensFile)) --quiet"])
    }

    /// A script: bash, the job's own lines, the pass-through directives, then the commands.
    private static func script(header: [String], directives: [String], body: [String]) -> String {
        (["#!/bin/bash"] + header + directives + body).joined(separator: "\n") + "\n"
    }

    /// `#SBATCH` lines for the pass-through options. The final job is one small process, so it
    /// takes the partition, account, time and extra arguments but not the CPU and memory shape.
    static func directives(_ options: SlurmOptions, includeTaskShape: Bool) -> [String] {
        var lines: [String] = []
        if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let account = options.account { lines.append("#SBATCH --account=\(account)") }
        if let time = options.time { lines.append("#SBATCH --time=\(time)") }
        if includeTaskShape {
            if let cpus = options.cpusPerTask { lines.append("#SBATCH --cpus-per-task=\(cpus)") }
            if let mem = options.mem { lines.append("#SBATCH --mem=\(mem)") }
        }
        for argument in options.extraArguments { lines.append("#SBATCH \(argument)") }
        return lines
    }

    /// True when `path` cannot stand unquoted in an `#SBATCH` line (sbatch splits those at
    /// whitespace and expands `%` patterns).
    public static func needsQuoting(_ path: String) -> Bool {
        path.contains { $0.isWhitespace || $0 == "'" || $0 == "\"" || $0 == "%" || $0 == "\\" }
    }

    /// `text` as one shell word.
    public static func quote(_ text: String) -> String {
        if !text.isEmpty && text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,@".contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
