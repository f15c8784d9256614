#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem
import Foundation

enum ProgressFormat {
    /// `1,234,567`.
    static func grouped(_ value: Int) -> String { TextFormat.grouped(value) }

    /// `12.3M`, `4.5k`, `999`.
    static func compact(_ value: Int) -> String {
        let v = Double(value)
        if v >= 1e9 { return String(format: "%.2fG", v / 1e9) }
        if v >= 1e6 { return String(format: "%.1fM", v / 1e6) }
        if v >= 1e4 { return String(format: "%.1fk", v / 1e3) }
        return String(value)
    }

    /// `printf`-style formatting by the C library. Foundation's `String(format:)` goes through
    /// CFString and cost ~35 µs a call (perf): the log line below, written once per batch on the
    /// writer thread, spent more on its text than the writer on the batch's index entries.
    static func printf(_ format: String, _ arguments: CVarArg...) -> String {
        withVaList(arguments) { list in
            var buffer = [CChar](repeating: 0, count: 256)
            let length = Int(vsnprintf(&buffer, buffer.count, format, list))
            guard length >= buffer.count else { return String(cString: buffer) }
            return String(format: format, arguments: arguments)
        }
    }

    /// `1:02:03` or `2:03`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = (total / 60) % 60, s = total % 60
        return h > 0 ? printf("%ld:%02ld:%02ld", h, m, s) : printf("%ld:%02ld", m, s)
    }
}

/// A one-line progress bar redrawn in place on a terminal (at most ~8 times a second):
/// `[#######.............]  35%  12,345 docs  23.4 MB/s  4.5M tokens  ETA 0:42`.
public final class TerminalProgressBar: ProgressReporter {
    private var lastDraw = -1.0
    private let width = 24

    /// Creates a bar.
    public init() {}

    public func update(_ progress: PipelineProgress) {
        guard progress.elapsed - lastDraw >= 0.125 else { return }
        lastDraw = progress.elapsed
        draw(progress, final: false)
    }

    public func finish(_ progress: PipelineProgress) {
        draw(progress, final: true)
        StandardError.write("\n")
    }

    public func abandon() {
        if lastDraw >= 0 { StandardError.write("\n") }
    }

    private func draw(_ progress: PipelineProgress, final: Bool) {
        let fraction = final ? 1 : progress.fraction
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var line = "[\(bar)] \(String(format: "%3d%%", Int(fraction * 100)))"
        line += "  \(ProgressFormat.grouped(progress.documents)) docs"
        line += String(format: "  %.1f MB/s", progress.megabytesPerSecond)
        line += "  \(ProgressFormat.compact(progress.tokens)) tokens"
        if progress.skippedLines > 0 { line += "  \(ProgressFormat.grouped(progress.skippedLines)) skipped" }
        if final {
            line += "  \(ProgressFormat.duration(progress.elapsed))"
        } else if let left = progress.secondsLeft {
            line += "  ETA \(ProgressFormat.duration(left))"
        }
        StandardError.write("\r\u{1B}[K" + line)
    }
}

/// Plain log lines for files and pipes, one each time another `interval` documents are written,
/// in the spirit of `preprocess_data.py`'s
/// `Processed 1000 documents (512.3 docs/s, 1.9 MB/s).`
public final class LogLineProgress: ProgressReporter {
    private let interval: Int
    private var nextReport: Int

    /// Logs every `interval` documents (at least 1).
    public init(interval: Int) {
        self.interval = max(1, interval)
        self.nextReport = max(1, interval)
    }

    public func update(_ progress: PipelineProgress) {
        guard progress.documents >= nextReport else { return }
        nextReport = (progress.documents / interval + 1) * interval
        var line = ProgressFormat.printf("Processed %ld documents (%.1f docs/s, %.2f MB/s), %ld tokens",
                                         progress.documents, progress.documentsPerSecond, progress.megabytesPerSecond, progress.tokens)
        if progress.inputTotal > 0 { line += ProgressFormat.printf(", %.0f%% of input", progress.fraction * 100) }
        if let left = progress.secondsLeft { line += ", ETA \(ProgressFormat.duration(left))" }
        StandardError.write(line + ".\n")
    }

    public func finish(_ progress: PipelineProgress) {}

    public func abandon() {}
}
