import CorpusKitSystem

extension IndexCache.WriteSummary {
    /// One line per kind of outcome, for a person.
    public func report(directory: String) -> String {
        var parts = ["\(written.count) written"]
        if !kept.isEmpty { parts.append("\(kept.count) already there and identical (kept)") }
        if !replaced.isEmpty { parts.append("\(replaced.count) replaced") }
        return "index cache \(directory): " + parts.joined(separator: ", ")
    }
}

extension IndexCache.CheckResult {
    /// A summary line, then one line per file that is missing, wrong or extra.
    public func report(directory: String) -> String {
        let expected = matching.count + missing.count + wrong.count
        var lines: [String] = []
        if isExact {
            lines.append("index cache \(directory): exact (\(expected) files, every one with the bytes Megatron would build)"
                + (extra.isEmpty ? "" : "; \(extra.count) other files this run does not read"))
        } else {
            lines.append("index cache \(directory): NOT what this run needs: \(missing.count) of \(expected) files missing, "
                + "\(wrong.count) wrong, \(extra.count) extra. Megatron would build the missing ones and silently load the wrong ones")
        }
        lines += missing.map { "missing  \($0)" }
        lines += wrong.map { "wrong    \($0.name) (first difference at byte \($0.offset))" }
        lines += extra.map { "extra    \($0)" }
        return lines.joined(separator: "\n")
    }
}
